"""The database handle, the tenant context and the role serving runs as (DESIGN.md §4–5).

One `DatabaseProxy` (`db`) is bound at start from WPCOMPAT_DATABASE_URL. Every unit of
work that touches tenant data runs inside `tenant_scope(tenant_id)`: one transaction
whose first statement, on PostgreSQL, switches to the app role and sets
`app.tenant_id` *transaction-locally*, so a pooled connection never carries a
tenant (or a role) into the next request. On SQLite, where there is no RLS, the
same `current_tenant` context variable scopes every model query (models/base.py).
"""

import contextlib
import contextvars
import os
from urllib.parse import unquote, urlsplit

import peewee
from playhouse.pool import PooledPostgresqlDatabase

db = peewee.DatabaseProxy()

# The tenant (uuid.UUID) whose rows the current unit of work may see; None: no rows.
current_tenant = contextvars.ContextVar("wpcompat_current_tenant", default=None)

# Work outside the database that must follow the request's transaction (files of the media store):
# (on_commit, on_rollback) lists of callables, set by UnitOfWork for each request; None outside one.
transaction_hooks = contextvars.ContextVar("wpcompat_transaction_hooks", default=None)


def after_commit(action):
    """Run `action` once the request's transaction committed (now, when there is no request)."""
    hooks = transaction_hooks.get()
    if hooks is None:
        action()
    else:
        hooks[0].append(action)


def after_rollback(action):
    """Run `action` if the request's transaction rolls back (undo work done outside the database)."""
    hooks = transaction_hooks.get()
    if hooks is not None:
        hooks[1].append(action)

NIL_UUID = "00000000-0000-0000-0000-000000000000"


class UnsafeRoleError(RuntimeError):
    """Serving would run queries with rights that bypass row-level security."""


def open_database(url, pool_size=8, switch_role=None):
    """A peewee database for `url` (sqlite:///path or postgresql://...).

    `switch_role`: on PostgreSQL, the role every tenant_scope switches to with
    SET LOCAL ROLE (None: stay as the connecting role).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        path = unquote(url[len("sqlite:///"):]) or ":memory:"
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        database = peewee.SqliteDatabase(path, pragmas={
            "journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000,
            "synchronous": "normal"})
    elif scheme in ("postgres", "postgresql"):
        database = PooledPostgresqlDatabase(
            unquote(parts.path.lstrip("/")),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname or None, port=parts.port or None,
            max_connections=pool_size, stale_timeout=300, timeout=10,
            autorollback=False, application_name="wpcompat")
    else:
        raise ValueError(f"unsupported database URL scheme {parts.scheme!r}")
    database.wpcompat_switch_role = switch_role
    return database


def bind(database):
    """Point the shared proxy (and so every model) at `database`."""
    db.initialize(database)
    return database


def is_postgres(database=None):
    target = database if database is not None else db.obj
    return isinstance(target, peewee.PostgresqlDatabase)


@contextlib.contextmanager
def tenant_scope(tenant_id, database=None):
    """One transaction in which only `tenant_id`'s rows exist (None: no rows at all).

    On PostgreSQL the first statement switches role and sets app.tenant_id, both
    transaction-local (set_config(..., true)); a session-level SET would leak
    through the pool. The context variable scopes queries on SQLite.
    """
    database = database if database is not None else db
    token = current_tenant.set(tenant_id)
    try:
        with database.atomic() as transaction:
            enter_tenant(database, tenant_id)
            yield transaction
    finally:
        current_tenant.reset(token)


def enter_tenant(database, tenant_id):
    """Within an open transaction: become the app role and set the tenant."""
    target = database.obj if isinstance(database, peewee.DatabaseProxy) else database
    if not is_postgres(target):
        return
    role = getattr(target, "wpcompat_switch_role", None)
    tenant = "" if tenant_id is None else str(tenant_id)
    if role:
        target.execute_sql("SELECT set_config('role', %s, true), set_config('app.tenant_id', %s, true)",
                           (role, tenant))
    else:
        target.execute_sql("SELECT set_config('app.tenant_id', %s, true)", (tenant,))


ROLE_FACTS_SQL = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
       EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relowner = r.oid AND n.nspname = current_schema()) AS owns_tables
FROM pg_roles r WHERE r.rolname = %s
"""


def role_problem(database, role):
    """Why `role` must not serve queries (a sentence), or None when it is safe."""
    row = database.execute_sql(ROLE_FACTS_SQL, (role,)).fetchone()
    if row is None:
        return f"role {role!r} does not exist (run `wpcompat migrate` first)"
    name, superuser, bypassrls, owns_tables = row
    if superuser:
        return f"role {name!r} is a superuser"
    if bypassrls:
        return f"role {name!r} has BYPASSRLS"
    if owns_tables:
        return f"role {name!r} owns tables in the schema"
    return None


def configure_serving_role(database, app_role):
    """Decide how serving avoids bypassing RLS on PostgreSQL; raise UnsafeRoleError if it can't.

    Connected as a safe role: serve as it. Connected as an owner or superuser:
    switch to `app_role` in every transaction, provided that role is itself safe and
    the connecting user may become it.
    """
    if not is_postgres(database):
        return None
    with database.connection_context():
        current = database.execute_sql("SELECT current_user").fetchone()[0]
        if role_problem(database, current) is None:
            database.wpcompat_switch_role = None
            return current
        problem = role_problem(database, app_role)
        if problem:
            raise UnsafeRoleError(
                f"refusing to serve: connected as {current!r}, which bypasses row-level security, "
                f"and {problem}")
        allowed = database.execute_sql("SELECT pg_has_role(current_user, %s, 'MEMBER')",
                                       (app_role,)).fetchone()[0]
        if not allowed:
            raise UnsafeRoleError(
                f"refusing to serve: connected as {current!r}, which bypasses row-level security, "
                f"and it may not SET ROLE {app_role!r}")
    database.wpcompat_switch_role = app_role
    return app_role
