"""The migrator on a FRESH database per test and per engine: apply, re-apply, roll back, drift.

Nothing here uses the session databases of conftest: each test gets a new SQLite
file or a new PostgreSQL database (dropped, with its app role, when the test ends),
because what is under test is what migrations do to an empty schema.
"""

import dataclasses
import datetime
import uuid

import peewee
import pytest

from wpcompat.db import is_postgres, open_database
from wpcompat.migrator import Migrator, discover
from wpcompat.models import ALL_MODELS

from conftest import create_postgres_database, drop_postgres_database, postgres_url

ALL_NAMES = [migration.name for migration in discover()]
ALL_VERSIONS = [migration.version for migration in discover()]
AFTER_0001 = [name for name in reversed(ALL_NAMES) if name[:4] > "0001"]
APPLICATION_TABLES = {"tenants", "tenant_hosts", "users", "categories", "posts", "post_terms", "media",
                      "custom_fields", "workflow_states", "audit_trail", "app_passwords",
                      "wp_id_sequences", "post_counts", "acf_field_groups", "acf_fields", "term_custom_fields",
                      "user_custom_fields", "media_custom_fields", "option_custom_fields", "revisions"}
ACF_TABLES = {"acf_field_groups", "acf_fields", "term_custom_fields", "user_custom_fields", "media_custom_fields",
              "option_custom_fields"}                        # 0008
APPLICATION_TABLES |= {"comments"}                                   # 0010
GENERATION_TABLES = {"content_generations", "content_generation_bumps"}      # 0011
APPLICATION_TABLES |= GENERATION_TABLES
APPLICATION_TABLES |= {"login_failures"}                             # 0014
TABLES_OF_0001 = APPLICATION_TABLES - {"post_counts", "comments"} - GENERATION_TABLES - ACF_TABLES   # 0006…
TABLES_OF_0001 -= {"revisions", "login_failures"}                    # 0009, 0014
# 0002: the tables whose rows belong to one tenant, under a forced policy on PostgreSQL.
RLS_TABLES = ("users", "app_passwords", "categories", "posts", "post_terms", "media", "custom_fields",
              "workflow_states", "wp_id_sequences", "audit_trail")


@dataclasses.dataclass
class Fresh:
    """A brand-new, empty database and a migrator for it."""

    name: str
    database: object
    migrator: Migrator

    @property
    def postgres(self):
        return self.name == "postgres"

    def rows(self, sql, params=None):
        return self.database.execute_sql(sql, params).fetchall()

    # -- the catalog ---------------------------------------------------------------------

    def tables(self):
        if self.postgres:
            sql = ("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')")
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        return {name for (name,) in self.rows(sql)}

    def columns(self, table):
        if self.postgres:
            return {name for (name,) in self.rows(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s", (table,))}
        return {row[1] for row in self.rows(f'PRAGMA table_info("{table}")')}

    def triggers(self):
        """{(table, trigger name)} of every user-defined trigger."""
        if self.postgres:
            sql = ("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                   "JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE n.nspname = current_schema() AND NOT t.tgisinternal")
        else:
            sql = "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
        return set(self.rows(sql))

    def snapshot(self):
        """Everything the schema is made of, as comparable sorted lists."""
        if not self.postgres:
            return {"sqlite_master": sorted(self.rows("SELECT type, name, tbl_name, sql FROM sqlite_master"))}
        return {
            "tables": sorted(self.rows(
                "SELECT c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, "
                "pg_get_userbyid(c.relowner), c.relacl::text FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'S')")),
            "columns": sorted(self.rows(
                "SELECT table_name, column_name, data_type, is_nullable, column_default "
                "FROM information_schema.columns WHERE table_schema = current_schema()")),
            "indexes": sorted(self.rows(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")),
            "constraints": sorted(self.rows(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace")),
            "triggers": sorted(self.rows(
                "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE NOT tgisinternal")),
            "policies": sorted(self.rows(
                "SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies "
                "WHERE schemaname = current_schema()")),
            "functions": sorted(self.rows(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema()")),
        }

    def ledger(self):
        return self.rows("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")


@pytest.fixture
def calls(monkeypatch):
    """[(step, migration name)] in the order the migrator ran the migrations' up/down steps."""
    recorded = []
    for migration in discover():
        for step in ("up", "down"):
            original = getattr(migration.module, step)

            def record(ctx, original=original, step=step, name=migration.name):
                recorded.append((step, name))
                return original(ctx)

            monkeypatch.setattr(migration.module, step, record)
    return recorded


@pytest.fixture(params=["sqlite", "postgres"])
def fresh(request, tmp_path):
    if request.param == "sqlite":
        database = open_database(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
        yield Fresh("sqlite", database, Migrator(database))
        database.close()
        return
    name, role = create_postgres_database(prefix="wpcompat_mig")
    database = None
    try:
        database = open_database(postgres_url(name), pool_size=2)
        yield Fresh("postgres", database, Migrator(database, role))
    finally:
        if database is not None:
            database.close_all()
        drop_postgres_database(name, role)


def test_migrate_from_empty_applies_every_migration_in_order_and_records_it(fresh, calls):
    assert fresh.tables() == set()
    assert [(version, applied) for version, _name, applied in fresh.migrator.status()] == \
        [(version, None) for version in ALL_VERSIONS]
    before = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)

    assert fresh.migrator.migrate() == ALL_NAMES

    assert calls == [("up", name) for name in ALL_NAMES]
    ledger = fresh.ledger()
    assert [(version, name) for version, name, _at in ledger] == list(zip(ALL_VERSIONS, ALL_NAMES))
    applied_at = [at if isinstance(at, datetime.datetime) else datetime.datetime.fromisoformat(at)
                  for _v, _n, at in ledger]
    assert before <= applied_at[0] and applied_at == sorted(applied_at)
    assert applied_at[-1] <= before + datetime.timedelta(minutes=5)

    status = fresh.migrator.status()
    assert [(version, name) for version, name, _at in status] == list(zip(ALL_VERSIONS, ALL_NAMES))
    assert all(applied is not None for _v, _n, applied in status)
    assert set(fresh.migrator.applied()) == set(ALL_VERSIONS)
    assert fresh.tables() == APPLICATION_TABLES | {"schema_migrations"}


def test_a_second_migrate_does_nothing(fresh, calls):
    fresh.migrator.migrate()
    schema, ledger = fresh.snapshot(), fresh.ledger()
    calls.clear()

    assert fresh.migrator.migrate() == []

    assert calls == []
    assert fresh.snapshot() == schema
    assert fresh.ledger() == ledger


def add_rows(fresh):
    """One related row in each of tenants, users, posts and audit_trail (as the owner)."""
    database, p = fresh.database, fresh.database.param
    tenant, user, post = (str(uuid.uuid4()) for _ in range(3))
    now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    statements = [
        ("INSERT INTO tenants (id, slug, name, created_at, updated_at) VALUES ({p}, {p}, {p}, {p}, {p})",
         (tenant, "clinic", "Clinic", now, now)),
        ("INSERT INTO users (id, email, password_hash, tenant_id, created_at, updated_at, wp_id, login, "
         "nicename) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})",
         (user, "a@clinic.test", "x", tenant, now, now, 1, "a", "a")),
        ("INSERT INTO posts (id, title, slug, author_id, tenant_id, inserted_at, updated_at, wp_id) "
         "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})", (post, "T", "t", user, tenant, now, now, 1)),
        ("INSERT INTO audit_trail (id, operation, resource_type, resource_id, tenant_id, user_id, created_at) "
         "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})",
         (str(uuid.uuid4()), "create", "post", post, tenant, user, now)),
    ]
    with database.atomic():
        for sql, params in statements:
            database.execute_sql(sql.format(p=p), params)


def test_rollback_to_zero_undoes_everything_newest_first_and_migrate_starts_over(fresh, calls):
    fresh.migrator.migrate()
    migrated = fresh.snapshot()
    add_rows(fresh)          # rolling back must not trip over data (nor over the append-only audit trail)
    calls.clear()

    assert fresh.migrator.rollback("0000") == list(reversed(ALL_NAMES))

    assert calls == [("down", name) for name in reversed(ALL_NAMES)]
    assert fresh.tables() == {"schema_migrations"}
    assert fresh.ledger() == []
    assert fresh.triggers() == set()
    assert [applied for _v, _n, applied in fresh.migrator.status()] == [None] * len(ALL_NAMES)
    if fresh.postgres:
        assert fresh.rows("SELECT proname FROM pg_proc WHERE proname = 'audit_trail_append_only'") == []
    assert fresh.migrator.rollback("0000") == []

    assert fresh.migrator.migrate() == ALL_NAMES
    assert fresh.snapshot() == migrated
    assert [version for version, _n, _at in fresh.ledger()] == ALL_VERSIONS


def test_rollback_to_0001_undoes_everything_after_it(fresh, calls):
    fresh.migrator.migrate()
    migrated = fresh.snapshot()
    calls.clear()
    if fresh.postgres:   # the precondition of what is checked below
        assert fresh.rows("SELECT relrowsecurity FROM pg_class WHERE oid = 'posts'::regclass") == [(True,)]
    assert fresh.triggers()

    assert fresh.migrator.rollback("0001") == AFTER_0001

    assert calls == [("down", name) for name in AFTER_0001]
    assert [(version, name) for version, name, _at in fresh.ledger()] == [("0001", ALL_NAMES[0])]
    assert fresh.tables() == TABLES_OF_0001 | {"schema_migrations"}
    assert fresh.triggers() == set()       # the audit triggers are gone (sqlite_master / pg_trigger)
    if fresh.postgres:
        rls = fresh.rows("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                         "WHERE relname = ANY(%s) AND relnamespace = current_schema()::regnamespace",
                         (list(RLS_TABLES) + ["tenants"],))
        assert sorted(rls) == sorted((table, False, False) for table in RLS_TABLES + ("tenants",))
        assert fresh.rows("SELECT tablename, policyname FROM pg_policies "
                          "WHERE schemaname = current_schema()") == []
        assert fresh.rows("SELECT proname FROM pg_proc WHERE proname = 'audit_trail_append_only'") == []
        role = fresh.migrator.context.app_role      # kept (it is cluster-wide), holding nothing here
        assert fresh.rows(
            "SELECT c.relname, p.privilege FROM pg_class c, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', "
            "'DELETE', 'TRUNCATE']) AS p(privilege) WHERE c.relkind = 'r' "
            "AND c.relnamespace = current_schema()::regnamespace "
            "AND has_table_privilege(%s, c.oid, p.privilege)", (role,)) == []
    else:
        assert fresh.rows("SELECT name FROM sqlite_master WHERE type = 'trigger'") == []

    assert fresh.migrator.migrate() == list(reversed(AFTER_0001))
    assert fresh.snapshot() == migrated


def test_every_model_column_exists_in_the_migrated_table(fresh):
    fresh.migrator.migrate()
    tables = fresh.tables()
    missing = {}
    for model in ALL_MODELS:
        table = model._meta.table_name
        assert table in tables, f"{model.__name__}: no table {table!r}"
        absent = set(model._meta.columns) - fresh.columns(table)
        if absent:
            missing[f"{model.__name__} ({table})"] = sorted(absent)
    assert missing == {}


def test_the_audit_trail_is_append_only(fresh):
    fresh.migrator.migrate()
    database, p = fresh.database, fresh.database.param
    row_id, tenant = str(uuid.uuid4()), str(uuid.uuid4())
    with database.atomic():
        database.execute_sql(
            "INSERT INTO audit_trail (id, operation, resource_type, resource_id, tenant_id, user_id, "
            f"created_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})",
            (row_id, "read", "post", str(uuid.uuid4()), tenant, str(uuid.uuid4()),
             datetime.datetime(2026, 1, 2, 3, 4, 5)))

    def select():
        return [(str(identifier), operation) for identifier, operation in fresh.rows(
            f"SELECT id, operation FROM audit_trail WHERE id = {p}", (row_id,))]

    assert select() == [(row_id, "read")]

    for operation, statement in (("UPDATE", f"UPDATE audit_trail SET operation = 'delete' WHERE id = {p}"),
                                 ("DELETE", f"DELETE FROM audit_trail WHERE id = {p}")):
        with pytest.raises(peewee.DatabaseError, match=f"append-only: {operation} is not allowed"):
            with database.atomic():
                database.execute_sql(statement, (row_id,))
        assert select() == [(row_id, "read")]


# --- 0013: the seed indexes that lead another ---------------------------------------------------

DROPPED_BY_0013 = dict(next(migration for migration in discover() if migration.version == "0013").module.DROPPED)
# What serves the queries the dropped indexes could have served, and what foreign-key deletes look rows up by.
KEPT_BY_0013 = {"idx_posts_tenant_status", "idx_posts_listing", "posts_tenant_wp_id_index", "idx_posts_tenant_source_id",
        "idx_posts_author_id", "idx_posts_category_id", "idx_posts_parent_id", "idx_posts_featured_media_id",
        "custom_fields_post_meta_key_index", "idx_custom_fields_meta_key", "post_terms_post_term_index",
        "idx_post_terms_term_id", "idx_audit_trail_user_created",
        # the seed's single-column indexes the CMS's own queries across tenants may use: kept on purpose
        "idx_posts_status", "idx_posts_compliance_level", "idx_custom_fields_is_phi", "idx_custom_fields_tenant_id",
        "idx_post_terms_tenant_id"}


def index_names(database):
    if is_postgres(database):
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    return {name for (name,) in database.execute_sql(sql).fetchall()}


def test_0013_drops_the_two_indexes_that_lead_another_and_keeps_what_serves_their_queries(fresh):
    database, migrator = fresh.database, fresh.migrator
    migrator.migrate()
    names = index_names(database)
    assert set(DROPPED_BY_0013) == {"idx_posts_tenant_id", "idx_audit_trail_user_id"}
    assert not names & set(DROPPED_BY_0013)
    assert KEPT_BY_0013 <= names


def test_rolling_0013_back_creates_the_two_again(fresh):
    database, migrator = fresh.database, fresh.migrator
    migrator.migrate()
    migrator.rollback("0012")
    assert set(DROPPED_BY_0013) <= index_names(database)
    migrator.migrate()
    assert not index_names(database) & set(DROPPED_BY_0013)
