"""PHI media on the local store: DICOM tags, sealing at rest, the audited download route, visibility."""

import io
import uuid

import pytest
from falcon import testing
from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from conftest import basic_auth, count_rows
from media_files import (EXE, PATIENT_ID, PATIENT_NAME, dicom_bytes, image_bytes, multipart_upload, raw_upload,
                         stored_files)
from wpcompat.accounts import create_app_password, create_user
from wpcompat.app import create_app
from wpcompat.db import bind, tenant_scope
from wpcompat.models import Media, Post, User
from wpcompat.storage import crypto

MEDIA_KEY = "phi-test-media-key-" + "k" * 32
DICOM_TYPE = "application/dicom"


@pytest.fixture
def phi(engine, app_database, site_a, site_b, tmp_path):
    """(client, media root, {role: auth headers} of site_a, site_b's admin headers).
    `phi_editor` is an editor granted phi_access; `editor` is not."""
    root = tmp_path / "uploads"
    bind(engine.database)
    with tenant_scope(site_a.id):
        headers = {"administrator": {"Authorization": basic_auth(site_a.admin.login, site_a.admin_password)}}
        for role in ("editor", "phi_editor", "author", "subscriber"):
            tag = uuid.uuid4().hex[:6]
            user = create_user(f"{role}-{tag}", f"{role}-{tag}@x.test", "editor" if role == "phi_editor" else role)
            if role == "phi_editor":
                User.update(phi_access=True).where(User.id == user.id).execute()
            headers[role] = {"Authorization": basic_auth(user.login, create_app_password(user, "t")[1])}
    other = {"Authorization": basic_auth(site_b.admin.login, site_b.admin_password)}
    client = testing.TestClient(create_app(engine.settings(media_root=str(root), media_key=MEDIA_KEY), app_database))
    return client, root, headers, other


def download_path(media_id):
    return f"/wp-json/wpcompat/v1/media/{media_id}/file"


def downloads(audit_rows, site):
    return [row for row in audit_rows(site) if row.metadata.get("event") == "media:download"]


def test_dicom_with_patient_tags_is_phi_sealed_on_disk(phi, site_a, engine):
    client, root, headers, _other = phi
    original = dicom_bytes()
    result = raw_upload(client, site_a, headers["phi_editor"], original, name="knee.dcm",
                        content_type=DICOM_TYPE)
    assert result.status_code == 201, result.json
    body = result.json
    assert body["mime_type"] == DICOM_TYPE and body["media_type"] == "file"
    assert body["contains_phi"] is True and body["encryption_status"] == "at_rest"
    assert body["dicom_metadata"]["PatientName"] == PATIENT_NAME
    assert body["dicom_metadata"]["PatientID"] == PATIENT_ID and body["dicom_metadata"]["Rows"] == 8
    assert "PixelData" not in body["dicom_metadata"]
    assert body["source_url"] == f"http://{site_a.host}{download_path(body['id'])}"
    [path] = stored_files(root)
    blob = (root / path).read_bytes()
    assert blob != original and PATIENT_NAME.encode() not in blob and PATIENT_ID.encode() not in blob
    assert b"DICM" not in blob                                   # no plaintext structure either
    key = path.replace("\\", "/")
    assert crypto.unseal(site_a.id, key, blob) == original       # only the tenant's key opens it
    with pytest.raises(crypto.SealError):
        crypto.unseal(site_a.id, key, blob, master=b"another-master-key-" + b"x" * 20)
    with pytest.raises(crypto.SealError):
        crypto.unseal(uuid.uuid4(), key, blob)                  # another tenant's key
    with pytest.raises(crypto.SealError):
        crypto.unseal(site_a.id, key.replace("knee", "copy"), blob)   # moved to another name


@pytest.mark.parametrize("preamble", [b"%PDF-1.7\n", b"\x00\x00\x00\x18ftypmp42", b"\xff\xd8\xff\xe0"])
def test_a_dicom_whose_preamble_looks_like_another_type_is_still_checked_and_sealed(phi, site_a, preamble):
    """DICOM's 128-byte preamble is free: a PDF, MP4 or JPEG magic there made the file a 'pdf' stored in
    plaintext at a public URL, its patient tags never read."""
    client, root, headers, _other = phi
    original = dicom_bytes()
    polyglot = preamble + original[len(preamble):]
    result = raw_upload(client, site_a, headers["phi_editor"], polyglot, name="knee.pdf", content_type="application/pdf")
    assert result.status_code == 201, result.json
    assert result.json["mime_type"] == DICOM_TYPE and result.json["contains_phi"] is True
    assert result.json["encryption_status"] == "at_rest"
    [path] = stored_files(root)
    assert PATIENT_NAME.encode() not in (root / path).read_bytes()


def test_phi_download_only_for_users_who_may_read_phi_and_every_read_audited(phi, site_a, site_b, audit_rows):
    client, root, headers, other = phi
    original = dicom_bytes()
    body = raw_upload(client, site_a, headers["administrator"], original, name="exam.dcm",
                      content_type=DICOM_TYPE).json
    path = download_path(body["id"])
    for caller in ({}, headers["subscriber"], headers["author"], headers["editor"]):
        refused = client.simulate_get(path, host=site_a.host, headers=caller)
        assert (refused.status_code, refused.json["code"]) == (404, "rest_post_invalid_id")
        assert PATIENT_NAME not in refused.text
        item = client.simulate_get(f"/wp-json/wp/v2/media/{body['id']}", host=site_a.host, headers=caller)
        assert item.status_code == 404
    assert client.simulate_get(path, host=site_b.host, headers=other).status_code == 404   # other tenant
    for role in ("phi_editor", "administrator"):
        served = client.simulate_get(path, host=site_a.host, headers=headers[role])
        assert served.status_code == 200 and served.content == original
        assert served.headers["content-type"] == DICOM_TYPE
        assert served.headers["content-disposition"] == 'attachment; filename="exam.dcm"'
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["cache-control"] == "no-store"      # never kept by a browser or proxy
    rows = downloads(audit_rows, site_a)
    assert sorted((row.operation, row.policy_decision, row.metadata["status"]) for row in rows) == [
        ("access", "allow", 200)] * 2 + [("access", "deny", 404)] * 4           # one row per request
    assert all(row.metadata["path"] == path for row in rows)
    with tenant_scope(site_a.id):
        media_id = Media.get(Media.wp_id == body["id"]).id
    assert sorted(str(row.resource_id) for row in rows if row.policy_decision == "allow") == [str(media_id)] * 2
    public = f"/wp-content/uploads/{stored_files(root)[0].split('/', 1)[1]}"
    assert client.simulate_get(public, host=site_a.host).status_code == 404   # never at a public URL
    assert client.simulate_get(public, host=site_a.host, headers=headers["administrator"]).status_code == 404


def test_phi_is_invisible_in_lists_and_embeds_for_others(phi, site_a, engine):
    client, _root, headers, _other = phi
    body = raw_upload(client, site_a, headers["administrator"], dicom_bytes(), name="x.dcm",
                      content_type=DICOM_TYPE).json
    bind(engine.database)
    with tenant_scope(site_a.id):
        media = Media.get(Media.wp_id == body["id"])
        Post.update(featured_media=media.id).where(Post.id == site_a.post.id).execute()
    post_url = f"/wp-json/wp/v2/posts/{site_a.post.wp_id}"
    for caller in ({}, headers["subscriber"], headers["editor"]):
        listed = client.simulate_get("/wp-json/wp/v2/media", host=site_a.host, headers=caller)
        assert body["id"] not in [item["id"] for item in listed.json]
        post = client.simulate_get(post_url, host=site_a.host, headers=caller, params={"_embed": "1"})
        assert post.status_code == 200
        assert post.json["featured_media"] == 0 and "wp:featuredmedia" not in post.json.get("_embedded", {})
        assert PATIENT_NAME not in post.text and "/wpcompat/v1/media/" not in post.text
    post = client.simulate_get(post_url, host=site_a.host, headers=headers["phi_editor"], params={"_embed": "1"})
    [embedded] = post.json["_embedded"]["wp:featuredmedia"]
    assert embedded["source_url"] == f"http://{site_a.host}{download_path(body['id'])}"


def test_media_of_a_post_hidden_from_the_caller_cannot_be_made_their_featured_image(phi, site_a):
    """REST's _embed already hid it; setting it as one's own featured image (REST featured_media, XML-RPC
    post_thumbnail) then reading one's post back (wp.getPost) showed its title, caption and file names."""
    import base64
    import xmlrpc.client

    client, _root, headers, _other = phi
    admin, author = headers["administrator"], headers["author"]
    hidden_post = client.simulate_post("/wp-json/wp/v2/posts", host=site_a.host, headers=admin, json={
        "title": "Comissão interna", "status": "draft", "compliance_level": "restricted",
        "medical_disclaimer": "Uso interno."}).json["id"]
    hidden = multipart_upload(client, site_a, admin, image_bytes(), "board-minutes.png",
                              fields=[("post", str(hidden_post)), ("caption", "Ata sigilosa")]).json["id"]
    mine = client.simulate_post("/wp-json/wp/v2/posts", host=site_a.host, headers=author,
                                json={"title": "Meu rascunho", "status": "draft"}).json["id"]
    rest = client.simulate_post(f"/wp-json/wp/v2/posts/{mine}", host=site_a.host, headers=author,
                                json={"featured_media": hidden})
    assert rest.status_code == 200 and rest.json["featured_media"] == 0
    login, password = base64.b64decode(author["Authorization"].split()[1]).decode().split(":", 1)

    def call(method, *params):
        body = xmlrpc.client.dumps(params, method)
        answer = client.simulate_post("/xmlrpc.php", body=body, headers={"Host": site_a.host, "Content-Type": "text/xml"})
        try:
            return xmlrpc.client.loads(answer.content)[0][0]
        except xmlrpc.client.Fault as fault:
            return fault.faultCode

    assert call("wp.editPost", 1, login, password, mine, {"post_thumbnail": hidden}) == 404
    got = call("wp.getPost", 1, login, password, mine)
    assert "Ata sigilosa" not in str(got) and "board-minutes" not in str(got)
    assert client.simulate_post(f"/wp-json/wp/v2/posts/{mine}", host=site_a.host, headers=admin,
                                json={"featured_media": hidden}).json["featured_media"] == hidden   # who may see it, may


def test_flagged_image_upload_is_sealed_without_sizes(phi, site_a):
    client, root, headers, _other = phi
    original = image_bytes(size=(800, 600))
    result = multipart_upload(client, site_a, headers["phi_editor"], original, "wound.png",
                              fields=[("contains_phi", "true"), ("title", "Wound photo")])
    assert result.status_code == 201, result.json
    body = result.json
    assert body["contains_phi"] is True and body["encryption_status"] == "at_rest"
    assert body["media_details"]["width"] == 800 and body["media_details"]["sizes"] == {}
    [path] = stored_files(root)                                  # no plaintext thumbnails
    assert (root / path).read_bytes() != original and b"PNG" not in (root / path).read_bytes()[:64]
    served = client.simulate_get(download_path(body["id"]), host=site_a.host, headers=headers["phi_editor"])
    assert served.status_code == 200 and served.content == original


@pytest.mark.parametrize("send", ["dicom", "flag"])
def test_users_without_phi_rights_cannot_create_phi(phi, site_a, send):
    client, root, headers, _other = phi
    before = count_rows(site_a, Media)
    if send == "dicom":
        result = raw_upload(client, site_a, headers["editor"], dicom_bytes(), name="x.dcm", content_type=DICOM_TYPE)
    else:
        result = multipart_upload(client, site_a, headers["author"], image_bytes(size=(20, 20)), "a.png",
                                  fields=[("contains_phi", "1")])
    assert (result.status_code, result.json["code"]) == (403, "rest_cannot_create")
    assert PATIENT_NAME not in result.text
    assert count_rows(site_a, Media) == before and stored_files(root) == []


def test_dicom_without_patient_tags_is_an_ordinary_file(phi, site_a):
    client, root, headers, _other = phi
    original = dicom_bytes(patient=False, description="Phantom calibration")
    body = raw_upload(client, site_a, headers["author"], original, name="phantom.dcm",
                      content_type="application/octet-stream").json
    assert body["mime_type"] == DICOM_TYPE and body["contains_phi"] is False
    assert body["encryption_status"] == "none" and body["medical_content"] is True
    assert body["dicom_metadata"]["StudyDescription"] == "Phantom calibration"
    assert "PatientName" not in body["dicom_metadata"]
    [path] = stored_files(root)
    assert (root / path).read_bytes() == original
    public = body["source_url"].split(site_a.host, 1)[1]
    assert public.startswith("/wp-content/uploads/")
    assert client.simulate_get(public, host=site_a.host).content == original


def test_broken_dicom_and_renamed_exe_are_refused(phi, site_a):
    client, root, headers, _other = phi
    broken = bytes(128) + b"DICM" + b"\x02\x00\x10\x00UI\xff\xff" + b"garbage" * 10
    truncated = dicom_bytes()[:200]
    for data, name in ((broken, "scan.dcm"), (truncated, "scan.dcm"), (EXE, "scan.dcm"), (EXE, "photo.jpg")):
        result = raw_upload(client, site_a, headers["administrator"], data, name=name, content_type=DICOM_TYPE)
        assert (result.status_code, result.json["code"]) == (500, "rest_upload_sideload_error"), name
    assert stored_files(root) == []


def test_flagging_an_existing_image_seals_it_and_removes_the_plaintext(phi, site_a, engine):
    client, root, headers, _other = phi
    original = image_bytes(size=(400, 300))
    body = raw_upload(client, site_a, headers["author"], original, name="lesion.png").json
    assert len(stored_files(root)) == 3                           # original, thumbnail, medium
    url = f"/wp-json/wp/v2/media/{body['id']}"
    refused = client.simulate_post(url, host=site_a.host, headers=headers["editor"], json={"contains_phi": True})
    assert (refused.status_code, refused.json["code"]) == (403, "rest_cannot_edit")
    assert len(stored_files(root)) == 3
    flagged = client.simulate_post(url, host=site_a.host, headers=headers["phi_editor"],
                                   json={"contains_phi": True, "alt_text": "Lesion"})
    assert flagged.status_code == 200, flagged.json
    assert flagged.json["contains_phi"] is True and flagged.json["encryption_status"] == "at_rest"
    assert flagged.json["media_details"]["sizes"] == {} and flagged.json["alt_text"] == "Lesion"
    [path] = stored_files(root)
    assert path.endswith("lesion-1.png") and (root / path).read_bytes() != original
    old_public = body["source_url"].split(site_a.host, 1)[1]
    assert client.simulate_get(old_public, host=site_a.host).status_code == 404
    assert client.simulate_get(url, host=site_a.host, headers=headers["author"]).status_code == 404   # gone for them
    served = client.simulate_get(download_path(body["id"]), host=site_a.host, headers=headers["administrator"])
    assert served.content == original
    cleared = client.simulate_post(url, host=site_a.host, headers=headers["administrator"],
                                   json={"contains_phi": False})
    assert (cleared.status_code, cleared.json["code"]) == (400, "rest_invalid_param")
    gone = client.simulate_delete(url, host=site_a.host, headers=headers["administrator"], params={"force": "true"})
    assert gone.status_code == 200 and stored_files(root) == []


def test_the_download_route_is_listed_and_serves_ordinary_media_too(phi, site_a):
    client, _root, headers, _other = phi
    index = client.simulate_get("/wp-json/", host=site_a.host).json
    assert "wpcompat/v1" in index["namespaces"]
    assert "/wpcompat/v1/media/(?P<id>[\\d]+)/file" in index["routes"]
    original = image_bytes(size=(30, 30))
    body = raw_upload(client, site_a, headers["author"], original, name="plain.png").json
    served = client.simulate_get(download_path(body["id"]), host=site_a.host)
    assert served.status_code == 200 and served.content == original
    missing = client.simulate_get(download_path(999999), host=site_a.host, headers=headers["administrator"])
    assert missing.status_code == 404


def test_a_tampered_sealed_file_is_refused_not_served(phi, site_a):
    client, root, headers, _other = phi
    body = raw_upload(client, site_a, headers["administrator"], dicom_bytes(), name="t.dcm",
                      content_type=DICOM_TYPE).json
    [path] = stored_files(root)
    blob = bytearray((root / path).read_bytes())
    blob[-1] ^= 0x01
    (root / path).write_bytes(bytes(blob))
    with pytest.raises(crypto.SealError):
        crypto.unseal(site_a.id, path, bytes(blob))
    served = client.simulate_get(download_path(body["id"]), host=site_a.host, headers=headers["administrator"])
    assert served.status_code == 500 and PATIENT_NAME not in served.text
    assert served.json["code"] == "rest_media_unreadable"


def test_files_attached_to_a_phi_post_are_phi(phi, site_a, engine):
    client, root, headers, _other = phi
    bind(engine.database)
    with tenant_scope(site_a.id):
        Post.update(compliance_level="phi").where(Post.id == site_a.post.id).execute()
    post_id = site_a.post.wp_id
    original = image_bytes(size=(300, 300))
    attached = multipart_upload(client, site_a, headers["phi_editor"], original, "case.png",
                                fields=[("post", str(post_id))])
    assert attached.status_code == 201, attached.json
    assert attached.json["contains_phi"] is True and attached.json["post"] == post_id
    loose = raw_upload(client, site_a, headers["administrator"], original, name="later.png").json
    assert loose["contains_phi"] is False and len(stored_files(root)) == 3       # sealed one + image, thumbnail
    moved = client.simulate_post(f"/wp-json/wp/v2/media/{loose['id']}", host=site_a.host,
                                 headers=headers["administrator"], json={"post": post_id})
    assert moved.status_code == 200 and moved.json["contains_phi"] is True
    assert len(stored_files(root)) == 2
    assert all((root / path).read_bytes() != original for path in stored_files(root))


def test_patient_data_nested_in_a_sequence_is_phi(phi, site_a):
    dataset = dcmread(io.BytesIO(dicom_bytes(patient=False)))
    request = Dataset()
    request.PatientID = PATIENT_ID                        # the patient, only inside a sequence
    dataset.RequestAttributesSequence = Sequence([request])
    out = io.BytesIO()
    dcmwrite(out, dataset, enforce_file_format=True)
    client, _root, headers, _other = phi
    body = raw_upload(client, site_a, headers["administrator"], out.getvalue(), name="nested.dcm",
                      content_type=DICOM_TYPE).json
    assert body["contains_phi"] is True and body["encryption_status"] == "at_rest"
    assert "RequestAttributesSequence" not in body["dicom_metadata"]     # sequences are not listed


def test_public_urls_hide_files_of_posts_reclassified_restricted_or_phi(phi, site_a, engine):
    """Security review: a file attached before its post became `restricted`/`phi` was still served at
    /wp-content/uploads/ to anyone (the REST item was 404); now the public URL follows the same rule."""
    client, _root, headers, _other = phi
    original = image_bytes(size=(300, 300))
    body = multipart_upload(client, site_a, headers["administrator"], original, "case.png",
                            fields=[("post", str(site_a.post.wp_id))]).json
    assert body["contains_phi"] is False
    urls = [body["source_url"], body["media_details"]["sizes"]["thumbnail"]["source_url"]]
    paths = [url.split(site_a.host, 1)[1] for url in urls]
    assert all(client.simulate_get(path, host=site_a.host).status_code == 200 for path in paths)
    bind(engine.database)
    with tenant_scope(site_a.id):
        Post.update(compliance_level="restricted").where(Post.id == site_a.post.id).execute()
    for path in paths:
        assert client.simulate_get(path, host=site_a.host).status_code == 404
        assert client.simulate_get(path, host=site_a.host, headers=headers["subscriber"]).status_code == 404
        assert client.simulate_get(path, host=site_a.host, headers=headers["editor"]).status_code == 200
    with tenant_scope(site_a.id):
        Post.update(compliance_level="phi").where(Post.id == site_a.post.id).execute()
    for path in paths:                          # patient data: never at a public URL, whoever asks
        for caller in ({}, headers["editor"], headers["administrator"]):
            refused = client.simulate_get(path, host=site_a.host, headers=caller)
            assert refused.status_code == 404 and refused.content != original
    served = client.simulate_get(download_path(body["id"]), host=site_a.host, headers=headers["phi_editor"])
    assert served.status_code == 200 and served.content == original
    assert client.simulate_get(download_path(body["id"]), host=site_a.host).status_code == 404


def test_options_on_the_download_route_is_not_audited_as_an_allowed_download(phi, site_a, audit_rows):
    """Security review: OPTIONS by anyone wrote a `media:download` row with decision `allow` (a PHI
    access that never happened, on an auditor's report). Only GET/HEAD are downloads."""
    client, _root, headers, _other = phi
    body = raw_upload(client, site_a, headers["administrator"], dicom_bytes(), name="o.dcm",
                      content_type=DICOM_TYPE).json
    for caller in ({}, headers["subscriber"], headers["administrator"]):
        answer = client.simulate_options(download_path(body["id"]), host=site_a.host, headers=caller)
        assert answer.status_code == 200 and PATIENT_NAME not in answer.text
    assert downloads(audit_rows, site_a) == []
    head = client.simulate_head(download_path(body["id"]), host=site_a.host, headers=headers["subscriber"])
    assert head.status_code == 404
    assert [(row.operation, row.policy_decision, row.metadata["method"]) for row in downloads(audit_rows, site_a)] \
        == [("access", "deny", "HEAD")]


def test_downloads_are_sent_no_store(phi, site_a):
    """Security review: a file from the download route must not be kept by browsers or proxies."""
    client, _root, headers, _other = phi
    body = raw_upload(client, site_a, headers["author"], image_bytes(size=(30, 30)), name="plain.png").json
    served = client.simulate_get(download_path(body["id"]), host=site_a.host)
    assert served.status_code == 200 and served.headers["cache-control"] == "no-store"
    assert served.headers["pragma"] == "no-cache"


def test_phi_downloads_are_sent_no_store(phi, site_a):
    client, _root, headers, _other = phi
    body = raw_upload(client, site_a, headers["administrator"], dicom_bytes(), name="n.dcm",
                      content_type=DICOM_TYPE).json
    served = client.simulate_get(download_path(body["id"]), host=site_a.host, headers=headers["administrator"])
    assert served.status_code == 200 and "no-store" in served.headers["cache-control"]


def test_an_error_answered_after_the_download_route_replaces_the_file():
    """Security review: FileBody went out as resp.data, which Falcon sends even when a middleware
    answers an error afterwards (resp.media, e.g. the COMMIT of the audit row failed): PHI would leave
    unaudited. As a stream, the error answer wins."""
    import falcon

    from wpcompat.rest.http import FileBody, RestSink
    from wpcompat.rest.server import RestResponse

    secret = b"\x00" * 128 + b"DICM" + PATIENT_NAME.encode()

    class Download:
        def on_get(self, req, resp):
            RestSink.write(None, req, resp, None, RestResponse(FileBody(secret, DICOM_TYPE), 200, {}))

    class CommitFails:
        def process_response(self, req, resp, resource, req_succeeded):
            resp.status, resp.content_type = 500, "application/json"
            resp.media = {"code": "internal_server_error"}

    app = falcon.App(middleware=[CommitFails()])
    app.add_route("/file", Download())
    answer = testing.TestClient(app).simulate_get("/file")
    assert answer.status_code == 500 and answer.json == {"code": "internal_server_error"}
    assert PATIENT_NAME.encode() not in answer.content
    plain = falcon.App()
    plain.add_route("/file", Download())
    assert testing.TestClient(plain).simulate_get("/file").content == secret      # and served otherwise


@pytest.mark.parametrize("identifier", ["physician", "private", "burned_in"])
def test_dicom_identifying_a_person_outside_the_patient_group_is_phi(phi, site_a, identifier):
    """Security review: a DICOM file naming a person outside group 0010 (a physician), carrying private
    (vendor) tags, or with burned-in annotations in its pixels was stored as plaintext and public."""
    dataset = dcmread(io.BytesIO(dicom_bytes(patient=False)))
    if identifier == "physician":
        dataset.NameOfPhysiciansReadingStudy = "Souza^Ana"
    elif identifier == "private":
        dataset.private_block(0x0009, "ACME 1.0", create=True).add_new(0x01, "LO", "Silva, Maria")
    else:
        dataset.BurnedInAnnotation = "YES"
    out = io.BytesIO()
    dcmwrite(out, dataset, enforce_file_format=True)
    client, root, headers, _other = phi
    refused = raw_upload(client, site_a, headers["author"], out.getvalue(), name="p.dcm", content_type=DICOM_TYPE)
    assert refused.status_code == 403 and stored_files(root) == []
    body = raw_upload(client, site_a, headers["administrator"], out.getvalue(), name="p.dcm",
                      content_type=DICOM_TYPE).json
    assert body["contains_phi"] is True and body["encryption_status"] == "at_rest"
    [path] = stored_files(root)
    assert b"DICM" not in (root / path).read_bytes()


# --- a post that becomes phi seals its media (security review: they stayed plaintext) -------------------

PATIENT_CPF_PT = "<p>A paciente Maria Clara Nunes, 33 anos, CPF 529.982.247-25, chegou com PA de 180x110 mmHg.</p>"


def post_with_media(client, root, site, admin):
    """A draft post by the administrator with one image attached (post=ID) and another featured.
    Returns (post wp_id, {media wp_id: original bytes}, the plaintext paths stored)."""
    made = client.simulate_post("/wp-json/wp/v2/posts", host=site.host, headers=admin,
                                json={"title": "Relato de caso", "content": "<p>Texto.</p>", "status": "draft"})
    assert made.status_code == 201, made.json
    post_id = made.json["id"]
    attached_bytes, featured_bytes = image_bytes(size=(400, 300)), image_bytes(size=(320, 200), color=(200, 10, 10))
    attached = multipart_upload(client, site, admin, attached_bytes, "case.png", fields=[("post", str(post_id))])
    featured = raw_upload(client, site, admin, featured_bytes, name="cover.png")
    assert attached.status_code == featured.status_code == 201
    assert attached.json["contains_phi"] is False and featured.json["contains_phi"] is False
    linked = client.simulate_post(f"/wp-json/wp/v2/posts/{post_id}", host=site.host, headers=admin,
                                  json={"featured_media": featured.json["id"]})
    assert linked.status_code == 200 and linked.json["featured_media"] == featured.json["id"]
    plaintext = stored_files(root)
    assert len(plaintext) == 6                                   # two originals, their thumbnails and mediums
    return post_id, {attached.json["id"]: attached_bytes, featured.json["id"]: featured_bytes}, plaintext


def assert_sealed(client, root, site, admin, originals, plaintext):
    with tenant_scope(site.id):
        items = {item.wp_id: item for item in Media.select().where(Media.wp_id.in_(list(originals)))}
    assert len(items) == len(originals)
    stored = stored_files(root)
    assert len(stored) == len(originals) and not set(stored) & set(plaintext)    # plaintext gone after commit
    for wp_id, original in originals.items():
        item = items[wp_id]
        assert item.contains_phi is True and item.encryption_status == "at_rest"
        blob = (root / item.filename).read_bytes()
        assert blob != original and b"PNG" not in blob[:64]
        assert crypto.unseal(site.id, item.filename, blob) == original
        served = client.simulate_get(download_path(wp_id), host=site.host, headers=admin)
        assert served.status_code == 200 and served.content == original
        body = client.simulate_get(f"/wp-json/wp/v2/media/{wp_id}", host=site.host, headers=admin,
                                   params={"context": "edit"}).json
        assert body["contains_phi"] is True and body["encryption_status"] == "at_rest"
        assert body["media_details"]["sizes"] == {}


def test_setting_a_post_to_phi_seals_its_attached_and_featured_media(phi, site_a, engine):
    client, root, headers, _other = phi
    admin = headers["administrator"]
    post_id, originals, plaintext = post_with_media(client, root, site_a, admin)
    raised = client.simulate_post(f"/wp-json/wp/v2/posts/{post_id}", host=site_a.host, headers=admin,
                                  json={"compliance_level": "phi"})
    assert raised.status_code == 200, raised.json
    assert raised.json["compliance_level"] == "phi"
    bind(engine.database)
    assert_sealed(client, root, site_a, admin, originals, plaintext)
    for path in plaintext:                                       # the old public URLs serve nothing
        assert client.simulate_get(f"/wp-content/uploads/{path.split('/', 1)[1]}", host=site_a.host).status_code == 404


def test_a_refused_phi_update_leaves_media_and_files_as_they_were(phi, site_a, engine):
    """The sealing follows the request's transaction: a save the workflow refuses changes nothing."""
    client, root, headers, _other = phi
    admin = headers["administrator"]
    post_id, originals, plaintext = post_with_media(client, root, site_a, admin)
    refused = client.simulate_post(f"/wp-json/wp/v2/posts/{post_id}", host=site_a.host, headers=admin, json={
        "compliance_level": "phi", "status": "publish",
        "content": "<p>Este chá reduz a pressão arterial em 40% em uma semana.</p>"})
    assert (refused.status_code, refused.json["code"]) == (400, "rest_workflow_incomplete")
    assert stored_files(root) == plaintext                       # no sealed copy left, plaintext kept
    bind(engine.database)
    with tenant_scope(site_a.id):
        items = list(Media.select().where(Media.wp_id.in_(list(originals))))
    assert [(item.contains_phi, item.encryption_status) for item in items] == [(False, "none")] * 2


def test_a_refused_phi_update_inside_a_batch_leaves_the_files_too(phi, site_a, engine):
    """The batch undoes the refused entry with a savepoint and commits the rest: the sealing's file work
    follows that savepoint (it used to follow the request, which committed: the plaintext files were
    deleted while the rolled-back rows still pointed at them)."""
    client, root, headers, _other = phi
    admin = headers["administrator"]
    post_id, originals, plaintext = post_with_media(client, root, site_a, admin)
    batch = client.simulate_post("/wp-json/batch/v1", host=site_a.host, headers=admin, json={"requests": [
        {"method": "POST", "path": f"/wp/v2/posts/{post_id}", "body": {
            "compliance_level": "phi", "status": "publish",
            "content": "<p>Este chá reduz a pressão arterial em 40% em uma semana.</p>"}},
        {"method": "POST", "path": "/wp/v2/posts", "body": {"title": "Committed beside it"}}]})
    assert batch.status_code == 207, batch.json
    codes = [response["status"] for response in batch.json["responses"]]
    assert codes == [400, 201] and batch.json["responses"][0]["body"]["code"] == "rest_workflow_incomplete"
    assert stored_files(root) == plaintext                       # no sealed copy left, plaintext kept
    for wp_id, original in originals.items():                    # and every file still served as before
        served = client.simulate_get(download_path(wp_id), host=site_a.host, headers=admin)
        assert served.status_code == 200 and served.content == original
    bind(engine.database)
    with tenant_scope(site_a.id):
        items = list(Media.select().where(Media.wp_id.in_(list(originals))))
    assert [(item.contains_phi, item.encryption_status) for item in items] == [(False, "none")] * 2


def test_patient_data_found_by_the_workflow_seals_the_posts_media(phi, site_a, engine):
    """S.2.1 (a CPF and a patient, saved by an administrator) raises the post to phi: its files follow."""
    client, root, headers, _other = phi
    admin = headers["administrator"]
    post_id, originals, plaintext = post_with_media(client, root, site_a, admin)
    saved = client.simulate_post(f"/wp-json/wp/v2/posts/{post_id}", host=site_a.host, headers=admin,
                                 json={"content": PATIENT_CPF_PT})
    assert saved.status_code == 200, saved.json
    assert saved.json["compliance_level"] == "phi" and saved.json["workflow"]["contains_phi"] is True
    bind(engine.database)
    assert_sealed(client, root, site_a, admin, originals, plaintext)
