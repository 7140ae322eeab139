"""The tenant (and the app role) cannot leak through a pooled PostgreSQL connection."""

import pytest
from falcon import testing

from wpcompat.app import create_app
from wpcompat.db import bind, enter_tenant, open_database


@pytest.fixture
def engine(postgres_engine):
    """PostgreSQL only: pooling and roles are what is under test."""
    bind(postgres_engine.database)
    return postgres_engine


class BackendPid:
    """A test-only route reporting which pooled connection served it and what it could see."""

    def __init__(self, database):
        self.database = database

    def on_get(self, req, resp):
        pid, role, posts = self.database.execute_sql(
            "SELECT pg_backend_pid(), current_user, (SELECT count(*) FROM posts)").fetchone()
        resp.media = {"pid": pid, "role": role, "posts": posts}


def test_after_a_tenant_request_the_same_connection_sees_nothing(postgres_engine, site_a, site_b):
    database = open_database(postgres_engine.url, pool_size=1)      # one connection: always reused
    try:
        app = create_app(postgres_engine.settings(), database)
        app.add_route("/wp-json/test/pid", BackendPid(database))
        served = testing.TestClient(app).simulate_get("/wp-json/test/pid", host=site_a.host).json
        assert served["role"] == postgres_engine.app_role
        assert served["posts"] >= 1                                   # tenant A's posts only

        database.connect(reuse_if_open=True)
        with database.atomic():
            pid, role, tenant = database.execute_sql(
                "SELECT pg_backend_pid(), current_user, current_setting('app.tenant_id', true)").fetchone()
            assert pid == served["pid"]                               # the very same connection
            assert role != postgres_engine.app_role                  # SET LOCAL ROLE ended with the request
            assert tenant in ("", None)                               # so did the tenant
            enter_tenant(database, None)                              # a request with no tenant
            assert database.execute_sql("SELECT count(*) FROM posts").fetchone()[0] == 0
        database.close()
    finally:
        database.close_all()
        bind(postgres_engine.database)


def test_each_request_sees_its_own_tenant_on_one_connection(postgres_engine, site_a, site_b):
    database = open_database(postgres_engine.url, pool_size=1)
    try:
        app = create_app(postgres_engine.settings(), database)
        app.add_route("/wp-json/test/titles", Titles(database))
        client = testing.TestClient(app)
        for _ in range(3):
            a_titles = client.simulate_get("/wp-json/test/titles", host=site_a.host).json["titles"]
            assert "Secret of a" in a_titles and "Secret of b" not in a_titles
            b_titles = client.simulate_get("/wp-json/test/titles", host=site_b.host).json["titles"]
            assert "Secret of b" in b_titles and "Secret of a" not in b_titles
    finally:
        database.close_all()
        bind(postgres_engine.database)


class Titles:
    """Raw, unfiltered SQL: only RLS stands between the request and other tenants' rows."""

    def __init__(self, database):
        self.database = database

    def on_get(self, req, resp):
        rows = self.database.execute_sql("SELECT title FROM posts ORDER BY title").fetchall()
        resp.media = {"titles": [row[0] for row in rows]}
