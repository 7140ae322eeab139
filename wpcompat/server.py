"""`wpcompat serve`: checks the database, then runs gunicorn on wpcompat.wsgi:app (and, on PostgreSQL,
the audit writer beside it)."""

import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from gunicorn.app.base import BaseApplication

from wpcompat.audit_writer import SOCKET_DIRECTORY_PREFIX
from wpcompat.db import configure_serving_role, open_database
from wpcompat.migrator import discover


class NotReady(RuntimeError):
    pass


def preflight(settings):
    """Refuse to start (one line) if serving would bypass RLS or the schema is not migrated."""
    database = open_database(settings.database_url, 1)
    try:
        configure_serving_role(database, settings.app_role)
        with database.connection_context():
            tables = database.get_tables()
            if "schema_migrations" not in tables:
                raise NotReady("the database is not migrated: run `wpcompat migrate` first")
            applied = {row[0] for row in database.execute_sql("SELECT version FROM schema_migrations")}
        pending = [m.name for m in discover() if m.version not in applied]
        if pending:
            raise NotReady(f"migrations pending ({', '.join(pending)}): run `wpcompat migrate` first")
    finally:
        database.close_all() if hasattr(database, "close_all") else database.close()


class WPCompatServer(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from wpcompat.wsgi import app

        return app


log = logging.getLogger("wpcompat.server")


class WriterProcess:
    """The audit writer (wpcompat/audit_writer.py) as a child of gunicorn's arbiter, started again after
    it dies (a second later, doubling up to a minute while it keeps dying young). Its socket lies in
    a directory only this user may enter, made afresh at each start; the workers find it in
    WPCOMPAT_AUDIT_WRITER_SOCKET. The writer stops by itself when the arbiter is gone.

    gunicorn's arbiter reaps every child, the writer included, so the writer is watched and signalled
    through a pidfd (valid after the reaping, never another process that reused its pid), not wait()."""

    RESTART_AFTER = 1.0
    LONGEST_PAUSE = 60.0
    YOUNG = 10.0                          # dying sooner than this after its start doubles the pause

    def __init__(self):
        self.directory = self.path = None
        self.owner = os.getpid()
        self.stopping = threading.Event()
        self.lock = threading.Lock()      # a restart and stop() never overlap
        self.pidfd = None

    def start(self):
        self.directory = tempfile.mkdtemp(prefix=SOCKET_DIRECTORY_PREFIX)     # mode 0700
        self.path = os.path.join(self.directory, "writer.sock")
        self._spawn()
        threading.Thread(target=self._watch, name="audit-writer-watch", daemon=True).start()

    def _spawn(self):
        process = subprocess.Popen(
            [sys.executable, "-m", "wpcompat.cli", "audit-writer", "--socket", self.path, "--parent", str(self.owner)],
            stdin=subprocess.DEVNULL)
        try:
            self.pidfd = os.pidfd_open(process.pid)
        except ProcessLookupError:        # dead and reaped already: the watch sees it at once
            self.pidfd = None
        self.started = time.monotonic()

    def _watch(self):
        pause = self.RESTART_AFTER
        while True:
            if self.pidfd is not None:
                select.select([self.pidfd], [], [])          # readable once the writer exited
            if self.stopping.is_set():
                return
            lived = time.monotonic() - self.started
            if lived >= self.YOUNG:
                pause = self.RESTART_AFTER
            log.warning("the audit writer exited after %.0f s; starting it again in %.0f s "
                        "(workers audit their hits meanwhile)", lived, pause)
            if self.stopping.wait(pause):
                return
            with self.lock:
                if self.stopping.is_set():
                    return
                self._close_pidfd()
                try:
                    self._spawn()
                except OSError as error:
                    log.error("cannot start the audit writer: %s", error)
                    self.started = time.monotonic()
            pause = min(pause * 2, self.LONGEST_PAUSE)      # if this one dies young too

    def _close_pidfd(self):
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None

    def stop(self):
        """In the arbiter only (a worker inherits this object when it forks)."""
        if os.getpid() != self.owner or self.stopping.is_set():
            return
        self.stopping.set()
        with self.lock:
            if self.pidfd is not None:
                try:
                    signal.pidfd_send_signal(self.pidfd, signal.SIGTERM)
                    if not select.select([self.pidfd], [], [], 5)[0]:
                        signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if self.directory:
                shutil.rmtree(self.directory, ignore_errors=True)


def serve(settings, bind, workers, threads=1, access_log=False, keep_alive=2):
    """Run gunicorn; raises NotReady (one line) when the database is not fit to serve.

    Workers: wpcompat.worker.KeepAliveWorker (a sync worker that keeps client connections open
    `keep_alive` seconds between requests; 0: closed after each answer, as gunicorn's sync worker);
    On PostgreSQL with the response cache on (and WPCOMPAT_AUDIT_WRITER), the audit writer runs beside
    them (WriterProcess). Threads above 1: gthread workers (each thread needs a pooled connection: WPCOMPAT_POOL_SIZE ≥
    threads). access_log: a line per request on stdout;
    off by default, as gunicorn's own default: every request already leaves an audit row and the
    proxy in front keeps the access log; formatting the line costs a worker ~5% of a cached answer.
    """
    preflight(settings)
    options = {"bind": bind, "workers": workers, "loglevel": settings.log_level.lower(), "proc_name": "wpcompat",
               "worker_class": "wpcompat.worker.KeepAliveWorker", "keepalive": keep_alive}
    if threads > 1:           # a request per thread
        options.update(worker_class="gthread", threads=threads)
    if access_log:
        options["accesslog"] = "-"
    writer = None
    if settings.is_postgres and settings.response_cache_mb and settings.audit_writer \
            and not settings.audit_writer_socket:
        writer = WriterProcess()
        options["on_exit"] = lambda _arbiter: writer.stop()
    application = WPCompatServer(options)     # its config keeps the environment for a re-exec (USR2): before the socket
    try:
        if writer is not None:
            writer.start()
            os.environ["WPCOMPAT_AUDIT_WRITER_SOCKET"] = writer.path   # the workers' settings read it
        application.run()
    finally:
        if writer is not None:
            writer.stop()
