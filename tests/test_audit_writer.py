"""The audit writer (wpcompat/audit_writer.py): replayed answers' audit rows, committed in groups, gated
on the content generation, under the tenant's row-level security, and never lost when the writer is not
there (the worker writes them itself)."""

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
from falcon import testing

from wpcompat.app import create_app
from wpcompat.audit_writer import AuditWriter, WriterClient, hit_values
from wpcompat.db import GENERATION_SQL, bind, configure_serving_role, db, open_database, tenant_scope
from wpcompat.models import AuditTrail
from wpcompat.models.base import utcnow

from conftest import make_site
from test_serve import CLI, clean_env, free_port

NIL = uuid.UUID(int=0)


@pytest.fixture
def writer(postgres_engine, tmp_path):
    """An AuditWriter on a socket in tmp_path, stepped by the test (writer.step) or by run_in_background."""
    bind(postgres_engine.database)
    database = open_database(postgres_engine.url, 1)
    configure_serving_role(database, postgres_engine.app_role)
    audit_writer = AuditWriter(database, str(tmp_path / "writer.sock"))
    audit_writer.listen()
    yield audit_writer
    audit_writer.close()
    database.close_all()


def run_in_background(audit_writer):
    """Step the writer in a thread until the returned stop() is called."""
    stopping = threading.Event()

    def loop():
        while not stopping.is_set():
            audit_writer.step(timeout=0.05)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join(5)

    return stop


def generation(site):
    with tenant_scope(site.id):
        return db.execute_sql(GENERATION_SQL.format(p="%s"), (str(site.id),)).fetchone()[0]


def hit_row(marker, tenant=None):
    row = {"id": uuid.uuid4(), "operation": "read", "resource_type": "post", "resource_id": uuid.uuid4(),
           "user_id": NIL, "metadata": {"marker": marker, "served_from": "cache"}, "trust_score": 0,
           "policy_decision": "allow", "created_at": utcnow()}
    if tenant is not None:
        row["tenant_id"] = tenant
    return row


def trail(site, marker):
    with tenant_scope(site.id):
        return [row for row in AuditTrail.select() if row.metadata.get("marker") == marker]


def send_together(audit_writer, calls):
    """Each call(client) in its own thread with its own connection; the writer reads them all in one round.
    The calls' results, in order, and the commits of that round."""
    clients = [WriterClient(audit_writer.path) for _call in calls]
    before = set(audit_writer.buffers)
    connected = threading.Barrier(len(calls) + 1)
    results = [None] * len(calls)

    def send(index):
        clients[index]._connect()
        connected.wait(10)
        results[index] = calls[index](clients[index])
        clients[index].close()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(set(audit_writer.buffers) - before) < len(clients) and time.monotonic() < deadline:
        audit_writer.step(timeout=0.1)                    # accept every connection first
    connections = list(set(audit_writer.buffers) - before)
    connected.wait(10)
    while time.monotonic() < deadline:                    # every message has arrived: one round takes them all
        ready, _, _ = select.select(connections, [], [], 0.05)
        if len(ready) == len(clients):
            break
    commits = audit_writer.commits
    audit_writer.step(timeout=1)
    for thread in threads:
        thread.join(10)
    return results, audit_writer.commits - commits


def test_hits_waiting_together_are_written_in_one_commit(writer, postgres_engine):
    site = make_site(postgres_engine, "group")
    current = generation(site)
    calls = [lambda client, n=n: client.write(site.id, current, [hit_row(f"group-{n}")]) for n in range(4)]
    results, commits = send_together(writer, calls)
    assert results == [1, 1, 1, 1]
    assert commits == 1
    for n in range(4):
        [row] = trail(site, f"group-{n}")
        assert row.tenant_id == site.id and row.operation == "read" and row.metadata["served_from"] == "cache"


def test_a_stale_hit_or_a_revoked_app_password_writes_nothing_and_says_so(writer, postgres_engine):
    site = make_site(postgres_engine, "gate")
    current = generation(site)
    calls = [lambda client: client.write(site.id, current - 1, [hit_row("stale")]),
             lambda client: client.write(site.id, current, [hit_row("revoked")], app_password=uuid.uuid4()),
             lambda client: client.write(site.id, current, [hit_row("fresh-1"), hit_row("fresh-2")])]
    results, commits = send_together(writer, calls)
    assert results == [0, 0, 2] and commits == 1
    assert trail(site, "stale") == [] and trail(site, "revoked") == []
    assert len(trail(site, "fresh-1")) == len(trail(site, "fresh-2")) == 1


def test_each_tenant_is_written_under_its_own_row_level_security(writer, postgres_engine):
    one, two = make_site(postgres_engine, "wone"), make_site(postgres_engine, "wtwo")
    generations = {one.id: generation(one), two.id: generation(two)}
    calls = [lambda client, site=site: client.write(site.id, generations[site.id], [hit_row(f"tenant-{site.id}")])
             for site in (one, two)]
    results, commits = send_together(writer, calls)
    assert results == [1, 1] and commits == 2
    assert len(trail(one, f"tenant-{one.id}")) == 1 and trail(one, f"tenant-{two.id}") == []
    assert len(trail(two, f"tenant-{two.id}")) == 1 and trail(two, f"tenant-{one.id}") == []


def test_a_row_for_another_tenant_is_refused_by_rls_and_the_writer_goes_on(writer, postgres_engine):
    """A message names its tenant; a row claiming another one fails the policy's WITH CHECK: -1, nothing
    written, and the next round writes as usual."""
    site, other = make_site(postgres_engine, "claim"), make_site(postgres_engine, "victim")
    current = generation(site)
    forged = hit_values(site.id, current, [hit_row("forged")])
    forged[1] = str(other.id)                              # tenant_id column of the only row

    def send_forged(client):
        import orjson
        from wpcompat.audit_writer import FRAME, REPLY
        message = orjson.dumps({"tenant": str(site.id), "durable": True, "values": forged})
        client.sock.sendall(FRAME.pack(len(message)) + message)
        return REPLY.unpack(client._receive(client.sock, REPLY.size))[0]

    results, _commits = send_together(writer, [send_forged, lambda client: client.write(site.id, current,
                                                                                      [hit_row("beside")])])
    assert results == [-1, 1]                              # the hit beside it is written all the same
    assert trail(other, "forged") == [] and trail(site, "forged") == []
    assert len(trail(site, "beside")) == 1
    results, commits = send_together(writer, [lambda client: client.write(site.id, current, [hit_row("after")])])
    assert results == [1] and commits == 1


def test_a_malformed_message_is_answered_minus_one_and_others_are_written(writer, postgres_engine):
    site = make_site(postgres_engine, "bad")
    current = generation(site)

    def send_raw(payload):
        def call(client):
            from wpcompat.audit_writer import FRAME, REPLY
            client.sock.sendall(FRAME.pack(len(payload)) + payload)
            return REPLY.unpack(client._receive(client.sock, REPLY.size))[0]
        return call

    results, _commits = send_together(writer, [
        send_raw(b"not json"),
        send_raw(b'{"tenant": "x", "durable": true, "values": []}'),
        send_raw(b'{"tenant": "%s", "durable": true, "values": [1, 2, 3]}' % str(site.id).encode()),
        lambda client: client.write(site.id, current, [hit_row("good")])])
    assert results == [-1, -1, -1, 1]
    assert len(trail(site, "good")) == 1


def test_threads_sharing_a_client_each_get_their_own_answer(writer, postgres_engine):
    """gthread: the threads of a worker share its WriterClient; stale and fresh hits sent at once must
    each be answered for themselves (a fresh hit's 1 read by a stale one would replay unaudited)."""
    site = make_site(postgres_engine, "threads")
    current = generation(site)
    client = WriterClient(writer.path)
    stop = run_in_background(writer)
    answers = {}

    def hits(index):
        stale = index % 2
        answers[index] = [client.write(site.id, current - stale, [hit_row(f"thread-{index}")]) for _ in range(25)]

    try:
        threads = [threading.Thread(target=hits, args=(index,)) for index in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        stop()
    for index in range(6):
        assert answers[index] == [0 if index % 2 else 1] * 25
        assert len(trail(site, f"thread-{index}")) == (0 if index % 2 else 25)


def test_a_late_answer_is_never_read_by_the_next_hit(writer, postgres_engine):
    site = make_site(postgres_engine, "late")
    current = generation(site)
    client = WriterClient(writer.path, wait=0.3)
    while not writer.buffers:                             # the writer accepts, then stops reading
        client._connect() if client.sock is None else None
        writer.step(timeout=0.1)
    assert client.write(site.id, current - 1, [hit_row("late-stale")]) is None      # no answer in time
    assert client.sock is None and client.resume_at > time.monotonic()
    writer.step(timeout=1)                                # now answers 0 to a connection already closed
    writer.step(timeout=0.1)
    writer.database.close()                               # peewee's connections are per thread: hand it on
    client.resume_at = 0
    stop = run_in_background(writer)
    try:
        assert client.write(site.id, current, [hit_row("late-fresh")]) == 1
    finally:
        stop()


def test_without_a_writer_the_worker_audits_its_hits_itself_and_uses_the_writer_once_it_is_back(
        postgres_engine, tmp_path):
    bind(postgres_engine.database)
    site = make_site(postgres_engine, "fallback")
    path = str(tmp_path / "later.sock")
    app_database = open_database(postgres_engine.url, pool_size=2)
    app = create_app(postgres_engine.settings(audit_writer_socket=path), app_database)
    client = testing.TestClient(app)
    cache = app.fast_path.__self__
    try:
        def replays():
            bind(postgres_engine.database)
            with tenant_scope(site.id):
                return [row for row in AuditTrail.select() if row.metadata.get("served_from") == "cache"]

        for _ in range(3):                                    # built once, then replayed twice: nobody listens
            assert client.simulate_get("/wp-json/wp/v2/posts", host=site.host).status_code == 200
        assert len(replays()) == 2
        assert cache.writer.sock is None and cache.writer.resume_at > time.monotonic()

        database = open_database(postgres_engine.url, 1)
        configure_serving_role(database, postgres_engine.app_role)
        audit_writer = AuditWriter(database, path)
        audit_writer.listen()
        stop = run_in_background(audit_writer)
        try:
            cache.writer.resume_at = 0                        # as RETRY_SECONDS later
            for _ in range(2):
                assert client.simulate_get("/wp-json/wp/v2/posts", host=site.host).status_code == 200
            assert audit_writer.hits == 2 and len(replays()) == 4
        finally:
            stop()
            audit_writer.close()
            database.close_all()
        assert client.simulate_get("/wp-json/wp/v2/posts", host=site.host).status_code == 200
        assert len(replays()) == 5                            # the writer went away again: still audited
    finally:
        app_database.close_all()
        bind(postgres_engine.database)


def children(pid):
    """{pid: command line} of the process's children."""
    found = {}
    for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split():
        try:
            found[int(child)] = open(f"/proc/{child}/cmdline").read().replace("\0", " ")
        except OSError:
            pass
    return found


def writer_pid(server_pid, deadline=15.0):
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        writers = [pid for pid, args in children(server_pid).items() if "audit-writer" in args]
        if writers:
            return writers[0]
        time.sleep(0.1)
    return None


def test_serve_runs_the_writer_restarts_it_and_stops_it(postgres_engine, tmp_path):
    import urllib.request

    site = make_site(postgres_engine, "served")
    env = clean_env(WPCOMPAT_DATABASE_URL=postgres_engine.url, WPCOMPAT_APP_ROLE=postgres_engine.app_role,
                    WPCOMPAT_LOG_LEVEL="WARNING")
    port = free_port()
    server = subprocess.Popen(CLI + ["serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"], env=env,
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def get():
        request = urllib.request.Request(f"http://127.0.0.1:{port}/wp-json/wp/v2/posts", headers={"Host": site.host})
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status

    def replays():
        bind(postgres_engine.database)
        return [row for row in trail_all(site) if row.metadata.get("served_from") == "cache"]

    socket_path = second = None
    try:
        first = writer_pid(server.pid)
        assert first is not None, "serve started no audit writer"
        arguments = open(f"/proc/{first}/cmdline").read().split("\0")
        socket_path = arguments[arguments.index("--socket") + 1]
        assert oct(os.stat(os.path.dirname(socket_path)).st_mode & 0o777) == "0o700", socket_path
        for _ in range(100):
            try:
                if get() == 200:
                    break
            except OSError:
                time.sleep(0.2)
        for _ in range(20):
            assert get() == 200
        assert len(replays()) >= 16                        # two workers each build it once, maybe a few misses
        deadline = time.monotonic() + 10                   # a worker that met no writer yet asks again a second later
        while writer_connections(postgres_engine) == 0 and time.monotonic() < deadline:
            assert get() == 200
            time.sleep(0.05)
        assert writer_connections(postgres_engine) == 1    # the workers' hits went through the writer
        os.kill(first, signal.SIGKILL)
        before = len(replays())
        for _ in range(5):
            assert get() == 200
        assert len(replays()) - before == 5                # audited by the workers meanwhile
        second = writer_pid(server.pid)
        deadline = time.monotonic() + 10
        while (second is None or second == first) and time.monotonic() < deadline:
            time.sleep(0.1)
            second = writer_pid(server.pid)
        assert second is not None and second != first
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert socket_path and not os.path.exists(os.path.dirname(socket_path))
    assert not os.path.exists(f"/proc/{second}") or "audit-writer" not in open(f"/proc/{second}/cmdline").read()


def test_a_writer_whose_parent_was_killed_outright_exits_and_removes_its_private_directory(postgres_engine, tmp_path):
    """An arbiter killed with SIGKILL cannot clean up: the writer, seeing its parent gone, removes the socket
    and serve's directory for it (the name serve gives it; only if empty)."""
    directory = tmp_path / "wpcompat-audit-test"
    directory.mkdir(mode=0o700)
    socket_path = directory / "writer.sock"
    env = clean_env(WPCOMPAT_DATABASE_URL=postgres_engine.url, WPCOMPAT_APP_ROLE=postgres_engine.app_role,
                    WPCOMPAT_LOG_LEVEL="WARNING")
    spawn = ("import os, subprocess, sys, time; "
             f"writer = subprocess.Popen({CLI!r} + ['audit-writer', '--socket', {str(socket_path)!r}, "
             "'--parent', str(os.getpid())], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(writer.pid, flush=True); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", spawn], env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    writer = int(parent.stdout.readline())
    try:
        deadline = time.monotonic() + 15
        while not socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert socket_path.exists(), "the writer did not listen"
        parent.kill()                                       # as SIGKILL to an arbiter: no cleanup of its own
        parent.wait()
        deadline = time.monotonic() + 15
        while os.path.exists(f"/proc/{writer}") and "audit-writer" in open(f"/proc/{writer}/cmdline").read() \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not os.path.exists(f"/proc/{writer}") or "audit-writer" not in open(f"/proc/{writer}/cmdline").read()
    finally:
        parent.kill()
        if os.path.exists(f"/proc/{writer}") and "audit-writer" in open(f"/proc/{writer}/cmdline").read():
            os.kill(writer, signal.SIGKILL)
    assert not directory.exists()


def writer_connections(engine):
    name = engine.url.rsplit("/", 1)[1]
    return engine.database.execute_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                                       "AND application_name = 'wpcompat-audit-writer'", (name,)).fetchone()[0]


def trail_all(site):
    with tenant_scope(site.id):
        return list(AuditTrail.select())


def test_serve_runs_no_writer_when_told_not_to(postgres_engine, tmp_path):
    env = clean_env(WPCOMPAT_DATABASE_URL=postgres_engine.url, WPCOMPAT_APP_ROLE=postgres_engine.app_role,
                    WPCOMPAT_LOG_LEVEL="WARNING", WPCOMPAT_AUDIT_WRITER="false")
    site = make_site(postgres_engine, "nowriter")
    port = free_port()
    server = subprocess.Popen(CLI + ["serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=env,
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import urllib.request
        for _ in range(100):
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/wp-json/", headers={"Host": site.host})
                urllib.request.urlopen(request, timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        assert writer_pid(server.pid, deadline=1.0) is None
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_writer_settings_default_to_on_with_no_socket_and_read_a_boolean():
    from conf.settings import SettingsError, load_settings

    defaults = load_settings({})
    assert defaults.audit_writer is True and defaults.audit_writer_socket == ""
    assert load_settings({"WPCOMPAT_AUDIT_WRITER": "off"}).audit_writer is False
    with pytest.raises(SettingsError, match="WPCOMPAT_AUDIT_WRITER"):
        load_settings({"WPCOMPAT_AUDIT_WRITER": "sometimes"})
