"""Attachments downloaded (faked with `responses`), stored through the upload path, URLs rewritten;
and the address checks that keep downloads away from private, loopback and metadata addresses."""

import io
import re

import pytest
import responses
from PIL import Image

from wpcompat.db import tenant_scope
from wpcompat.models import AuditTrail, Media, Post

from wxr_import.support import TESTS, offline_fetcher, rest, run as run_import, total
from wpcompat.storage import LocalStore
from importers.wxr.downloads import DownloadError, system_resolver

CANOLA = "https://wpthemetestdata.files.wordpress.com/2008/06/canola2.jpg"


def jpeg(size=(640, 480)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def media_root(tmp_path):
    return tmp_path / "uploads"


def run(site, path, **options):
    return run_import(site, path, store=LocalStore(str(options.pop("root", "/nonexistent"))), **options)


@pytest.mark.parametrize("name", ["wxr-flat-attachment-same-site.xml", "wxr-flat-attachment-different-site.xml"])
@responses.activate
def test_flat_attachment_is_downloaded_and_its_url_rewritten(client, site, media_root, name):
    body = jpeg()
    responses.get(CANOLA, body=body, headers={"Content-Type": "image/jpeg", "Content-Length": str(len(body))})
    report = run(site, TESTS / name, media="download", root=media_root)
    assert report.counts["media"]["created"] == 1 and report.bytes_downloaded == len(body)
    media = rest(client, site, "/wp/v2/media").json
    assert len(media) == 1 and media[0]["id"] == 611
    assert media[0]["source_url"].startswith("http://example.org/wp-content/uploads/")
    assert "canola2" in media[0]["source_url"] and media[0]["media_details"]["width"] == 640
    post = rest(client, site, "/wp/v2/posts/555", context="edit").json
    assert "http://example.org/wp-content/uploads/" in post["content"]["raw"] and CANOLA not in post["content"]["raw"]
    with tenant_scope(site.id):
        stored = Media.get(Media.wp_id == 611)
    assert (media_root / stored.filename).read_bytes() == body


@responses.activate
def test_resized_variants_are_rewritten_too(client, site, media_root, tmp_path):
    body = jpeg()
    responses.get(CANOLA, body=body, headers={"Content-Type": "image/jpeg"})
    source = (TESTS / "wxr-flat-attachment-same-site.xml").read_text(encoding="utf-8")
    source = source.replace("canola2.jpg\" alt", "canola2-300x200.jpg\" alt")
    path = tmp_path / "resized.xml"
    path.write_text(source, encoding="utf-8")
    run(site, path, media="download", root=media_root)
    content = rest(client, site, "/wp/v2/posts/555", context="edit").json["content"]["raw"]
    assert "wpthemetestdata.files.wordpress.com" not in content
    assert "-300x200.jpg" in content and "http://example.org/wp-content/uploads/" in content


@pytest.mark.parametrize("address", ["169.254.169.254", "127.0.0.1", "10.0.0.7", "::1", "fe80::1", "fd00::1"])
@responses.activate
def test_private_addresses_are_refused_before_any_request(client, site, media_root, address):
    responses.get(CANOLA, body=jpeg(), headers={"Content-Type": "image/jpeg"})
    fetcher = offline_fetcher(lambda host, port: [address])
    report = run(site, TESTS / "wxr-flat-attachment-same-site.xml", media="download", fetcher=fetcher, root=media_root)
    assert len(responses.calls) == 0
    assert report.counts["media"]["failed"] == 1 and report.counts["posts"]["created"] == 1
    assert any(address in warning for warning in report.warnings)
    assert total(client, site, "/wp/v2/media") == 0


@responses.activate
def test_a_redirect_to_a_private_address_is_refused():
    responses.get("https://files.example.com/a.jpg", status=302,
                  headers={"Location": "http://metadata.internal/latest"})
    answers = {"files.example.com": ["93.184.216.34"], "metadata.internal": ["169.254.169.254"]}
    fetcher = offline_fetcher(lambda host, port: answers[host])
    with pytest.raises(DownloadError, match="link-local"):
        fetcher.fetch("https://files.example.com/a.jpg")


@responses.activate
def test_retries_with_backoff_then_gives_up_and_other_items_still_import(client, site, media_root):
    responses.get(CANOLA, status=503)
    waits = []
    fetcher = offline_fetcher(sleep=waits.append) if False else offline_fetcher()
    fetcher.sleep = waits.append
    report = run(site, TESTS / "wxr-flat-attachment-same-site.xml", media="download", fetcher=fetcher, root=media_root)
    assert len(responses.calls) == 3 and waits == [0.5, 1.0]
    assert report.counts["media"]["failed"] == 1 and report.counts["posts"]["created"] == 1


@responses.activate
def test_size_cap_and_content_type_are_enforced():
    responses.get("https://files.example.com/big.jpg", body=b"\xff\xd8\xff" + b"0" * 2000,
                  headers={"Content-Type": "image/jpeg"})
    responses.get("https://files.example.com/page.jpg", body=b"<html>", headers={"Content-Type": "text/html"})
    fetcher = offline_fetcher(max_bytes=1000)
    with pytest.raises(DownloadError, match="limit"):
        fetcher.fetch("https://files.example.com/big.jpg")
    with pytest.raises(DownloadError, match="text/html"):
        fetcher.fetch("https://files.example.com/page.jpg")


@responses.activate
def test_link_mode_takes_the_size_from_a_head_request(client, site):
    responses.head(CANOLA, headers={"Content-Length": "12345", "Content-Type": "image/jpeg"})
    run(site, TESTS / "wxr-flat-attachment-same-site.xml", media="link", link_head=True)
    media = rest(client, site, "/wp/v2/media/611").json
    assert media["source_url"] == CANOLA and media["mime_type"] == "image/jpeg"
    with tenant_scope(site.id):
        row = Media.get(Media.wp_id == 611)
        assert row.file_size == 12345 and "filesize_unknown" not in row.metadata
        assert Post.get(Post.wp_id == 555).content.count(CANOLA) >= 1           # link mode: URLs stay


def test_link_mode_without_an_answer_says_the_size_is_unknown(client, site):
    run(site, TESTS / "wxr-flat-attachment-same-site.xml", media="link")
    with tenant_scope(site.id):
        row = Media.get(Media.wp_id == 611)
    assert row.file_size == 0 and row.metadata["filesize_unknown"] is True


def test_the_connection_goes_to_the_checked_address_not_to_a_new_dns_answer():
    """A real HTTP server on loopback, reached under a name no DNS knows: only the pinned address works."""
    import http.server
    import threading

    body = jpeg((20, 10))
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):                                   # noqa: N802 (http.server's name)
            seen.append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        answers = iter([["127.0.0.1"], ["10.9.9.9"]])          # a second lookup would say something else
        fetcher = offline_fetcher(lambda host, port_: next(answers), allow_private=True)
        data, mime = fetcher.fetch(f"http://files.invalid:{port}/a.jpg")
        assert data == body and mime == "image/jpeg" and seen == [f"files.invalid:{port}"]
        refused = offline_fetcher(lambda host, port_: ["127.0.0.1"])       # the default: loopback refused
        with pytest.raises(DownloadError, match="loopback"):
            refused.fetch(f"http://files.invalid:{port}/a.jpg")
        assert len(seen) == 1
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("address", ["100.100.100.200", "100.64.0.1", "192.0.0.192", "64:ff9b::a9fe:a9fe",
                                     "2002:a9fe:a9fe::1", "::ffff:100.100.100.200"])
@responses.activate
def test_non_public_addresses_that_python_does_not_call_private_are_refused_too(address):
    """Carrier-grade NAT (Alibaba Cloud's metadata service, tailnets), IETF protocol assignments (an old
    metadata address), NAT64 and 6to4 carrying a link-local address."""
    responses.get("https://files.example.com/a.jpg", body=jpeg(), headers={"Content-Type": "image/jpeg"})
    fetcher = offline_fetcher(lambda host, port: [address])
    with pytest.raises(DownloadError, match="refused files.example.com"):
        fetcher.fetch("https://files.example.com/a.jpg")
    assert len(responses.calls) == 0


@pytest.mark.parametrize("url", ["http://files.example.com:99999/a.jpg", "http://[::1/a.jpg",
                                 "http://" + "x" * 64 + ".example.com/a.jpg"])
def test_a_malformed_url_is_one_failed_download_not_a_crash(url):
    fetcher = offline_fetcher(resolver=system_resolver)
    with pytest.raises(DownloadError):
        fetcher.fetch(url)
    assert fetcher.head_size(url) is None


@responses.activate
def test_a_body_cut_short_or_a_redirect_to_a_bad_port_is_one_failed_download():
    import requests

    responses.get("https://files.example.com/cut.jpg", body=requests.exceptions.ChunkedEncodingError("cut short"))
    responses.get("https://files.example.com/moved.jpg", status=302, headers={"Location": "http://files.example.com:abc/"})
    fetcher = offline_fetcher()
    with pytest.raises(DownloadError, match="cut short"):
        fetcher.fetch("https://files.example.com/cut.jpg")
    with pytest.raises(DownloadError, match="not a valid URL"):
        fetcher.fetch("https://files.example.com/moved.jpg")


def test_a_server_dripping_bytes_is_given_up_on_after_the_deadline():
    """Each read comes within the read timeout, the whole file never does."""
    import http.server
    import threading
    import time

    class Drip(http.server.BaseHTTPRequestHandler):
        def do_GET(self):                                   # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        fetcher = offline_fetcher(lambda host, port_: ["127.0.0.1"], allow_private=True, deadline=0.5)
        started = time.monotonic()
        with pytest.raises(DownloadError, match="not fetched within 0.5 s"):
            fetcher.fetch(f"http://files.invalid:{server.server_address[1]}/a.jpg")
        assert time.monotonic() - started < 5                   # not the ten seconds of the whole drip
    finally:
        server.shutdown()
        server.server_close()


def test_an_attached_file_dated_year_0000_takes_the_post_date(client, site, tmp_path):
    source = (TESTS / "wxr-flat-attachment-same-site.xml").read_text(encoding="utf-8")
    assert "[2008/06/canola2.jpg]" in source                 # its _wp_attached_file
    source = source.replace("[2008/06/canola2.jpg]", "[0000/05/canola2.jpg]")
    path = tmp_path / "year-zero.xml"
    path.write_text(source, encoding="utf-8")
    report = run(site, path, media="link")
    assert report.counts["media"]["created"] == 1 and report.counts["posts"]["created"] == 1


@responses.activate
def test_an_attachment_guid_that_names_no_file_rewrites_nothing_else(client, site, media_root, tmp_path):
    """A guid of bare `https://` (or a bare host) was replaced wherever it appeared: every link of every post
    of the tenant became the new file's URL."""
    body = jpeg()
    responses.get(CANOLA, body=body, headers={"Content-Type": "image/jpeg"})
    source = (TESTS / "wxr-flat-attachment-same-site.xml").read_text(encoding="utf-8")
    attachment_guid = re.search(r"<guid[^>]*>([^<]*canola2[^<]*)</guid>", source).group(1)
    source = source.replace(attachment_guid, "https://", 1)
    path = tmp_path / "bare-guid.xml"
    path.write_text(source, encoding="utf-8")
    with tenant_scope(site.id):
        untouched = Post.create(title="Older", slug="older", status="publish", content='<a href="https://who.int/x">x</a>',
                                author=site.admin.id, wp_id=9001)
    run(site, path, media="download", root=media_root)
    with tenant_scope(site.id):
        assert Post.get_by_id(untouched.id).content == '<a href="https://who.int/x">x</a>'
    assert "http://example.org/wp-content/uploads/" in rest(client, site, "/wp/v2/posts/555", context="edit").json[
        "content"]["raw"]                                   # the file's own URL is still rewritten


@responses.activate
def test_an_existing_post_whose_links_are_rewritten_gets_an_audit_row(client, site, media_root):
    """The rewrite reaches every post of the tenant that links the old file, also posts the import did not
    write; each one it changes is audited as an update by the import."""
    body = jpeg()
    responses.get(CANOLA, body=body, headers={"Content-Type": "image/jpeg"})
    with tenant_scope(site.id):
        older = Post.create(title="Older", slug="older", status="publish", content=f'<img src="{CANOLA}">',
                            author=site.admin.id, wp_id=9002)
        other = Post.create(title="Other", slug="other", status="publish", content="<p>no links</p>",
                            author=site.admin.id, wp_id=9003)
    run(site, TESTS / "wxr-flat-attachment-same-site.xml", media="download", root=media_root)
    with tenant_scope(site.id):
        assert CANOLA not in Post.get_by_id(older.id).content
        updates = list(AuditTrail.select().where(AuditTrail.operation == "update", AuditTrail.resource_type == "post"))
    by_post = {row.resource_id: row.metadata for row in updates}
    assert by_post[older.id] == {"event": "post:import-url-rewrite", "source_file": "wxr-flat-attachment-same-site.xml"}
    assert other.id not in by_post
