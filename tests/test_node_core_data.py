"""The block editor's data layer, @wordpress/core-data, headless in node (global-jsdom) against a live gunicorn.

tests/node/coredata_scenario.mjs loads the post types, lists and opens posts, asks canUser as each
role, edits and saves a post (directly and through /batch/v1), autosaves as another editor, lists the
revisions and restores one, uploads and attaches an image and creates a reusable block, on a fresh
PostgreSQL database with the demo clinic served by `wpcompat serve`. Here we check that every step
ran and that the database holds what the editor did.
"""

import base64
import io
import json
import shutil
import subprocess
import uuid
import warnings
from pathlib import Path

import pytest
from PIL import Image

from test_serve import served_clinic
from wpcompat.db import bind, tenant_scope
from wpcompat.models import Media, Post, Revision

NODE_DIR = Path(__file__).parent / "node"
NODE = shutil.which("node")
POST_TITLE = "Como medir a pressão arterial em casa"          # the author's published post

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(not (NODE_DIR / "node_modules" / "@wordpress" / "core-data").is_dir(),
                       reason="tests/node/node_modules missing: run `make test` (npm ci --prefix tests/node)"),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with served_clinic("wpcompat_coredata", "coredata", tmp_path_factory.mktemp("serve")) as served:
        yield served


def png_base64():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_core_data_edits_autosaves_restores_uploads_and_reuses_blocks(live):
    clinic, base, database = live
    bind(database)
    post = clinic.post(POST_TITLE)
    suffix = uuid.uuid4().hex[:8]
    config = {
        "base": base, "suffix": suffix,
        "users": {role: {"login": user.login, "password": clinic.passwords[role]}
                  for role, user in clinic.users.items()},
        "expect": {"post_id": post.wp_id, "post_title": POST_TITLE, "admin_id": clinic.users["administrator"].wp_id,
                   "png_base64": png_base64()},
    }
    result = subprocess.run([NODE, "coredata_scenario.mjs", json.dumps(config)], cwd=NODE_DIR, capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, f"coredata_scenario.mjs failed:\n{result.stderr[-4000:]}\n{result.stdout[-2000:]}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    steps = " | ".join(report["steps"])
    for part in ("load types", "list and open", "canUser per role", "edit and save", "/batch/v1", "autosave",
                 "list revisions", "upload and attach", "reusable block", "comments", "clean up"):
        assert part in steps, f"step {part!r} did not run: {steps}"
    with tenant_scope(clinic.id):
        saved = Post.get_by_id(post.id)
        assert saved.title.endswith("(restaurado)") and suffix in saved.title
        kinds = [row.kind for row in Revision.select().where(Revision.post == post.id)]
        assert kinds.count("revision") == 3 and kinds.count("autosave") == 1     # 3 saves changed text
        assert saved.version == kinds.count("revision") + 1
        assert not Post.select().where(Post.wp_id.in_(report["created"]["posts"])).exists()   # block deleted
        assert not Media.select().where(Media.wp_id.in_(report["created"]["media"])).exists()
    for note in report["skipped"]:
        warnings.warn(f"core-data scenario skipped {note}", stacklevel=1)
