"""Abuse limits: body size, JSON depth, and one failed-login limiter for REST Basic auth and XML-RPC."""

import json
import xmlrpc.client

import pytest
from falcon import testing

from conftest import basic_auth, count_rows
from wpcompat import limits
from wpcompat.app import create_app
from wpcompat.models import Post

BAD_LOGIN = (403, "Incorrect username or password.")


@pytest.fixture(autouse=True)
def fresh_counters():
    limits.failures.reset()
    yield
    limits.failures.reset()


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(limits.failures, "clock", lambda: now[0])
    return now


def nested(depth):
    return "[" * depth + "]" * depth


def xmlrpc_call(client, clinic, method, *params):
    body = xmlrpc.client.dumps(params, method)
    result = client.simulate_post("/xmlrpc.php", body=body, headers={"Host": clinic.host, "Content-Type": "text/xml"})
    try:
        return xmlrpc.client.loads(result.content)[0][0], None
    except xmlrpc.client.Fault as fault:
        return None, (fault.faultCode, fault.faultString)


# --- JSON depth ------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [65, 5000, 200_000])
def test_json_nested_past_64_levels_is_refused_as_invalid_json(api, clinic, depth):
    before = count_rows(clinic, Post)
    body = '{"title": "deep", "meta": ' + nested(depth - 1) + "}"
    result = api("POST", "/wp/v2/posts", "administrator", body=body, headers={"Content-Type": "application/json"})
    assert result.status_code == 400
    assert result.json["code"] == "rest_invalid_json"
    assert result.json["data"]["json_error_message"] == "Maximum stack depth exceeded"
    assert count_rows(clinic, Post) == before


def test_json_of_64_levels_is_parsed(api):
    # object → requests → request → body → 60 nested lists: 64 levels
    body = json.dumps({"requests": [{"path": "/wp/v2/posts", "body": {"title": "x", "tags": json.loads(nested(60))}}]})
    result = api("POST", "/batch/v1", "administrator", body=body, headers={"Content-Type": "application/json"})
    assert result.status_code == 207
    assert result.json["responses"][0]["body"]["code"] == "rest_invalid_param"     # parsed, then validated


# --- body size -------------------------------------------------------------------------------
def test_bodies_and_uploads_over_the_cap_are_413_and_store_nothing(engine, app_database, clinic):
    client = testing.TestClient(create_app(engine.settings(max_body_bytes=4096), app_database))
    headers = {"Host": clinic.host, **clinic.auth("administrator")}
    before = count_rows(clinic, Post)
    big = json.dumps({"title": "big", "content": "x" * 5000})
    result = client.simulate_post("/wp-json/wp/v2/posts", body=big,
                                  headers={**headers, "Content-Type": "application/json"})
    assert (result.status_code, result.json["code"]) == (413, "rest_request_entity_too_large")
    upload = client.simulate_post("/wp-json/wp/v2/media", body=b"\x89PNG" + b"\0" * 5000,
                                  headers={**headers, "Content-Type": "image/png",
                                           "Content-Disposition": 'attachment; filename="a.png"'})
    assert upload.status_code == 413
    assert count_rows(clinic, Post) == before
    small = client.simulate_post("/wp-json/wp/v2/posts", json={"title": "small"}, headers=headers)
    assert small.status_code == 201


# --- failed logins ---------------------------------------------------------------------------
def test_rest_basic_auth_failures_are_rate_limited_per_login_with_retry_after(api, client, clinic, audit_rows, clock):
    editor = clinic.users["editor"]
    wrong = {"Authorization": basic_auth(editor.login, "wrong wrong wrong wrong")}
    for _ in range(limits.MAX_FAILURES_PER_LOGIN):
        assert api("GET", "/wp/v2/users/me", headers=wrong).status_code == 401
    limited = api("GET", "/wp/v2/users/me", "editor")              # even the right password
    assert limited.status_code == 429
    assert limited.json["code"] == "rest_too_many_login_attempts"
    assert limited.headers["Retry-After"] == str(limits.WINDOW_SECONDS)
    clock[0] += 600
    assert int(api("GET", "/wp/v2/users/me", "editor").headers["Retry-After"]) == limits.WINDOW_SECONDS - 600
    assert api("GET", "/wp/v2/users/me", "author").status_code == 200     # other logins still work
    denied = [row for row in audit_rows(clinic, policy_decision="deny")
              if row.metadata.get("event") == "auth:login:failure" and row.metadata.get("status") == 429]
    assert len(denied) == 2 and {row.metadata["login"] for row in denied} == {editor.login}
    clock[0] += limits.WINDOW_SECONDS
    assert api("GET", "/wp/v2/users/me", "editor").status_code == 200


def test_rest_failures_are_rate_limited_per_ip_across_logins(api, clinic, clock):
    for n in range(limits.MAX_FAILURES_PER_IP):
        api("GET", "/wp/v2/users/me", headers={"Authorization": basic_auth(f"guess-{n}", "pw")})
    result = api("GET", "/wp/v2/users/me", "author")
    assert result.status_code == 429 and int(result.headers["Retry-After"]) > 0


def test_other_tenants_are_not_locked_out(api, client, clinic, site_b):
    editor = clinic.users["editor"]
    for _ in range(limits.MAX_FAILURES_PER_LOGIN + 5):
        api("GET", "/wp/v2/users/me", headers={"Authorization": basic_auth(editor.login, "wrong")})
    other = client.simulate_get("/wp-json/wp/v2/users/me", host=site_b.host,
                                headers={"Authorization": basic_auth(site_b.admin.login, site_b.admin_password)})
    assert other.status_code == 200


def test_rest_and_xmlrpc_share_one_limiter(api, client, clinic):
    editor = clinic.users["editor"]
    for _ in range(limits.MAX_FAILURES_PER_LOGIN // 2):
        api("GET", "/wp/v2/users/me", headers={"Authorization": basic_auth(editor.login, "wrong")})
    for _ in range(limits.MAX_FAILURES_PER_LOGIN - limits.MAX_FAILURES_PER_LOGIN // 2):
        assert xmlrpc_call(client, clinic, "wp.getProfile", 1, editor.login, "wrong")[1] == BAD_LOGIN
    _value, fault = xmlrpc_call(client, clinic, "wp.getProfile", 1, editor.login, clinic.passwords["editor"])
    assert fault == (429, limits.RATE_LIMITED)
    assert api("GET", "/wp/v2/users/me", "editor").status_code == 429


def test_a_success_clears_the_logins_count(api, clinic):
    editor = clinic.users["editor"]
    for _round in range(2):            # 18 failures: under the IP limit, twice the login limit
        for _ in range(limits.MAX_FAILURES_PER_LOGIN - 1):
            api("GET", "/wp/v2/users/me", headers={"Authorization": basic_auth(editor.login, "wrong")})
        assert api("GET", "/wp/v2/users/me", "editor").status_code == 200


def another_worker():
    """What a request meets in a worker that has seen none of the earlier failures (its memory is its own)."""
    limits.failures.reset()


def test_the_limit_holds_in_every_worker_not_only_the_one_that_saw_the_failures(api, client, clinic, clock):
    editor = clinic.users["editor"]
    wrong = {"Authorization": basic_auth(editor.login, "wrong wrong wrong wrong")}
    for _ in range(limits.MAX_FAILURES_PER_LOGIN):
        assert api("GET", "/wp/v2/users/me", headers=wrong).status_code == 401
        another_worker()                                  # each failure met by a different worker
    another_worker()
    limited = api("GET", "/wp/v2/users/me", "editor")
    assert (limited.status_code, limited.json["code"]) == (429, "rest_too_many_login_attempts")
    assert limited.headers["Retry-After"] == str(limits.WINDOW_SECONDS)
    another_worker()
    _value, fault = xmlrpc_call(client, clinic, "wp.getProfile", 1, editor.login, clinic.passwords["editor"])
    assert fault == (429, limits.RATE_LIMITED)
    clock[0] += limits.WINDOW_SECONDS                     # the window passes for every worker alike
    another_worker()
    assert api("GET", "/wp/v2/users/me", "editor").status_code == 200


def test_xmlrpc_failures_count_in_every_worker_and_per_ip(client, clinic, api):
    for n in range(limits.MAX_FAILURES_PER_IP):
        assert xmlrpc_call(client, clinic, "wp.getProfile", 1, f"guess-{n}", "pw")[1] == BAD_LOGIN
        another_worker()
    result = api("GET", "/wp/v2/users/me", "author")
    assert result.status_code == 429 and int(result.headers["Retry-After"]) > 0


def test_a_failure_inside_a_multicall_counts_in_every_worker_and_refusals_add_nothing(api, client, clinic):
    from wpcompat.db import tenant_scope
    from wpcompat.models import LoginFailure

    editor = clinic.users["editor"]
    for _ in range(limits.MAX_FAILURES_PER_LOGIN):       # the multicall answers 200: its transaction commits
        value, fault = xmlrpc_call(client, clinic, "system.multicall", [
            {"methodName": "wp.getProfile", "params": [1, editor.login, "wrong"]}])
        assert fault is None and value[0]["faultCode"] == 403
        another_worker()
    for _ in range(3):
        assert api("GET", "/wp/v2/users/me", "editor").status_code == 429
        another_worker()
    with tenant_scope(clinic.id):
        rows = LoginFailure.select().where(LoginFailure.kind == "login",
                                           LoginFailure.subject == editor.login.lower()).count()
    assert rows == limits.MAX_FAILURES_PER_LOGIN         # a refused attempt is not one more failure


def test_a_retry_after_never_exceeds_the_window_even_for_a_failure_stamped_ahead(api, clinic, clock):
    editor = clinic.users["editor"]
    clock[0] += 3600                                      # another host's clock, an hour ahead
    for _ in range(limits.MAX_FAILURES_PER_LOGIN):
        api("GET", "/wp/v2/users/me", headers={"Authorization": basic_auth(editor.login, "wrong")})
    clock[0] -= 3600
    another_worker()
    limited = api("GET", "/wp/v2/users/me", "editor")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) == limits.WINDOW_SECONDS


def test_a_success_in_one_worker_clears_the_logins_count_for_all(api, clinic):
    editor = clinic.users["editor"]
    for _round in range(2):            # 18 failures: under the IP limit, twice the login limit
        for _ in range(limits.MAX_FAILURES_PER_LOGIN - 1):
            api("GET", "/wp/v2/users/me", headers={"Authorization": basic_auth(editor.login, "wrong")})
            another_worker()
        assert api("GET", "/wp/v2/users/me", "editor").status_code == 200
        another_worker()


def test_failures_are_kept_per_tenant_and_old_ones_are_dropped(api, clinic, site_b, clock):
    from wpcompat.db import tenant_scope
    from wpcompat.models import LoginFailure

    for _ in range(3):
        api("GET", "/wp/v2/users/me", headers={"Authorization": basic_auth("nobody", "wrong")})
    with tenant_scope(clinic.id):
        assert LoginFailure.select().where(LoginFailure.subject == "nobody").count() == 3
    with tenant_scope(site_b.id):
        assert LoginFailure.select().count() == 0
    clock[0] += limits.WINDOW_SECONDS + 1
    api("GET", "/wp/v2/users/me", headers={"Authorization": basic_auth("someone", "wrong")})
    with tenant_scope(clinic.id):                         # a failure drops what left the window
        assert LoginFailure.select().where(LoginFailure.subject == "nobody").count() == 0
        assert LoginFailure.select().where(LoginFailure.subject == "someone").count() == 1


def test_the_depth_check_needs_no_recursion():
    deep = []
    node = deep
    for _ in range(100_000):
        node.append([])
        node = node[0]
    assert limits.json_depth_exceeded(deep)
    four_levels = {"a": [1, {"b": [2]}]}
    assert not limits.json_depth_exceeded(four_levels, limit=4)
    assert limits.json_depth_exceeded(four_levels, limit=3)


def test_served_by_several_workers_the_limit_is_the_same_whichever_worker_answers(postgres_engine, tmp_path):
    """Through `wpcompat serve --workers 3`: each worker counted only what it saw before, so the right
    password went through on a worker that had seen fewer than MAX_FAILURES_PER_LOGIN failures."""
    import subprocess
    import time
    import urllib.error
    import urllib.request

    from conftest import make_site
    from test_serve import CLI, clean_env, free_port

    site = make_site(postgres_engine, "workers")
    env = clean_env(WPCOMPAT_DATABASE_URL=postgres_engine.url, WPCOMPAT_APP_ROLE=postgres_engine.app_role,
                    WPCOMPAT_LOG_LEVEL="WARNING")
    port = free_port()
    server = subprocess.Popen(CLI + ["serve", "--bind", f"127.0.0.1:{port}", "--workers", "3", "--keep-alive", "0"],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def me(password):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/wp-json/wp/v2/users/me", headers={
            "Host": site.host, "Authorization": basic_auth(site.admin.login, password)})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    try:
        for _ in range(100):
            try:
                me(site.admin_password)
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(limits.MAX_FAILURES_PER_LOGIN):
            assert me("wrong wrong wrong wrong") == 401
        assert [me(site.admin_password) for _ in range(9)] == [429] * 9     # every worker refuses
    finally:
        server.terminate()
        server.wait(timeout=20)
