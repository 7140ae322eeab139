"""Real uploads through @wordpress/api-fetch and node-wpapi against a live `wpcompat serve` (PostgreSQL,
local store): tests/node/apifetch_media_scenario.mjs and wpapi_media_scenario.mjs, run with
tests/test_node_clients.py's mechanism (same server helper, config and report). Here we check each
scenario ran every step, and what it left behind: no media rows, no files, the PHI downloads audited."""

import pytest

from media_files import EXE, PATIENT_NAME, dicom_bytes, image_bytes
from test_node_clients import LiveClinic, pytestmark, run_scenario  # noqa: F401  (pytestmark: node present)
from test_serve import served_clinic
from wpcompat.db import tenant_scope
from wpcompat.models import AuditTrail, Media


@pytest.fixture(scope="module")
def live_media(tmp_path_factory):
    """The demo clinic served by gunicorn from its own folder (its var/uploads is the local store),
    and the files the scenarios upload."""
    folder = tmp_path_factory.mktemp("serve-media")
    files = tmp_path_factory.mktemp("upload-files")
    paths = {"png": files / "scan.png", "dicom": files / "exam.dcm", "exe": files / "cat.jpg"}
    paths["png"].write_bytes(image_bytes(size=(640, 480)))
    paths["dicom"].write_bytes(dicom_bytes())
    paths["exe"].write_bytes(EXE)
    with served_clinic("wpcompat_nodemedia", "nodemedia", folder) as (clinic, base, database):
        yield LiveClinic(clinic, base, database), folder / "var" / "uploads", {
            **{name: str(path) for name, path in paths.items()}, "patient": PATIENT_NAME}


def check_left_behind(live, uploads_root, report):
    created = report["created"]["media"]
    assert len(created) >= 2
    with tenant_scope(live.clinic.id):
        assert not Media.select().where(Media.wp_id.in_(created)).exists()
        downloads = [(row.policy_decision, row.operation) for row in AuditTrail.select()
                     if (row.metadata or {}).get("event") == "media:download"]
    assert ("allow", "access") in downloads and downloads.count(("deny", "access")) >= 2
    assert [path for path in uploads_root.rglob("*") if path.is_file()] == []


@pytest.mark.parametrize("script, parts", [
    ("apifetch_media_scenario.mjs", ("FormData", "raw body", "update", "renamed .exe", "PHI", "delete")),
    ("wpapi_media_scenario.mjs", (".file(buffer, name)", "update", "renamed .exe", "PHI", "delete")),
])
def test_node_clients_upload_media(live_media, script, parts):
    live, uploads_root, media = live_media
    _suffix, report = run_scenario(live, script, {"media": media})
    steps = " | ".join(report["steps"])
    for part in parts:
        assert part in steps, f"step {part!r} did not run: {steps}"
    assert report["skipped"] == []
    check_left_behind(live, uploads_root, report)
