"""/wp/v2/settings, as WordPress 6.1 answers it, on both engines: the tenant's own row, admins only."""

import json
from pathlib import Path

import pytest

from wpcompat.db import bind, tenant_scope
from wpcompat.models import Tenant

from conftest import basic_auth

GOLDEN = Path(__file__).resolve().parents[3] / "shared" / "golden"
KEYS = ["title", "description", "url", "email", "timezone", "date_format", "time_format", "start_of_week",
        "language", "use_smilies", "default_category", "default_post_format", "posts_per_page", "show_on_front",
        "page_on_front", "page_for_posts", "default_ping_status", "default_comment_status", "site_logo", "site_icon"]



@pytest.fixture
def api(client, clinic):
    def call(method, role=None, host=None, headers=None, **kwargs):
        return client.simulate_request(method, "/wp-json/wp/v2/settings", host=host or clinic.host,
                                       headers={**clinic.auth(role), **(headers or {})}, **kwargs)

    return call


def tenant_row(site):
    return Tenant.get_by_id(site.id)


def test_an_administrator_reads_every_setting_in_wordpress_order(api, clinic):
    result = api("GET", "administrator")
    assert result.status_code == 200
    assert list(result.json) == KEYS
    assert result.headers["Allow"] == "GET, POST, PUT, PATCH"
    assert result.json == {
        "title": "Clinic settings", "description": "", "url": f"http://{clinic.host}", "email": None,
        "timezone": "America/Sao_Paulo", "date_format": "F j, Y", "time_format": "g:i a", "start_of_week": 1,
        "language": "en_US", "use_smilies": True, "default_category": None, "default_post_format": "0",
        "posts_per_page": 10, "show_on_front": "posts", "page_on_front": 0, "page_for_posts": 0,
        "default_ping_status": "open", "default_comment_status": "open", "site_logo": None, "site_icon": 0}


def test_types_of_the_values_are_wordpress_s(api):
    path = GOLDEN / "118-settings-auth.json"
    if not path.exists():
        pytest.skip("golden answers not available")
    expected = json.loads(path.read_text())["body"]
    api("POST", "administrator", json={"email": "admin@clinic.test", "default_category": 1})
    mine = api("GET", "administrator").json
    assert list(mine) == list(expected)
    assert {key: type(value).__name__ for key, value in mine.items()} == \
        {key: type(value).__name__ for key, value in expected.items()}


@pytest.mark.parametrize("role,status", [(None, 401), ("subscriber", 403), ("editor", 403)])
def test_reading_needs_manage_options(api, role, status):
    result = api("GET", role)
    assert result.status_code == status
    assert result.json == {"code": "rest_forbidden", "message": "Sorry, you are not allowed to do that.",
                           "data": {"status": status}}
    assert "Allow" not in result.headers


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_an_update_is_partial_and_answers_every_setting(api, clinic, method):
    result = api(method, "administrator", json={"title": "Clínica Nova", "posts_per_page": "5",
                                                "email": "admin@clinic.test", "show_on_front": "page",
                                                "page_on_front": 12, "use_smilies": "false"})
    assert result.status_code == 200
    assert list(result.json) == KEYS
    assert result.json["title"] == "Clínica Nova" and result.json["posts_per_page"] == 5
    assert result.json["email"] == "admin@clinic.test" and result.json["use_smilies"] is False
    assert (result.json["show_on_front"], result.json["page_on_front"]) == ("page", 12)
    assert result.json["timezone"] == "America/Sao_Paulo"                       # untouched
    row = tenant_row(clinic)
    assert (row.name, row.posts_per_page, row.use_smilies) == ("Clínica Nova", 5, False)
    assert row.options == {"email": "admin@clinic.test", "show_on_front": "page", "page_on_front": 12}
    assert api("GET", "administrator").json == result.json


def test_the_site_sees_its_new_settings_at_once(api, client, clinic):
    client.simulate_get("/wp-json/", host=clinic.host)                         # the site is cached now
    api("POST", "administrator", json={"title": "Outro nome", "timezone": "Europe/Lisbon"})
    index = client.simulate_get("/wp-json/", host=clinic.host).json
    assert (index["name"], index["timezone_string"]) == ("Outro nome", "Europe/Lisbon")


def test_null_resets_a_setting_to_its_default(api, clinic):
    api("POST", "administrator", json={"posts_per_page": 3, "timezone": "Europe/Lisbon", "show_on_front": "page",
                                       "email": "a@clinic.test", "start_of_week": 0})
    result = api("POST", "administrator", json={"posts_per_page": None, "timezone": None, "show_on_front": None,
                                                "email": None, "start_of_week": None, "title": None})
    assert result.status_code == 200
    reset = {key: result.json[key] for key in ("posts_per_page", "timezone", "show_on_front", "email",
                                               "start_of_week", "title")}
    assert reset == {"posts_per_page": 10, "timezone": "UTC", "show_on_front": "posts", "email": None,
                     "start_of_week": 1, "title": ""}
    assert "show_on_front" not in tenant_row(clinic).options


def test_values_are_sanitized_as_wordpress_stores_them(api):
    result = api("POST", "administrator", json={
        "title": "Tom & Jerry <b>", "description": "A &amp; B", "url": "https://clinic.example/",
        "page_on_front": -5, "posts_per_page": 0})
    assert result.json["title"] == "Tom &amp; Jerry &lt;b&gt;"
    assert result.json["description"] == "A &amp; B"
    assert result.json["url"] == "https://clinic.example"
    assert (result.json["page_on_front"], result.json["posts_per_page"]) == (5, 1)
    spaced = api("POST", "administrator", json={"url": "https://clinic\x0b.example/\tsaúde/Dr Ana%0A/"})
    assert spaced.json["url"] == "https://clinic.example/saúde/Dr%20Ana"   # esc_url_raw: no control characters
    emptied = api("POST", "administrator", json={"url": "http://\x0b"})   # nothing left of the host: refused
    assert emptied.json["url"] == spaced.json["url"]


def test_values_wordpress_refuses_to_store_leave_the_setting_as_it_was(api, clinic):
    result = api("POST", "administrator", json={"timezone": "Mars/Olympus_Mons", "url": "ftp://clinic.example",
                                                "language": "not a locale!"})
    assert result.status_code == 200
    assert (result.json["timezone"], result.json["url"], result.json["language"]) == \
        ("America/Sao_Paulo", f"http://{clinic.host}", "en_US")


@pytest.mark.parametrize("body,param,code", [
    ({"posts_per_page": "many"}, "posts_per_page", "rest_invalid_type"),
    ({"default_comment_status": "maybe"}, "default_comment_status", "rest_not_in_enum"),
    ({"email": "not-an-email"}, "email", "rest_invalid_email"),
    ({"use_smilies": "perhaps"}, "use_smilies", "rest_invalid_type"),
    ({"title": "x" * 256}, "title", "rest_too_long"),
    ({"start_of_week": 2 ** 40}, "start_of_week", "rest_out_of_bounds"),
])
def test_invalid_values_are_rejected_and_nothing_changes(api, clinic, body, param, code):
    before = api("GET", "administrator").json
    result = api("POST", "administrator", json={**body, "description": "should not be saved"})
    assert result.status_code == 400
    assert result.json["code"] == "rest_invalid_param"
    assert list(result.json["data"]["params"]) == [param]
    assert result.json["data"]["details"][param]["code"] == code
    assert api("GET", "administrator").json == before


def test_someone_who_may_not_manage_options_is_told_which_option(api, clinic):
    result = api("POST", "editor", json={"posts_per_page": 3, "title": "Editor's site"})
    assert result.status_code == 403
    assert result.json == {"code": "rest_cannot_update", "message": "Sorry, you are not allowed to edit the title "
                           "option.", "data": {"status": 403, "key": "title"}}
    assert tenant_row(clinic).name == "Clinic settings"


@pytest.mark.parametrize("role,status", [(None, 401), ("author", 403)])
def test_an_empty_update_without_manage_options_is_forbidden(api, role, status):
    result = api("POST", role, json={})
    assert result.status_code == status and result.json["code"] == "rest_forbidden"


def test_updates_and_reads_are_audited_with_the_keys_not_the_values(api, clinic, audit_rows):
    api("GET", "administrator")
    api("POST", "administrator", json={"title": "Audited title", "posts_per_page": 10, "email": "x@clinic.test"})
    rows = {row.metadata["event"]: row for row in audit_rows(clinic) if row.resource_type == "settings"}
    assert rows["settings:read"].operation == "read" and rows["settings:read"].resource_id == clinic.id
    update = rows["settings:update"]
    assert update.operation == "update" and update.policy_decision == "allow"
    assert update.metadata["changed"] == ["title", "email"]          # posts_per_page was 10 already
    assert "Audited title" not in json.dumps(update.metadata) and "x@clinic.test" not in json.dumps(update.metadata)


def test_denied_reads_are_audited(api, clinic, audit_rows):
    api("GET", "editor")
    denied = [row for row in audit_rows(clinic, policy_decision="deny")]
    assert denied and denied[-1].metadata["status"] == 403


def test_another_tenants_settings_are_neither_read_nor_written(api, clinic, site_b):
    b_before = tenant_row(site_b)
    b_admin = {"Authorization": basic_auth(site_b.admin.login, site_b.admin_password)}
    result = api("POST", headers=b_admin, json={"title": "Taken over"})   # B's admin on A's host
    assert result.status_code == 401
    assert tenant_row(clinic).name == "Clinic settings"
    mine = api("POST", "administrator", json={"title": "Only A", "email": "a@clinic.test"})
    assert mine.json["title"] == "Only A"
    b_after = tenant_row(site_b)
    assert (b_after.name, b_after.options, b_after.updated_at) == (b_before.name, b_before.options,
                                                                   b_before.updated_at)
    own = api("GET", host=site_b.host, headers=b_admin).json
    assert own["title"] == "Site b" and own["description"] == "The b clinic" and own["email"] is None


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)      # row-level security is PostgreSQL's
def test_the_database_refuses_the_app_role_another_tenants_row(engine, client, app_database, clinic, site_b):
    bind(app_database)                                     # serving's connection: the app role, RLS applies
    with tenant_scope(clinic.id, app_database):
        assert Tenant.update(name="hijacked").where(Tenant.id == site_b.id).execute() == 0
        assert Tenant.update(description="mine").where(Tenant.id == clinic.id).execute() == 1
    bind(engine.database)
    assert tenant_row(site_b).name == "Site b"
