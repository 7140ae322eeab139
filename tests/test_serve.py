"""`wpcompat serve`: a live gunicorn answering real HTTP, as `make run` starts it."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import make_site

CLI = [sys.executable, "-m", "wpcompat.cli"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**settings):
    env = {key: value for key, value in os.environ.items() if not key.startswith("WPCOMPAT_")}
    env.update(settings)
    return env


def get(port, path, host, timeout=5.0):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


class Server:
    def __init__(self, env, cwd, *options):
        self.port = free_port()
        self.process = subprocess.Popen(CLI + ["serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                                               *options],
                                        env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def wait(self, host, deadline=30.0):
        start = time.monotonic()
        while time.monotonic() - start < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.process.stdout.read().decode()}")
            try:
                return get(self.port, "/wp-json/", host, timeout=1.0)
            except (ConnectionError, urllib.error.URLError, socket.timeout):
                time.sleep(0.2)
        raise AssertionError("server did not answer in time")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def test_make_run_path_serves_the_demo_site_on_sqlite(tmp_path):
    """migrate → demo → serve in a fresh directory, then the README's curl."""
    env = clean_env(WPCOMPAT_LOG_LEVEL="WARNING")
    for command in (["migrate"], ["demo"]):
        subprocess.run(CLI + command, env=env, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    assert (tmp_path / "var" / "wpcompat.sqlite3").exists()
    server = Server(env, tmp_path, "--access-log")               # as `make run` starts it
    try:
        status, headers, body = server.wait("localhost")
        assert status == 200
        assert body["name"] == "Clínica Demo" and body["timezone_string"] == "America/Sao_Paulo"
        assert headers["Link"] == '<http://localhost/wp-json/>; rel="https://api.w.org/"'
    finally:
        server.stop()
    assert '"GET /wp-json/ HTTP/1.1" 200' in server.process.stdout.read().decode()


def test_serving_postgres_through_an_owner_url_runs_as_the_app_role(postgres_engine, tmp_path):
    site = make_site(postgres_engine, "live")
    other = make_site(postgres_engine, "other")
    env = clean_env(WPCOMPAT_DATABASE_URL=postgres_engine.url, WPCOMPAT_APP_ROLE=postgres_engine.app_role,
                    WPCOMPAT_LOG_LEVEL="WARNING")
    server = Server(env, tmp_path)
    try:
        status, _headers, body = server.wait(site.host)
        assert status == 200 and body["name"] == "Site live"
        status, _headers, body = get(server.port, "/wp-json/", other.host)
        assert status == 200 and body["name"] == "Site other"
        status, _headers, body = get(server.port, "/wp-json/", "unknown.example")
        assert status == 404 and body["code"] == "rest_site_not_found"
    finally:
        server.stop()
    assert "GET /wp-json/" not in server.process.stdout.read().decode()    # no access log unless asked


@pytest.mark.parametrize("app_role", ["postgres"])
def test_serve_refuses_a_role_that_bypasses_rls(postgres_engine, tmp_path, app_role):
    env = clean_env(WPCOMPAT_DATABASE_URL=postgres_engine.url, WPCOMPAT_APP_ROLE=app_role)
    result = subprocess.run(CLI + ["serve", "--bind", f"127.0.0.1:{free_port()}"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "refusing to serve" in lines[0] and "superuser" in lines[0]


@contextlib.contextmanager
def served_clinic(prefix, label, folder, prepare=None):
    """A fresh PostgreSQL database holding only a demo clinic, served by `wpcompat serve`.

    Yields (clinic, base URL, the owner's database). `prepare(clinic)` adds data before serving;
    with one tenant the server answers on 127.0.0.1 whatever the Host. Everything is dropped after.
    """
    from clinic import make_clinic
    from conftest import Engine, create_postgres_database, drop_postgres_database, postgres_url
    from wpcompat.db import bind, db, open_database
    from wpcompat.migrator import Migrator

    name, role = create_postgres_database(prefix)
    engine = Engine("postgres", postgres_url(name), app_role=role, app_url=postgres_url(name, role))
    engine.database = open_database(engine.url, pool_size=2)
    previous, server = db.obj, None
    try:
        Migrator(engine.database, role).migrate()
        clinic = make_clinic(engine, label)
        bind(engine.database)                  # this database, not the session's
        if prepare is not None:
            prepare(clinic)
        env = clean_env(WPCOMPAT_DATABASE_URL=engine.url, WPCOMPAT_APP_ROLE=role, WPCOMPAT_LOG_LEVEL="WARNING")
        server = Server(env, folder)
        status, _headers, _body = server.wait("127.0.0.1")
        assert status == 200
        yield clinic, f"http://127.0.0.1:{server.port}", engine.database
    finally:
        if server is not None:
            server.stop()
        engine.database.close_all()
        if previous is not None:
            bind(previous)
        drop_postgres_database(name, role)


def test_threaded_workers_keep_connections_alive_and_isolate_tenants(postgres_engine, tmp_path):
    """`--threads N`: gthread workers answer many requests on one connection, in parallel, each in its tenant."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    sites = [make_site(postgres_engine, label) for label in ("one", "two")]
    env = clean_env(WPCOMPAT_DATABASE_URL=postgres_engine.url, WPCOMPAT_APP_ROLE=postgres_engine.app_role,
                    WPCOMPAT_LOG_LEVEL="WARNING", WPCOMPAT_POOL_SIZE="4")
    server = Server(env, tmp_path, "--threads", "4")
    try:
        server.wait(sites[0].host)

        def read_many(site):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            seen = set()
            for _ in range(20):                      # one connection for all of them
                connection.request("GET", "/wp-json/wp/v2/posts", headers={"Host": site.host})
                response = connection.getresponse()
                assert response.status == 200 and response.getheader("Connection") != "close"
                seen.update(post["title"]["rendered"] for post in json.loads(response.read()))
            connection.close()
            return seen

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(read_many, sites * 4))
        assert answers == [{"Secret of one"}, {"Secret of two"}] * 4
    finally:
        server.stop()
