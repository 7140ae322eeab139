"""Where a REST request's time goes, measured in-process (no HTTP, no wrk): cProfile and SQL round trips.

    .venv/bin/python bench/rest.py --posts 10000 --load-only   # once: loads the wpcompat_bench database
    .venv/bin/python bench/profile_rest.py [--requests 2000] [--top 25] [--sort cumulative] [CASE ...]

Runs each case's request N times through falcon.testing against the kept bench database
(PostgreSQL, RLS on, the app role), and prints per request: this process's CPU time, the CPU time of
the PostgreSQL backends serving this process's own connections (not other clients of the bench
database, e.g. a wrk run), and wall time; the statements sent to
PostgreSQL (BEGIN and COMMIT included, each one a round trip), the Python function calls,
and cProfile's top functions by own time. Function calls and round trips move little when
other work shares the machine, so they decide between two versions where wall-clock
figures would not. Figures only: nothing here asserts a speed. The anonymous-answer cache is
on unless WPCOMPAT_RESPONSE_CACHE_MB=0 is set: with it, repeated requests measure hits; set it
to 0 to measure the uncached path (every first read, authenticated read and miss).
"""

import argparse
import collections
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

import psycopg2.extensions

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.rest import APP_ROLE, DATABASE, database_url  # noqa: E402

CASES = {
    "posts10": "/wp-json/wp/v2/posts?per_page=10",
    "post": "/wp-json/wp/v2/posts/{middle}",
    "posts100": "/wp-json/wp/v2/posts?per_page=100",
    "embed100": "/wp-json/wp/v2/posts?per_page=100&_embed",
    "categories": "/wp-json/wp/v2/categories",
    "types": "/wp-json/wp/v2/types/post",
}

STATEMENTS = collections.Counter()


class CountingCursor(psycopg2.extensions.cursor):
    def execute(self, query, vars=None):
        text = query.decode() if isinstance(query, bytes) else str(query)
        STATEMENTS[" ".join(text.split())[:90]] += 1
        return super().execute(query, vars)


OWN_BACKENDS = set()       # the PostgreSQL backends of this process's connections (not the lead's wrk, not tests)


class CountingConnection(psycopg2.extensions.connection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        OWN_BACKENDS.add(self.get_backend_pid())

    def cursor(self, *args, **kwargs):
        kwargs.setdefault("cursor_factory", CountingCursor)
        return super().cursor(*args, **kwargs)


def cpu_seconds(pids):
    """{pid: user + system CPU seconds used so far} of processes (Linux /proc); gone ones are left out."""
    used = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def server_cpu_since(start):
    """CPU seconds this process's backends used since `start` (a backend opened meanwhile counts from 0)."""
    now = cpu_seconds(OWN_BACKENDS)
    return sum(used - start.get(pid, 0) for pid, used in now.items())


def build_client():
    from falcon import testing

    from conf.settings import load_settings
    from wpcompat.app import create_app
    from wpcompat.db import open_database

    settings = load_settings({**{k: v for k, v in os.environ.items() if k.startswith("WPCOMPAT_")},
                              "WPCOMPAT_DATABASE_URL": database_url(DATABASE), "WPCOMPAT_APP_ROLE": APP_ROLE,
                              "WPCOMPAT_LOG_LEVEL": "WARNING"})
    database = open_database(settings.database_url, 2)
    database.connect_params["connection_factory"] = CountingConnection
    return testing.TestClient(create_app(settings, database), headers={"Host": "127.0.0.1"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=list(CASES))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", help="pstats order of the top functions (e.g. cumulative)")
    parser.add_argument("--posts", type=int, default=10000, help="the bench database's post count")
    args = parser.parse_args()
    client = build_client()
    for name in args.cases:
        path = CASES[name].format(middle=101 + args.posts // 2)
        path, _, query = path.partition("?")
        for _ in range(min(50, args.requests)):                 # warm caches and the pool
            assert client.simulate_get(path, query_string=query).status_code == 200
        cpu, wall, server_cpu = time.process_time(), time.perf_counter(), cpu_seconds(OWN_BACKENDS)
        for _ in range(args.requests):
            client.simulate_get(path, query_string=query)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        server_cpu = server_cpu_since(server_cpu)
        STATEMENTS.clear()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            client.simulate_get(path, query_string=query)
        profiler.disable()
        elapsed = time.perf_counter() - started
        stats = pstats.Stats(profiler)
        print(f"\n## {name}: GET {path}?{query}")
        print(f"without profiler, per request: {cpu / args.requests * 1000:.2f} ms CPU here, "
              f"{server_cpu / args.requests * 1000:.2f} ms CPU in PostgreSQL, {wall / args.requests * 1000:.2f} ms wall")
        print(f"{elapsed / args.requests * 1000:.2f} ms/request under cProfile, "
              f"{stats.total_calls / args.requests:,.0f} function calls/request, "
              f"{sum(STATEMENTS.values()) / args.requests:.1f} statements/request")
        for statement, count in STATEMENTS.most_common():
            print(f"  {count / args.requests:5.1f}  {statement}")
        stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
