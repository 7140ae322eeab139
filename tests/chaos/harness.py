"""What the chaos tests and bench/chaos.py share: a private PostgreSQL cluster, a live gunicorn, a load.

- `PrivateCluster`: initdb into a temporary directory, run as the `postgres` user on a free port with
  its own socket directory. The fault tests stop, restart and kill *this* cluster, never the shared one
  on 5432 (other tests use it). `destroy()` stops it and removes every file.
- `served_site(...)`: a migrated database on a cluster (private or shared) holding an ACF clinic,
  served by `wpcompat serve` with several gunicorn workers.
- `Load`: many threads of HTTP requests; every answer is kept (status, WordPress error code,
  X-Request-ID, Retry-After, time taken), and `figures()` counts them by kind.
"""

import collections
import contextlib
import dataclasses
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import psycopg2

PG_BIN = pathlib.Path(os.environ.get("WPCOMPAT_PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "wpcompat.cli"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command):
    """Run a server binary as the `postgres` user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + command
    return command


class PrivateCluster:
    """A PostgreSQL cluster of our own: trust auth on 127.0.0.1:<port>, stopped and removed after."""

    def __init__(self, max_connections=100):
        self.folder = pathlib.Path(tempfile.mkdtemp(prefix="wpcompat-chaos-pg-"))
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        self.max_connections = max_connections
        self.sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                                     "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True, timeout=120)

    @property
    def admin_url(self):
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database, user="postgres"):
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout=60):
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
                   f"-c max_connections={self.max_connections} -c fsync=off "
                   f"-c full_page_writes=off -c deadlock_timeout=200ms")
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                                     "-o", options, "-w", "-t", str(timeout), "start"]),
                       check=True, capture_output=True, timeout=timeout + 10)

    def stop(self, mode="fast"):
        """mode: smart, fast (disconnect clients, the usual restart) or immediate (a crash)."""
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
                       capture_output=True, timeout=60)

    def restart(self, mode="fast", down_for=0.0):
        self.stop(mode)
        time.sleep(down_for)
        self.start()

    def is_running(self):
        result = subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"]),
                                capture_output=True, timeout=30)
        return result.returncode == 0

    def destroy(self):
        if self.data.exists() and self.is_running():
            self.stop("immediate")
        keep = os.environ.get("WPCOMPAT_CHAOS_KEEP_PG_LOG")          # where to copy the server's log
        if keep and self.log.exists():
            shutil.copy(self.log, keep)
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def private_cluster(**options):
    cluster = PrivateCluster(**options)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


class LiveServer:
    """`wpcompat serve` (gunicorn, sync workers) on a free port."""

    def __init__(self, env, cwd, workers=4):
        self.port = free_port()
        self.output = open(pathlib.Path(cwd) / f"gunicorn-{self.port}.log", "wb")
        self.process = subprocess.Popen(CLI + ["serve", "--bind", f"127.0.0.1:{self.port}",
                                               "--workers", str(workers)],
                                        env=env, cwd=cwd, stdout=self.output, stderr=subprocess.STDOUT)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def wait(self, deadline=60.0):
        start = time.monotonic()
        while time.monotonic() - start < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {pathlib.Path(self.output.name).read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/wp-json/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise AssertionError("server did not answer in time")

    def log_text(self):
        self.output.flush()
        return pathlib.Path(self.output.name).read_text(errors="replace")

    def stop(self):
        self.process.send_signal(signal.SIGINT)          # gunicorn's quick shutdown
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.output.close()


def server_env(**settings):
    env = {key: value for key, value in os.environ.items() if not key.startswith("WPCOMPAT_")}
    env.update({"WPCOMPAT_LOG_LEVEL": "WARNING"}, **settings)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@dataclasses.dataclass
class Answer:
    method: str
    path: str
    status: int                # 0: no HTTP answer at all (connection refused/reset, timeout)
    code: str                  # the WordPress error code, "" on success
    body: object
    request_id: str
    retry_after: str
    seconds: float


def call(base, method, path, headers=None, body=None, timeout=30.0, raw=None):
    """One HTTP request; never raises: a connection failure is status 0 with code 'connection'."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(f"{base}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, response_headers, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, response_headers, payload = error.code, error.headers, error.read()
    except (OSError, urllib.error.URLError) as error:
        return Answer(method, path, 0, f"connection: {type(error).__name__}", None, "", "",
                      time.monotonic() - start)
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = payload.decode(errors="replace")
    code = parsed.get("code", "") if isinstance(parsed, dict) and status >= 400 else ""
    return Answer(method, path, status, code, parsed, response_headers.get("X-Request-ID", ""),
                  response_headers.get("Retry-After", ""), time.monotonic() - start)


class Load:
    """Runs callables in `writers` threads; keeps every Answer."""

    def __init__(self):
        self.answers = []
        self._lock = threading.Lock()

    def keep(self, answer):
        with self._lock:
            self.answers.append(answer)
        return answer

    def run(self, jobs, writers=32):
        """jobs: callables returning an Answer (or a list of them); all start together."""
        barrier = threading.Barrier(min(writers, len(jobs)))
        queue = collections.deque(jobs)
        results = []

        def worker():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
            while True:
                try:
                    job = queue.popleft()
                except IndexError:
                    return
                answer = job()
                for one in answer if isinstance(answer, list) else [answer]:
                    results.append(self.keep(one))

        threads = [threading.Thread(target=worker) for _ in range(min(writers, len(jobs)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def run_for(self, seconds, job, writers=32, stop=None):
        """Each thread calls job(i) in a loop for `seconds` (or until `stop` is set)."""
        stop = stop or threading.Event()
        deadline = time.monotonic() + seconds

        def worker(index):
            step = 0
            while time.monotonic() < deadline and not stop.is_set():
                answer = job(index, step)
                for one in answer if isinstance(answer, list) else [answer]:
                    self.keep(one)
                step += 1

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def figures(self, answers=None):
        answers = self.answers if answers is None else answers
        by_kind = collections.Counter(f"{a.status} {a.code}".strip() for a in answers if a.status >= 500 or a.status == 0)
        return {"requests": len(answers),
                "2xx": sum(1 for a in answers if 200 <= a.status < 300),
                "4xx": collections.Counter(f"{a.status} {a.code}" for a in answers if 400 <= a.status < 500),
                "5xx_by_kind": by_kind,
                "slowest_seconds": round(max((a.seconds for a in answers), default=0.0), 2)}


@dataclasses.dataclass
class ServedSite:
    site: object               # tests/acf/support.py AcfSite: users of every role, ACF field groups
    server: LiveServer
    database: object           # the owner's peewee database (read the results with it)
    url: str                   # the owner's URL
    app_role: str

    @property
    def base(self):
        return self.server.base

    def headers(self, login="administrator"):
        return {"Host": self.site.host, **self.site.auth(login)}

    def call(self, method, path, login="administrator", headers=None, **kwargs):
        return call(self.base, method, f"/wp-json{path}", headers={**self.headers(login), **(headers or {})},
                    **kwargs)

    def make_posts(self, count, title, status="publish"):
        """`count` published posts written straight into the database (quicker than the API); wp ids."""
        from wpcompat.db import tenant_scope
        from wpcompat.models import Post
        from wpcompat.wp_ids import next_wp_id

        ids = []
        with tenant_scope(self.site.id, self.database):
            for n in range(count):
                wp_id = next_wp_id("post")
                Post.create(title=f"{title} {n}", slug=f"{title.lower().replace(' ', '-')}-{wp_id}",
                            status=status, author=self.site.users["administrator"].id, wp_id=wp_id,
                            compliance_level="public", content=f"<p>{title} {n}</p>")
                ids.append(wp_id)
        return ids


def _admin(url):
    connection = psycopg2.connect(url)
    connection.autocommit = True
    return connection


@contextlib.contextmanager
def served_site(admin_url, folder, workers=4, label="chaos", **settings):
    """A fresh database on the cluster of `admin_url` with one ACF clinic, served by gunicorn.

    `settings`: extra WPCOMPAT_* variables for the server (e.g. WPCOMPAT_POOL_SIZE="1").
    The database and its role are dropped after.
    """
    from acf.support import make_acf_site
    from conftest import Engine
    from wpcompat.db import bind, db, open_database
    from wpcompat.migrator import Migrator

    suffix = os.urandom(5).hex()
    name, role = f"wpcompat_chaos_{suffix}", f"wpcompat_app_{suffix}"
    base_url = admin_url.rsplit("/", 1)[0]
    url = f"{base_url}/{name}"
    with contextlib.closing(_admin(admin_url)) as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    engine = Engine("postgres", url, app_role=role)
    engine.database = open_database(url, pool_size=4)
    previous, server = db.obj, None
    try:
        Migrator(engine.database, role).migrate()
        site = make_acf_site(engine, label)
        bind(engine.database)
        media_root = pathlib.Path(folder) / "uploads"
        env = server_env(WPCOMPAT_DATABASE_URL=url, WPCOMPAT_APP_ROLE=role,
                         WPCOMPAT_MEDIA_ROOT=str(media_root), **settings)
        server = LiveServer(env, folder, workers=workers)
        server.wait()
        yield ServedSite(site, server, engine.database, url, role)
    finally:
        if server is not None:
            server.stop()
        engine.database.close_all()
        if previous is not None:
            bind(previous)
        with contextlib.suppress(psycopg2.Error), contextlib.closing(_admin(admin_url)) as connection, \
                connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                           "AND pid <> pg_backend_pid()", (name,))
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
            cursor.execute(f"DROP ROLE IF EXISTS {role}")


def audit_request_ids(database, tenant_id):
    """Every request id that has at least one audit row in the tenant (read as the owner)."""
    rows = database.execute_sql("SELECT DISTINCT metadata->>'request_id' FROM audit_trail WHERE tenant_id = %s",
                                (str(tenant_id),)).fetchall()
    return {row[0] for row in rows}
