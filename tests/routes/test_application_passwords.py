"""/wp/v2/users/<id|me>/application-passwords (+ /introspect, /<uuid>), on both engines."""

import re
import uuid

import pytest

from wpcompat.accounts import create_app_password, create_user
from wpcompat.db import tenant_scope
from wpcompat.models import AppPassword
from wpcompat.wp_ids import next_wp_id

from conftest import basic_auth

ITEM_FIELDS = ["uuid", "app_id", "name", "created", "last_used", "last_ip", "_links"]
CHUNKED = re.compile(r"^[A-Za-z0-9]{4}( [A-Za-z0-9]{4}){5}$")
APP_ID = "3f1b9c5e-6a0d-5d3e-9a55-1c2e0e4c7b11"




def base(clinic, role):
    return f"/wp/v2/users/{clinic.users[role].wp_id}/application-passwords"


def stored(clinic, role):
    with tenant_scope(clinic.id):
        return list(AppPassword.select().where(AppPassword.user == clinic.users[role].id))


def as_login(client, clinic, role, password, path="/wp-json/"):
    return client.simulate_get(path, host=clinic.host,
                               headers={"Authorization": basic_auth(clinic.users[role].login, password)})


def test_create_shows_the_password_once_and_it_works_at_once(api, client, clinic, audit_rows):
    result = api("POST", "/wp/v2/users/me/application-passwords", "author", json={"name": "Meu app",
                                                                                "app_id": APP_ID})
    assert result.status_code == 201
    body = result.json
    assert list(body) == ["uuid", "app_id", "name", "created", "last_used", "last_ip", "password", "_links"]
    assert CHUNKED.match(body["password"])
    assert (body["app_id"], body["name"], body["last_used"], body["last_ip"]) == (APP_ID, "Meu app", None, None)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", body["created"])
    self_href = body["_links"]["self"][0]["href"]
    assert result.headers["Location"] == self_href
    assert self_href.endswith(f"/wp-json/wp/v2/users/{clinic.users['author'].wp_id}/application-passwords/"
                              f"{body['uuid']}")
    row = next(item for item in stored(clinic, "author") if str(item.uuid) == body["uuid"])
    assert body["password"].replace(" ", "") not in row.password_hash
    # the new password authenticates immediately, with or without its spaces
    for password in (body["password"], body["password"].replace(" ", "")):
        index = as_login(client, clinic, "author", password)
        assert index.status_code == 200 and index.headers["Cache-Control"].startswith("no-cache")
    me = as_login(client, clinic, "author", body["password"], "/wp-json/wp/v2/users/me")
    assert me.json["id"] == clinic.users["author"].wp_id
    assert "app_password:create" in {row.metadata["event"] for row in audit_rows(clinic, resource_type="app_password")}
    listed = api("GET", "/wp/v2/users/me/application-passwords", "author")
    mine = next(item for item in listed.json if item["uuid"] == body["uuid"])
    assert "password" not in mine and mine["last_used"] is not None and mine["last_ip"]


def test_a_deleted_password_stops_working(api, client, clinic):
    created = api("POST", "/wp/v2/users/me/application-passwords", "editor", json={"name": "Curto"}).json
    assert as_login(client, clinic, "editor", created["password"]).status_code == 200
    result = api("DELETE", f"/wp/v2/users/me/application-passwords/{created['uuid']}", "editor")
    assert result.status_code == 200 and result.json["deleted"] is True
    assert list(result.json["previous"]) == ITEM_FIELDS[:-1]
    assert result.json["previous"]["uuid"] == created["uuid"]
    refused = as_login(client, clinic, "editor", created["password"])
    assert refused.status_code == 401 and refused.json["code"] == "incorrect_password"
    again = api("GET", f"/wp/v2/users/me/application-passwords/{created['uuid']}", "editor")
    assert (again.status_code, again.json["code"], again.json["message"]) == (
        404, "rest_application_password_not_found", "Application password not found.")


def test_list_get_and_rename(api, clinic):
    listed = api("GET", base(clinic, "author"), "author")
    assert listed.status_code == 200 and [item["name"] for item in listed.json] == ["tests"]
    assert list(listed.json[0]) == ITEM_FIELDS and "X-WP-Total" not in listed.headers
    assert listed.headers["Allow"] == "GET, POST, DELETE"
    uuid_ = listed.json[0]["uuid"]
    one = api("GET", f"{base(clinic, 'author')}/{uuid_}", "author")
    assert one.status_code == 200 and one.json["uuid"] == uuid_
    assert one.headers["Allow"] == "GET, POST, PUT, PATCH, DELETE"
    renamed = api("PUT", f"{base(clinic, 'author')}/{uuid_}", "author", json={"name": " Novo <b>nome</b> "})
    assert renamed.status_code == 200 and renamed.json["name"] == "Novo nome" and "password" not in renamed.json
    assert stored(clinic, "author")[0].name == "Novo nome"


@pytest.mark.parametrize("uuid_", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_uuid_is_404(api, clinic, uuid_):
    for method in ("GET", "PUT", "DELETE"):
        result = api(method, f"/wp/v2/users/me/application-passwords/{uuid_}", "author", json={"name": "x"})
        assert result.status_code == 404 and result.json["code"] == "rest_application_password_not_found"


def test_delete_all(api, client, clinic, audit_rows):
    extra = api("POST", "/wp/v2/users/me/application-passwords", "contributor", json={"name": "Outro"}).json
    result = api("DELETE", "/wp/v2/users/me/application-passwords", "contributor")
    assert result.status_code == 200 and result.json == {"deleted": True, "count": 2}
    assert stored(clinic, "contributor") == []
    assert as_login(client, clinic, "contributor", extra["password"]).status_code == 401
    event = next(row for row in audit_rows(clinic, resource_type="app_password")
                 if row.metadata.get("all"))
    assert event.metadata["count"] == 2 and event.operation == "delete"


@pytest.mark.parametrize("method, suffix, body, code", [
    ("GET", "", None, "rest_cannot_list_application_passwords"),
    ("POST", "", {"name": "x"}, "rest_cannot_create_application_passwords"),
    ("DELETE", "", None, "rest_cannot_delete_application_passwords"),
    ("GET", "/{uuid}", None, "rest_cannot_read_application_password"),
    ("PUT", "/{uuid}", {"name": "x"}, "rest_cannot_edit_application_password"),
    ("DELETE", "/{uuid}", None, "rest_cannot_delete_application_password"),
])
def test_someone_elses_passwords_need_edit_users(api, clinic, method, suffix, body, code):
    author_uuid = str(stored(clinic, "author")[0].uuid)
    path = base(clinic, "author") + suffix.format(uuid=author_uuid)
    for role, status in ((None, 401), ("subscriber", 403), ("editor", 403)):
        result = api(method, path, role, json=body)
        assert (result.status_code, result.json["code"]) == (status, code), role
    assert [str(item.uuid) for item in stored(clinic, "author")] == [author_uuid]
    assert stored(clinic, "author")[0].name == "tests"
    admin = api(method, path, "administrator", json=body)
    assert admin.status_code in (200, 201)


def test_me_needs_a_login_and_unknown_or_foreign_users_are_404(api, clinic, site_b):
    anonymous = api("GET", "/wp/v2/users/me/application-passwords")
    assert (anonymous.status_code, anonymous.json["code"]) == (401, "rest_not_logged_in")
    with tenant_scope(site_b.id):
        for _ in range(20):                      # an id the clinic does not use
            next_wp_id("user")
        foreign = create_user(f"far-{uuid.uuid4().hex[:6]}", "far@b.test", "author")
        create_app_password(foreign, "b")
    for user_id in (999999, foreign.wp_id):
        for method in ("GET", "POST", "DELETE"):
            result = api(method, f"/wp/v2/users/{user_id}/application-passwords", "administrator",
                         json={"name": "x"})
            assert (result.status_code, result.json["code"]) == (404, "rest_user_invalid_id")
    with tenant_scope(site_b.id):
        assert AppPassword.select().where(AppPassword.user == foreign.id).count() == 1


def test_other_tenants_passwords_do_not_exist(api, clinic, site_b):
    with tenant_scope(site_b.id):
        foreign = str(AppPassword.select().first().uuid)
    for path in (f"/wp/v2/users/me/application-passwords/{foreign}",
                 f"{base(clinic, 'administrator')}/{foreign}"):
        result = api("GET", path, "administrator")
        assert result.status_code == 404 and result.json["code"] == "rest_application_password_not_found"
    listed = api("GET", "/wp/v2/users/me/application-passwords", "administrator").json
    assert foreign not in {item["uuid"] for item in listed}


@pytest.mark.parametrize("body, status, code", [
    ({}, 400, "rest_missing_callback_param"),
    ({"name": "   "}, 400, "rest_invalid_param"),
    ({"name": ""}, 400, "rest_invalid_param"),
    ({"name": "<b></b>"}, 400, "application_password_empty_name"),
    ({"name": "tests"}, 409, "application_password_duplicate_name"),
    ({"name": "ok", "app_id": "nope"}, 400, "rest_invalid_param"),
])
def test_create_errors_create_nothing(api, clinic, body, status, code):
    result = api("POST", "/wp/v2/users/me/application-passwords", "author", json=body)
    assert (result.status_code, result.json["code"]) == (status, code)
    assert len(stored(clinic, "author")) == 1


def test_introspect_names_the_password_of_this_request(api, clinic, audit_rows):
    result = api("GET", "/wp/v2/users/me/application-passwords/introspect", "author")
    assert result.status_code == 200 and list(result.json) == ITEM_FIELDS
    assert result.json["uuid"] == str(stored(clinic, "author")[0].uuid) and result.json["name"] == "tests"
    same = api("GET", f"{base(clinic, 'author')}/introspect", "author")
    assert same.json["uuid"] == result.json["uuid"]
    other = api("GET", f"{base(clinic, 'author')}/introspect", "administrator")
    assert (other.status_code, other.json["code"], other.json["message"]) == (
        403, "rest_cannot_introspect_app_password_for_non_authenticated_user",
        "The authenticated Application Password can only be introspected for the current user.")
    assert api("GET", f"{base(clinic, 'author')}/introspect").status_code == 401
    assert api("GET", "/wp/v2/users/me/application-passwords/introspect").status_code == 401


def test_routes_are_in_the_index(api):
    routes = api("GET", "/").json["routes"]
    for key in ("/wp/v2/users/(?P<user_id>(?:[\\d]+|me))/application-passwords",
                "/wp/v2/users/(?P<user_id>(?:[\\d]+|me))/application-passwords/introspect",
                "/wp/v2/users/(?P<user_id>(?:[\\d]+|me))/application-passwords/(?P<uuid>[\\w\\-]+)"):
        assert key in routes
    collection = routes["/wp/v2/users/(?P<user_id>(?:[\\d]+|me))/application-passwords"]
    assert collection["methods"] == ["GET", "POST", "DELETE"]
    assert collection["endpoints"][1]["args"]["name"] == {
        "description": "The name of the application password.", "type": "string", "minLength": 1,
        "pattern": ".*\\S.*", "required": True}
