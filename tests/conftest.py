"""Fixtures: every test that takes `engine` runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from WPCOMPAT_TEST_POSTGRES_URL (default: the local server as
user postgres). Each test session creates its own database and app role and drops
both at the end. Tests isolate themselves by making fresh tenants: tenant
isolation is the very thing under test, so nothing is truncated between tests.
"""

import dataclasses
import os
import uuid

import peewee
import psycopg2
import pytest
from falcon import testing

from conf.settings import load_settings
from wpcompat.accounts import create_app_password, create_user
from wpcompat.app import create_app
from wpcompat.db import bind, db, open_database, tenant_scope
from wpcompat.migrator import Migrator
from wpcompat.models import AuditTrail, Post, Term
from wpcompat.sites import create_site
from wpcompat.wp_ids import next_wp_id

POSTGRES_ADMIN_URL = os.environ.get("WPCOMPAT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin_connection():
    connection = psycopg2.connect(POSTGRES_ADMIN_URL)
    connection.autocommit = True
    return connection


def postgres_url(database, user=None):
    parts = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    if user:
        scheme, rest = parts.split("://", 1)
        rest = rest.split("@", 1)[-1]
        parts = f"{scheme}://{user}@{rest}"
    return f"{parts}/{database}"


@dataclasses.dataclass
class Engine:
    """One database under test: where it is, how the owner and the app role reach it."""

    name: str
    url: str                 # the owner's URL (migrations, tenant creation; serving switches role)
    app_role: str = "wpcompat_app"
    app_url: str = ""        # PostgreSQL: connecting directly as the app role
    database: object = None  # the owner's peewee database, bound in tests

    @property
    def postgres(self):
        return self.name == "postgres"

    def settings(self, **overrides):
        env = {"WPCOMPAT_DATABASE_URL": self.url, "WPCOMPAT_APP_ROLE": self.app_role,
               "WPCOMPAT_LOG_LEVEL": "WARNING"}
        env.update({f"WPCOMPAT_{key.upper()}": str(value) for key, value in overrides.items()})
        return load_settings(env)


def create_postgres_database(prefix="wpcompat_test"):
    """(database name, app role) freshly created; drop with drop_postgres_database."""
    suffix = uuid.uuid4().hex[:10]
    name, role = f"{prefix}_{suffix}", f"wpcompat_app_{suffix}"
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
    finally:
        connection.close()
    return name, role


def drop_postgres_database(name, role):
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                           "AND pid <> pg_backend_pid()", (name,))
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
            cursor.execute(f"DROP ROLE IF EXISTS {role}")
    finally:
        connection.close()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "wpcompat.sqlite3"
    engine = Engine("sqlite", f"sqlite:///{path}")
    engine.database = open_database(engine.url)
    Migrator(engine.database).migrate()
    return engine


@pytest.fixture(scope="session")
def postgres_engine():
    name, role = create_postgres_database()
    engine = Engine("postgres", postgres_url(name), app_role=role, app_url=postgres_url(name, role))
    engine.database = open_database(engine.url, pool_size=4)
    Migrator(engine.database, role).migrate()
    yield engine
    engine.database.close_all()
    drop_postgres_database(name, role)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request):
    """The engine under test, bound to the models' proxy for this test."""
    engine = request.getfixturevalue(f"{request.param}_engine")
    bind(engine.database)
    return engine


@pytest.fixture
def app_database(engine):
    """How serving reaches the database: on PostgreSQL through the owner URL, switching to the app role."""
    database = open_database(engine.url, pool_size=2)
    yield database
    if hasattr(database, "close_all"):
        database.close_all()
    bind(engine.database)


@dataclasses.dataclass
class SiteFixture:
    tenant: object
    host: str
    admin: object
    author: object
    admin_password: str
    post: object
    term: object

    @property
    def id(self):
        return self.tenant.id


def make_site(engine, label):
    """A tenant with a host, an administrator (with an app password), an author, a term and a post."""
    previous = db.obj
    try:
        return _make_site(engine, label)
    finally:
        if previous is not None:
            bind(previous)                     # an app created earlier keeps its own database


def _make_site(engine, label):
    bind(engine.database)
    slug = f"{label}-{uuid.uuid4().hex[:8]}"
    host = f"{slug}.clinic.test"
    with engine.database.atomic():
        tenant = create_site(slug, f"Site {label}", [host], description=f"The {label} clinic")
    with tenant_scope(tenant.id, engine.database):
        admin = create_user(f"admin-{slug}", f"admin@{host}", "administrator")
        author = create_user(f"author-{slug}", f"author@{host}", "author")
        _row, password = create_app_password(admin, "tests")
        term = Term.create(name=f"Cardiology {label}", slug=f"cardiology-{slug}", wp_id=next_wp_id("term"))
        post = Post.create(title=f"Secret of {label}", slug=f"secret-{slug}", status="publish",
                           author=author.id, category=term.id, wp_id=next_wp_id("post"))
    return SiteFixture(tenant, host, admin, author, password, post, term)


@pytest.fixture
def site_a(engine):
    return make_site(engine, "a")


@pytest.fixture
def site_b(engine):
    return make_site(engine, "b")


@pytest.fixture
def client(engine, app_database, site_a, site_b):
    """A Falcon test client over the whole middleware chain, two tenants present."""
    bind(engine.database)
    return testing.TestClient(create_app(engine.settings(), app_database))


@pytest.fixture
def door(client):
    """The response cache's fast path, watched: one entry per request, True when a kept answer was
    replayed at the WSGI door (before Falcon and the middleware chain)."""
    answered = []
    fast_answer = client.app.fast_path

    def watched(env, start_response, body):
        answer = fast_answer(env, start_response, body)
        answered.append(answer is not None)
        return answer

    client.app.fast_path = watched
    return answered


@pytest.fixture
def audit_rows(engine):
    """audit_rows(site, **filters): that tenant's audit rows, oldest first."""

    def read(site, **filters):
        with tenant_scope(site.id):
            query = AuditTrail.select().order_by(AuditTrail.created_at, AuditTrail.id)
            for name, value in filters.items():
                query = query.where(getattr(AuditTrail, name) == value)
            return list(query)

    return read


def basic_auth(login, password):
    import base64

    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def count_rows(site, model, *where):
    """Rows of `model` visible in `site`'s tenant (None: no tenant) through the bound database."""
    with tenant_scope(site.id if site else None):
        query = model.select()
        return query.where(*where).count() if where else query.count()


__all__ = ["basic_auth", "count_rows", "make_site", "peewee"]
