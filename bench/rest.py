"""REST throughput: N posts in PostgreSQL, wpcompat under gunicorn, wrk as WordPress's baseline ran it.

    .venv/bin/python bench/rest.py [--posts 10000] [--workers 8] [--duration 15] [--keep] [--load-only]

Creates a fresh database (wpcompat_bench), migrates it, loads a tenant answering on
127.0.0.1 with N published posts (each with two categories, a tag, and every tenth a
featured image), starts `wpcompat serve` (the app role, RLS on), and runs
`wrk -t1 -c8 -d15s --latency` per request — the settings of
../shared/bench/wordpress-baseline.md — then prints a table of req/s and p50/p99 beside
WordPress 6.1.9's figures. Figures only: nothing here asserts a speed.
"""

import argparse
import datetime
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wpcompat.accounts import create_app_password, create_user  # noqa: E402
from wpcompat.db import bind, configure_serving_role, open_database, tenant_scope  # noqa: E402
from wpcompat.migrator import Migrator  # noqa: E402
from wpcompat.models import Media, Post, PostTerm, Term  # noqa: E402
from wpcompat.sites import create_site  # noqa: E402
from wpcompat.wp_ids import reserve_wp_id  # noqa: E402

ADMIN_URL = os.environ.get("WPCOMPAT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("WPCOMPAT_BENCH_DATABASE", "wpcompat_bench")   # another name: keep two loads side by side
APP_ROLE = "wpcompat_bench_app"
WORDPRESS = {  # ../shared/bench/wordpress-baseline.md: req/s (run 1 / 2), p50, p99 of run 1
    "posts?per_page=10": ("58.9 / 65.8", "122", "273"),
    "posts/ID": ("104.8 / 103.6", "74", "158"),
    "posts?per_page=100": ("34.2 / 40.9", "219", "404"),
    "categories": ("106.2 / 109.1", "75", "119"),
}


def database_url(name):
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def recreate_database():
    connection = psycopg2.connect(ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (DATABASE,))
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    connection.close()


def load(posts):
    owner = open_database(database_url(DATABASE), 2)
    Migrator(owner, APP_ROLE).migrate()
    bind(owner)
    with owner.atomic():
        tenant = create_site("bench", "Bench clinic", ["127.0.0.1"], url="http://127.0.0.1")
    app = open_database(database_url(DATABASE), 2)
    configure_serving_role(app, APP_ROLE)
    bind(app)
    started = time.monotonic()
    with tenant_scope(tenant.id):
        author = create_user("author", "author@bench.test", "author")
        _row, password = create_app_password(author, "bench")
        categories = [Term.create(name=f"Categoria {i}", slug=f"categoria-{i}", wp_id=i, taxonomy="category")
                      for i in range(1, 21)]
        tags = [Term.create(name=f"Tag {i}", slug=f"tag-{i}", wp_id=100 + i, taxonomy="post_tag")
                for i in range(1, 51)]
        reserve_wp_id("term", 200)
        images = [Media.create(filename=f"bench/2026/11/img-{i}.jpg", original_filename=f"img-{i}.jpg",
                               mime_type="image/jpeg", file_size=12345, uploaded_by=author.id, wp_id=i,
                               url=f"http://127.0.0.1/wp-content/uploads/2026/11/img-{i}.jpg", width=800,
                               height=600, attachment_type="image", slug=f"img-{i}",
                               metadata={"width": 800, "height": 600, "file": f"2026/11/img-{i}.jpg"})
                  for i in range(1, 11)]
        _insert_posts(posts, author, categories, tags, images)
        reserve_wp_id("post", posts + 100)
    with owner.connection_context():
        owner.execute_sql("VACUUM ANALYZE")          # as autovacuum would after a bulk load
    print(f"loaded {posts} posts in {time.monotonic() - started:.1f}s", flush=True)
    owner.close_all()
    app.close_all()
    return author.login, password


def _insert_posts(count, author, categories, tags, images, batch=1000):
    now = datetime.datetime(2026, 11, 1)
    content = ("<!-- wp:paragraph -->\n<p>Texto clínico de exemplo sobre hipertensão -- com \"aspas\" e "
               "evidências.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:list -->\n<ul><li>um</li><li>dois</li>"
               "</ul>\n<!-- /wp:list -->")
    for start in range(0, count, batch):
        rows, links = [], []
        for n in range(start, min(start + batch, count)):
            post_id = uuid.uuid4()
            when = now - datetime.timedelta(minutes=n)
            category = categories[n % len(categories)]
            rows.append({"id": post_id, "title": f"Post número {n} sobre saúde", "slug": f"post-{n}",
                         "content": content, "excerpt": "", "status": "publish", "post_type": "post",
                         "author": author.id, "category": category.id, "wp_id": 101 + n, "published_at": when,
                         "date_local": when, "modified_local": when, "inserted_at": when, "updated_at": when,
                         "compliance_level": "public",
                         "featured_media": images[n % len(images)].id if n % 10 == 0 else None})
            links += [{"post": post_id, "term": category.id, "term_order": 0},
                      {"post": post_id, "term": categories[(n + 7) % len(categories)].id, "term_order": 1},
                      {"post": post_id, "term": tags[n % len(tags)].id, "term_order": 2}]
        Post.insert_many(rows).execute()
        PostTerm.insert_many([{**link, "id": uuid.uuid4()} for link in links]).execute()


def analyze():
    """Planner statistics for the loaded tables, as autovacuum would gather them (it may be off: it is on
    the machines these figures come from, and a fresh 100,000-post table is then planned blind)."""
    connection = psycopg2.connect(database_url(DATABASE))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port, workers, settings=None, threads=1, keep_alive=None):
    env = {key: value for key, value in os.environ.items() if not key.startswith("WPCOMPAT_")}
    env.update(WPCOMPAT_DATABASE_URL=database_url(DATABASE), WPCOMPAT_APP_ROLE=APP_ROLE,
               WPCOMPAT_LOG_LEVEL="WARNING", WPCOMPAT_POOL_SIZE="4")
    env.update(settings or {})
    process = subprocess.Popen([sys.executable, "-m", "wpcompat.cli", "serve", "--bind", f"127.0.0.1:{port}",
                                "--workers", str(workers), "--threads", str(threads)]
                               + ([] if keep_alive is None else ["--keep-alive", str(keep_alive)]), env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/wp-json/", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("wpcompat did not start")


def wrk(url, duration, headers=(), script=None):
    """req/s, p50, p99 and non-2xx of `wrk -t1 -c8 -d… --latency` (`script`: a wrk Lua file)."""
    command = ["wrk", "-t1", "-c8", f"-d{duration}s", "--latency"] + (["-s", script] if script else [])
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, latency.get("50", "?"), latency.get("99", "?"), int(errors.group(1)) if errors else 0


def shut_down(server, drop_database):
    """Stop the served app; drop the bench database unless it is to be kept."""
    server.terminate()
    server.wait(timeout=20)
    if drop_database:
        connection = psycopg2.connect(ADMIN_URL)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10000)
    # one per wrk connection: a cached hit mostly waits for its audit commit, without CPU (README, Speed)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (wpcompat serve --threads: gthread)")
    parser.add_argument("--keep-alive", type=int, default=None, metavar="SECONDS",
                        help="wpcompat serve --keep-alive (0: every answer closes its connection; default: serve's)")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2, metavar="SECONDS",
                        help="an unmeasured wrk run before each measured one (0: none)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only the requests whose name contains NAME (repeatable), e.g. --only types/post")
    parser.add_argument("--reuse", action="store_true",
                        help="serve the database a previous --keep or --load-only run left (same --posts)")
    parser.add_argument("--env", action="append", default=[], metavar="WPCOMPAT_X=value",
                        help="a setting for the server, e.g. --env WPCOMPAT_AUDIT_READS_DURABLE=false")
    parser.add_argument("--load-only", action="store_true",
                        help="create and load the database, then stop (for bench/profile_rest.py)")
    args = parser.parse_args()
    if not shutil.which("wrk") and not args.load_only:
        raise SystemExit("wrk is missing: apt-get install wrk")
    if not args.reuse:
        recreate_database()
        load(args.posts)
        analyze()
    if args.load_only:
        return
    port = free_port()
    server = serve(port, args.workers, dict(item.split("=", 1) for item in args.env), args.threads, args.keep_alive)
    base = f"http://127.0.0.1:{port}/wp-json/wp/v2"
    middle = 101 + args.posts // 2
    cases = [
        ("posts?per_page=10", f"{base}/posts?per_page=10"),
        ("posts/ID", f"{base}/posts/{middle}"),
        ("posts?per_page=100", f"{base}/posts?per_page=100"),
        ("posts?per_page=100&_embed", f"{base}/posts?per_page=100&_embed"),
        ("posts?search=", f"{base}/posts?search=n%C3%BAmero%20{middle}"),
        ("categories", f"{base}/categories"),
        # no content read: the floor every request pays (tenant, transaction, audit row, commit)
        ("types/post", f"{base}/types/post"),
    ]
    try:
        keep = "" if args.keep_alive is None else f" --keep-alive {args.keep_alive}"
        print(f"\nwpcompat, {args.posts} posts, gunicorn --workers {args.workers} --threads {args.threads}{keep}, "
              f"PostgreSQL with RLS, "
              f"wrk -t1 -c8 -d{args.duration}s --latency {' '.join(args.env)}\n")
        print("| request | wpcompat req/s | p50 | p99 | non-2xx | WordPress 6.1.9 req/s | WP p50 ms | WP p99 ms |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, url in cases:
            if args.only and not any(wanted in name for wanted in args.only):
                continue
            if args.warmup:                       # steady state: workers started, statements prepared, caches warm
                wrk(url, args.warmup)
            rate, p50, p99, errors = wrk(url, args.duration)
            wp = WORDPRESS.get(name, ("—", "—", "—"))
            print(f"| `GET /wp-json/wp/v2/{name}` | {rate:,.0f} | {p50} | {p99} | {errors} | {wp[0]} | {wp[1]} | "
                  f"{wp[2]} |", flush=True)
    finally:
        shut_down(server, drop_database=not (args.keep or args.reuse))


if __name__ == "__main__":
    main()
