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

from conftest import count_rows, make_site
from wpcompat.models import AuditTrail

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


# --- the default worker (wpcompat.worker.KeepAliveWorker): connections kept between requests ---------------

def raw_exchange(sock, data, answers=1, timeout=5.0):
    """Send raw bytes, read `answers` HTTP answers (each with Content-Length); [(head text, body)]."""
    sock.settimeout(timeout)
    sock.sendall(data)
    buffer, out = b"", []
    while len(out) < answers:
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed after {len(out)} answer(s)")
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")))
        while len(buffer) < length:
            buffer += sock.recv(65536)
        out.append((head.decode("latin-1"), buffer[:length]))
        buffer = buffer[length:]
    return out


def closed_by_server(sock, within=5.0):
    """Whether the server closes the connection within `within` seconds (EOF or reset)."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


@pytest.fixture
def kept_site(postgres_engine, tmp_path):
    """(site, start(*serve options) → Server): `wpcompat serve --workers 1` with the default worker."""
    site = make_site(postgres_engine, "kept")
    env = clean_env(WPCOMPAT_DATABASE_URL=postgres_engine.url, WPCOMPAT_APP_ROLE=postgres_engine.app_role,
                    WPCOMPAT_LOG_LEVEL="WARNING")
    servers = []

    def start(*options):
        server = Server(env, tmp_path, *options)
        servers.append(server)
        server.wait(site.host)
        return server

    yield site, start
    for server in servers:
        server.stop()


def test_a_connection_carries_many_requests_and_pipelined_ones_in_order(kept_site):
    import http.client

    site, start = kept_site
    server = start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    sockets = set()
    for _ in range(5):
        connection.request("GET", "/wp-json/wp/v2/posts", headers={"Host": site.host})
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Connection") == "keep-alive"
        assert [post["title"]["rendered"] for post in json.loads(response.read())] == ["Secret of kept"]
        sockets.add(id(connection.sock))
    assert len(sockets) == 1                      # http.client reopens a closed connection: it never had to
    connection.close()

    host = site.host.encode()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:       # two requests in one write
        answers = raw_exchange(sock, b"GET /wp-json/ HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
                                     b"GET /wp-json/wp/v2/types/post HTTP/1.1\r\nHost: " + host + b"\r\n\r\n", 2)
        assert json.loads(answers[0][1])["name"] == "Site kept"
        assert json.loads(answers[1][1])["slug"] == "post"
        # a request with a body, then one more on the same connection: the body is not read as a request
        body = b'{"title": "not a request line"}'
        answers = raw_exchange(sock, b"POST /wp-json/wp/v2/posts HTTP/1.1\r\nHost: " + host +
                               b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() +
                               b"\r\n\r\n" + body + b"GET /wp-json/ HTTP/1.1\r\nHost: " + host + b"\r\n\r\n", 2)
        assert answers[0][0].startswith("HTTP/1.1 401") and json.loads(answers[0][1])["code"] == "rest_cannot_create"
        assert json.loads(answers[1][1])["name"] == "Site kept"
        # HEAD: the head only (its Content-Length is the GET's), and the connection stays
        sock.sendall(b"HEAD /wp-json/ HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(65536)
        assert head.startswith(b"HTTP/1.1 200") and b"Connection: keep-alive" in head
        assert json.loads(raw_exchange(sock, b"GET /wp-json/ HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")[0][1])["name"] \
            == "Site kept"


def test_a_replayed_answer_is_written_as_gunicorn_writes_the_first(kept_site):
    """Hits are written by KeepAliveWorker as prepared bytes (worker.RAW_ANSWER): the same status line,
    headers (names, order, values) and body as the answer that built the entry; HTTP/1.0 and
    `Connection: close` close; HEAD has the head only; each hit is audited."""
    site, start = kept_site
    host = site.host.encode()
    server = start()

    def lines(head):
        return [line for line in head.split("\r\n") if not line.lower().startswith(("date:", "x-request-id:"))]

    request = b"GET /wp-json/wp/v2/types/post HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
    before = count_rows(site, AuditTrail)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        (first_head, first_body), (hit_head, hit_body) = raw_exchange(sock, request, 1) + raw_exchange(sock, request, 1)
        assert lines(hit_head) == lines(first_head) and hit_body == first_body
        assert lines(hit_head)[:3] == ["HTTP/1.1 200 OK", "Server: gunicorn", "Connection: keep-alive"]
        assert len([line for line in hit_head.split("\r\n") if line.lower().startswith("x-request-id:")]) == 1
        sock.sendall(b"HEAD /wp-json/wp/v2/types/post HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(65536)
        assert lines(head.decode("latin-1").split("\r\n\r\n")[0]) == lines(first_head) \
            and head.endswith(b"\r\n\r\n")                                   # nothing after the head
        assert json.loads(raw_exchange(sock, request)[0][1])["slug"] == "post"   # the connection goes on
    for closing in (b"GET /wp-json/wp/v2/types/post HTTP/1.0\r\nHost: " + host + b"\r\n\r\n",
                    request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")):
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            [(head, body)] = raw_exchange(sock, closing)
            assert "Connection: close" in head and body == first_body and closed_by_server(sock)
    assert count_rows(site, AuditTrail) >= before + 6              # every answer audited, hits included


def test_http_1_0_connection_close_and_keep_alive_0_close_after_the_answer(kept_site):
    site, start = kept_site
    host = site.host.encode()
    server = start()
    for request in (b"GET /wp-json/ HTTP/1.0\r\nHost: " + host + b"\r\n\r\n",
                    b"GET /wp-json/ HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            [(head, body)] = raw_exchange(sock, request)
            assert "Connection: close" in head and json.loads(body)["name"] == "Site kept"
            assert closed_by_server(sock)
    closing = start("--keep-alive", "0")                  # every answer closes, as gunicorn's sync worker
    with socket.create_connection(("127.0.0.1", closing.port)) as sock:
        [(head, _body)] = raw_exchange(sock, b"GET /wp-json/ HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
        assert "Connection: close" in head and closed_by_server(sock)


def test_an_idle_connection_is_closed_after_keep_alive_seconds(kept_site):
    site, start = kept_site
    server = start("--keep-alive", "1")
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        [(head, _body)] = raw_exchange(sock, b"GET /wp-json/ HTTP/1.1\r\nHost: " + site.host.encode() + b"\r\n\r\n")
        assert "Connection: keep-alive" in head
        assert not closed_by_server(sock, within=0.5)    # still open half a second later
        assert closed_by_server(sock, within=3.0)        # closed after the keep-alive second


def test_clients_beyond_the_kept_connections_are_served_at_once(kept_site):
    """One worker keeps two connections: a third client takes the slot of an idle one (it does not wait for
    the keep-alive timeout), and clients that keep one worker busy are all answered, connections going round."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    site, start = kept_site
    server = start("--keep-alive", "30")
    request = b"GET /wp-json/ HTTP/1.1\r\nHost: " + site.host.encode() + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port)) as first:   # built once (slow), kept: fast after
        raw_exchange(first, request, timeout=10)
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(2)]
    try:
        for sock in idle:
            assert "keep-alive" in raw_exchange(sock, request)[0][0]
        time.sleep(0.5)                                      # both held, both idle
        with socket.create_connection(("127.0.0.1", server.port)) as third:
            started = time.monotonic()
            [(_head, body)] = raw_exchange(third, request, timeout=10)
            assert json.loads(body)["name"] == "Site kept" and time.monotonic() - started < 5
        assert sum(closed_by_server(sock, within=1.0) for sock in idle) == 1   # one gave up its slot
    finally:
        for sock in idle:
            sock.close()

    def busy(_index):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        names = []
        for _ in range(15):
            for attempt in (1, 2):       # a GET on a kept connection the server just closed is sent again, as
                try:                     # browsers, urllib3 and node's agent do (http.client leaves it to us)
                    connection.request("GET", "/wp-json/", headers={"Host": site.host})
                    names.append(json.loads(connection.getresponse().read())["name"])
                    break
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    connection.close()
                    if attempt == 2:
                        raise
        connection.close()
        return names

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(busy, range(6))) == [["Site kept"] * 15] * 6


# The worker on its own, under a small WSGI app with a slow route (tests/data/slow_wsgi.py).

@pytest.fixture
def worker_server(tmp_path):
    """start(*gunicorn options) → (port, process): gunicorn with KeepAliveWorker, one worker, serving slow_wsgi."""
    processes = []

    def start(*options):
        port = free_port()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(os.path.dirname(__file__), "data"),
                                                           os.path.dirname(os.path.dirname(__file__))]))
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", "wpcompat.worker.KeepAliveWorker",
                                    "--workers", "1", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
                                    *options, "slow_wsgi:app"], env=env, cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(process)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port, process
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def get_line(path):
    return f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode()


def test_a_request_sent_while_the_worker_serves_another_client_is_answered(worker_server):
    """A kept connection whose request arrives while the worker is busy past the keep-alive time is served,
    not closed as idle."""
    port, _process = worker_server("--keep-alive", "1")
    with socket.create_connection(("127.0.0.1", port)) as kept, socket.create_connection(("127.0.0.1", port)) as slow:
        assert raw_exchange(kept, get_line("/hello"))[0][1] == b"hello"
        slow.sendall(get_line("/sleep?1.6"))
        time.sleep(0.3)
        assert raw_exchange(kept, get_line("/after"), timeout=10)[0][1] == b"/after"
        assert raw_exchange(slow, b"", timeout=10)[0][1] == b"slept 1.6"


def test_a_pipelining_client_does_not_starve_the_others(worker_server):
    port, _process = worker_server()
    with socket.create_connection(("127.0.0.1", port)) as greedy, socket.create_connection(("127.0.0.1", port)) as other:
        greedy.sendall(get_line("/sleep?0.03") * 100)             # ~3 s of work, all in the parser's buffer
        time.sleep(0.2)
        started = time.monotonic()
        assert raw_exchange(other, get_line("/other"), timeout=10)[0][1] == b"/other"
        assert time.monotonic() - started < 1.5                  # not after the greedy one's 3 s
        assert len(raw_exchange(greedy, b"", answers=100, timeout=30)) == 100


def test_stopping_during_a_request_answers_it_with_connection_close(worker_server):
    import signal

    port, process = worker_server("--graceful-timeout", "10")
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(get_line("/sleep?1") + get_line("/next"))
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)                      # graceful stop: the request in progress ends
        [(head, body)] = raw_exchange(sock, b"", timeout=10)
        assert body == b"slept 1" and "Connection: close" in head
        assert closed_by_server(sock)


def test_stopping_answers_what_another_kept_connection_sent_meanwhile(worker_server):
    import signal

    port, process = worker_server("--graceful-timeout", "10")
    with socket.create_connection(("127.0.0.1", port)) as kept, socket.create_connection(("127.0.0.1", port)) as slow:
        assert raw_exchange(kept, get_line("/hello"))[0][1] == b"hello"
        slow.sendall(get_line("/sleep?1"))
        time.sleep(0.3)
        kept.sendall(get_line("/meanwhile"))                     # arrives while the worker is busy
        time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert raw_exchange(slow, b"", timeout=10)[0][1] == b"slept 1"
        [(head, body)] = raw_exchange(kept, b"", timeout=10)     # answered, not reset unread
        assert body == b"/meanwhile" and "Connection: close" in head
        assert closed_by_server(kept)


def test_a_silent_client_does_not_hold_the_worker_and_a_short_body_closes(worker_server):
    port, _process = worker_server("--keep-alive", "5")
    with socket.create_connection(("127.0.0.1", port)) as silent, socket.create_connection(("127.0.0.1", port)) as sock:
        time.sleep(0.2)                                          # connected, says nothing
        started = time.monotonic()
        assert raw_exchange(sock, get_line("/hello"), timeout=10)[0][1] == b"hello"
        assert time.monotonic() - started < 3.0                  # not after gunicorn's 30 s worker timeout
        silent.sendall(get_line("/late"))                         # and it is still served once it speaks
        assert raw_exchange(silent, b"", timeout=10)[0][1] == b"/late"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(5)
        sock.sendall(get_line("/short"))                          # announces 10 bytes, sends 3
        received = b""
        while b"abc" not in received:
            received += sock.recv(1024)
        assert closed_by_server(sock, within=2.0)                # at once (keep-alive is 5 s): else the next answer
                                                                 # would be read as its body


def test_slow_answers_keep_one_connection_per_worker(worker_server):
    """A second connection would wait behind the first's slow answers while other workers may be free:
    after a slow answer a worker holding two connections closes the one it answered; alone, it keeps it."""
    port, _process = worker_server()
    with socket.create_connection(("127.0.0.1", port)) as first, socket.create_connection(("127.0.0.1", port)) as second:
        assert raw_exchange(first, get_line("/hello"))[0][1] == b"hello"
        assert raw_exchange(second, get_line("/hello"))[0][1] == b"hello"      # both held by the one worker
        head, body = raw_exchange(first, get_line("/sleep?0.05"))[0]
        assert body == b"slept 0.05" and "connection: close" in head.lower()
        assert closed_by_server(first)
        head, body = raw_exchange(second, get_line("/sleep?0.05"))[0]
        assert body == b"slept 0.05" and "connection: close" not in head.lower()   # alone: kept
        assert raw_exchange(second, get_line("/hello"))[0][1] == b"hello"
