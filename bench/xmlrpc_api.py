"""XML-RPC throughput beside REST: N posts in PostgreSQL, wpcompat under gunicorn, wrk POSTing methodCalls.

    .venv/bin/python bench/xmlrpc_api.py [--posts 10000] [--workers 3] [--duration 15] [--keep]

Loads the same database as bench/rest.py (its `load`, `serve` and database helpers are reused),
adds an administrator, then runs `wrk -t1 -c8 -d15s --latency` with a Lua script that POSTs
the XML body, as ../shared/bench/wordpress-baseline.md ran WordPress:

- wp.getPosts (10 posts, admin) with an application password, and with the login password
  (argon2 checks it once per worker; later calls reuse that check for a few minutes). wrk repeats the
  same call, so after the first one per worker the answer is replayed to the same caller (README,
  "Response cache": XML-RPC reads); `--env WPCOMPAT_RESPONSE_CACHE_MB=0` measures every call built afresh;
- metaWeblog.getRecentPosts (10 posts, admin);
- GET /wp-json/wp/v2/posts?per_page=10 as the same admin, the REST figure beside them.

Prints a table of req/s and p50/p99 beside WordPress 6.1.9's figure. Nothing here asserts a speed.
"""

import argparse
import importlib.util
import shutil
import sys
import tempfile
import urllib.request
from base64 import b64encode
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import xmlrpc.client  # noqa: E402


_spec = importlib.util.spec_from_file_location("bench_rest", HERE / "rest.py")
rest = importlib.util.module_from_spec(_spec)          # bench/rest.py: database, loading and server helpers
_spec.loader.exec_module(rest)
from wpcompat.accounts import create_app_password, create_user  # noqa: E402
from wpcompat.db import bind, configure_serving_role, open_database, tenant_scope  # noqa: E402
from wpcompat.models import Tenant  # noqa: E402

ADMIN_PASSWORD = "bench admin login password"
WORDPRESS = {"wp.getPosts": ("68.4 / 68.9", "113", "212"),
             "GET /wp-json/wp/v2/posts?per_page=10": ("58.9 / 65.8", "122", "273")}
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml"
wrk.body = [==[{body}]==]
"""


def add_admin():
    """An administrator with a login password and an application password: (login, app password)."""
    app = open_database(rest.database_url(rest.DATABASE), 2)
    configure_serving_role(app, rest.APP_ROLE)
    bind(app)
    with app.connection_context():
        tenant = Tenant.get(Tenant.slug == "bench")
    with tenant_scope(tenant.id):
        admin = create_user("admin", "admin@bench.test", "administrator", password=ADMIN_PASSWORD)
        _row, password = create_app_password(admin, "bench")
    app.close_all()
    return admin.login, password


def wrk_post(url, duration, body, headers=()):
    """rest.wrk's measurement for a POST: the body and headers go in a wrk Lua script."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(body=body))
    try:
        return rest.wrk(url, duration, headers, script=script.name)
    finally:
        Path(script.name).unlink()


def check(url, body):
    """One call first: a fault would make every wrk request a fast, meaningless 200."""
    request = urllib.request.Request(url, data=body.encode(), headers={"Content-Type": "text/xml"})
    with urllib.request.urlopen(request, timeout=30) as response:
        xmlrpc.client.loads(response.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--env", action="append", default=[], metavar="WPCOMPAT_X=value",
                        help="a setting for the server, e.g. --env WPCOMPAT_RESPONSE_CACHE_MB=0 (every call uncached)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    rest.recreate_database()
    rest.load(args.posts)
    login, app_password = add_admin()
    port = rest.free_port()
    server = rest.serve(port, args.workers, dict(item.split("=", 1) for item in args.env))
    url = f"http://127.0.0.1:{port}/xmlrpc.php"
    cases = [
        ("wp.getPosts", "wp.getPosts (app password)", xmlrpc.client.dumps((1, login, app_password), "wp.getPosts")),
        ("wp.getPosts", "wp.getPosts (login password)", xmlrpc.client.dumps((1, login, ADMIN_PASSWORD),
                                                                            "wp.getPosts")),
        ("metaWeblog.getRecentPosts", "metaWeblog.getRecentPosts (app password)",
         xmlrpc.client.dumps((1, login, app_password, 10), "metaWeblog.getRecentPosts")),
    ]
    basic = "Authorization: Basic " + b64encode(f"{login}:{app_password}".encode()).decode()
    try:
        print(f"\nwpcompat, {args.posts} posts, gunicorn --workers {args.workers}, PostgreSQL with RLS, "
              f"wrk -t1 -c8 -d{args.duration}s --latency, as an administrator {' '.join(args.env)}\n")
        print("| request | wpcompat req/s | p50 | p99 | non-2xx | WordPress 6.1.9 req/s | WP p50 ms | WP p99 ms |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for key, name, body in cases:
            check(url, body)
            rate, p50, p99, errors = wrk_post(url, args.duration, body)
            wp = WORDPRESS.get(key, ("—", "—", "—"))
            print(f"| XML-RPC `{name}` | {rate:,.0f} | {p50} | {p99} | {errors} | {wp[0]} | {wp[1]} | {wp[2]} |",
                  flush=True)
        rest_name = "GET /wp-json/wp/v2/posts?per_page=10"
        rate, p50, p99, errors = rest.wrk(f"http://127.0.0.1:{port}/wp-json/wp/v2/posts?per_page=10",
                                          args.duration, headers=(basic,))
        wp = WORDPRESS[rest_name]
        print(f"| REST `{rest_name}` (same admin) | {rate:,.0f} | {p50} | {p99} | {errors} | {wp[0]} (anonymous) | "
              f"{wp[1]} | {wp[2]} |", flush=True)
    finally:
        rest.shut_down(server, drop_database=not args.keep)


if __name__ == "__main__":
    main()
