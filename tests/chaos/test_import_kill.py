"""`wpcompat import wxr` killed with SIGKILL mid-batch, then run again: it completes, with no
duplicate and no orphan (every post once, its terms and parent in place, term counts exact)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from chaos.harness import ROOT, served_site, server_env

pytestmark = pytest.mark.chaos                 # `make chaos` (WPCOMPAT_CHAOS=1), not `make test`

POSTS, PAGES = 400, 40
CATEGORIES = ("Cardiology", "Oncology", "Pediatrics")

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://old.example</wp:base_site_url>')


def _category(term_id, name):
    return (f"<wp:category><wp:term_id>{term_id}</wp:term_id><wp:category_nicename>{name.lower()}"
            f"</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[{name}]]>"
            f"</wp:cat_name></wp:category>")


def _item(post_id, title, post_type="post", parent=0, category=None):
    terms = (f'<category domain="category" nicename="{category.lower()}"><![CDATA[{category}]]></category>'
             f'<category domain="post_tag" nicename="imported"><![CDATA[Imported]]></category>') if category else ""
    return (f"<item><title>{title}</title><dc:creator>boss</dc:creator>"
            f"<content:encoded><![CDATA[<p>{title}: content.</p>]]></content:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>2024-03-01 10:00:00</wp:post_date>"
            f"<wp:post_type>{post_type}</wp:post_type><wp:status>publish</wp:status>"
            f"<wp:post_parent>{parent}</wp:post_parent>"
            f"<wp:post_name>{title.lower().replace(' ', '-')}</wp:post_name>{terms}"
            f"<wp:postmeta><wp:meta_key>source_note</wp:meta_key><wp:meta_value><![CDATA[note {post_id}]]>"
            f"</wp:meta_value></wp:postmeta></item>")


def write_export(path):
    items = [_category(n + 1, name) for n, name in enumerate(CATEGORIES)]
    items += [_item(1000 + n, f"Imported article {n}", category=CATEGORIES[n % 3]) for n in range(POSTS)]
    # pages: every second one is the child of the one before it (a parent that may be in an earlier batch)
    items += [_item(5000 + n, f"Imported page {n}", "page", parent=5000 + n - 1 if n % 2 else 0)
              for n in range(PAGES)]
    path.write_text(HEAD + "".join(items) + "</channel></rss>", encoding="utf-8")
    return path


def imported(served, post_type="post"):
    return served.database.execute_sql("SELECT count(*) FROM posts WHERE tenant_id = %s AND post_type = %s",
                                       (str(served.site.id), post_type)).fetchone()[0]


def test_an_import_killed_mid_batch_completes_when_run_again(tmp_path):
    from conftest import POSTGRES_ADMIN_URL

    export = write_export(tmp_path / "clinic.xml")
    with served_site(POSTGRES_ADMIN_URL, tmp_path, workers=1, label="import") as served:
        before = imported(served), imported(served, "page")
        env = server_env(WPCOMPAT_DATABASE_URL=served.url, WPCOMPAT_APP_ROLE=served.app_role)
        command = [sys.executable, "-m", "wpcompat.cli", "import", "wxr", str(export), "--tenant",
                   served.site.tenant.slug, "--batch-size", "10", "--media", "skip", "--authors",
                   f"assign:{served.site.users['administrator'].login}"]
        first = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and imported(served) - before[0] < 60 and first.poll() is None:
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)                               # mid-import, mid-batch
        first.wait()
        killed_at = imported(served) - before[0]
        assert first.returncode == -signal.SIGKILL, first.stdout.read().decode()[-2000:]
        assert 0 < killed_at < POSTS, killed_at                         # it died with work left to do

        second = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
        check_import(served, before)
        third = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert third.returncode == 0                                     # running it again changes nothing
        check_import(served, before)


def check_import(served, before):
    tenant = str(served.site.id)
    sql = served.database.execute_sql
    assert imported(served) - before[0] == POSTS and imported(served, "page") - before[1] == PAGES
    # no duplicates: each source post once, each slug once
    assert sql("SELECT count(*), count(DISTINCT source_id) FROM posts WHERE tenant_id = %s AND source_id IS NOT NULL",
               (tenant,)).fetchone() == (POSTS + PAGES, POSTS + PAGES)
    assert sql("SELECT slug FROM posts WHERE tenant_id = %s GROUP BY slug HAVING count(*) > 1", (tenant,)).fetchall() == []
    # no orphans: every article has its category and tag, every child page its parent, every meta once
    assert sql("SELECT count(*) FROM posts p WHERE p.tenant_id = %s AND p.post_type = 'post' AND p.source_id IS NOT NULL "
               "AND (SELECT count(*) FROM post_terms pt WHERE pt.post_id = p.id) <> 2", (tenant,)).fetchone()[0] == 0
    assert sql("SELECT count(*) FROM posts WHERE tenant_id = %s AND post_type = 'page' AND source_id IS NOT NULL "
               "AND parent_id IS NOT NULL", (tenant,)).fetchone()[0] == PAGES // 2
    assert sql("SELECT meta_key, post_id FROM custom_fields cf JOIN posts p ON p.id = cf.post_id "
               "WHERE p.tenant_id = %s GROUP BY meta_key, post_id HAVING count(*) > 1", (tenant,)).fetchall() == []
    assert sql("SELECT count(*) FROM custom_fields cf JOIN posts p ON p.id = cf.post_id WHERE p.tenant_id = %s "
               "AND cf.meta_key = 'source_note'", (tenant,)).fetchone()[0] == POSTS + PAGES
    assert sql("SELECT count(*) FROM categories WHERE tenant_id = %s AND name IN %s",
               (tenant, CATEGORIES)).fetchone()[0] == 3
    # term counts exact, as the site shows them
    for name in CATEGORIES:
        stored = served.call("GET", f"/wp/v2/categories?slug={name.lower()}").body[0]["count"]
        assert stored == POSTS // 3 + (1 if CATEGORIES.index(name) < POSTS % 3 else 0)
    assert served.call("GET", "/wp/v2/tags?slug=imported").body[0]["count"] == POSTS
