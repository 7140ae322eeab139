"""wp.uploadFile / metaWeblog.newMediaObject through xmlrpc.client: the same path as POST /wp/v2/media."""

import io
import xmlrpc.client

import pytest
from falcon import testing
from PIL import Image

from clinic import make_clinic
from conftest import count_rows
from media_files import PATIENT_NAME, dicom_bytes
from wpcompat.app import create_app
from wpcompat.db import bind, tenant_scope
from wpcompat.models import Media, Post

from .helpers import Rpc, fresh_login_counters  # noqa: F401


def png(size=(400, 300)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def clinic(engine):
    return make_clinic(engine, "xmlrpc-upload")


@pytest.fixture
def setup(engine, app_database, clinic, tmp_path):
    root = tmp_path / "media"
    client = testing.TestClient(create_app(engine.settings(media_root=str(root)), app_database))
    return Rpc(client, clinic.host), root


def creds(clinic, role):
    return 1, clinic.users[role].login, clinic.passwords[role]


def files(root):
    return sorted(path.name for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_upload_file_stores_the_image_and_answers_as_wordpress(setup, clinic, engine):
    rpc, root = setup
    bind(engine.database)
    with tenant_scope(clinic.tenant.id):
        post = Post.select().where(Post.post_type == "post").order_by(Post.wp_id).first()
    answer = rpc.call("wp.uploadFile", *creds(clinic, "administrator"), {
        "name": "raio x.png", "type": "image/jpeg", "bits": xmlrpc.client.Binary(png()), "post_id": post.wp_id})
    for key in ("id", "file", "url", "type"):
        assert isinstance(answer[key], str)
    assert answer["id"] == answer["attachment_id"] and answer["type"] == "image/png"   # the bytes decide
    assert answer["file"] == "raio x.png" and answer["parent"] == post.wp_id
    assert answer["url"].startswith(f"http://{clinic.host}/wp-content/uploads/")
    assert answer["url"].endswith("/raio-x.png")
    assert answer["thumbnail"].endswith("/raio-x-150x150.png")
    assert set(answer["metadata"]["sizes"]) == {"thumbnail", "medium"}
    assert files(root) == ["raio-x-150x150.png", "raio-x-300x225.png", "raio-x.png"]
    served = rpc.client.simulate_get(answer["url"].split(clinic.host, 1)[1], host=clinic.host)
    assert served.status_code == 200 and served.content == png()


def test_new_media_object_shares_the_path_and_overwrite_replaces(setup, clinic):
    rpc, root = setup
    editor = creds(clinic, "editor")
    first = rpc.call("metaWeblog.newMediaObject", *editor, {"name": "laudo.png", "type": "image/png",
                                                            "bits": xmlrpc.client.Binary(png((60, 60)))})
    second = rpc.call("metaWeblog.newMediaObject", *editor, {"name": "laudo.png", "bits": png((60, 60))})
    assert first["url"].endswith("/laudo.png") and second["url"].endswith("/laudo-1.png")
    third = rpc.call("wp.uploadFile", *editor, {"name": "laudo.png", "bits": png((60, 60)), "overwrite": True})
    assert third["url"].endswith(f"/wpid{first['id']}-laudo.png")
    assert rpc.fault("wp.getMediaItem", *editor, int(first["id"])) == (404, "Invalid attachment ID.")
    assert files(root) == ["laudo-1.png", f"wpid{first['id']}-laudo.png"]


def test_overwrite_audits_the_deletion_and_replaces_only_what_the_caller_may_delete(setup, clinic, audit_rows):
    rpc, root = setup
    editor, author = creds(clinic, "editor"), creds(clinic, "author")
    editors = rpc.call("wp.uploadFile", *editor, {"name": "laudo.png", "bits": png((60, 60))})
    mine = rpc.call("wp.uploadFile", *author, {"name": "laudo.png", "bits": png((60, 60)), "overwrite": True})
    assert mine["url"].endswith("/laudo-1.png")                  # the editor's file is not the author's to delete
    assert rpc.call("wp.getMediaItem", *editor, int(editors["id"]))["link"].endswith("/laudo.png")
    replaced = rpc.call("wp.uploadFile", *editor, {"name": "laudo.png", "bits": png((60, 60)), "overwrite": True})
    assert replaced["url"].endswith(f"/wpid{editors['id']}-laudo.png")
    deleted = [row for row in audit_rows(clinic) if row.metadata.get("event") == "media:delete"]
    assert len(deleted) == 1 and deleted[0].operation == "delete"
    assert deleted[0].metadata["wp_id"] == int(editors["id"]) and deleted[0].metadata["overwritten_by"] == int(
        replaced["id"])


def test_refusals_store_nothing(setup, clinic):
    rpc, root = setup
    before = count_rows(clinic, Media)
    exe = b"MZ\x90\x00\x03" + b"\x00" * 300
    assert rpc.fault("wp.uploadFile", *creds(clinic, "editor"), {"name": "foto.jpg", "type": "image/jpeg",
                                                                 "bits": exe}) == (
        500, "Could not write file foto.jpg (Sorry, you are not allowed to upload this file type.).")
    assert rpc.fault("wp.uploadFile", *creds(clinic, "contributor"), {"name": "a.png", "bits": png()}) == (
        401, "Sorry, you are not allowed to upload files.")
    assert rpc.fault("wp.uploadFile", *creds(clinic, "author"), {"name": "a.png", "bits": png(),
                                                                 "post_id": 999999}) == (
        401, "Sorry, you are not allowed to edit this post.")
    assert count_rows(clinic, Media) == before and files(root) == []


def test_dicom_with_patient_data_is_phi_through_xmlrpc_too(setup, clinic):
    rpc, root = setup
    original = dicom_bytes()
    refused = rpc.fault("wp.uploadFile", *creds(clinic, "editor"), {"name": "exam.dcm", "bits": original})
    assert refused == (400, "Could not write file exam.dcm (Sorry, you are not allowed to upload or flag files "
                            "holding patient data (PHI).).")
    assert files(root) == []
    answer = rpc.call("wp.uploadFile", *creds(clinic, "administrator"), {
        "name": "exam.dcm", "type": "application/octet-stream", "bits": xmlrpc.client.Binary(original)})
    assert answer["type"] == "application/dicom"
    route = f"/wp-json/wpcompat/v1/media/{answer['id']}/file"
    assert answer["url"] == answer["link"] == answer["thumbnail"] == f"http://{clinic.host}{route}"
    [stored] = [path for path in root.rglob("*") if path.is_file()]
    assert stored.read_bytes() != original and PATIENT_NAME.encode() not in stored.read_bytes()
    assert rpc.fault("wp.getMediaItem", *creds(clinic, "editor"), int(answer["id"])) == (
        404, "Invalid attachment ID.")
    assert rpc.client.simulate_get(route, host=clinic.host).status_code == 404
    served = rpc.client.simulate_get(route, host=clinic.host, headers=clinic.auth("administrator"))
    assert served.status_code == 200 and served.content == original
