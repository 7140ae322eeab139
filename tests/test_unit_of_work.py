"""The request's transaction: its tenant, its audit rows sent with COMMIT, and WPCOMPAT_AUDIT_READS_DURABLE.

UnitOfWork opens each request with BEGIN and the tenant in one statement and ends it with
the audit rows and COMMIT in one statement (db.begin_tenant / db.finish). What must not
change: a write is never committed without its audit row, a failed audit insert keeps
nothing, and a read's commit is relaxed only when the setting asks and nothing else was written.
"""

import falcon
import pytest
from falcon import testing

from conf.settings import SettingsError, load_settings
from wpcompat import audit
from wpcompat.app import create_app
from wpcompat.db import begin_tenant, bind, finish, open_database
from wpcompat.models import Term
from wpcompat.wp_ids import next_wp_id

from conftest import count_rows, make_site


def test_audit_reads_durable_defaults_to_true_and_reads_a_boolean():
    assert load_settings({}).audit_reads_durable is True
    assert load_settings({"WPCOMPAT_AUDIT_READS_DURABLE": "false"}).audit_reads_durable is False
    assert load_settings({"WPCOMPAT_AUDIT_READS_DURABLE": "yes"}).audit_reads_durable is True
    with pytest.raises(SettingsError, match="WPCOMPAT_AUDIT_READS_DURABLE"):
        load_settings({"WPCOMPAT_AUDIT_READS_DURABLE": "sometimes"})


class Write:
    """A test route that creates a term (and can spoil its own audit row)."""

    def __init__(self, spoil_audit=False):
        self.spoil_audit = spoil_audit

    def on_post(self, req, resp):
        term = Term.create(name="kept", slug=f"kept-{req.context.request_id}", wp_id=next_wp_id("term"))
        audit.record(req, "term:create", term.id)
        if self.spoil_audit:
            req.context.trust_score = 2 ** 40          # out of the column's range: the INSERT fails
        resp.status = falcon.HTTP_201
        resp.media = {"id": term.wp_id}


@pytest.mark.parametrize("durable", [True, False])
def test_reads_and_writes_are_committed_with_their_audit_rows_either_way(engine, app_database, site_a, site_b,
                                                                         audit_rows, durable):
    app = create_app(engine.settings(audit_reads_durable=durable), app_database)
    app.add_route("/wp-json/test/write", Write())
    client = testing.TestClient(app)

    read = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host)
    assert read.status_code == 200 and [post["id"] for post in read.json] == [site_a.post.wp_id]
    row = audit_rows(site_a, policy_decision="allow")[-1]
    assert row.metadata["request_id"] == read.headers["x-request-id"]
    assert row.metadata["ids"] == [site_a.post.wp_id]

    written = client.simulate_post("/wp-json/test/write", host=site_a.host)
    assert written.status_code == 201
    assert count_rows(site_a, Term, Term.wp_id == written.json["id"]) == 1
    row = audit_rows(site_a, resource_type="term")[-1]
    assert row.metadata["request_id"] == written.headers["x-request-id"] and row.operation == "create"
    assert not [r for r in audit_rows(site_b) if r.metadata.get("request_id") in
                (read.headers["x-request-id"], written.headers["x-request-id"])]   # the right tenant only


@pytest.fixture
def postgres_app_database(postgres_engine):
    bind(postgres_engine.database)
    database = open_database(postgres_engine.url, pool_size=2)
    yield database
    database.close_all()
    bind(postgres_engine.database)


@pytest.fixture
def pg_site(postgres_engine):
    """A site on PostgreSQL alone (what these tests check has no SQLite counterpart)."""
    bind(postgres_engine.database)
    return make_site(postgres_engine, "pg")


def test_a_write_whose_audit_row_cannot_be_inserted_is_not_committed(postgres_engine, postgres_app_database,
                                                                     pg_site):
    """The audit INSERT travels with COMMIT: when PostgreSQL refuses it, the term is not kept either."""
    app = create_app(postgres_engine.settings(), postgres_app_database)
    app.add_route("/wp-json/test/write", Write(spoil_audit=True))
    terms_before = count_rows(pg_site, Term)
    result = testing.TestClient(app).simulate_post("/wp-json/test/write", host=pg_site.host)
    assert result.status_code == 500 and result.json["code"] == "internal_server_error"
    assert count_rows(pg_site, Term) == terms_before


@pytest.fixture
def commit_probe(postgres_engine):
    """A table recording synchronous_commit as the committing statement saw it."""
    owner = postgres_engine.database
    with owner.connection_context():
        owner.execute_sql("CREATE TABLE IF NOT EXISTS commit_probe (mode text)")
        owner.execute_sql(f"GRANT INSERT, SELECT, DELETE ON commit_probe TO {postgres_engine.app_role}")
        owner.execute_sql("DELETE FROM commit_probe")
    yield
    with owner.connection_context():
        owner.execute_sql("DROP TABLE commit_probe")


PROBE = ("INSERT INTO commit_probe SELECT current_setting('synchronous_commit')", [])


@pytest.mark.parametrize("relax, writes, expected", [
    (True, False, "off"),       # a read: its audit row need not wait for the WAL flush
    (True, True, "on"),         # it wrote something: durable, whatever the setting
    (False, False, "on"),       # the setting says reads are durable too
])
def test_only_a_transaction_that_wrote_nothing_commits_without_waiting(postgres_engine, postgres_app_database,
                                                                      pg_site, commit_probe, relax, writes,
                                                                      expected):
    database = postgres_app_database
    database.wpcompat_switch_role = postgres_engine.app_role
    database.connect(reuse_if_open=True)
    try:
        txn = begin_tenant(database, pg_site.id)
        assert database.execute_sql("SELECT current_user").fetchone()[0] == postgres_engine.app_role
        assert database.execute_sql("SELECT count(*) FROM posts").fetchone()[0] == 1      # site A's only
        if writes:
            database.execute_sql("UPDATE posts SET menu_order = menu_order WHERE wp_id = %s",
                                 (pg_site.post.wp_id,))
        finish(database, txn, PROBE, relax_reads=relax)
        assert database.transaction_depth() == 0
        assert database.execute_sql("SELECT mode FROM commit_probe").fetchall() == [(expected,)]
        # the relaxed setting was transaction-local: the pooled connection is back to the default
        assert database.execute_sql("SELECT current_setting('synchronous_commit')").fetchone()[0] == "on"
    finally:
        database.close()


def test_a_savepoint_keeps_its_outside_work_only_if_it_is_released(engine):
    """Files written inside a batch or multicall entry follow that entry's savepoint (db.savepoint)."""
    from wpcompat.db import after_commit, after_rollback, savepoint, transaction_hooks

    bind(engine.database)
    done = []
    hooks = ([], [])
    token = transaction_hooks.set(hooks)
    try:
        with engine.database.atomic():
            with savepoint():
                after_commit(lambda: done.append("kept entry: commit"))
                after_rollback(lambda: done.append("kept entry: rollback"))
            with pytest.raises(RuntimeError):
                with savepoint():
                    after_commit(lambda: done.append("failed entry: commit"))
                    after_rollback(lambda: done.append("failed entry: undo"))
                    raise RuntimeError("refused")
    finally:
        transaction_hooks.reset(token)
    assert done == ["failed entry: undo"]                  # undone at once; its commit work dropped
    assert len(hooks[0]) == len(hooks[1]) == 1            # the kept entry's, handed to the request
    for action in hooks[0]:
        action()
    assert done == ["failed entry: undo", "kept entry: commit"]
