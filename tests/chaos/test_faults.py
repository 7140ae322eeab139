"""Faults a clinic's worst day brings, through a live gunicorn: the database restarted or full of
connections, the pool exhausted, the media store read-only, unreachable or full.

Clean failure means: WordPress's error shape, 503 with Retry-After for what passes, never a 500,
never a hang, nothing half-written; and the requests after the fault succeed. PostgreSQL is
restarted only on a private cluster (fixture `private_pg`), never the shared one.
"""

import contextlib
import io
import os
import pathlib
import signal
import subprocess
import threading
import time
import uuid

import pytest
from falcon import testing
from PIL import Image

from chaos.harness import Load, audit_request_ids, free_port, private_cluster, served_site

pytestmark = pytest.mark.chaos                 # `make chaos` (WPCOMPAT_CHAOS=1), not `make test`


def assert_clean_failures(answers, allowed=(200, 201)):
    """Every answer is `allowed` or a 503 in WordPress's shape with Retry-After; nothing else."""
    for answer in answers:
        if answer.status in allowed:
            continue
        assert answer.status == 503, (answer.status, answer.code, answer.body)
        assert set(answer.body) == {"code", "message", "data"} and answer.body["data"]["status"] == 503
        assert answer.retry_after.isdigit(), answer


def rows(database, sql, *params):
    return database.execute_sql(sql, params).fetchall()


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgres_restarted_mid_load(private_pg, tmp_path, mode):
    """Writers and readers while PostgreSQL stops (cleanly or crashing) and comes back."""
    with served_site(private_pg.admin_url, tmp_path, workers=2) as served:
        post = served.make_posts(1, "Restart")[0]
        served.database.close_all()
        load, label = Load(), uuid.uuid4().hex[:6]

        def job(i, step):
            if i % 2:
                return served.call("GET", f"/wp/v2/posts/{post}")
            return served.call("POST", "/wp/v2/posts", body={"title": f"During {label} {i}-{step}",
                                                             "status": "publish"})

        thread = threading.Thread(target=load.run_for, args=(5.0, job, 8))
        thread.start()
        time.sleep(1.0)
        private_pg.restart(mode, down_for=1.5)
        thread.join()
        assert_clean_failures(load.answers)
        down = [a for a in load.answers if a.status == 503]
        assert down and {a.code for a in down} <= {"db_connect_fail", "db_busy"}
        assert max(a.seconds for a in load.answers) < 10                 # answered, not hung
        # after the restart every request succeeds: the workers' pools dropped their dead connections
        after = [served.call("GET", f"/wp/v2/posts/{post}") for _ in range(12)]
        after += [served.call("POST", "/wp/v2/posts", body={"title": f"After {label}", "status": "publish"})]
        assert [a.status for a in after] == [200] * 12 + [201]
        # what was answered 201 exists once; a write answered 503 exists at most once
        titles = {title: count for title, count in rows(
            served.database, "SELECT title, count(*) FROM posts WHERE title LIKE %s GROUP BY title",
            f"During {label} %")}
        created = [a.body["title"]["raw"] for a in load.answers if a.status == 201]
        assert created and all(titles.get(title) == 1 for title in created)
        assert all(count == 1 for count in titles.values())
        audited = audit_request_ids(served.database, served.site.id)
        assert {a.request_id for a in load.answers + after if a.status < 500} <= audited


def test_a_worker_restarted_while_postgres_is_down_boots_and_serves_after(private_pg, tmp_path):
    """gunicorn replaces a dead worker while the database is down: the new worker must boot (a boot
    failure makes gunicorn stop the whole server) and serve once PostgreSQL is back."""
    with served_site(private_pg.admin_url, tmp_path, workers=2) as served:
        post = served.make_posts(1, "Reboot")[0]
        served.database.close_all()
        workers = worker_pids(served.server.process.pid)
        assert len(workers) == 2
        private_pg.stop("fast")
        try:
            os.kill(workers[0], signal.SIGKILL)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and (workers[0] in worker_pids(served.server.process.pid)
                                                   or len(worker_pids(served.server.process.pid)) < 2):
                time.sleep(0.2)
            time.sleep(1.0)                                               # the new worker has booted
            assert served.server.process.poll() is None, served.server.log_text()[-2000:]
            down = served.call("GET", f"/wp/v2/posts/{post}")
            assert down.status == 503 and down.code == "db_connect_fail" and down.retry_after == "1"
        finally:
            private_pg.start()
        after = [served.call("GET", f"/wp/v2/posts/{post}") for _ in range(8)]
        assert [a.status for a in after] == [200] * 8


def worker_pids(master):
    result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True)
    return [int(pid) for pid in result.stdout.split()]


def test_database_out_of_connections_answers_503_not_500(tmp_path):
    """More gunicorn workers than the server's max_connections: the refused ones answer 503 db_busy."""
    with private_cluster(max_connections=4) as cluster, \
            served_site(cluster.admin_url, tmp_path, workers=6) as served:
        post = served.make_posts(1, "Busy")[0]
        served.database.close_all()
        load = Load()
        load.run_for(3.0, lambda i, step: served.call("GET", f"/wp/v2/posts/{post}"), writers=12)
        assert_clean_failures(load.answers, allowed=(200,))
        codes = {a.code for a in load.answers if a.status == 503}
        assert codes == {"db_busy"}
        assert any(a.status == 200 for a in load.answers)
        assert max(a.seconds for a in load.answers) < 10


def test_pool_exhausted_answers_503_with_retry_after_not_a_hang(postgres_engine):
    """One pooled connection, held by a request stuck on a row lock: the next request gets 503 fast."""
    from conftest import make_site
    from wpcompat.app import create_app
    from wpcompat.db import bind, open_database

    site = make_site(postgres_engine, "pool")
    database = open_database(postgres_engine.url, pool_size=1, pool_timeout=1)
    client = testing.TestClient(create_app(postgres_engine.settings(), database))
    headers = {"Authorization": basic(site)}
    held = open_database(postgres_engine.url, pool_size=1)
    stuck = {}
    try:
        client.simulate_get("/wp-json/", host=site.host)                 # the site directory is loaded
        with held.atomic():
            held.execute_sql("SELECT 1 FROM posts WHERE id = %s FOR UPDATE", (str(site.post.id),))
            writer = threading.Thread(target=lambda: stuck.update(result=client.simulate_post(
                f"/wp-json/wp/v2/posts/{site.post.wp_id}", host=site.host, headers=headers,
                json={"title": "Edited while locked"})))
            writer.start()
            time.sleep(0.5)                                               # it holds the only connection
            started = time.monotonic()
            busy = client.simulate_get(f"/wp-json/wp/v2/posts/{site.post.wp_id}", host=site.host)
            waited = time.monotonic() - started
        writer.join(10)
        assert busy.status_code == 503 and busy.json["code"] == "db_busy"
        assert busy.json["data"] == {"status": 503} and busy.headers["Retry-After"] == "1"
        assert waited < 5
        assert stuck["result"].status_code == 200                         # the lock went: it finished
        assert client.simulate_get(f"/wp-json/wp/v2/posts/{site.post.wp_id}", host=site.host).status_code == 200
    finally:
        held.close_all()
        database.close_all()
        bind(postgres_engine.database)


def basic(site):
    from conftest import basic_auth

    return basic_auth(site.admin.login, site.admin_password)


# --- the media store ---------------------------------------------------------------------------------------

def png(size, noise=True):
    """A PNG of `size`×`size` pixels; noise does not compress (so it is about 3·size² bytes)."""
    image = Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)) if noise else \
        Image.new("RGB", (size, size), (200, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def upload(served, name, data):
    return served.call("POST", "/wp/v2/media", raw=data, headers={
        "Content-Type": "image/png", "Content-Disposition": f'attachment; filename="{name}"'})


@contextlib.contextmanager
def mounted(path, options):
    """A tmpfs at `path` (we are root in the test machine; else the test is skipped)."""
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def files_under(path):
    return sorted(str(p.relative_to(path)) for p in pathlib.Path(path).rglob("*") if p.is_file())


def media_rows(served, name):
    return rows(served.database, "SELECT count(*) FROM media WHERE tenant_id = %s AND original_filename = %s",
                str(served.site.id), name)[0][0]


@pytest.fixture(scope="module")
def media_served(tmp_path_factory):
    from conftest import POSTGRES_ADMIN_URL

    folder = tmp_path_factory.mktemp("media")
    with served_site(POSTGRES_ADMIN_URL, folder, workers=2) as served:
        served.uploads = folder / "uploads"
        yield served


def test_read_only_media_store_refuses_the_upload_and_writes_nothing(media_served):
    served = media_served
    with mounted(served.uploads, "ro,size=1m"):
        answer = upload(served, "xray-ro.png", png(64))
        assert answer.status == 503 and answer.code == "rest_upload_store_unavailable"
        assert answer.retry_after == "1" and answer.body["data"] == {"status": 503}
        assert files_under(served.uploads) == []
    assert media_rows(served, "xray-ro.png") == 0
    assert request_audited(served, answer)
    again = upload(served, "xray-ro.png", png(64))                       # the store is back
    assert again.status == 201 and media_rows(served, "xray-ro.png") == 1


def test_full_disk_refuses_the_upload_and_leaves_no_partial_file(media_served):
    served = media_served
    with mounted(served.uploads, "size=1m"):
        small = upload(served, "fits.png", png(16, noise=False))
        assert small.status == 201
        kept = files_under(served.uploads)
        big = upload(served, "too-big.png", png(700))                    # ~1.5 MB of noise
        assert big.status == 507 and big.code == "rest_upload_store_full"
        assert big.body["message"] == "Could not write file to disk."
        assert files_under(served.uploads) == kept                      # no partial file, no temp file
        # an image whose original fits but whose smaller sizes do not: all of it goes
        tight = upload(served, "tight.png", png(500))                    # ~750 KB, then its sizes
        if tight.status == 201:
            pytest.fail("the sizes of a 500px noise PNG were expected not to fit beside it in 1 MB")
        assert tight.status == 507 and files_under(served.uploads) == kept
    assert media_rows(served, "too-big.png") == 0 and media_rows(served, "tight.png") == 0
    assert request_audited(served, big)


def test_unreachable_s3_endpoint_refuses_the_upload(tmp_path):
    """WPCOMPAT_MEDIA_STORE=s3 with the endpoint down: 503, no media row."""
    pytest.importorskip("boto3")
    from conftest import POSTGRES_ADMIN_URL

    dead = f"http://127.0.0.1:{free_port()}"
    with served_site(POSTGRES_ADMIN_URL, tmp_path, workers=1, WPCOMPAT_MEDIA_STORE="s3",
                     WPCOMPAT_S3_BUCKET="clinic-media", WPCOMPAT_S3_ENDPOINT_URL=dead,
                     AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test") as served:
        answer = upload(served, "scan-s3.png", png(32))
        assert answer.status == 503 and answer.code == "rest_upload_store_unavailable"
        assert answer.retry_after == "1"
        assert media_rows(served, "scan-s3.png") == 0
        assert request_audited(served, answer)


def request_audited(served, answer):
    return answer.request_id in audit_request_ids(served.database, served.site.id)
