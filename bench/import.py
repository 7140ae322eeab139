"""WXR import throughput and peak memory: a synthetic export of N posts, imported on SQLite and PostgreSQL.

    .venv/bin/python bench/import.py --posts 20000 [--engines sqlite,postgres] [--batch-size 500]

The file has N posts (with categories, tags and four meta rows each: one PHP-serialized), one
attachment per ten posts (link mode: no download, no HEAD) used as featured image, and 20
categories in a hierarchy. Each engine gets a fresh database (PostgreSQL: created on
WPCOMPAT_TEST_POSTGRES_URL's server, imported as the app role under RLS). Each import runs in a child
process so its peak RSS (ru_maxrss) is the importer's own. Prints posts/s and peak memory.

First it times the streaming parse alone (importers.wxr.reader, no database): the issue's yardstick
("a streaming parse alone runs at ~40,000 items/s in ~15 MB here"), so a figure from a slower or faster
host can be read against the target's machine.
"""

import argparse
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://old.example.com</wp:base_site_url>
<wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[writer]]></wp:author_login>
<wp:author_email><![CDATA[writer@example.com]]></wp:author_email></wp:author>
"""


def generate(path, posts):
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD)
        for number in range(1, 21):
            parent = f"cat-{number // 4}" if number >= 4 else ""
            out.write(f"<wp:category><wp:term_id>{number}</wp:term_id><wp:category_nicename>cat-{number}"
                      f"</wp:category_nicename><wp:category_parent>{parent}</wp:category_parent>"
                      f"<wp:cat_name><![CDATA[Category {number}]]></wp:cat_name></wp:category>\n")
        next_id = 100
        for number in range(posts):
            post_id = next_id
            next_id += 1
            thumb = ""
            if number % 10 == 0:
                attachment = next_id
                next_id += 1
                out.write(f"<item><title>Image {number}</title><wp:post_id>{attachment}</wp:post_id>"
                          f"<wp:post_date>2024-01-02 10:00:00</wp:post_date><wp:post_type>attachment</wp:post_type>"
                          f"<wp:status>inherit</wp:status><wp:post_name>image-{number}</wp:post_name>"
                          f"<wp:post_parent>{post_id}</wp:post_parent>"
                          f"<wp:attachment_url>https://old.example.com/wp-content/uploads/2024/01/img-{number}.jpg"
                          f"</wp:attachment_url><wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key>"
                          f"<wp:meta_value>2024/01/img-{number}.jpg</wp:meta_value></wp:postmeta></item>\n")
                thumb = (f"<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>{attachment}"
                         f"</wp:meta_value></wp:postmeta>")
            out.write(
                f"<item><title>Post number {number}</title><dc:creator><![CDATA[writer]]></dc:creator>"
                f"<content:encoded><![CDATA[<p>Body of post {number}. " + "Lorem ipsum dolor sit amet. " * 20 +
                f"</p>]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>"
                f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>2024-01-02 10:00:00</wp:post_date>"
                f"<wp:post_date_gmt>2024-01-02 13:00:00</wp:post_date_gmt><wp:post_name>post-{number}</wp:post_name>"
                f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_parent>0</wp:post_parent>"
                f"<category domain=\"category\" nicename=\"cat-{number % 20 + 1}\"><![CDATA[Category {number % 20 + 1}]]>"
                f"</category><category domain=\"post_tag\" nicename=\"tag-{number % 50}\"><![CDATA[Tag {number % 50}]]>"
                f"</category>"
                f"<wp:postmeta><wp:meta_key>views</wp:meta_key><wp:meta_value>{number}</wp:meta_value></wp:postmeta>"
                f"<wp:postmeta><wp:meta_key>source</wp:meta_key><wp:meta_value>bench</wp:meta_value></wp:postmeta>"
                f"<wp:postmeta><wp:meta_key>options</wp:meta_key><wp:meta_value><![CDATA[a:2:{{s:1:\"a\";i:1;"
                f"s:1:\"b\";s:3:\"xyz\";}}]]></wp:meta_value></wp:postmeta>"
                f"<wp:postmeta><wp:meta_key>_edit_last</wp:meta_key><wp:meta_value>1</wp:meta_value></wp:postmeta>"
                f"{thumb}</item>\n")
        out.write("</channel></rss>\n")


def child(url, app_role, path, batch_size, phi=True):
    """Runs in a subprocess: the import itself, as the app role."""
    from wpcompat.db import bind, configure_serving_role, open_database
    from importers.wxr import Options, import_wxr
    from importers.wxr.run import WRITERS

    database = open_database(url, 1 + WRITERS)          # the importer's thread and one per writer thread
    configure_serving_role(database, app_role)
    bind(database)
    started = time.perf_counter()
    report = import_wxr([path], "bench", Options(media="link", link_head=False, batch_size=batch_size,
                                                             phi=phi))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{report.counts['posts']['created']} {report.counts['media']['created']} {elapsed:.3f} {peak:.1f}")


def parse_child(path):
    """Runs in a subprocess: every record of the file read and dropped; items (posts and attachments) counted."""
    from importers.wxr import reader

    started = time.perf_counter()
    items = sum(1 for kind, _record in reader.read(path) if kind == "item")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{items} {elapsed:.3f} {peak:.1f}")


def prepare(engine, workdir):
    """(database URL, app role, cleanup) with the schema migrated and tenant `bench` with an administrator."""
    from conftest import create_postgres_database, drop_postgres_database, postgres_url
    from wpcompat.accounts import create_user
    from wpcompat.db import bind, open_database, tenant_scope
    from wpcompat.migrator import Migrator
    from wpcompat.sites import create_site

    if engine == "sqlite":
        url, role, cleanup = f"sqlite:///{workdir}/bench-{uuid.uuid4().hex[:6]}.sqlite3", "wpcompat_app", lambda: None
        database = open_database(url)
        Migrator(database).migrate()
    else:
        name, role = create_postgres_database("wpcompat_bench")
        url = postgres_url(name)
        database = open_database(url, 2)
        Migrator(database, role).migrate()
        cleanup = lambda: (database.close_all(), drop_postgres_database(name, role))   # noqa: E731
    bind(database)
    with database.atomic():
        tenant = create_site("bench", "Bench", ["bench.test"])
    with tenant_scope(tenant.id, database):
        create_user("admin", "admin@bench.test", "administrator")
    if engine == "sqlite":
        database.close()
    return url, role, cleanup


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--no-phi", action="store_true", help="also measure without the LGPD analyzer")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--parse-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse_child:
        parse_child(args.parse_child)
        return
    if args.child:
        url, role, path, phi = args.child
        child(url, role, path, args.batch_size, phi == "phi")
        return
    with tempfile.TemporaryDirectory() as workdir:
        path = os.path.join(workdir, "bench.xml")
        started = time.perf_counter()
        generate(path, args.posts)
        size = os.path.getsize(path) / 1e6
        print(f"synthetic WXR: {args.posts} posts, {args.posts // 10} attachments, {size:.0f} MB "
              f"(generated in {time.perf_counter() - started:.1f}s)")
        out = subprocess.run([sys.executable, __file__, "--parse-child", path], capture_output=True, text=True,
                             check=True).stdout.split()
        items, seconds, peak = int(out[0]), float(out[1]), float(out[2])
        print(f"streaming parse alone: {items} items in {seconds:.1f}s, {items / seconds:,.0f} items/s, "
              f"peak {peak:.1f} MB (the issue's yardstick: ~40,000 items/s)")
        print(f"{'engine':<10} {'LGPD':<5} {'posts':>8} {'media':>7} {'seconds':>8} {'posts/s':>8} {'peak MB':>8}")
        for engine in args.engines.split(","):
            for phi in ("phi", "off") if args.no_phi else ("phi",):
                url, role, cleanup = prepare(engine, workdir)
                try:
                    out = subprocess.run([sys.executable, __file__, "--child", url, role, path, phi,
                                          "--batch-size", str(args.batch_size)],
                                         capture_output=True, text=True, check=True).stdout.split()
                finally:
                    cleanup()
                posts, media, seconds, peak = int(out[0]), int(out[1]), float(out[2]), float(out[3])
                print(f"{engine:<10} {'on' if phi == 'phi' else 'off':<5} {posts:>8} {media:>7} {seconds:>8.1f} "
                      f"{posts / seconds:>8.0f} {peak:>8.1f}")


if __name__ == "__main__":
    main()
