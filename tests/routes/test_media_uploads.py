"""POST/DELETE /wp/v2/media and /wp-content/uploads/…: uploads to the local store, on both engines."""

import base64
import hashlib
import io
import json
import os
import pathlib
import uuid

import pytest
from falcon import testing
from PIL import Image

from wpcompat.accounts import create_app_password, create_user
from wpcompat.app import create_app
from wpcompat.db import bind, tenant_scope
from wpcompat.models import Media, Tenant

from conftest import basic_auth, count_rows
from media_files import image_bytes, multipart_upload, raw_upload, stored_files

GOLDEN = pathlib.Path(__file__).resolve().parents[3] / "shared" / "golden"
SIZES = {"thumbnail": (150, 150), "medium": (300, 225), "medium_large": (768, 576)}


@pytest.fixture
def uploads(engine, app_database, site_a, site_b, tmp_path):
    """(client, media root, {role: auth headers} of site_a, site_b's admin headers)."""
    root = tmp_path / "uploads"
    bind(engine.database)
    with tenant_scope(site_a.id):
        headers = {"administrator": {"Authorization": basic_auth(site_a.admin.login, site_a.admin_password)}}
        for role in ("editor", "author", "contributor", "subscriber"):
            user = create_user(f"{role}-{uuid.uuid4().hex[:6]}", f"{role}-{uuid.uuid4().hex[:6]}@x.test", role)
            headers[role] = {"Authorization": basic_auth(user.login, create_app_password(user, "t")[1])}
    other = {"Authorization": basic_auth(site_b.admin.login, site_b.admin_password)}
    client = testing.TestClient(create_app(engine.settings(media_root=str(root)), app_database))
    return client, root, headers, other


def test_raw_png_upload_is_201_with_sizes_files_and_audit(uploads, site_a, audit_rows):
    client, root, headers, _other = uploads
    result = raw_upload(client, site_a, headers["author"], image_bytes())
    assert result.status_code == 201, result.json
    body = result.json
    assert result.headers["location"] == f"http://{site_a.host}/wp-json/wp/v2/media/{body['id']}"
    assert result.headers["x-wp-upload-attachment-id"] == str(body["id"])
    assert body["title"] == {"raw": "scan", "rendered": "scan"} and body["slug"] == "scan"
    assert body["mime_type"] == "image/png" and body["media_type"] == "image"
    assert body["missing_image_sizes"] == []
    details = body["media_details"]
    assert (details["width"], details["height"]) == (800, 600)
    folder = details["file"].rsplit("/", 1)[0]
    assert body["source_url"] == f"http://{site_a.host}/wp-content/uploads/{folder}/scan.png"
    assert {name: (size["width"], size["height"]) for name, size in details["sizes"].items() if name != "full"} \
        == SIZES                                   # large (1024) is bigger than the original: not made
    assert details["sizes"]["thumbnail"]["file"] == "scan-150x150.png"
    assert details["sizes"]["thumbnail"]["source_url"].endswith(f"/wp-content/uploads/{folder}/scan-150x150.png")
    slug = site_a.tenant.slug
    assert stored_files(root) == sorted(f"{slug}/{folder}/{name}" for name in (
        "scan.png", "scan-150x150.png", "scan-300x225.png", "scan-768x576.png"))
    with Image.open(root / slug / folder / "scan-150x150.png") as thumbnail:
        assert thumbnail.size == (150, 150)
    created = [row for row in audit_rows(site_a) if row.metadata.get("event") == "media:create"]
    assert created and created[-1].policy_decision == "allow"


def test_same_name_gets_wordpress_unique_suffix(uploads, site_a):
    client, root, headers, _other = uploads
    first = raw_upload(client, site_a, headers["editor"], image_bytes(size=(100, 80)), name="x ray.png")
    second = raw_upload(client, site_a, headers["editor"], image_bytes(size=(100, 80)), name="x ray.png")
    assert first.json["source_url"].endswith("/x-ray.png")
    assert second.json["source_url"].endswith("/x-ray-1.png")
    assert second.json["title"]["raw"] == second.json["slug"] == "x-ray-1"    # WordPress titles the stored name
    assert first.json["media_details"]["sizes"] == {}           # smaller than every sub-size, as WordPress shows it


def test_a_name_taken_after_the_check_is_never_overwritten(uploads, site_a, monkeypatch):
    """Two uploads of one name at once: both saw it free; the second to write must not replace the first's
    file (nor delete it when its own row then fails): it takes the next free name."""
    from wpcompat.storage.local import LocalStore

    client, root, headers, _other = uploads
    first = raw_upload(client, site_a, headers["editor"], image_bytes(size=(100, 80)), name="scan.png")
    first_path = first.json["media_details"]["file"]
    original = (root / site_a.tenant.slug / first_path).read_bytes()
    seen_free = LocalStore.exists
    monkeypatch.setattr(LocalStore, "exists", lambda store, key: False if key.endswith("/scan.png")
                        else seen_free(store, key))     # the check ran before the other upload's write
    monkeypatch.setattr("wpcompat.uploads._key_taken", lambda key: False)   # ... and before its row
    second = raw_upload(client, site_a, headers["editor"], image_bytes(size=(100, 80), color=(9, 9, 9)),
                        name="scan.png")
    assert second.status_code == 201, second.json
    assert second.json["source_url"].endswith("/scan-1.png")
    assert (root / site_a.tenant.slug / first_path).read_bytes() == original


def test_multipart_jpeg_upload_takes_form_fields(uploads, site_a):
    client, _root, headers, _other = uploads
    result = multipart_upload(client, site_a, headers["administrator"], image_bytes("JPEG", (400, 300)), "photo.jpg",
                              fields=[("title", "Knee MRI"), ("alt_text", "A knee"), ("caption", "Left knee")])
    assert result.status_code == 201, result.json
    body = result.json
    assert body["title"]["raw"] == "Knee MRI" and body["alt_text"] == "A knee"
    assert body["caption"]["raw"] == "Left knee" and body["mime_type"] == "image/jpeg"
    assert set(body["media_details"]["sizes"]) == {"thumbnail", "medium", "full"}


def test_wrong_extension_is_corrected_from_the_bytes(uploads, site_a):
    client, _root, headers, _other = uploads
    result = raw_upload(client, site_a, headers["author"], image_bytes("JPEG", (40, 40)), name="real.png")
    assert result.status_code == 201
    assert result.json["mime_type"] == "image/jpeg" and result.json["source_url"].endswith("/real.jpg")


def test_renamed_exe_is_refused_and_nothing_is_stored(uploads, site_a, engine):
    client, root, headers, _other = uploads
    before = count_rows(site_a, Media)
    result = raw_upload(client, site_a, headers["administrator"], b"MZ\x90\x00" + b"\x00" * 200,
                        name="cute-cat.jpg", content_type="image/jpeg")
    assert result.status_code == 500
    assert result.json == {"code": "rest_upload_sideload_error",
                           "message": "Sorry, you are not allowed to upload this file type.", "data": {"status": 500}}
    assert count_rows(site_a, Media) == before and stored_files(root) == []


def test_quota_exceeded_is_refused_and_nothing_is_stored(uploads, site_a, engine):
    client, root, headers, _other = uploads
    bind(engine.database)
    Tenant.update(upload_quota_bytes=1000).where(Tenant.id == site_a.id).execute()
    before = count_rows(site_a, Media)
    result = raw_upload(client, site_a, headers["administrator"], image_bytes(size=(300, 300)) + b"\0" * 2048)
    assert result.status_code == 400 and result.json["code"] == "rest_upload_limited_space"
    assert result.json["message"].startswith("Not enough space to upload.")
    assert count_rows(site_a, Media) == before and stored_files(root) == []


def test_a_file_over_the_sites_per_file_cap_is_refused_and_nothing_is_stored(uploads, site_a, engine):
    """WordPress's fileupload_maxk site option (KB per file), kept in tenants.options."""
    client, root, headers, _other = uploads
    bind(engine.database)
    tenant = Tenant.get_by_id(site_a.id)
    Tenant.update(options={**(tenant.options or {}), "fileupload_maxk": 2}).where(Tenant.id == site_a.id).execute()
    before = count_rows(site_a, Media)
    result = raw_upload(client, site_a, headers["administrator"], image_bytes(size=(300, 300)) + b"\0" * 2048)
    assert result.status_code == 400
    assert result.json == {"code": "rest_upload_file_too_big", "data": {"status": 400},
                           "message": "This file is too big. Files must be less than 2 KB in size."}
    assert count_rows(site_a, Media) == before and stored_files(root) == []
    small = raw_upload(client, site_a, headers["administrator"], image_bytes(size=(10, 10)))
    assert small.status_code == 201, small.text


@pytest.mark.parametrize("extra, code, status", [
    ({"Content-Disposition": None}, "rest_upload_no_content_disposition", 400),
    ({"Content-Disposition": "attachment"}, "rest_upload_invalid_disposition", 400),
    ({"Content-MD5": "0" * 32}, "rest_upload_hash_mismatch", 412),
])
def test_raw_upload_header_errors(uploads, site_a, extra, code, status):
    client, root, headers, _other = uploads
    request_headers = {**headers["author"], "Content-Type": "image/png",
                       "Content-Disposition": 'attachment; filename="a.png"', **extra}
    request_headers = {key: value for key, value in request_headers.items() if value is not None}
    result = client.simulate_post("/wp-json/wp/v2/media", host=site_a.host, body=image_bytes(size=(20, 20)),
                                  headers=request_headers)
    assert (result.status_code, result.json["code"]) == (status, code)
    assert stored_files(root) == []


def test_empty_body_is_no_data_and_right_md5_is_accepted(uploads, site_a):
    client, _root, headers, _other = uploads
    empty = raw_upload(client, site_a, headers["author"], b"")
    assert (empty.status_code, empty.json["code"]) == (400, "rest_upload_no_data")
    data = image_bytes(size=(20, 20))
    good = raw_upload(client, site_a, headers["author"], data, **{"Content-MD5": hashlib.md5(data).hexdigest()})
    assert good.status_code == 201


@pytest.mark.parametrize("role, status", [(None, 401), ("subscriber", 403), ("contributor", 403)])
def test_who_may_not_upload(uploads, site_a, role, status):
    client, root, headers, _other = uploads
    result = raw_upload(client, site_a, headers.get(role, {}), image_bytes(size=(20, 20)))
    assert result.status_code == status
    assert result.json["code"] == "rest_cannot_create"
    assert result.json["message"] == "Sorry, you are not allowed to create posts as this user."
    assert stored_files(root) == []


def test_upload_attached_to_a_post_needs_edit_rights_on_it(uploads, site_a):
    client, _root, headers, _other = uploads
    post_id = site_a.post.wp_id                      # the author's post
    refused = multipart_upload(client, site_a, headers["author"], image_bytes(size=(20, 20)), "a.png",
                               fields=[("post", str(post_id + 1000))])
    assert (refused.status_code, refused.json["code"]) == (403, "rest_cannot_edit")
    attached = multipart_upload(client, site_a, headers["administrator"], image_bytes(size=(20, 20)), "a.png",
                                fields=[("post", str(post_id))])
    assert attached.status_code == 201 and attached.json["post"] == post_id


def test_uploads_apply_slug_date_author_and_status(uploads, site_a):
    client, _root, headers, _other = uploads
    author = site_a.author.wp_id
    result = client.simulate_post("/wp-json/wp/v2/media", host=site_a.host, body=image_bytes(size=(20, 20)), params={
        "slug": "Exame de Joelho", "date": "2023-05-06T07:08:09", "author": str(author), "status": "publish"},
        headers={**headers["editor"], "Content-Type": "image/png", "Content-Disposition": 'attachment; filename="a.png"'})
    assert result.status_code == 201, result.json
    body = result.json
    assert (body["slug"], body["date"], body["date_gmt"], body["author"], body["status"]) == (
        "exame-de-joelho", "2023-05-06T07:08:09", "2023-05-06T07:08:09", author, "inherit")
    read = client.simulate_get(f"/wp-json/wp/v2/media/{body['id']}", host=site_a.host,
                               headers=headers["administrator"], params={"context": "edit"}).json
    assert {name: read[name] for name in ("slug", "date", "author")} == {name: body[name] for name in
                                                                         ("slug", "date", "author")}
    form = multipart_upload(client, site_a, headers["administrator"], image_bytes(size=(20, 20)), "b.png",
                            fields=[("slug", "exame-de-joelho"), ("date_gmt", "2021-02-03T04:05:06")])
    assert form.status_code == 201, form.json
    assert (form.json["slug"], form.json["date_gmt"]) == ("exame-de-joelho-2", "2021-02-03T04:05:06")


def test_uploads_refuse_other_authors_and_bad_dates_and_store_nothing(uploads, site_a):
    client, root, headers, _other = uploads
    as_admin = client.simulate_post("/wp-json/wp/v2/media", host=site_a.host, body=image_bytes(size=(20, 20)),
                                    params={"author": str(site_a.admin.wp_id)}, headers={
                                        **headers["author"], "Content-Type": "image/png",
                                        "Content-Disposition": 'attachment; filename="a.png"'})
    assert (as_admin.status_code, as_admin.json["code"]) == (403, "rest_cannot_edit_others")
    assert as_admin.json["message"] == "Sorry, you are not allowed to create posts as this user."
    bad_date = multipart_upload(client, site_a, headers["administrator"], image_bytes(size=(20, 20)), "b.png",
                                fields=[("date", "yesterday")])
    assert (bad_date.status_code, bad_date.json["code"]) == (400, "rest_invalid_param")
    assert bad_date.json["data"]["details"]["date"]["code"] == "rest_invalid_date"
    private = multipart_upload(client, site_a, headers["administrator"], image_bytes(size=(20, 20)), "c.png",
                               fields=[("status", "private")])
    assert (private.status_code, private.json["code"]) == (400, "rest_invalid_param")
    assert stored_files(root) == []


def test_update_and_forced_delete(uploads, site_a):
    client, root, headers, _other = uploads
    created = raw_upload(client, site_a, headers["author"], image_bytes(size=(200, 200))).json
    url = f"/wp-json/wp/v2/media/{created['id']}"
    updated = client.simulate_post(url, host=site_a.host, headers=headers["author"], json={
        "title": "Renamed", "alt_text": "Alt", "caption": {"raw": "Cap"}, "description": "Desc"})
    assert updated.status_code == 200
    assert updated.json["title"]["raw"] == "Renamed" and updated.json["alt_text"] == "Alt"
    assert updated.json["caption"]["raw"] == "Cap" and updated.json["description"]["raw"] == "Desc"
    by_subscriber = client.simulate_post(url, host=site_a.host, headers=headers["subscriber"], json={"title": "x"})
    assert (by_subscriber.status_code, by_subscriber.json["code"]) == (403, "rest_cannot_edit")
    trash = client.simulate_delete(url, host=site_a.host, headers=headers["author"])
    assert (trash.status_code, trash.json["code"]) == (501, "rest_trash_not_supported")
    assert trash.json["message"] == "The post does not support trashing. Set 'force=true' to delete."
    assert len(stored_files(root)) == 2              # original + thumbnail
    gone = client.simulate_delete(url, host=site_a.host, headers=headers["author"], params={"force": "true"})
    assert gone.status_code == 200
    assert gone.json["deleted"] is True and gone.json["previous"]["id"] == created["id"]
    assert stored_files(root) == []
    assert client.simulate_get(url, host=site_a.host, headers=headers["author"]).status_code == 404
    source = created["source_url"].split(site_a.host, 1)[1]
    assert client.simulate_get(source, host=site_a.host).status_code == 404


def test_tenants_are_isolated(uploads, site_a, site_b):
    client, root, headers, other = uploads
    raw_upload(client, site_a, headers["administrator"], image_bytes(size=(20, 20)), name="first.png")
    mine = raw_upload(client, site_a, headers["administrator"], image_bytes(size=(20, 20)), name="same.png").json
    url = f"/wp-json/wp/v2/media/{mine['id']}"          # ids are per site: B has no such id yet
    for call in (lambda: client.simulate_get(url, host=site_b.host, headers=other),
                 lambda: client.simulate_post(url, host=site_b.host, headers=other, json={"title": "x"}),
                 lambda: client.simulate_delete(url, host=site_b.host, headers=other, params={"force": "true"})):
        result = call()
        assert (result.status_code, result.json["code"]) == (404, "rest_post_invalid_id")
    theirs = raw_upload(client, site_b, other, image_bytes(size=(20, 20)), name="same.png").json
    files = [path for path in stored_files(root) if path.endswith("same.png")]
    assert len(files) == 2
    assert {path.split(os.sep)[0] for path in files} == {site_a.tenant.slug, site_b.tenant.slug}
    path = mine["source_url"].split(site_a.host, 1)[1]
    assert path == theirs["source_url"].split(site_b.host, 1)[1]          # same URL path, different sites
    served_a = client.simulate_get(path, host=site_a.host)
    assert served_a.status_code == 200 and served_a.headers["content-type"] == "image/png"
    assert served_a.content == (root / files[0]).read_bytes() or served_a.content == (root / files[1]).read_bytes()
    client.simulate_delete(url, host=site_a.host, headers=headers["administrator"], params={"force": "true"})
    assert client.simulate_get(path, host=site_a.host).status_code == 404
    assert client.simulate_get(path, host=site_b.host).status_code == 200   # B's own file stays


def test_served_files_need_a_media_row_and_no_phi(uploads, site_a, engine):
    client, root, headers, _other = uploads
    created = raw_upload(client, site_a, headers["administrator"], image_bytes(size=(200, 200))).json
    path = created["source_url"].split(site_a.host, 1)[1]
    thumbnail = created["media_details"]["sizes"]["thumbnail"]["source_url"].split(site_a.host, 1)[1]
    assert client.simulate_get(thumbnail, host=site_a.host).status_code == 200
    stray = root / site_a.tenant.slug / path.split("/uploads/", 1)[1].rsplit("/", 1)[0] / "stray.png"
    stray.write_bytes(image_bytes(size=(5, 5)))
    assert client.simulate_get(path.rsplit("/", 1)[0] + "/stray.png", host=site_a.host).status_code == 404
    bind(engine.database)
    with tenant_scope(site_a.id):
        Media.update(contains_phi=True).where(Media.wp_id == created["id"]).execute()
    assert client.simulate_get(path, host=site_a.host).status_code == 404
    assert client.simulate_get(thumbnail, host=site_a.host).status_code == 404


def test_a_new_images_sizes_never_overwrite_another_file(uploads, site_a):
    client, root, headers, _other = uploads
    first = raw_upload(client, site_a, headers["author"], image_bytes(size=(50, 50)), name="knee-150x150.png")
    assert first.json["source_url"].endswith("/knee-150x150.png")
    second = raw_upload(client, site_a, headers["author"], image_bytes(size=(400, 300)), name="knee.png")
    assert second.json["source_url"].endswith("/knee-1.png")           # knee.png's thumbnail name is taken
    assert second.json["media_details"]["sizes"]["thumbnail"]["file"] == "knee-1-150x150.png"
    served = client.simulate_get(first.json["source_url"].split(site_a.host, 1)[1], host=site_a.host)
    assert served.status_code == 200 and Image.open(io.BytesIO(served.content)).size == (50, 50)


class UploadThenFail:
    """A test-only route: stores an upload, then the request fails the way a later step could."""

    def on_post(self, req, resp):
        from wpcompat import uploads
        from wpcompat.errors import WPError

        uploads.upload(req.context.site, req.context.user, "late-failure.png", image_bytes())
        raise WPError("rest_cannot_create", "Something after the upload failed.", 500)


def test_a_request_that_fails_after_storing_a_file_leaves_no_file(engine, app_database, site_a, tmp_path):
    root = tmp_path / "uploads"
    app = create_app(engine.settings(media_root=str(root)), app_database)
    app.add_route("/wp-json/test/upload-then-fail", UploadThenFail())
    result = testing.TestClient(app).simulate_post(
        "/wp-json/test/upload-then-fail", host=site_a.host,
        headers={"Authorization": basic_auth(site_a.admin.login, site_a.admin_password)})
    assert result.status_code == 500
    assert stored_files(root) == []                    # the rollback took the files with it
    assert count_rows(site_a, Media, Media.original_filename == "late-failure.png") == 0


def test_a_forced_delete_removes_the_files_only_when_it_commits(uploads, site_a):
    client, root, headers, _other = uploads
    created = raw_upload(client, site_a, headers["administrator"], image_bytes()).json
    before = stored_files(root)
    assert before
    gone = client.simulate_delete(f"/wp-json/wp/v2/media/{created['id']}", host=site_a.host,
                                  params={"force": "true"}, headers=headers["administrator"])
    assert gone.status_code == 200 and stored_files(root) == []


def test_raw_upload_answers_as_wordpress_golden(uploads, site_a):
    """../shared/golden/227-upload-media.json replayed: same bytes, same headers → the same answer
    (ids, dates, host and our healthcare fields aside)."""
    client, _root, headers, _other = uploads
    golden = json.loads((GOLDEN / "227-upload-media.json").read_text())
    request = golden["request"]
    result = client.simulate_post(request["path"], host=site_a.host, headers={
        **headers["administrator"], **request["headers"]}, body=base64.b64decode(request["body"]["binary_base64"]))
    assert result.status_code == golden["status"]
    for name in ("Allow", "X-Content-Type-Options", "Cache-Control"):
        assert result.headers[name] == golden["headers"][name]
    body = result.json
    expected = json.loads(json.dumps(golden["body"]).replace("127.0.0.1:8081", site_a.host)
                          .replace("2026/11/", body["media_details"]["file"].rsplit("/", 1)[0] + "/")
                          .replace("/media/67", f"/media/{body['id']}").replace("attachment_id=67",
                                                                              f"attachment_id={body['id']}")
                          .replace("/users/1\"", f"/users/{body['author']}\"").replace("post=67", f"post={body['id']}"))
    assert result.headers["Location"] == f"http://{site_a.host}/wp-json/wp/v2/media/{body['id']}"
    ours_only = {"medical_content", "contains_phi", "access_level", "encryption_status", "dicom_metadata"}
    assert [key for key in body if key not in ours_only] == list(expected)
    for key in ("id", "author", "date", "date_gmt", "modified", "modified_gmt"):
        expected[key] = body[key]
    expected["_links"].pop("replies", None), body["_links"].pop("replies", None)   # comments: not ours to test
    assert {key: value for key, value in body.items() if key not in ours_only} == expected


def test_local_store_refuses_keys_that_climb_into_another_tenants_folder(tmp_path):
    """Security review: LocalStore only checked that a key stayed under the root, so
    `tenant-a/../tenant-b/…` reached another tenant's files; keys are now checked as S3Store's are."""
    from wpcompat.storage import LocalStore
    store = LocalStore(str(tmp_path))
    store.put("tenant-b/2026/01/scan.png", b"theirs")
    for key in ("tenant-a/../tenant-b/2026/01/scan.png", "tenant-a/2026/01/../../../tenant-b/2026/01/scan.png",
                "/etc/passwd", "tenant-a/2026/01/a\\b.png", ""):
        with pytest.raises(ValueError):
            store.read(key)
        with pytest.raises(ValueError):
            store.put(key, b"x")
    assert store.read("tenant-b/2026/01/scan.png") == b"theirs"


def test_an_overlong_file_name_is_shortened_not_a_500(uploads, site_a):
    """Security review: a 300-character name made the store fail (ENAMETOOLONG) → 500."""
    client, root, headers, _other = uploads
    result = raw_upload(client, site_a, headers["author"], image_bytes(size=(400, 300)), name="x" * 300 + ".png")
    assert result.status_code == 201, result.json
    name = result.json["source_url"].rsplit("/", 1)[1]
    assert name == "x" * 120 + ".png" and len(stored_files(root)) == 3
    again = raw_upload(client, site_a, headers["author"], image_bytes(size=(400, 300)), name="x" * 300 + ".png")
    assert again.json["source_url"].endswith("/" + "x" * 120 + "-1.png")
    assert client.simulate_get(again.json["source_url"].split(site_a.host, 1)[1], host=site_a.host).status_code == 200


def test_uploads_of_one_tenant_check_its_quota_one_at_a_time(postgres_engine, tmp_path):
    """Two uploads summing the quota at once could both fit and overrun it: the check waits for the tenant's
    lock, held until the other upload commits, then sees its bytes."""
    import threading

    import psycopg2

    from conftest import make_site
    from wpcompat.db import open_database
    from wpcompat.wp_ids import next_wp_id

    site = make_site(postgres_engine, "quota")
    bind(postgres_engine.database)
    Tenant.update(upload_quota_bytes=100_000).where(Tenant.id == site.id).execute()
    database = open_database(postgres_engine.url, pool_size=2)
    client = testing.TestClient(create_app(postgres_engine.settings(media_root=str(tmp_path / "uploads")), database))
    admin = {"Authorization": basic_auth(site.admin.login, site.admin_password)}
    other = psycopg2.connect(postgres_engine.url)              # the other upload, between its check and commit
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('wpcompat:upload_quota'), hashtext(%s))",
                           (str(site.id),))
        answer = {}
        upload = threading.Thread(target=lambda: answer.setdefault("result", raw_upload(
            client, site, admin, image_bytes(size=(40, 40)) + b"\0" * 20_000)))
        upload.start()
        upload.join(1.0)
        assert upload.is_alive(), "the upload did not wait for the other's quota check"
        bind(postgres_engine.database)
        with tenant_scope(site.id):                             # what the other upload stored meanwhile
            Media.create(filename=f"{site.tenant.slug}/2026/11/big.png", original_filename="big.png",
                         mime_type="image/png", file_size=90_000, uploaded_by=site.admin.id, wp_id=next_wp_id("post"))
        other.commit()                                          # it commits: the lock is released
        upload.join(30)
        result = answer["result"]
        assert result.status_code == 400 and result.json["code"] == "rest_upload_limited_space"
    finally:
        other.close()
        database.close_all()
        bind(postgres_engine.database)
