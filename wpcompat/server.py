"""`wpcompat serve`: checks the database, then runs gunicorn on wpcompat.wsgi:app."""

from gunicorn.app.base import BaseApplication

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


def serve(settings, bind, workers, threads=1, access_log=False, keep_alive=2):
    """Run gunicorn; raises NotReady (one line) when the database is not fit to serve.

    Workers: wpcompat.worker.KeepAliveWorker (a sync worker that keeps client connections open
    `keep_alive` seconds between requests; 0: closed after each answer, as gunicorn's sync worker);
    threads above 1: gthread workers (each thread needs a pooled connection: WPCOMPAT_POOL_SIZE ≥
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
    WPCompatServer(options).run()
