"""The audit rows of replayed answers: written by the worker itself, or by the audit writer in groups.

Every answer the response cache replays is audited before it is sent (DESIGN.md §6): its rows are
inserted only if the tenant's content generation is still the one the answer was built under (and,
for XML-RPC, only if the application password that signed in still exists), and committed
(response_cache.py). Done by each worker, that is one database round trip and one commit per hit,
which on two cores costs more CPU than everything else a hit does (README, Speed).

The audit writer is one process beside gunicorn's workers (`wpcompat serve` runs it on PostgreSQL;
`wpcompat audit-writer` runs it alone). A worker sends it a hit's rows over a Unix socket and waits
for the answer; the writer takes every hit that arrived meanwhile, inserts each tenant's rows with
one gated statement in one transaction (the same statement a worker runs itself: insert_hits), and
answers each worker how many of its rows were written only after the COMMIT returned. With
WPCOMPAT_AUDIT_READS_DURABLE (the default) that COMMIT waited for the WAL flush, so an answer is
still never sent before its audit row is durable; the writer only shares one commit among the hits
that wait together (group commit).

When the writer cannot answer (not running, restarting, the database failed its statement, no
answer within WAIT_SECONDS) the worker audits the hit itself, under new row ids, and asks the writer
again after RETRY_SECONDS (doubled after each timeout, up to LONGEST_RETRY). A writer that committed
but could not answer in time leaves the hit audited twice, never not at all; and if the worker then
finds its entry stale, the request runs afresh and the writer's row records a replay the client did
not get (the same request, read again). The writer's statement gives up after STATEMENT_SECONDS.
Each thread of a worker (gthread) has its own connection, so an answer reaches the request it
belongs to; a connection that timed out is closed, so a late answer is never read by the next hit.
"""

import functools
import logging
import os
import selectors
import signal
import socket
import stat
import struct
import threading
import time
import uuid

import orjson

from wpcompat import audit
from wpcompat.db import GENERATION_SQL, _tenant_statement, release_connection, settle_serving_role
from wpcompat.queries.compiled import execute_prepared

log = logging.getLogger("wpcompat.audit_writer")

FRAME = struct.Struct("!I")          # a message's length, then its orjson
REPLY = struct.Struct("!i")          # rows written (-1: the writer could not write them)
LARGEST_MESSAGE = 1024 * 1024
MOST_ROWS = 64                       # rows per statement (each row count is one prepared statement)
WAIT_SECONDS = 5.0                   # a worker's wait for the writer's answer, then it writes itself
STATEMENT_SECONDS = 4                # the writer's statement_timeout: it answers -1 before the worker gives up
RETRY_SECONDS = 1.0                  # after a failure, a worker writes itself this long before asking again
LONGEST_RETRY = 60.0                 # the longest, after timeouts one after another
SOCKET_DIRECTORY_PREFIX = "wpcompat-audit-"   # serve's private directory for the socket (server.WriterProcess)

# audit_trail's columns typed as the VALUES list must type them, then the gate's two
CASTS = {"id": "uuid", "tenant_id": "uuid", "resource_id": "uuid", "user_id": "uuid", "metadata": "jsonb",
         "trust_score": "integer", "created_at": "timestamp"}
GATE = ("generation", "app_password")
WIDTH = len(audit.COLUMNS) + len(GATE)


@functools.lru_cache(maxsize=MOST_ROWS)
def hits_insert_sql(count):
    """INSERT of `count` audit rows, each written only if the tenant's content generation is the row's
    `generation` and its `app_password` (if any) still exists; the tenant comes last. RETURNING the
    ids written."""
    columns = ", ".join(audit.COLUMNS)
    one = "(" + ", ".join(f"%s::{CASTS.get(name, 'text')}" for name in audit.COLUMNS) + ", %s::bigint, %s::uuid)"
    return (f"INSERT INTO audit_trail ({columns}) SELECT {columns} "
            f"FROM (VALUES {', '.join([one] * count)}) AS hit ({columns}, {', '.join(GATE)}) "
            f"WHERE hit.generation = ({GENERATION_SQL.format(p='%s::uuid')}) "
            f"AND (hit.app_password IS NULL OR EXISTS (SELECT 1 FROM app_passwords WHERE id = hit.app_password)) "
            f"RETURNING id::text")


def hit_values(tenant, generation, rows, app_password=None):
    """The statement's values for `rows` (audit.COLUMNS each, then the gate), as JSON can carry them."""
    tenant, password = str(tenant), None if app_password is None else str(app_password)
    values = []
    for row in rows:
        row = {**row, "tenant_id": tenant, "metadata": orjson.dumps(row["metadata"]).decode(),
               "created_at": row["created_at"].isoformat()}
        values += [str(row[name]) if CASTS.get(name) == "uuid" else row[name] for name in audit.COLUMNS]
        values += [generation, password]
    return values


def insert_hits(database, tenant, values, durable=True, timeout=None):
    """One implicit transaction on PostgreSQL: the app role and `tenant`, then the gated rows of `values`
    (hit_values); the ids written. timeout: the statement's statement_timeout, in seconds."""
    setup, setup_params = _tenant_statement(database, tenant)
    if not durable:
        setup = setup.replace("SELECT ", "SELECT set_config('synchronous_commit', 'off', true), ", 1)
    if timeout:
        setup = setup.replace("SELECT ", f"SELECT set_config('statement_timeout', '{int(timeout * 1000)}', true), ", 1)
    count = len(values) // WIDTH
    cursor = execute_prepared(("audit hits", count), lambda _p: hits_insert_sql(count), [*values, str(tenant)],
                              prefix=(setup, setup_params), database=database)
    return {row[0] for row in cursor.fetchall()}


def row_ids(values):
    return [values[start] for start in range(0, len(values), WIDTH)]


class WriterClient:
    """A worker's connections to the audit writer: one per thread (gthread), opened when first needed,
    again after a fork."""

    def __init__(self, path, wait=WAIT_SECONDS, retry=RETRY_SECONDS):
        self.path, self.wait, self.retry = path, wait, retry
        self.local = threading.local()
        self.resume_at = 0.0                 # shared by the threads: the writer is down for all of them
        self.backoff = retry

    @property
    def sock(self):
        """This thread's connection in this process, or None."""
        held = getattr(self.local, "held", None)
        return held[1] if held is not None and held[0] == os.getpid() else None

    def write(self, tenant, generation, rows, app_password=None, durable=True):
        """How many of `rows` the writer wrote (0: the gate held them back), or None: it could not say,
        and the caller writes them itself (under new ids: the writer may still commit these)."""
        if time.monotonic() < self.resume_at or len(rows) > MOST_ROWS:
            return None
        try:
            message = orjson.dumps({"tenant": str(tenant), "durable": durable,
                                    "values": hit_values(tenant, generation, rows, app_password)})
            sock = self.sock or self._connect()
            sock.sendall(FRAME.pack(len(message)) + message)
            written = REPLY.unpack(self._receive(sock, REPLY.size))[0]
        except socket.timeout:
            log.warning("the audit writer did not answer within %s s: workers audit their hits for %s s",
                        self.wait, self.backoff)
            self._give_up(self.backoff)
            self.backoff = min(self.backoff * 2, LONGEST_RETRY)
            return None
        except Exception as error:           # not there, restarting, or a hit it cannot carry: write it here
            log.debug("audit writer unavailable (%s): the worker audits its hit itself", error)
            self._give_up(self.retry)
            return None
        if written < 0:
            self.resume_at = time.monotonic() + self.retry
            return None
        self.backoff = self.retry
        return written

    def _connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.wait)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        self.local.held = (os.getpid(), sock)
        return sock

    @staticmethod
    def _receive(sock, size):
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise ConnectionResetError("the audit writer closed the connection")
            data += chunk
        return data

    def _give_up(self, seconds):
        self.close()                         # a late answer is never read by the next hit
        self.resume_at = time.monotonic() + seconds

    def close(self):
        """Close this thread's connection (one inherited through a fork is only forgotten)."""
        sock = self.sock
        self.local.held = None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass


class Hit:
    __slots__ = ("conn", "tenant", "durable", "values")

    def __init__(self, conn, tenant, durable, values):
        self.conn, self.tenant, self.durable, self.values = conn, tenant, durable, values


def parse_message(conn, payload):
    """A Hit, or None for a message that is not one (it is answered -1)."""
    try:
        message = orjson.loads(payload)
        tenant = str(uuid.UUID(message["tenant"]))
        values, durable = message["values"], message["durable"]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None
    if not isinstance(values, list) or not values or len(values) % WIDTH or len(values) // WIDTH > MOST_ROWS \
            or not isinstance(durable, bool):
        return None
    return Hit(conn, tenant, durable, values)


class AuditWriter:
    """The writer's loop: accept workers, read their hits, write them in groups, answer each."""

    def __init__(self, database, path, parent=None):
        self.database, self.path, self.parent = database, path, parent
        self.selector = selectors.DefaultSelector()
        self.buffers = {}
        self.listener = None
        self.hits = self.commits = 0          # hits answered with a count, and the transactions that wrote them

    def listen(self):
        try:
            if stat.S_ISSOCK(os.lstat(self.path).st_mode):
                os.unlink(self.path)               # a previous writer's socket (anything else: bind fails)
        except FileNotFoundError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_mask = os.umask(0o177)                 # only this user may connect (the directory is private too)
        try:
            listener.bind(self.path)
        finally:
            os.umask(old_mask)
        listener.listen(128)
        listener.setblocking(False)
        self.inode = os.lstat(self.path).st_ino
        self.selector.register(listener, selectors.EVENT_READ)
        self.listener = listener

    def serve_forever(self):
        if self.listener is None:
            self.listen()
        while self.parent is None or os.getppid() == self.parent:
            self.step(timeout=1.0)

    def step(self, timeout=None):
        """Wait for work, then read everything ready and write it: one round of group commit."""
        hits = []
        for key, _mask in self.selector.select(timeout):
            if key.fileobj is self.listener:
                self._accept()
            else:
                hits += self._read(key.fileobj)
        if hits:
            self.write(hits)

    def _accept(self):
        while True:
            try:
                conn, _addr = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:               # out of descriptors, say: the worker writes itself
                log.warning("audit writer: cannot accept a worker (%s)", error)
                return
            conn.setblocking(False)
            self.buffers[conn] = bytearray()
            self.selector.register(conn, selectors.EVENT_READ)

    def _read(self, conn):
        buffer = self.buffers[conn]
        try:
            data = conn.recv(256 * 1024)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return []
        buffer += data
        hits = []
        while len(buffer) >= FRAME.size:
            size = FRAME.unpack_from(buffer)[0]
            if size > LARGEST_MESSAGE:
                self._drop(conn)
                return hits
            if len(buffer) < FRAME.size + size:
                break
            payload = bytes(buffer[FRAME.size:FRAME.size + size])
            del buffer[:FRAME.size + size]
            hit = parse_message(conn, payload)
            if hit is None:
                self._answer(conn, -1)
            else:
                hits.append(hit)
        return hits

    def write(self, hits):
        """Each tenant's hits in statements of at most MOST_ROWS rows; every hit answered."""
        groups = {}
        for hit in hits:
            groups.setdefault((hit.tenant, hit.durable), []).append(hit)
        for (tenant, durable), members in groups.items():
            batch, rows = [], 0
            for hit in members:
                count = len(hit.values) // WIDTH
                if batch and rows + count > MOST_ROWS:
                    self._commit(tenant, durable, batch)
                    batch, rows = [], 0
                batch.append(hit)
                rows += count
            self._commit(tenant, durable, batch)

    def _commit(self, tenant, durable, batch):
        try:
            self.database.connect(reuse_if_open=True)
            settle_serving_role(self.database)
            written = insert_hits(self.database, tenant, [value for hit in batch for value in hit.values], durable,
                                  timeout=STATEMENT_SECONDS)
        except Exception as error:
            release_connection(self.database, only_if_broken=True)
            if len(batch) > 1:                 # one hit the database refuses must not fail the others
                for hit in batch:
                    self._commit(tenant, durable, [hit])
                return
            log.warning("audit writer: a hit of tenant %s not written (%s): its worker writes it", tenant, error)
            self._answer(batch[0].conn, -1)
            return
        self.commits += 1
        self.hits += len(batch)
        for hit in batch:
            self._answer(hit.conn, sum(1 for row_id in row_ids(hit.values) if row_id in written))

    def _answer(self, conn, written):
        try:
            conn.sendall(REPLY.pack(written))  # four bytes: the socket buffer takes them at once
        except OSError:
            self._drop(conn)

    def _drop(self, conn):
        if conn in self.buffers:
            del self.buffers[conn]
            self.selector.unregister(conn)
        try:
            conn.close()
        except OSError:
            pass

    def close(self):
        for conn in list(self.buffers):
            self._drop(conn)
        if self.listener is not None:
            self.selector.unregister(self.listener)
            self.listener.close()
            self.listener = None
            try:
                if os.lstat(self.path).st_ino == self.inode:      # not another writer's since
                    os.unlink(self.path)
            except OSError:
                pass
        self.selector.close()


def _stop(_signum, _frame):
    raise SystemExit(0)


def run(settings, path, parent=None):
    """Serve as the audit writer on `path` until the parent process (if given) is gone."""
    from wpcompat.db import configure_serving_role, open_database

    database = open_database(settings.database_url, 1, application_name="wpcompat-audit-writer")
    configure_serving_role(database, settings.app_role, defer_if_unreachable=True)
    writer = AuditWriter(database, path, parent)
    signal.signal(signal.SIGTERM, _stop)          # serve's arbiter stops it so: close and remove the socket
    try:
        writer.serve_forever()
    finally:
        writer.close()
        database.close_all() if hasattr(database, "close_all") else database.close()
        if parent is not None:
            _remove_private_directory(path)


def _remove_private_directory(path):
    """The directory serve made for the socket, once empty: an arbiter killed outright cannot remove it."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.basename(directory).startswith(SOCKET_DIRECTORY_PREFIX):
        try:
            os.rmdir(directory)                   # only if empty; serve's own cleanup may have come first
        except OSError:
            pass
