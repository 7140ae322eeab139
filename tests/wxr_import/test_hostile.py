"""Hostile, broken and interrupted imports: one clear line, the tenant as it was (or resumable)."""

import os
import subprocess
import sys
import pathlib
import threading
import time

import peewee
import pytest

from wpcompat.db import bind, configure_serving_role, open_database, tenant_scope
from wpcompat.errors import DatabaseFailure
from wpcompat.models import AuditTrail, CustomField, Post, Term, User

from wxr_import.support import TESTS, offline_fetcher, rest, run, total
from importers.wxr import Options, WxrError, import_wxr
from importers.wxr import run as run_module
from importers.wxr import posts as posts_module

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">'
        '<channel><wp:wxr_version>1.2</wp:wxr_version>')
ITEM = ('<item><title>{title}</title><wp:post_id>{id}</wp:post_id><wp:post_type>post</wp:post_type>'
        '<wp:status>publish</wp:status><wp:post_name>p-{id}</wp:post_name></item>')
TAIL = "</channel></rss>"


def snapshot(site):
    with tenant_scope(site.id):
        return {model.__name__: model.select().count() for model in (Post, Term, User, CustomField, AuditTrail)}


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


HOSTILE = {
    "billion-laughs.xml": ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                           '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                           '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                           '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2'
                           '</wp:wxr_version><item><title>&lol3;</title><wp:post_id>5</wp:post_id>'
                           '<wp:post_type>post</wp:post_type></item></channel></rss>', "DOCTYPE"),
    "xxe.xml": ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>'
                '<item><title>&xxe;</title><wp:post_id>5</wp:post_id><wp:post_type>post</wp:post_type></item>'
                '</channel></rss>', "DOCTYPE"),
    "latin1-declared-utf8.xml": ((HEAD + ITEM.format(title="caf", id=5)).encode() + b"\xe9" + TAIL.encode(),
                                 "not well-formed"),
    "truncated.xml": (HEAD + ITEM.format(title="one", id=5) + "<item><title>two", "not well-formed"),
    "not-xml.xml": ("This is not valid XML content", "not well-formed"),
    "missing-version.xml": (HEAD.replace("<wp:wxr_version>1.2</wp:wxr_version>", "") + ITEM.format(title="a", id=5)
                            + TAIL, "missing/invalid WXR version number"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_and_broken_files_fail_with_one_line_and_change_nothing(client, site, tmp_path, name):
    data, message = HOSTILE[name]
    before = snapshot(site)
    with pytest.raises(WxrError) as failure:
        run(site, write(tmp_path, name, data))
    assert message in str(failure.value) and name in str(failure.value) and "\n" not in str(failure.value)
    assert snapshot(site) == before
    assert "root:" not in str(failure.value)


def test_a_huge_text_node_stops_the_parse(client, site, tmp_path):
    path = tmp_path / "huge.xml"
    with open(path, "wb") as out:                 # 12 MB in one text node (libxml2's limit is 10 MB)
        out.write((HEAD + "<item><title>").encode())
        for _ in range(12):
            out.write(b"a" * (1 << 20))
        out.write(("</title></item>" + TAIL).encode())
    before = snapshot(site)
    with pytest.raises(WxrError, match="too long"):
        run(site, path)
    assert snapshot(site) == before


@pytest.mark.parametrize("where", ["after the channel", "after the last item", "around the items"])
def test_elements_a_wxr_file_does_not_have_cannot_fill_memory(client, site, tmp_path, where):
    """Each element under 10 MB, so none is refused alone; never freed, since no record follows them
    (or the items sit in a wrapper the reader skips): past 32 MB held the file is refused."""
    pad = b"<pad>" + b"a" * (1 << 20) + b"</pad>"
    item = ITEM.format(title="ok", id=5).encode()
    path = tmp_path / "padded.xml"
    with open(path, "wb") as out:
        head, tail = HEAD.encode(), TAIL.encode()
        if where == "after the channel":
            out.write(head + item + tail.replace(b"</rss>", b"") + pad * 40 + b"</rss>")
        elif where == "after the last item":
            out.write(head + item + pad * 40 + tail)
        else:
            out.write(head + b"<wrapper>" + (item + pad) * 40 + b"</wrapper>" + tail)
    before = snapshot(site)
    with pytest.raises(WxrError, match="over 32 MB of XML without a WXR record"):
        run(site, path)
    assert snapshot(site) == before


def test_control_characters_are_dropped_and_reported(client, site, tmp_path):
    path = write(tmp_path, "ctrl.xml", (HEAD + ITEM.format(title="bell\x07here", id=5) + TAIL).encode())
    report = run(site, path)
    assert rest(client, site, "/wp/v2/posts/5").json["title"]["rendered"] == "bellhere"
    assert any("control character" in warning for warning in report.warnings)


def test_an_interrupted_import_resumes_without_duplicates(client, site, monkeypatch):
    calls = {"n": 0}
    original = posts_module.Posts.load

    def crash_on_third(self, items, state, batch):
        calls["n"] += 1
        if calls["n"] == 3:
            raise peewee.OperationalError("disk full")
        return original(self, items, state, batch)

    monkeypatch.setattr(posts_module.Posts, "load", crash_on_third)
    with pytest.raises(WxrError, match="run the same import again"):
        run(site, TESTS / "small-export.xml", batch_size=4)
    partial = total(client, site, "/wp/v2/posts", status="any") + total(client, site, "/wp/v2/pages", status="any")
    assert 0 < partial < 11                          # the batches before the failure are committed
    monkeypatch.setattr(posts_module.Posts, "load", original)
    report = run(site, TESTS / "small-export.xml", batch_size=4)
    assert report.counts["posts"]["created"] == 11 - partial
    assert total(client, site, "/wp/v2/posts", status="any") == 6
    assert total(client, site, "/wp/v2/pages", status="any") == 5
    assert total(client, site, "/wp/v2/categories") == 30
    assert rest(client, site, "/wp/v2/pages/4", context="edit").json["parent"] == 6


def featured_pairs_file(tmp_path, pairs):
    """`pairs` attachments, each followed by a post whose featured image it is."""
    items = []
    for number in range(pairs):
        image, post = 100 + 2 * number, 101 + 2 * number
        items.append(f"<item><title>Image {number}</title><wp:post_id>{image}</wp:post_id>"
                     f"<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
                     f"<wp:post_name>image-{number}</wp:post_name><wp:attachment_url>https://old.example.com/"
                     f"wp-content/uploads/2024/01/img-{number}.jpg</wp:attachment_url></item>")
        items.append(f"<item><title>Post {number}</title><wp:post_id>{post}</wp:post_id>"
                     f"<wp:post_type>post</wp:post_type><wp:status>publish</wp:status>"
                     f"<wp:post_name>post-{number}</wp:post_name><wp:postmeta><wp:meta_key>_thumbnail_id"
                     f"</wp:meta_key><wp:meta_value>{image}</wp:meta_value></wp:postmeta></item>")
    path = tmp_path / "featured.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                    'xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>'
                    '<wp:base_site_url>https://old.example.com</wp:base_site_url>' + "".join(items) +
                    "</channel></rss>", encoding="utf-8")
    return path


def import_with_pool(engine, site, path, pool_size, monkeypatch):
    """(report, names of the threads that wrote batches) of an import through a pool of `pool_size`."""
    threads = []
    original = run_module.WxrImporter._write_job

    def write_job(self, writes, flagged):
        threads.append(threading.current_thread().name)
        if len(threads) == 1:
            time.sleep(0.3)              # the first batch commits late: the next ones are written meanwhile
        return original(self, writes, flagged)

    monkeypatch.setattr(run_module.WxrImporter, "_write_job", write_job)
    database = open_database(engine.url, pool_size=pool_size)
    if engine.postgres:
        configure_serving_role(database, engine.app_role)
    try:
        bind(database)
        report = import_wxr([str(path)], site.tenant, Options(batch_size=3, media="link", fetcher=offline_fetcher(),
                                                              link_head=False), database=database)
    finally:
        database.close_all() if hasattr(database, "close_all") else database.close()
        bind(engine.database)
    return report, set(threads)


def test_two_writers_keep_featured_images_across_batches(client, site, engine, monkeypatch, tmp_path):
    """On PostgreSQL two batches are written at once, each by its own thread and connection. A post whose
    featured image is in the other batch in flight (not committed yet) gets it at the end of the file:
    set at once, the foreign key failed and the post was lost."""
    report, threads = import_with_pool(engine, site, featured_pairs_file(tmp_path, 12), 3, monkeypatch)
    assert len(threads) == (2 if engine.postgres else 0)                # SQLite writes in the mapping transaction
    assert report.counts["posts"] == {"created": 12, "updated": 0, "skipped": 0, "failed": 0}
    posts = rest(client, site, "/wp/v2/posts", per_page=50).json
    assert sorted(post["featured_media"] for post in posts) == list(range(100, 124, 2))
    assert all(post["featured_media"] == post["id"] - 1 for post in posts)


def test_with_one_spare_connection_the_import_uses_one_writer(client, site, engine, monkeypatch, tmp_path):
    report, threads = import_with_pool(engine, site, featured_pairs_file(tmp_path, 6), 2, monkeypatch)
    assert len(threads) == (1 if engine.postgres else 0) and report.counts["posts"]["created"] == 6
    assert total(client, site, "/wp/v2/posts") == 6


def test_a_writer_batch_that_loses_a_deadlock_is_written_again(client, site, engine, monkeypatch, tmp_path):
    """The writers can deadlock on shared rows (post_counts taken in file order by one_by_one, a PHI post's
    featured image): the loser was rolled back whole and is written again; other failures are not retried."""
    if not engine.postgres:
        pytest.skip("the writer threads are PostgreSQL's")
    calls = []
    original = run_module.WxrImporter._write_once

    def loses_once(self, writes, flagged):
        calls.append(1)
        if len(calls) == 1:
            raise peewee.OperationalError("deadlock detected")
        return original(self, writes, flagged)

    monkeypatch.setattr(run_module.WxrImporter, "_write_once", loses_once)
    monkeypatch.setattr(run_module, "database_failure", lambda error: DatabaseFailure(
        "db_write_conflict" if "deadlock" in str(error) else "db_busy", True))
    report, _threads = import_with_pool(engine, site, featured_pairs_file(tmp_path, 6), 3, monkeypatch)
    assert report.counts["posts"]["created"] == 6 and total(client, site, "/wp/v2/posts") == 6
    assert len(calls) == 5                                       # 4 batches, the first one twice
    calls.clear()
    monkeypatch.setattr(run_module.WxrImporter, "_write_once", lambda self, writes, flagged: (
        calls.append(1), (_ for _ in ()).throw(peewee.OperationalError("server closed the connection"))))
    with pytest.raises(WxrError, match="run the same import again"):
        import_with_pool(engine, site, featured_pairs_file(tmp_path, 9), 3, monkeypatch)
    assert len(calls) == 2                                       # each writer's batch once, not again


def wpcompat(engine, *args):
    env = {name: value for name, value in os.environ.items() if not name.startswith("WPCOMPAT_")}
    env.update({"WPCOMPAT_DATABASE_URL": engine.url, "WPCOMPAT_APP_ROLE": engine.app_role,
                "WPCOMPAT_LOG_LEVEL": "WARNING", "PYTHONIOENCODING": "utf-8"})
    return subprocess.run([sys.executable, "-m", "wpcompat.cli", *args], env=env, cwd=ROOT, text=True,
                          capture_output=True, timeout=120)


def test_cli_dry_run_then_import_with_a_json_report(client, site, engine, tmp_path):
    import json

    slug = site.tenant.slug
    dry = wpcompat(engine, "import", "wxr", str(TESTS / "small-export.xml"), "--tenant", slug, "--dry-run",
                   "--media", "skip")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("dry run (nothing written)") and "posts          created 11" in dry.stdout
    assert total(client, site, "/wp/v2/posts", status="any") == 0
    report_path = tmp_path / "report.json"
    done = wpcompat(engine, "import", "wxr", str(TESTS / "small-export.xml"), "--tenant", slug,
                    "--report", str(report_path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""                          # no progress bar without a terminal
    report = json.loads(report_path.read_text())
    assert report["counts"]["posts"]["created"] == 11 and report["elapsed_seconds"] >= 0
    assert report["counts"]["comments"]["created"] == 1
    assert total(client, site, "/wp/v2/posts", status="any") == 6
    bad = wpcompat(engine, "import", "wxr", str(TESTS / "malformed.xml"), "--tenant", slug)
    assert bad.returncode == 2 and bad.stderr.startswith("wpcompat: malformed.xml: not well-formed XML")
    assert bad.stderr.count("\n") == 1
    unknown = wpcompat(engine, "import", "wxr", str(TESTS / "small-export.xml"), "--tenant", "nope")
    assert unknown.returncode == 2 and "no tenant" in unknown.stderr


def test_a_file_cut_short_keeps_whole_batches_and_the_full_file_finishes_the_job(client, site, tmp_path):
    text = (TESTS / "small-export.xml").read_text(encoding="utf-8")
    cut = write(tmp_path, "small-export.xml", text[:text.index("<title>Many Categories</title>")])
    with pytest.raises(WxrError, match="not well-formed"):
        run(site, cut, batch_size=5)
    partial = total(client, site, "/wp/v2/posts", status="any") + total(client, site, "/wp/v2/pages", status="any")
    assert 0 < partial < 11
    report = run(site, TESTS / "small-export.xml", batch_size=5)
    assert report.counts["posts"]["created"] == 11 - partial
    assert total(client, site, "/wp/v2/posts", status="any") == 6
    assert rest(client, site, "/wp/v2/pages/4", context="edit").json["parent"] == 6


def test_a_post_the_database_refuses_fails_alone(client, site, monkeypatch):
    """The batch's multi-row writes are refused (here: post 22, standing for any constraint): each post is
    then written alone with its rows, so the others land and the refused one leaves nothing behind."""
    from importers.wxr import bulk

    original = bulk.insert

    def refuse_post_22(model, rows, *args, **kwargs):
        if model is Post and any(row.get("source_id") == 22 for row in rows):
            raise peewee.IntegrityError("duplicate key value violates unique constraint (simulated)")
        return original(model, rows, *args, **kwargs)

    monkeypatch.setattr(bulk, "insert", refuse_post_22)
    report = run(site, TESTS / "small-export.xml")
    assert report.counts["posts"]["created"] == 10 and report.counts["posts"]["failed"] == 1
    assert any(warning.startswith("post 22:") for warning in report.warnings)
    assert rest(client, site, "/wp/v2/posts/22").status_code == 404
    assert total(client, site, "/wp/v2/posts", status="any") + total(client, site, "/wp/v2/pages", status="any") == 10
    with tenant_scope(site.id):
        posts = {row.id for row in Post.select(Post.id)}
        audited = {row.resource_id for row in AuditTrail.select().where(AuditTrail.resource_type == "post",
                                                                         AuditTrail.operation == "create")}
        assert audited == posts                  # an audit row for each post written, none for the refused one
        assert CustomField.select().where(CustomField.post.not_in(list(posts))).count() == 0
    monkeypatch.setattr(bulk, "insert", original)
    again = run(site, TESTS / "small-export.xml")       # once the cause is gone, a re-run adds the missing post
    assert again.counts["posts"]["created"] == 1
    assert rest(client, site, "/wp/v2/posts/22").status_code == 200


def test_a_batch_the_database_fails_is_rolled_back_and_a_rerun_finishes(client, site, monkeypatch):
    """The rows of the second batch fail to be written (on PostgreSQL by the writer thread, while the
    third is being mapped): the import stops with one line; running it again completes it."""
    from importers.wxr import bulk

    original, seen = bulk.insert, {"post batches": 0}

    def fail_second_post_batch(model, rows, *args, **kwargs):
        if model is Post and rows:
            seen["post batches"] += 1
            if seen["post batches"] == 2:
                raise peewee.OperationalError("server closed the connection (simulated)")
        return original(model, rows, *args, **kwargs)

    monkeypatch.setattr(bulk, "insert", fail_second_post_batch)
    with pytest.raises(WxrError, match="a batch failed and was rolled back"):
        run(site, TESTS / "small-export.xml", batch_size=4)
    monkeypatch.setattr(bulk, "insert", original)
    report = run(site, TESTS / "small-export.xml", batch_size=4)
    assert report.counts["posts"]["failed"] == 0
    assert total(client, site, "/wp/v2/posts", status="any") == 6
    assert total(client, site, "/wp/v2/pages", status="any") == 5
    with tenant_scope(site.id):
        posts = {row.id for row in Post.select(Post.id)}
        audited = [row.resource_id for row in AuditTrail.select().where(AuditTrail.resource_type == "post",
                                                                         AuditTrail.operation == "create")]
    assert sorted(audited, key=str) == sorted(posts, key=str)       # one audit row per post, none twice
