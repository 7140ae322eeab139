"""The middleware chain end to end: tenants from Host, authentication, audit, errors."""

import re

import falcon
import pytest
from falcon import testing

from wpcompat.app import create_app
from wpcompat.errors import WPError
from wpcompat.models import Term
from wpcompat.wp_ids import next_wp_id

from conftest import basic_auth, count_rows


def test_discovery_index_describes_the_hosts_site(client, site_a):
    result = client.simulate_get("/wp-json/", host=site_a.host)
    assert result.status_code == 200
    assert result.headers["content-type"] == "application/json; charset=UTF-8"
    body = result.json
    assert body["name"] == "Site a"
    assert body["description"] == "The a clinic"
    assert body["url"] == body["home"] == f"http://{site_a.host}"
    assert body["timezone_string"] == "UTC" and body["gmt_offset"] == 0
    assert "/" in body["routes"]
    assert body["authentication"]["application-passwords"]["endpoints"]["authorization"].endswith(
        "/wp-admin/authorize-application.php")
    assert result.headers["link"] == f'<http://{site_a.host}/wp-json/>; rel="https://api.w.org/"'
    assert re.fullmatch(r"[0-9a-f]{32}", result.headers["x-request-id"])


def test_rest_route_query_is_the_same_request(client, site_a):
    plain = client.simulate_get("/", host=site_a.host, params={"rest_route": "/"})
    pretty = client.simulate_get("/wp-json", host=site_a.host)
    assert plain.status_code == 200 and plain.json == pretty.json


def test_each_host_sees_only_its_own_site(client, site_a, site_b):
    a = client.simulate_get("/wp-json/", host=site_a.host).json
    b = client.simulate_get("/wp-json/", host=site_b.host).json
    assert a["name"] == "Site a" and b["name"] == "Site b"
    assert site_b.host not in str(a) and site_a.host not in str(b)


def test_unknown_host_is_a_wordpress_404_and_reads_nothing(client, site_a, audit_rows):
    before = len(audit_rows(site_a))
    result = client.simulate_get("/wp-json/", host="elsewhere.example")
    assert result.status_code == 404
    assert result.json == {"code": "rest_site_not_found", "message": "No site is configured for this host.",
                           "data": {"status": 404}}
    assert len(audit_rows(site_a)) == before


def test_unknown_route_is_rest_no_route(client, site_a):
    result = client.simulate_get("/wp-json/wp/v2/nothing-here", host=site_a.host)
    assert result.status_code == 404
    assert result.json["code"] == "rest_no_route"
    assert result.json["data"] == {"status": 404}


def test_head_answers_like_get_without_a_body(client, site_a):
    result = client.simulate_head("/wp-json/", host=site_a.host)
    assert result.status_code == 200
    assert result.content == b""
    assert result.headers["link"].endswith('rel="https://api.w.org/"')


def test_valid_application_password_authenticates_and_is_audited(client, site_a, audit_rows):
    result = client.simulate_get("/wp-json/", host=site_a.host,
                                 headers={"Authorization": basic_auth(site_a.admin.login, site_a.admin_password)})
    assert result.status_code == 200
    row = audit_rows(site_a, user_id=site_a.admin.id)[-1]
    assert row.policy_decision == "allow"
    assert row.trust_score == 70
    assert row.metadata["request_id"] == result.headers["x-request-id"]


def test_spaces_in_an_application_password_are_ignored(client, site_a):
    spaced = " ".join(site_a.admin_password[i:i + 4] for i in range(0, 24, 4))
    result = client.simulate_get("/wp-json/", host=site_a.host,
                                 headers={"Authorization": basic_auth(site_a.admin.login, spaced)})
    assert result.status_code == 200


def test_wrong_application_password_is_401_and_audited_as_denied_login(client, site_a, audit_rows):
    result = client.simulate_get("/wp-json/", host=site_a.host,
                                 headers={"Authorization": basic_auth(site_a.admin.login, "not-the-password")})
    assert result.status_code == 401
    assert result.json == {"code": "incorrect_password",
                           "message": "The provided password is an invalid application password.",
                           "data": {"status": 401}}
    row = audit_rows(site_a, policy_decision="deny")[-1]
    assert row.operation == "login" and row.resource_type == "auth"
    assert row.metadata["event"] == "auth:login:failure"
    assert row.metadata["login"] == site_a.admin.login
    assert row.metadata["status"] == 401
    assert row.metadata["request_id"] == result.headers["x-request-id"]


def test_unknown_user_is_invalid_username(client, site_a):
    result = client.simulate_get("/wp-json/", host=site_a.host,
                                 headers={"Authorization": basic_auth("nobody", "whatever")})
    assert result.status_code == 401
    assert result.json["code"] == "invalid_username"


def test_another_tenants_credentials_do_not_work_here(client, site_a, site_b):
    result = client.simulate_get("/wp-json/", host=site_a.host,
                                 headers={"Authorization": basic_auth(site_b.admin.login, site_b.admin_password)})
    assert result.status_code == 401
    assert result.json["code"] == "invalid_username"


@pytest.mark.parametrize("header", ["Basic !!!not-base64!!!", "Basic " + "bm9jb2xvbg==", "Basic //79"])
def test_malformed_authorization_header_is_a_clear_401(client, site_a, header, audit_rows):
    result = client.simulate_get("/wp-json/", host=site_a.host, headers={"Authorization": header})
    assert result.status_code == 401
    assert result.json["code"] == "rest_invalid_authorization"
    assert audit_rows(site_a, policy_decision="deny")[-1].metadata["status"] == 401


def test_other_authorization_schemes_are_anonymous(client, site_a):
    result = client.simulate_get("/wp-json/", host=site_a.host, headers={"Authorization": "Bearer abc"})
    assert result.status_code == 200


def test_every_request_leaves_an_audit_row_with_who_what_where(client, site_a, audit_rows):
    result = client.simulate_get("/wp-json/", host=site_a.host, remote_addr="203.0.113.42",
                                 headers={"User-Agent": "wpapi-test/1.0"})
    row = audit_rows(site_a, resource_type="site")[-1]
    assert row.tenant_id == site_a.id
    assert row.resource_id == site_a.id
    assert row.operation == "read" and row.policy_decision == "allow"
    assert str(row.user_id) == "00000000-0000-0000-0000-000000000000"
    meta = row.metadata
    assert meta["request_id"] == result.headers["x-request-id"]
    assert meta["route"] == "/" and meta["path"] == "/wp-json" and meta["method"] == "GET"
    assert meta["ip"] == "203.0.113.42" and meta["user_agent"] == "wpapi-test/1.0"
    assert meta["event"] == "site:index" and meta["status"] == 200


def test_non_utf8_bytes_in_the_query_get_no_500(client, site_a):
    result = client.simulate_get("/wp-json/", host=site_a.host, query_string="rest_route=%ff%fe&x=%c3%28")
    assert result.status_code in (200, 404)
    assert "code" in result.json or "routes" in result.json


def test_oversized_body_is_413_and_changes_nothing(engine, app_database, site_a):
    app = create_app(engine.settings(max_body_bytes=2048), app_database)
    result = testing.TestClient(app).simulate_post("/wp-json/", host=site_a.host, body=b"x" * 4096)
    assert result.status_code == 413
    assert result.json["code"] == "rest_request_entity_too_large"


class WriteThenFail:
    """A test-only route: writes a term, then fails the way a controller would."""

    def __init__(self, error):
        self.error = error

    def on_post(self, req, resp):
        Term.create(name="half-written", slug=f"half-{req.context.request_id}", wp_id=next_wp_id("term"))
        raise self.error


@pytest.mark.parametrize("error", [WPError("rest_cannot_create", "Sorry, you are not allowed.", 403),
                                   RuntimeError("boom")])
def test_a_failing_request_writes_nothing_but_keeps_its_denial_audit(engine, app_database, site_a, site_b,
                                                                     audit_rows, error):
    app = create_app(engine.settings(), app_database)
    app.add_route("/wp-json/test/write-then-fail", WriteThenFail(error))
    terms_before = count_rows(site_a, Term)
    result = testing.TestClient(app).simulate_post("/wp-json/test/write-then-fail", host=site_a.host)
    status = 403 if isinstance(error, WPError) else 500
    assert result.status_code == status
    assert count_rows(site_a, Term) == terms_before
    assert count_rows(site_a, Term, Term.name == "half-written") == 0
    row = audit_rows(site_a, policy_decision="deny")[-1]
    assert row.metadata["request_id"] == result.headers["x-request-id"]
    assert row.metadata["status"] == status
    if status == 500:
        assert result.json["code"] == "internal_server_error"
        assert result.json["data"]["request_id"] == result.headers["x-request-id"]
        assert "Traceback" not in result.text and "boom" not in result.text


def test_a_succeeding_write_commits_with_its_audit_row(engine, app_database, site_a, audit_rows):
    class Write:
        def on_post(self, req, resp):
            term = Term.create(name="kept", slug=f"kept-{req.context.request_id}", wp_id=next_wp_id("term"))
            from wpcompat import audit
            audit.record(req, "term:create", term.id)
            resp.status = falcon.HTTP_201
            resp.media = {"id": term.wp_id}

    app = create_app(engine.settings(), app_database)
    app.add_route("/wp-json/test/write", Write())
    result = testing.TestClient(app).simulate_post("/wp-json/test/write", host=site_a.host)
    assert result.status_code == 201
    assert count_rows(site_a, Term, Term.wp_id == result.json["id"]) == 1
    row = audit_rows(site_a, resource_type="term")[-1]
    assert row.operation == "create" and row.policy_decision == "allow"
    assert row.metadata["event"] == "term:create"


def test_a_rest_route_that_is_not_a_string_is_refused(client, site_a):
    result = client.simulate_get("/", host=site_a.host, query_string="rest_route[]=/wp/v2/posts")
    assert result.status_code == 400
    assert result.json["code"] == "rest_path_invalid_type"


def test_namespace_index_lists_its_routes(client, site_a):
    result = client.simulate_get("/wp-json/wp/v2", host=site_a.host)
    assert result.status_code == 200
    assert result.json["namespace"] == "wp/v2"
    assert "/wp/v2/posts" in result.json["routes"] and "/wp/v2/posts/(?P<id>[\\d]+)" in result.json["routes"]
    assert result.json["_links"]["up"][0]["href"] == f"http://{site_a.host}/wp-json/"
    index = client.simulate_get("/wp-json/", host=site_a.host).json
    assert "wp/v2" in index["namespaces"] and "batch/v1" not in index["namespaces"]
    assert index["routes"]["/batch/v1"]["namespace"] == ""
    posts = index["routes"]["/wp/v2/posts"]
    assert posts["methods"] == ["GET", "POST"]
    assert posts["endpoints"][0]["args"]["per_page"] == {
        "description": "Maximum number of items to be returned in result set.", "type": "integer",
        "default": 10, "minimum": 1, "maximum": 100, "required": False}
    assert posts["endpoints"][1]["allow_batch"] == {"v1": True}


def test_the_site_url_leads_to_the_api(client, site_a):
    """node-wpapi's discover() HEADs (then GETs) the site URL and follows the api.w.org link."""
    for method in ("HEAD", "GET"):
        result = client.simulate_request(method, "/", host=site_a.host)
        assert result.status_code == 200
        assert result.headers["Link"] == f'<http://{site_a.host}/wp-json/>; rel="https://api.w.org/"'
    page = client.simulate_get("/", host=site_a.host)
    assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert f'<link rel="https://api.w.org/" href="http://{site_a.host}/wp-json/">' in page.text
