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
import logging
import os
import time
import uuid
from urllib.parse import unquote, urlsplit

import peewee
from playhouse.pool import MaxConnectionsExceeded, PooledPostgresqlDatabase
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

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


@contextlib.contextmanager
def savepoint():
    """db.atomic() as a savepoint of the request's transaction, with the outside work done inside it
    following the savepoint: if it rolls back, its after_rollback actions run at once and its
    after_commit actions are dropped (the request may still commit: a batch entry or a multicall
    entry that failed); if it is released, both go to the enclosing transaction's lists."""
    outer = transaction_hooks.get()
    if outer is None:
        with db.atomic():
            yield
        return
    frame = ([], [])
    token = transaction_hooks.set(frame)
    try:
        with db.atomic():
            yield
    except BaseException:
        transaction_hooks.reset(token)
        for action in frame[1]:
            try:
                action()
            except Exception:
                logging.getLogger("wpcompat.db").exception("undoing a rolled-back savepoint's outside work failed")
        raise
    transaction_hooks.reset(token)
    outer[0].extend(frame[0])
    outer[1].extend(frame[1])

NIL_UUID = "00000000-0000-0000-0000-000000000000"


class UnsafeRoleError(RuntimeError):
    """Serving would run queries with rights that bypass row-level security."""


class TenantPool(PooledPostgresqlDatabase):
    """peewee's pool, without a `SELECT 1` round trip for a connection that was in use a moment ago.

    peewee pings every connection it hands out. A connection checked in less than
    PING_AFTER seconds ago, idle and not closed, is handed out as it is: under load that
    saves one round trip of every request. One that sat longer is pinged as before (the
    server may have restarted, or closed it, while it waited).
    """

    PING_AFTER = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._checked_in = {}               # id(connection) → time.monotonic() of its last check-in

    def _is_closed(self, conn):
        returned = self._checked_in.pop(id(conn), None)
        if conn.closed or conn.get_transaction_status() != TRANSACTION_STATUS_IDLE:
            return True
        if returned is not None and time.monotonic() - returned < self.PING_AFTER:
            return False
        return super()._is_closed(conn)

    def _can_reuse(self, conn):
        reusable = super()._can_reuse(conn)
        if reusable:
            self._checked_in[id(conn)] = time.monotonic()
        return reusable


POOL_WAIT_SECONDS = 3       # a request waits this long for a pooled connection, then gets 503 db_busy
CONNECT_TIMEOUT_SECONDS = 5  # libpq's connect_timeout: a server that does not answer is a 503, not a hung worker


def open_database(url, pool_size=8, switch_role=None, pool_timeout=POOL_WAIT_SECONDS, application_name="wpcompat"):
    """A peewee database for `url` (sqlite:///path or postgresql://...).

    `switch_role`: on PostgreSQL, the role every tenant_scope switches to with
    SET LOCAL ROLE (None: stay as the connecting role). `pool_timeout`: seconds to wait for
    a free pooled connection before MaxConnectionsExceeded (answered 503 with Retry-After).
    A new connection gives up after CONNECT_TIMEOUT_SECONDS (a server that accepts and never answers
    would otherwise hold the worker until gunicorn kills it). On checkout peewee's pool pings an idle
    connection and drops it if the server went away.
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
        database = TenantPool(
            unquote(parts.path.lstrip("/")),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname or None, port=parts.port or None,
            max_connections=pool_size, stale_timeout=300, timeout=pool_timeout,
            autorollback=False, application_name=application_name, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    else:
        raise ValueError(f"unsupported database URL scheme {parts.scheme!r}")
    database.wpcompat_switch_role = switch_role
    return database


def bind(database):
    """Point the shared proxy (and so every model) at `database`."""
    db.initialize(database)
    return database


def _broken(database):
    """The thread's connection can no longer be used (the server went away, a rollback failed)."""
    if not is_postgres(database):
        return False
    conn = database._state.conn
    return conn is not None and (conn.closed or database._adapter.txn_status(conn) == database._adapter.txn_unknown)


def release_connection(database, only_if_broken=False):
    """End of a unit of work: give the thread's connection back to the pool, or drop it if broken.

    A connection the server dropped (PostgreSQL restarted) must never go back to the pool or
    stay bound to the thread; peewee's close() would refuse while a transaction is marked open,
    so a broken one is taken out of the pool's books and closed here (peewee's own manual_close
    does the same, minus that refusal). `only_if_broken`: leave a healthy connection open.
    """
    target = database.obj if isinstance(database, peewee.DatabaseProxy) else database
    if target is None or target.is_closed():
        return
    if _broken(target):
        conn = target._state.conn
        if isinstance(target, PooledPostgresqlDatabase):
            with target._pool_lock:
                target._in_use.pop(target.conn_key(conn), None)
                target._pool_available.notify()
        try:
            conn.close()
        except Exception:
            pass
        target._state.reset()
    elif not only_if_broken:
        target.close()


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
    if is_postgres(target):
        settle_serving_role(target)
        target.execute_sql(*_tenant_statement(target, tenant_id))


def _tenant_statement(database, tenant_id):
    role = getattr(database, "wpcompat_switch_role", None)
    tenant = "" if tenant_id is None else str(tenant_id)
    if role:
        return ("SELECT set_config('role', %s, true), set_config('app.tenant_id', %s, true)", (role, tenant))
    return "SELECT set_config('app.tenant_id', %s, true)", (tenant,)


# The tenant's content generation (migrations/0011): moved on by every write to its content.
GENERATION_SQL = "SELECT COALESCE((SELECT generation FROM content_generations WHERE tenant_id = {p}), 0)"


def uuid_param(value):
    """A uuid as both engines compare it in raw SQL (the dashed text peewee stores on SQLite)."""
    return str(uuid.UUID(str(value)))


def begin_tenant(database, tenant_id, read_generation=False):
    """Open the request's transaction with the tenant (and role) set; returns it for `finish`.

    On PostgreSQL BEGIN and the set_config travel as one statement, one round trip;
    elsewhere it is peewee's atomic() as tenant_scope opens it. read_generation: also read the
    tenant's content generation, in the same round trip, into `txn.content_generation`.
    """
    if is_postgres(database):
        settle_serving_role(database)
    if not is_postgres(database) or database.transaction_depth():
        txn = database.atomic()
        txn.__enter__()
        enter_tenant(database, tenant_id)
        if read_generation:
            txn.content_generation = database.execute_sql(
                GENERATION_SQL.format(p=database.param), (uuid_param(tenant_id),)).fetchone()[0]
        return txn
    sql, params = _tenant_statement(database, tenant_id)
    if read_generation:
        sql, params = f"{sql}; {GENERATION_SQL.format(p='%s')}", (*params, uuid_param(tenant_id))
    try:
        cursor = database.execute_sql("BEGIN; " + sql, params)
    except Exception:
        with contextlib.suppress(Exception):  # BEGIN may have run: leave no transaction open
            database.rollback()
        raise
    txn = peewee._transaction(database)       # what atomic() pushes, its BEGIN already sent
    if read_generation:
        txn.content_generation = cursor.fetchone()[0]
    database.push_transaction(txn)
    return txn


# Sent before the audit rows of a request when reads need not wait for the WAL flush: the
# database itself tells whether the transaction wrote anything (a write has a transaction id
# before the audit INSERT; a read has none), so a request that changed data always commits durably.
RELAX_READ_COMMIT = ("SELECT set_config('synchronous_commit', 'off', true) "
                     "WHERE pg_current_xact_id_if_assigned() IS NULL")


def finish(database, txn, last=None, relax_reads=False):
    """Commit `txn` from begin_tenant, running `last` (sql, params) — the audit rows — just before.

    On PostgreSQL the statement and COMMIT travel together (one round trip); if either
    fails, nothing of the transaction is kept and the error propagates. relax_reads: a
    transaction that wrote nothing but `last` commits without waiting for the WAL flush.
    """
    if not is_postgres(database) or database.transaction_depth() != 1:
        if last is not None:
            database.execute_sql(*last)
        txn.__exit__(None, None, None)
        return
    parts, params = [], []
    if relax_reads:
        parts.append(RELAX_READ_COMMIT)
    if last is not None:
        parts.append(last[0])
        params.extend(last[1])
    parts.append("COMMIT")
    database.pop_transaction()
    try:
        database.execute_sql("; ".join(parts), params)
    except Exception:
        database.rollback()                   # the transaction is aborted: end it
        database._clear_commit_callbacks()
        raise
    database._run_commit_callbacks()          # as peewee's own commit does


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


def configure_serving_role(database, app_role, defer_if_unreachable=False):
    """Decide how serving avoids bypassing RLS on PostgreSQL; raise UnsafeRoleError if it can't.

    Connected as a safe role: serve as it. Connected as an owner or superuser:
    switch to `app_role` in every transaction, provided that role is itself safe and
    the connecting user may become it.

    `defer_if_unreachable` (a gunicorn worker starting while PostgreSQL is down or out of
    connections): decide before the first transaction instead (settle_serving_role), rather
    than fail the worker's boot, which makes gunicorn stop the whole server.
    """
    if not is_postgres(database):
        return None
    try:
        with database.connection_context():
            return _decide_serving_role(database, app_role)
    except (peewee.OperationalError, peewee.InterfaceError, MaxConnectionsExceeded):
        if not defer_if_unreachable:
            raise
        database.wpcompat_role_pending = app_role
        return None


def settle_serving_role(database):
    """Before a transaction: make the decision configure_serving_role deferred, if it did."""
    pending = getattr(database, "wpcompat_role_pending", None)
    if not pending:
        return
    outside = database.transaction_depth() == 0
    _decide_serving_role(database, pending)
    if outside:
        database.connection().rollback()            # end the implicit transaction of the checks
    database.wpcompat_role_pending = None


def _decide_serving_role(database, app_role):
    """configure_serving_role's checks, on the connection in use."""
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
