"""Real WordPress JavaScript clients against a live `wpcompat serve` on PostgreSQL.

node-wpapi (tests/node/wpapi_scenario.mjs) and @wordpress/api-fetch as the block editor
configures it (tests/node/apifetch_scenario.mjs) each run as a `node` subprocess against
gunicorn over real HTTP. The database is this module's own, with exactly one tenant (the
demo clinic), so the server answers on 127.0.0.1 whatever the Host: the clients need no
Host override. Each scenario asserts inside node and prints a JSON report as its last
line; here we check it ran every step, and that what it created is gone from the database.
"""

import dataclasses
import datetime
import json
import shutil
import subprocess
import uuid
import warnings
from pathlib import Path

import pytest

from test_serve import served_clinic
from wpcompat.db import bind, tenant_scope
from wpcompat.demo import CATEGORIES, PAGES, POSTS, USERS
from wpcompat.models import Post, Term
from wpcompat.models.base import utcnow
from wpcompat.wp_ids import next_wp_id

NODE_DIR = Path(__file__).parent / "node"
NODE = shutil.which("node")
BULK_PAGES = 120            # > 100, so api-fetch's per_page=-1 has to follow Link rel=next
SEARCH = "vacinação"
CATEGORY = "Hipertensão"
POST_TITLE = "Como medir a pressão arterial em casa"

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(not (NODE_DIR / "node_modules").is_dir(),
                       reason="tests/node/node_modules missing: run `make test` (npm ci --prefix tests/node)"),
]


@dataclasses.dataclass
class LiveClinic:
    clinic: object
    base: str
    database: object    # the owner's connection, for reading the tenant's rows back


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A fresh PostgreSQL database holding only the demo clinic, served by gunicorn."""
    with served_clinic("wpcompat_node", "node", tmp_path_factory.mktemp("serve"),
                       lambda clinic: add_bulk_pages(clinic, BULK_PAGES)) as (clinic, base, database):
        yield LiveClinic(clinic, base, database)


def add_bulk_pages(clinic, count):
    """Published public pages, enough for more than one page of 100."""
    editor = clinic.users["editor"]
    start = utcnow() - datetime.timedelta(days=60)
    with tenant_scope(clinic.id):
        for number in range(count):
            when = start + datetime.timedelta(minutes=number)
            Post.create(title=f"Bulk page {number:03d}", slug=f"bulk-page-{number:03d}", status="publish",
                        post_type="page", author=editor.id, wp_id=next_wp_id("post"), content="<p>Bulk.</p>",
                        excerpt="", compliance_level="public", published_at=when, date_local=when,
                        modified_local=when, comment_status="closed", ping_status="closed")


def expectations(clinic):
    """What each client should see, derived from the demo content (wpcompat.demo)."""
    newest_first = sorted(POSTS, key=lambda row: row[6])
    published = [row for row in newest_first if row[1] == "publish"]

    def ids(rows):
        return [clinic.post(row[0]).wp_id for row in rows]

    author_login = next(row[3] for row in POSTS if row[0] == POST_TITLE)
    return {
        "anonymous_ids": ids([row for row in published if row[2] == "public"]),
        "published_ids": ids(published),
        "category_id": clinic.term(CATEGORY).wp_id,
        "category_post_ids": ids([row for row in published if CATEGORY in row[4]]),
        "category_count": len(CATEGORIES),
        "search": SEARCH,
        "search_ids": ids([row for row in published if SEARCH in row[0].lower()]),
        "post_id": clinic.post(POST_TITLE).wp_id,
        "post_title": POST_TITLE,
        "post_author_name": next(row[2] for row in USERS if row[0] == author_login),
        "missing_id": 999999,
        "page_total": len([row for row in PAGES if row[1] == "publish"]) + BULK_PAGES,
    }


def run_scenario(live, script, extra=None):
    """Run a scenario with the shared config (plus `extra` keys); its JSON report."""
    bind(live.database)
    clinic = live.clinic
    suffix = uuid.uuid4().hex[:8]
    config = {
        "base": live.base,
        "suffix": suffix,
        "users": {role: {"login": user.login, "password": clinic.passwords[role]}
                  for role, user in clinic.users.items()},
        "expect": expectations(clinic),
        **(extra or {}),
    }
    result = subprocess.run([NODE, script, json.dumps(config)], cwd=NODE_DIR, capture_output=True, text=True,
                            timeout=120)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, f"{script} failed:\n{result.stderr}\n{result.stdout[-2000:]}"
    report = json.loads(lines[-1])
    for note in report["skipped"]:
        warnings.warn(f"{report['client']} skipped {note}", stacklevel=2)
    return suffix, report


def assert_gone(clinic, suffix, report):
    """Everything a scenario created was deleted for good, as its last steps claimed."""
    with tenant_scope(clinic.id):
        assert not Post.select().where(Post.title.contains(suffix)).exists()
        assert not Post.select().where(Post.wp_id.in_(report["created"]["posts"])).exists()
        terms = report["created"].get("terms") or []
        assert not Term.select().where(Term.name.contains(suffix) | Term.wp_id.in_(terms or [0])).exists()


def test_wpapi_lists_filters_paginates_embeds_and_writes(live):
    suffix, report = run_scenario(live, "wpapi_scenario.mjs")
    steps = " | ".join(report["steps"])
    for part in ("discover", "list anonymously", "filter: .categories", "filter: .search", "paginate",
                 ".embed()", "get one", "create", "publish", "trash", "delete for good", "roles"):
        assert part in steps, f"step {part!r} did not run: {steps}"
    assert report["skipped"] == []          # every route the scenario uses is served
    assert len(report["created"]["posts"]) >= 1 and report["created"].get("terms")
    assert_gone(live.clinic, suffix, report)


def test_api_fetch_as_the_block_editor_uses_it(live):
    suffix, report = run_scenario(live, "apifetch_scenario.mjs")
    steps = " | ".join(report["steps"])
    for part in ("list", "parse: false", "per_page=-1", "OPTIONS", "create", "update", "delete", "errors",
                 "batch"):
        assert part in steps, f"step {part!r} did not run: {steps}"
    assert report["skipped"] == []
    assert len(report["created"]["posts"]) == 3
    assert_gone(live.clinic, suffix, report)


DISCOVER_FROM_SITE_URL = r"""
import WPAPI from 'wpapi';
const logged = [];
console.error = (...args) => logged.push(args.map((arg) => JSON.stringify(arg) ?? String(arg)).join(' '));
try {
    const wp = await WPAPI.discover(process.argv[1]);
    console.log(wp._options.endpoint);
} catch (error) {
    process.stderr.write(`${error.message}\n${logged.join('\n')}\n`);
    process.exit(1);
}
"""


def test_wpapi_discovers_the_api_from_the_site_url(live):
    """The README way: WPAPI.discover('https://site') HEADs the site URL and follows its Link header."""
    result = subprocess.run([NODE, "--input-type=module", "-e", DISCOVER_FROM_SITE_URL, live.base], cwd=NODE_DIR,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{live.base}/wp-json/"
