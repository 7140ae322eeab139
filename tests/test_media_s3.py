"""The S3 store (WPCOMPAT_MEDIA_STORE=s3) against moto's server mode on loopback: real boto3 calls
over HTTP, on both engines — uploads, unique names, serving, deletes and rollbacks, SSE, PHI sealed
in the bucket, refusals that store nothing, and XML-RPC's path."""

import uuid
import xmlrpc.client

import boto3
import pytest
from falcon import testing
from moto.server import ThreadedMotoServer

from conftest import basic_auth, count_rows
from media_files import EXE, PATIENT_NAME, dicom_bytes, image_bytes, raw_upload
from test_serve import free_port
from wpcompat.accounts import create_app_password, create_user
from wpcompat.app import create_app
from wpcompat.db import bind, tenant_scope
from wpcompat.models import Media, Tenant
from wpcompat.storage import crypto

PREFIX = "clinics/"
MEDIA_KEY = "s3-test-media-key-" + "m" * 32
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def moto_endpoint():
    """moto's S3 (and KMS) as an HTTP server on 127.0.0.1, for this module."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(moto_endpoint, monkeypatch):
    """(boto3 client, fresh bucket name) — each test its own bucket."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    return client, bucket


def objects(s3):
    client, bucket = s3
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def body_of(s3, key):
    client, bucket = s3
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def make_app(engine, app_database, moto_endpoint, bucket, **extra):
    settings = engine.settings(media_store="s3", s3_bucket=bucket, s3_prefix=PREFIX, s3_endpoint_url=moto_endpoint,
                               media_key=MEDIA_KEY, **extra)
    return create_app(settings, app_database)


@pytest.fixture
def bucket_site(engine, app_database, moto_endpoint, s3, site_a, site_b):
    """(client, {role: headers} of site_a, site_b's admin headers) of an app on the S3 store."""
    bind(engine.database)
    with tenant_scope(site_a.id):
        headers = {"administrator": {"Authorization": basic_auth(site_a.admin.login, site_a.admin_password)}}
        for role in ("author", "subscriber"):
            user = create_user(f"{role}-{uuid.uuid4().hex[:6]}", f"{role}-{uuid.uuid4().hex[:6]}@x.test", role)
            headers[role] = {"Authorization": basic_auth(user.login, create_app_password(user, "t")[1])}
    other = {"Authorization": basic_auth(site_b.admin.login, site_b.admin_password)}
    return testing.TestClient(make_app(engine, app_database, moto_endpoint, s3[1])), headers, other


def test_upload_lands_in_the_tenants_folder_with_sse_and_is_served(bucket_site, s3, site_a):
    client, headers, _other = bucket_site
    original = image_bytes(size=(400, 300))
    result = raw_upload(client, site_a, headers["author"], original, name="knee scan.png")
    assert result.status_code == 201, result.json
    body = result.json
    folder = body["media_details"]["file"].rsplit("/", 1)[0]
    slug = site_a.tenant.slug
    assert objects(s3) == [f"{PREFIX}{slug}/{folder}/{name}" for name in
                           ("knee-scan-150x150.png", "knee-scan-300x225.png", "knee-scan.png")]
    assert body_of(s3, f"{PREFIX}{slug}/{folder}/knee-scan.png") == original
    head = s3[0].head_object(Bucket=s3[1], Key=f"{PREFIX}{slug}/{folder}/knee-scan.png")
    assert head["ServerSideEncryption"] == "AES256"
    path = body["source_url"].split(site_a.host, 1)[1]
    assert path == f"/wp-content/uploads/{folder}/knee-scan.png"         # same URLs as the local store
    served = client.simulate_get(path, host=site_a.host)
    assert served.status_code == 200 and served.content == original
    assert served.headers["content-type"] == "image/png"
    thumbnail = body["media_details"]["sizes"]["thumbnail"]["source_url"].split(site_a.host, 1)[1]
    assert client.simulate_get(thumbnail, host=site_a.host).status_code == 200


def test_names_are_unique_per_tenant_and_tenants_are_apart(bucket_site, s3, site_a, site_b):
    client, headers, other = bucket_site
    first = raw_upload(client, site_a, headers["author"], image_bytes(size=(40, 40)), name="x.png").json
    second = raw_upload(client, site_a, headers["author"], image_bytes(size=(40, 40)), name="x.png").json
    theirs = raw_upload(client, site_b, other, image_bytes(size=(40, 40), color=(1, 2, 3)), name="x.png").json
    assert first["source_url"].endswith("/x.png") and second["source_url"].endswith("/x-1.png")
    assert theirs["source_url"].endswith("/x.png")                       # B's own folder: no clash
    tenants = {key[len(PREFIX):].split("/", 1)[0] for key in objects(s3)}
    assert tenants == {site_a.tenant.slug, site_b.tenant.slug}
    path = first["source_url"].split(site_a.host, 1)[1]
    assert client.simulate_get(path, host=site_a.host).content != client.simulate_get(path, host=site_b.host).content


def test_a_name_taken_after_the_check_is_never_overwritten_in_the_bucket(bucket_site, s3, site_a, monkeypatch):
    from wpcompat.storage.s3 import S3Store

    client, headers, _other = bucket_site
    first = raw_upload(client, site_a, headers["author"], image_bytes(size=(40, 40)), name="x.png").json
    key = f"{PREFIX}{site_a.tenant.slug}/{first['media_details']['file']}"
    original = body_of(s3, key)
    seen_free = S3Store.exists
    monkeypatch.setattr(S3Store, "exists", lambda store, name: False if name.endswith("/x.png")
                        else seen_free(store, name))
    monkeypatch.setattr("wpcompat.uploads._key_taken", lambda name: False)
    second = raw_upload(client, site_a, headers["author"], image_bytes(size=(40, 40), color=(9, 9, 9)), name="x.png")
    assert second.status_code == 201, second.json
    assert second.json["source_url"].endswith("/x-1.png") and body_of(s3, key) == original


def test_forced_delete_removes_the_objects(bucket_site, s3, site_a):
    client, headers, _other = bucket_site
    body = raw_upload(client, site_a, headers["author"], image_bytes(size=(200, 200))).json
    assert len(objects(s3)) == 2
    url = f"/wp-json/wp/v2/media/{body['id']}"
    refused = client.simulate_delete(url, host=site_a.host, headers=headers["subscriber"], params={"force": "true"})
    assert refused.status_code in (403, 404) and len(objects(s3)) == 2
    gone = client.simulate_delete(url, host=site_a.host, headers=headers["author"], params={"force": "true"})
    assert gone.status_code == 200 and objects(s3) == []
    assert client.simulate_get(body["source_url"].split(site_a.host, 1)[1], host=site_a.host).status_code == 404


def test_phi_is_sealed_in_the_bucket_and_served_only_to_phi_readers(bucket_site, s3, site_a, audit_rows):
    client, headers, _other = bucket_site
    original = dicom_bytes()
    result = raw_upload(client, site_a, headers["administrator"], original, name="exam.dcm",
                        content_type="application/dicom")
    assert result.status_code == 201, result.json
    body = result.json
    assert body["contains_phi"] is True and body["encryption_status"] == "at_rest"
    [key] = objects(s3)
    blob = body_of(s3, key)
    assert blob != original and PATIENT_NAME.encode() not in blob and b"DICM" not in blob
    assert s3[0].head_object(Bucket=s3[1], Key=key)["ServerSideEncryption"] == "AES256"
    assert crypto.unseal(site_a.id, key[len(PREFIX):], blob) == original
    with pytest.raises(crypto.SealError):
        crypto.unseal(site_a.id, key[len(PREFIX):], blob, master=b"not-the-media-key-" + b"z" * 20)
    route = f"/wp-json/wpcompat/v1/media/{body['id']}/file"
    assert body["source_url"] == f"http://{site_a.host}{route}"
    for caller in ({}, headers["subscriber"], headers["author"]):
        assert client.simulate_get(route, host=site_a.host, headers=caller).status_code == 404
    served = client.simulate_get(route, host=site_a.host, headers=headers["administrator"])
    assert served.status_code == 200 and served.content == original
    public = f"/wp-content/uploads/{key[len(PREFIX):].split('/', 1)[1]}"
    assert client.simulate_get(public, host=site_a.host).status_code == 404
    rows = [row for row in audit_rows(site_a) if row.metadata.get("event") == "media:download"]
    assert sorted((row.operation, row.policy_decision) for row in rows) == [
        ("access", "allow")] + [("access", "deny")] * 3


def test_renamed_exe_and_over_quota_store_nothing_in_the_bucket(bucket_site, s3, site_a, engine):
    client, headers, _other = bucket_site
    before = count_rows(site_a, Media)
    exe = raw_upload(client, site_a, headers["administrator"], EXE, name="cute-cat.jpg", content_type="image/jpeg")
    assert (exe.status_code, exe.json["code"]) == (500, "rest_upload_sideload_error")
    bind(engine.database)
    Tenant.update(upload_quota_bytes=1000).where(Tenant.id == site_a.id).execute()
    big = raw_upload(client, site_a, headers["administrator"], image_bytes(size=(300, 300)) + b"\0" * 2048)
    assert (big.status_code, big.json["code"]) == (400, "rest_upload_limited_space")
    assert count_rows(site_a, Media) == before and objects(s3) == []


class UploadThenFail:
    """A test-only route: stores an upload, then the request fails the way a later step could."""

    def on_post(self, req, resp):
        from wpcompat import uploads
        from wpcompat.errors import WPError

        uploads.upload(req.context.site, req.context.user, "late-failure.png", image_bytes())
        raise WPError("rest_cannot_create", "Something after the upload failed.", 500)


def test_a_rolled_back_request_leaves_no_object(engine, app_database, moto_endpoint, s3, site_a):
    app = make_app(engine, app_database, moto_endpoint, s3[1])
    app.add_route("/wp-json/test/upload-then-fail", UploadThenFail())
    result = testing.TestClient(app).simulate_post(
        "/wp-json/test/upload-then-fail", host=site_a.host,
        headers={"Authorization": basic_auth(site_a.admin.login, site_a.admin_password)})
    assert result.status_code == 500
    assert objects(s3) == []
    assert count_rows(site_a, Media, Media.original_filename == "late-failure.png") == 0


def test_sse_kms_when_a_key_id_is_configured(engine, app_database, moto_endpoint, s3, site_a):
    kms = boto3.client("kms", endpoint_url=moto_endpoint, region_name="us-east-1")
    key_id = kms.create_key(Description="wpcompat media")["KeyMetadata"]["KeyId"]
    client = testing.TestClient(make_app(engine, app_database, moto_endpoint, s3[1], s3_kms_key_id=key_id))
    result = raw_upload(client, site_a, {"Authorization": basic_auth(site_a.admin.login, site_a.admin_password)},
                        image_bytes(size=(20, 20)), name="k.png")
    assert result.status_code == 201
    [key] = objects(s3)
    head = s3[0].head_object(Bucket=s3[1], Key=key)
    assert head["ServerSideEncryption"] == "aws:kms" and key_id in head["SSEKMSKeyId"]


def test_xmlrpc_upload_file_uses_the_same_store(engine, app_database, moto_endpoint, s3, site_a):
    client = testing.TestClient(make_app(engine, app_database, moto_endpoint, s3[1]))
    payload = xmlrpc.client.dumps((1, site_a.admin.login, site_a.admin_password, {
        "name": "laudo.png", "type": "image/png", "bits": xmlrpc.client.Binary(image_bytes(size=(60, 60)))}),
        "wp.uploadFile")
    answer = client.simulate_post("/xmlrpc.php", host=site_a.host, body=payload.encode(),
                                  headers={"Content-Type": "text/xml"})
    (struct,), _method = xmlrpc.client.loads(answer.content)
    assert struct["url"].endswith("/laudo.png")
    assert objects(s3) == [f"{PREFIX}{site_a.tenant.slug}/{struct['url'].split('/uploads/', 1)[1]}"]
    assert client.simulate_get(struct["url"].split(site_a.host, 1)[1], host=site_a.host).content == \
        image_bytes(size=(60, 60))


def test_flagging_phi_reseals_the_object_and_deletes_the_plaintext(bucket_site, s3, site_a):
    client, headers, _other = bucket_site
    original = image_bytes(size=(400, 300))
    body = raw_upload(client, site_a, headers["author"], original, name="wound.png").json
    assert len(objects(s3)) == 3
    flagged = client.simulate_post(f"/wp-json/wp/v2/media/{body['id']}", host=site_a.host,
                                   headers=headers["administrator"], json={"contains_phi": True})
    assert flagged.status_code == 200 and flagged.json["encryption_status"] == "at_rest"
    [key] = objects(s3)
    assert key.endswith("/wound-1.png") and body_of(s3, key) != original
    served = client.simulate_get(f"/wp-json/wpcompat/v1/media/{body['id']}/file", host=site_a.host,
                                 headers=headers["administrator"])
    assert served.content == original
