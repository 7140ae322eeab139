"""`make chaos`: writers and faults against a live gunicorn on a private PostgreSQL, with figures.

1. Load: WRITERS threads for SECONDS through gunicorn (4 workers) on a private cluster, mixing
   racing creates of one title, racing tag creates, rewrites of shared posts (categories, tags,
   ACF fields) and reads; PostgreSQL is restarted twice meanwhile (a clean stop, then a crash).
   Then the invariants: no duplicate slug, every term count exact, no answered request without
   its audit row, no 500, every 503 with Retry-After.
2. The fault tests (tests/chaos, WPCOMPAT_CHAOS=1): restarts, connection and pool exhaustion, a
   worker rebooting while PostgreSQL is down, read-only / full / unreachable media stores, an
   import killed with SIGKILL. "Faults survived" is how many of them pass.

Usage: .venv/bin/python bench/chaos.py [--seconds 30] [--writers 32] [--no-tests]
Prints the figures; exit status 1 if an invariant broke or a fault test failed.
"""

import argparse
import collections
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from chaos.harness import Load, audit_request_ids, private_cluster, served_site  # noqa: E402


def load_phase(seconds, writers):
    figures, problems = {}, []
    with private_cluster() as cluster, tempfile.TemporaryDirectory(prefix="wpcompat-chaos-") as folder, \
            served_site(cluster.admin_url, folder, workers=4) as served:
        label = uuid.uuid4().hex[:6]
        category = served.call("POST", "/wp/v2/categories", body={"name": f"Chaos {label}"}).body["id"]
        tag = served.call("POST", "/wp/v2/tags", body={"name": f"Chaos {label}"}).body["id"]
        shared = served.make_posts(8, f"Shared {label}")
        served.database.close_all()
        load = Load()

        def job(i, step):
            kind = (i + step) % 6
            if kind == 0:
                return served.call("POST", "/wp/v2/posts", body={
                    "title": f"Same title {label}", "status": "publish", "categories": [category], "tags": [tag]})
            if kind == 1:
                return served.call("POST", "/wp/v2/tags", body={"name": f"Racing {label} {step % 5}"})
            if kind in (2, 3):
                post = shared[(i + step) % len(shared)]
                return served.call("POST", f"/wp/v2/posts/{post}", body={
                    "title": f"Shared {label} w{i}s{step}", "status": "publish" if step % 3 else "draft",
                    "categories": [category] if step % 2 else [], "tags": [tag],
                    "acf": {"author_crm": f"CRM/SP {100000 + i}", "citations_count": step}})
            if kind == 4:
                return served.call("POST", f"/acf/v3/posts/{shared[i % len(shared)]}",
                                   body={"fields": {"citations_count": step}})
            return served.call("GET", f"/wp/v2/posts?categories={category}&per_page=20")

        faults = []

        def restarts():
            for mode, at in (("fast", seconds / 3), ("immediate", 2 * seconds / 3)):
                time.sleep(max(0.0, at - (time.monotonic() - started)))
                cluster.restart(mode, down_for=1.0)
                faults.append(f"PostgreSQL restart ({mode})")

        started = time.monotonic()
        restarter = threading.Thread(target=restarts)
        restarter.start()
        load.run_for(seconds, job, writers)
        restarter.join()
        after = [served.call("GET", f"/wp/v2/posts/{shared[0]}") for _ in range(10)]
        figures = load.figures()
        figures["faults injected"] = faults
        figures["after the faults"] = collections.Counter(a.status for a in after)
        # invariants
        server_errors = [a for a in load.answers if a.status not in (503,) and (a.status >= 500 or a.status == 0)]
        if server_errors:
            problems.append(f"{len(server_errors)} answers were 500 or no answer at all")
        no_retry_after = [a for a in load.answers if a.status == 503 and not a.retry_after.isdigit()]
        if no_retry_after:
            problems.append(f"{len(no_retry_after)} answers were 503 without Retry-After")
        if any(a.status != 200 for a in after):
            problems.append("requests after the restarts did not all succeed")
        sql = served.database.execute_sql
        tenant = str(served.site.id)
        duplicates = sql("SELECT count(*) FROM (SELECT slug FROM posts WHERE tenant_id = %s AND slug <> '' "
                         "GROUP BY slug HAVING count(*) > 1) d", (tenant,)).fetchone()[0]
        wrong_counts = sql("""SELECT count(*) FROM categories c WHERE c.tenant_id = %s AND c.count <>
            (SELECT count(*) FROM post_terms pt JOIN posts p ON p.id = pt.post_id WHERE pt.term_id = c.id
             AND p.status = 'publish' AND (p.compliance_level IS NULL OR p.compliance_level = 'public'))""",
                           (tenant,)).fetchone()[0]
        duplicate_fields = sql("SELECT count(*) FROM (SELECT post_id, meta_key FROM custom_fields cf JOIN posts p "
                               "ON p.id = cf.post_id WHERE p.tenant_id = %s GROUP BY post_id, meta_key "
                               "HAVING count(*) > 1) d", (tenant,)).fetchone()[0]
        seen = collections.Counter()
        for line in served.server.log_text().splitlines():
            found = re.search(r"WARNING wpcompat (db_\w+) .*?: (.*)$", line)
            if found:
                seen[found.group(1)] += 1
        figures["database failures met by attempts (retried, or answered 409/503)"] = seen
        audited = audit_request_ids(served.database, served.site.id)
        answered = {a.request_id for a in load.answers if a.status and a.status < 500}
        unaudited = len(answered - audited)
        figures.update({"duplicate slugs": duplicates, "wrong term counts": wrong_counts,
                        "duplicate custom fields": duplicate_fields,
                        "answered requests without an audit row": unaudited})
        for name in ("duplicate slugs", "wrong term counts", "duplicate custom fields",
                     "answered requests without an audit row"):
            if figures[name]:
                problems.append(f"{name}: {figures[name]}")
    return figures, problems


def fault_tests():
    """Runs tests/chaos with the fault tests enabled; (passed, failed, names of the failures)."""
    env = dict(os.environ, WPCOMPAT_CHAOS="1")
    result = subprocess.run([sys.executable, "-m", "pytest", "tests/chaos", "-q", "-rfE", "-p", "no:cacheprovider"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    counts = dict((word, int(number)) for number, word in re.findall(r"(\d+) (passed|failed|error)", result.stdout))
    passed, failed = counts.get("passed", 0), counts.get("failed", 0) + counts.get("error", 0)
    failures = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return passed, failed, failures, result.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--no-tests", action="store_true", help="only the load phase")
    args = parser.parse_args()
    figures, problems = load_phase(args.seconds, args.writers)
    print(f"== load: {args.writers} writers for {args.seconds:.0f} s, gunicorn 4 workers, private PostgreSQL")
    for name, value in figures.items():
        if isinstance(value, collections.Counter):
            value = ", ".join(f"{key}: {count}" for key, count in sorted(value.items(), key=str)) or "none"
        elif isinstance(value, list):
            value = ", ".join(value) or "none"
        print(f"  {name}: {value}")
    status = 1 if problems else 0
    for problem in problems:
        print(f"  BROKEN: {problem}")
    if not args.no_tests:
        passed, failed, failures, code = fault_tests()
        print("== fault and concurrency tests (tests/chaos, WPCOMPAT_CHAOS=1)")
        print(f"  faults survived (tests passed): {passed} of {passed + failed}")
        for line in failures:
            print(f"  {line}")
        status = status or (1 if code else 0)
    sys.exit(status)


if __name__ == "__main__":
    main()
