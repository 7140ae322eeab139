"""/wp/v2/users, /users/<id> and /users/me, as WordPress clients see them, on both engines.

Two sites: the demo clinic (a user per role, content of every compliance level) for
the rules, and a copy of the golden WordPress site's five users for byte-for-byte
comparisons with shared/golden (095-104).
"""

import datetime
import json
import uuid
from pathlib import Path

import pytest

from wpcompat.accounts import create_app_password, create_user
from wpcompat.db import bind, db, tenant_scope
from wpcompat.models import AppPassword, Media, Post, User
from wpcompat.sites import create_site
from wpcompat.wp_ids import next_wp_id

from conftest import basic_auth

GOLDEN = Path(__file__).resolve().parents[3] / "shared" / "golden"
GOLDEN_HOME = "http://127.0.0.1:8081"
VIEW_FIELDS = ["id", "name", "url", "description", "link", "slug", "avatar_urls", "meta", "_links"]
EDIT_FIELDS = ["id", "username", "name", "first_name", "last_name", "email", "url", "description", "link",
               "locale", "nickname", "slug", "roles", "registered_date", "capabilities", "extra_capabilities",
               "avatar_urls", "meta", "professional_registry", "professional_type", "speciality", "validated_at",
               "_links"]
HEALTHCARE = ("professional_registry", "professional_type", "speciality", "validated_at")




def names(result):
    return [item["name"] for item in result.json]


def wp_id(clinic, role):
    return clinic.users[role].wp_id


def reload(clinic, wp_id_, deleted=False):
    with tenant_scope(clinic.id):
        query = User.select().where(User.wp_id == wp_id_)
        return query.first() if deleted else query.where(User.deleted_at.is_null()).first()


def add_user(clinic, login, role, **fields):
    """A user with an application password in the clinic; returns (user, auth headers)."""
    with tenant_scope(clinic.id):
        user = create_user(login, f"{login}@{clinic.host}", role, **fields)
        _row, password = create_app_password(user, "tests")
    return user, {"Authorization": basic_auth(login, password)}


def publish(clinic, user, level="public", title="Publicado"):
    with tenant_scope(clinic.id):
        return Post.create(title=title, slug=f"p-{uuid.uuid4().hex[:8]}", status="publish", author=user.id,
                           compliance_level=level, wp_id=next_wp_id("post"),
                           medical_disclaimer="Aviso." if level != "public" else None)


# --- the golden WordPress site ------------------------------------------------------------------

GOLDEN_USERS = [  # login, role, first, last, url, description, registered
    ("admin", "administrator", "Ana", "Admin", "https://example.com/ana", "Administradora do site.",
     datetime.datetime(2026, 11, 24, 16, 17, 5)),
    ("editor", "editor", "Eduarda", "Editora", "", "Edita tudo. Café ☕ sempre.", None),
    ("author", "author", "Álvaro", "Autor", "https://example.com/alvaro", "Escreve sobre programação.", None),
    ("contributor", "contributor", "Cíntia", "Contribuidora", "", "", None),
    ("subscriber", "subscriber", "Sérgio", "Assinante", "", "", None),
]


@pytest.fixture
def wordpress(engine, client):
    """The golden site's users (ids 1-5, same emails, names and dates), admin/editor/author with posts."""
    bind(engine.database)
    slug = f"golden-{uuid.uuid4().hex[:8]}"
    host = f"{slug}.clinic.test"
    with engine.database.atomic():
        tenant = create_site(slug, "Golden", [host])
    auth = {}
    with tenant_scope(tenant.id):
        for login, role, first, last, url, description, registered in GOLDEN_USERS:
            user = create_user(login, f"{login}@example.com", role, display_name=f"{first} {last}",
                               first_name=first, last_name=last, url=url, description=description)
            User.update(created_at=registered or datetime.datetime(2024, 1, 1, 8, 0, 0)) \
                .where(User.id == user.id).execute()
            auth[login] = {"Authorization": basic_auth(login, create_app_password(user, "golden")[1])}
            if role in ("administrator", "editor", "author"):
                Post.create(title=f"By {login}", slug=f"by-{login}", status="publish", author=user.id,
                            wp_id=next_wp_id("post"), compliance_level="public")

    def call(method, path, login=None, **kwargs):
        return client.simulate_request(method, f"/wp-json{path}", host=host, headers=auth.get(login, {}),
                                       **kwargs)

    call.host = host
    return call


def golden(name, host):
    text = (GOLDEN / name).read_text(encoding="utf-8").replace(GOLDEN_HOME, f"http://{host}")
    return json.loads(text)


def without_healthcare(body):
    items = body if isinstance(body, list) else [body]
    for item in items:
        for name in HEALTHCARE:
            item.pop(name, None)
    return body


@pytest.mark.parametrize("name, login", [
    ("095-users-list-anon.json", None), ("096-users-list-auth-edit.json", "admin"),
    ("097-users-list-auth-who.json", "admin"), ("098-users-roles.json", "admin"),
    ("099-users-roles-anon.json", None), ("100-user-single-anon.json", None),
    ("101-user-single-no-posts-anon.json", None), ("102-user-single-auth-edit.json", "admin"),
    ("103-users-me-anon.json", None), ("104-users-me-auth.json", "admin")])
def test_answers_match_wordpress_golden_files(wordpress, name, login):
    expected = golden(name, wordpress.host)
    request = expected["request"]
    path = request["path"][len("/wp-json"):]
    result = wordpress(request["method"], path, login, params=request["query"] or None)
    assert result.status_code == expected["status"]
    assert without_healthcare(result.json) == expected["body"]
    for header in ("X-WP-Total", "X-WP-TotalPages", "Allow"):
        assert result.headers.get(header) == expected["headers"].get(header), header


# --- listing ------------------------------------------------------------------------------------

def test_anonymous_list_shows_only_authors_of_public_published_content(api):
    result = api("GET", "/wp/v2/users")
    assert result.status_code == 200
    # the admin's only post is private, the contributor's are drafts, the subscriber has none
    assert names(result) == ["Álvaro Autor", "Éder Editor"]
    assert result.headers["X-WP-Total"] == "2" and result.headers["X-WP-TotalPages"] == "1"
    assert result.headers["Allow"] == "GET" and "Cache-Control" not in result.headers
    item = result.json[0]
    assert list(item) == VIEW_FIELDS
    assert item["meta"] == [] and set(item["avatar_urls"]) == {"24", "48", "96"}
    assert item["avatar_urls"]["24"].endswith("?s=24&d=mm&r=g") and ".gravatar.com/avatar/" in item["avatar_urls"]["24"]
    assert item["link"].endswith("/author/author/")
    assert item["_links"] == {"self": [{"href": item["_links"]["self"][0]["href"]}],
                              "collection": [{"href": item["_links"]["collection"][0]["href"]}]}
    assert item["_links"]["self"][0]["href"].endswith(f"/wp-json/wp/v2/users/{item['id']}")


@pytest.mark.parametrize("role", ["subscriber", "contributor", "author", "editor"])
def test_no_enumeration_without_list_users(api, role):
    result = api("GET", "/wp/v2/users", role, params={"per_page": 100})
    assert names(result) == ["Álvaro Autor", "Éder Editor"]
    assert result.headers["X-WP-Total"] == "2"
    searched = api("GET", "/wp/v2/users", role, params={"search": "Sérgio"})
    assert searched.json == [] and searched.headers["X-WP-Total"] == "0"
    by_slug = api("GET", "/wp/v2/users", role, params={"slug": "subscriber,contributor"})
    assert by_slug.json == []


def test_content_of_a_hidden_compliance_level_does_not_make_an_author_visible(api, clinic):
    doctor, _auth = add_user(clinic, "doctor", "author", display_name="Dra. Restrita")
    publish(clinic, doctor, level="restricted")
    assert "Dra. Restrita" not in names(api("GET", "/wp/v2/users"))
    assert api("GET", f"/wp/v2/users/{doctor.wp_id}").status_code == 401
    assert "Dra. Restrita" in names(api("GET", "/wp/v2/users", "editor"))     # editors read restricted
    assert api("GET", f"/wp/v2/users/{doctor.wp_id}", "editor").status_code == 200


def test_administrator_lists_everyone_in_edit_context(api, clinic):
    result = api("GET", "/wp/v2/users", "administrator", params={"context": "edit"})
    assert result.status_code == 200 and result.headers["X-WP-Total"] == "5"
    assert result.headers["Allow"] == "GET, POST"
    assert names(result) == ["Álvaro Autor", "Ana Administradora", "Clara Colaboradora", "Éder Editor",
                             "Sérgio Assinante"]
    by_login = {item["username"]: item for item in result.json}
    author = by_login["author"]
    assert list(author) == EDIT_FIELDS
    assert author["roles"] == ["author"] and author["extra_capabilities"] == {"author": True}
    assert list(author["capabilities"])[-1] == "author" and author["capabilities"]["publish_posts"] is True
    assert author["nickname"] == "author" and author["locale"] == "en_US"
    assert author["meta"] == {"persisted_preferences": []}
    assert author["professional_registry"] == "CRM/RJ 300400" and author["validated_at"].endswith("+00:00")
    assert by_login["admin"]["capabilities"]["list_users"] is True
    assert len(author["registered_date"]) == 25 and author["registered_date"].endswith("+00:00")


@pytest.mark.parametrize("role, status", [(None, 401), ("editor", 403)])
def test_list_users_capability_guards_edit_context_roles_capabilities_and_orderby(api, role, status):
    cases = [({"context": "edit"}, "rest_forbidden_context", "Sorry, you are not allowed to list users."),
             ({"roles": "editor"}, "rest_user_cannot_view", "Sorry, you are not allowed to filter users by role."),
             ({"capabilities": "edit_posts"}, "rest_user_cannot_view",
              "Sorry, you are not allowed to filter users by capability."),
             ({"orderby": "email"}, "rest_forbidden_orderby",
              "Sorry, you are not allowed to order users by this parameter."),
             ({"orderby": "registered_date"}, "rest_forbidden_orderby",
              "Sorry, you are not allowed to order users by this parameter.")]
    for params, code, message in cases:
        result = api("GET", "/wp/v2/users", role, params=params)
        assert (result.status_code, result.json["code"], result.json["message"]) == (status, code, message)
        assert "Allow" not in result.headers


def test_who_authors_needs_edit_posts(api):
    anonymous = api("GET", "/wp/v2/users", params={"who": "authors"})
    assert anonymous.status_code == 401 and anonymous.json["code"] == "rest_forbidden_who"
    assert api("GET", "/wp/v2/users", "subscriber", params={"who": "authors"}).status_code == 403
    result = api("GET", "/wp/v2/users", "contributor", params={"who": "authors"})
    assert names(result) == ["Álvaro Autor", "Ana Administradora", "Clara Colaboradora", "Éder Editor"]


def test_administrator_filters(api, clinic):
    def ids(**params):
        return [item["id"] for item in api("GET", "/wp/v2/users", "administrator", params=params).json]

    assert ids(roles="editor,author") == [wp_id(clinic, "author"), wp_id(clinic, "editor")]
    assert set(ids(capabilities="publish_posts")) == {wp_id(clinic, r) for r in ("administrator", "editor", "author")}
    assert ids(capabilities="subscriber") == [wp_id(clinic, "subscriber")]
    assert ids(slug="contributor") == [wp_id(clinic, "contributor")]
    assert ids(include=f"{wp_id(clinic, 'subscriber')},{wp_id(clinic, 'editor')}", orderby="include") == \
        [wp_id(clinic, "subscriber"), wp_id(clinic, "editor")]
    assert wp_id(clinic, "author") not in ids(exclude=wp_id(clinic, "author"))
    assert ids(orderby="id", order="desc") == sorted(ids(orderby="id"), reverse=True)
    assert ids(orderby="slug") == [wp_id(clinic, r) for r in ("administrator", "author", "contributor", "editor",
                                                                "subscriber")]
    assert ids(has_published_posts="page") == [wp_id(clinic, "editor")]
    assert ids(search="colab") == [wp_id(clinic, "contributor")]
    assert ids(search="subscriber@demo") == [wp_id(clinic, "subscriber")]          # by email, with list_users
    assert ids(search=str(wp_id(clinic, "editor"))) == [wp_id(clinic, "editor")]


def test_search_never_matches_emails_without_list_users(api):
    assert api("GET", "/wp/v2/users", params={"search": "author@demo"}).json == []
    assert names(api("GET", "/wp/v2/users", params={"search": "lvaro"})) == ["Álvaro Autor"]


def test_pagination_headers_links_and_past_the_end(api):
    result = api("GET", "/wp/v2/users", "administrator", params={"per_page": 2, "page": 2})
    assert result.headers["X-WP-Total"] == "5" and result.headers["X-WP-TotalPages"] == "3"
    host = result.headers["Link"].split("/")[2]
    assert result.headers["Link"] == (f'<http://{host}/wp-json/wp/v2/users?per_page=2&page=1>; rel="prev", '
                                      f'<http://{host}/wp-json/wp/v2/users?per_page=2&page=3>; rel="next"')
    assert names(result) == ["Clara Colaboradora", "Éder Editor"]
    offset = api("GET", "/wp/v2/users", "administrator", params={"per_page": 2, "offset": 3})
    assert names(offset) == ["Éder Editor", "Sérgio Assinante"]
    past = api("GET", "/wp/v2/users", "administrator", params={"page": 9})
    assert past.status_code == 200 and past.json == [] and past.headers["X-WP-Total"] == "5"
    bad = api("GET", "/wp/v2/users", params={"per_page": 0})
    assert bad.status_code == 400 and bad.json["data"]["details"]["per_page"]["code"] == "rest_out_of_bounds"


def test_listing_costs_the_same_number_of_queries_whatever_per_page(engine, api, clinic):
    for number in range(12):
        add_user(clinic, f"extra{number}", "subscriber")
    api("GET", "/wp/v2/users", "administrator")           # the password's first use is recorded once
    counts = []
    for per_page in (1, 15):
        executed = []
        database = db.obj
        original = database.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            executed.append(sql)
            return original(sql, params, *args, **kwargs)

        database.execute_sql = counting
        try:
            assert len(api("GET", "/wp/v2/users", "administrator", params={"per_page": per_page}).json) == per_page
        finally:
            database.execute_sql = original
        counts.append(len(executed))
    assert counts[0] == counts[1]


def test_list_and_read_are_audited(api, clinic, audit_rows):
    api("GET", "/wp/v2/users")
    api("GET", f"/wp/v2/users/{wp_id(clinic, 'author')}")
    events = {row.metadata["event"]: row for row in audit_rows(clinic, resource_type="user")}
    assert events["user:list"].metadata["ids"] == [wp_id(clinic, "author"), wp_id(clinic, "editor")]
    assert events["user:list"].policy_decision == "allow"
    assert events["user:read"].resource_id == clinic.users["author"].id
    assert events["user:read"].operation == "read"


# --- one user -------------------------------------------------------------------------------------

def test_single_user_visibility(api, clinic):
    author, subscriber = wp_id(clinic, "author"), wp_id(clinic, "subscriber")
    view = api("GET", f"/wp/v2/users/{author}")
    assert view.status_code == 200 and list(view.json) == VIEW_FIELDS and view.headers["Allow"] == "GET"
    hidden = api("GET", f"/wp/v2/users/{subscriber}")
    assert (hidden.status_code, hidden.json) == (401, {"code": "rest_user_cannot_view", "message":
                                                       "Sorry, you are not allowed to list users.",
                                                       "data": {"status": 401}})
    assert api("GET", f"/wp/v2/users/{subscriber}", "contributor").status_code == 403
    own = api("GET", f"/wp/v2/users/{subscriber}", "subscriber", params={"context": "edit"})
    assert own.status_code == 200 and own.json["username"] == "subscriber"
    assert own.headers["Allow"] == "GET, POST, PUT, PATCH"
    others_edit = api("GET", f"/wp/v2/users/{author}", "editor", params={"context": "edit"})
    assert others_edit.status_code == 403 and others_edit.json["code"] == "rest_user_cannot_view"
    admin = api("GET", f"/wp/v2/users/{subscriber}", "administrator", params={"context": "edit"})
    assert admin.status_code == 200 and list(admin.json) == EDIT_FIELDS
    assert admin.headers["Allow"] == "GET, POST, PUT, PATCH, DELETE"
    embed = api("GET", f"/wp/v2/users/{author}", params={"context": "embed"})
    assert list(embed.json) == ["id", "name", "url", "description", "link", "slug", "avatar_urls", "_links"]


@pytest.mark.parametrize("path", ["/wp/v2/users/999999", "/wp/v2/users/0"])
def test_unknown_user_is_404(api, path):
    result = api("GET", path, "administrator")
    assert (result.status_code, result.json["code"], result.json["message"]) == (
        404, "rest_user_invalid_id", "Invalid user ID.")


def test_users_me(api, clinic):
    anonymous = api("GET", "/wp/v2/users/me")
    assert (anonymous.status_code, anonymous.json["code"], anonymous.json["message"]) == (
        401, "rest_not_logged_in", "You are not currently logged in.")
    assert anonymous.headers["Allow"] == "GET"
    me = api("GET", "/wp/v2/users/me", "contributor")
    assert me.status_code == 200 and me.json["id"] == wp_id(clinic, "contributor")
    assert list(me.json) == VIEW_FIELDS
    assert api("GET", "/wp/v2/users/me", "contributor", params={"context": "edit"}).json["username"] == \
        "contributor"
    embedded = api("GET", "/wp/v2/posts", params={"_embed": "author", "per_page": 1})
    assert embedded.json[0]["_embedded"]["author"][0]["name"] in ("Álvaro Autor", "Éder Editor")


def test_other_tenants_users_do_not_exist(api, client, clinic, site_b):
    foreign = site_b.author                       # has a published post in site_b
    listed = api("GET", "/wp/v2/users", "administrator", params={"per_page": 100, "context": "edit"}).json
    assert foreign.login not in {item["username"] for item in listed} and len(listed) == 5
    for params in ({"search": foreign.login}, {"slug": foreign.nicename}, {"search": foreign.email}):
        assert api("GET", "/wp/v2/users", "administrator", params=params).json == []
    # site_b's own admin sees its two users, and none of the clinic's
    b = client.simulate_get("/wp-json/wp/v2/users", host=site_b.host, params={"context": "edit"},
                            headers={"Authorization": basic_auth(site_b.admin.login, site_b.admin_password)})
    assert {item["username"] for item in b.json} == {site_b.admin.login, site_b.author.login}


def test_foreign_user_id_is_404_even_when_free_here(api, clinic, site_b):
    with tenant_scope(site_b.id):
        for _ in range(20):                      # give it an id the clinic does not use
            next_wp_id("user")
        far = create_user(f"far-{uuid.uuid4().hex[:6]}", "far@b.test", "author")
        publish(site_b_as_clinic(site_b), far)
    for role in ("administrator", None):
        result = api("GET", f"/wp/v2/users/{far.wp_id}", role)
        assert result.status_code == 404 and result.json["code"] == "rest_user_invalid_id"
    for params in ({"include": far.wp_id}, {"search": str(far.wp_id)}):
        assert api("GET", "/wp/v2/users", "administrator", params=params).json == []
    edit = api("PUT", f"/wp/v2/users/{far.wp_id}", "administrator", json={"name": "x"})
    assert edit.status_code == 404
    delete = api("DELETE", f"/wp/v2/users/{wp_id(clinic, 'subscriber')}", "administrator",
                 params={"force": "true", "reassign": far.wp_id})
    assert delete.status_code == 400 and delete.json["code"] == "rest_user_invalid_reassign"


def site_b_as_clinic(site):
    class Site:
        id = site.id
    return Site


# --- creating -------------------------------------------------------------------------------------

NEW = {"username": "nova.medica", "email": "nova@clinica.test", "password": "s3nh@-forte", "first_name": "Nova",
       "last_name": "Médica", "roles": ["author"], "url": "clinica.test/nova", "professional_registry": "CRM/SP 1"}


def test_administrator_creates_a_user(api, clinic, audit_rows):
    result = api("POST", "/wp/v2/users", "administrator", json=NEW)
    assert result.status_code == 201
    body = result.json
    assert result.headers["Location"].endswith(f"/wp-json/wp/v2/users/{body['id']}")
    assert list(body) == EDIT_FIELDS and "password" not in body
    assert (body["username"], body["name"], body["slug"], body["roles"]) == (
        "nova.medica", "Nova Médica", "nova-medica", ["author"])
    assert body["url"] == "http://clinica.test/nova" and body["professional_registry"] == "CRM/SP 1"
    assert body["validated_at"] is None
    stored = reload(clinic, body["id"])
    assert stored.password_hash.startswith("$argon2") and "s3nh" not in stored.password_hash
    assert "user:create" in {row.metadata["event"] for row in audit_rows(clinic, resource_type="user")}


@pytest.mark.parametrize("role, status", [(None, 401), ("editor", 403), ("subscriber", 403)])
def test_only_create_users_may_create(api, clinic, role, status):
    result = api("POST", "/wp/v2/users", role, json=NEW)
    assert (result.status_code, result.json["code"], result.json["message"]) == (
        status, "rest_cannot_create_user", "Sorry, you are not allowed to create new users.")
    assert reload_by_login(clinic, "nova.medica") is None


def reload_by_login(clinic, login):
    with tenant_scope(clinic.id):
        return User.select().where(User.login == login).first()


def test_create_needs_username_email_and_password(api):
    result = api("POST", "/wp/v2/users", "administrator", json={"name": "Sem nada"})
    assert result.status_code == 400 and result.json["code"] == "rest_missing_callback_param"
    assert result.json["data"]["params"] == ["username", "email", "password"]


@pytest.mark.parametrize("change, status, code, detail", [
    ({"email": "not-an-email"}, 400, "rest_invalid_param", "rest_invalid_email"),
    ({"username": "nova<médica>!"}, 400, "rest_invalid_param", "rest_user_invalid_username"),
    ({"password": "back\\slash"}, 400, "rest_invalid_param", "rest_user_invalid_password"),
    ({"password": ""}, 400, "rest_invalid_param", "rest_user_invalid_password"),
    ({"roles": ["nurse"]}, 400, "rest_user_invalid_role", None),
    ({"roles": ["author", "editor"]}, 400, "rest_invalid_param", "rest_too_many_items"),
    ({"locale": "xx_XX"}, 400, "rest_invalid_param", "rest_not_in_enum"),
    ({"username": "Author"}, 500, "existing_user_login", None),
    ({"email": "EDITOR@demo.wpcompat.test"}, 500, "existing_user_email", None),
])
def test_create_errors_change_nothing(api, clinic, change, status, code, detail):
    before = len(api("GET", "/wp/v2/users", "administrator", params={"per_page": 100}).json)
    result = api("POST", "/wp/v2/users", "administrator", json={**NEW, **change})
    assert (result.status_code, result.json["code"]) == (status, code)
    if detail:
        assert next(iter(result.json["data"]["details"].values()))["code"] == detail
    if code == "rest_user_invalid_role":
        assert result.json["message"] == "The role nurse does not exist."
    if code == "existing_user_login":
        assert result.json["message"] == "Sorry, that username already exists!"
    after = len(api("GET", "/wp/v2/users", "administrator", params={"per_page": 100}).json)
    assert before == after


def test_create_keeps_slugs_unique_and_takes_the_site_language(api, clinic):
    result = api("POST", "/wp/v2/users", "administrator",
                 json={"username": "autora", "email": "autora@x.test", "password": "p", "slug": "author",
                       "locale": "en_US"})
    assert result.status_code == 201 and result.json["slug"] == "author-2"
    assert result.json["name"] == "autora" and result.json["roles"] == ["subscriber"]


# --- updating -------------------------------------------------------------------------------------

def test_users_edit_their_own_profile(api, clinic, audit_rows):
    result = api("PUT", "/wp/v2/users/me", "subscriber",
                 json={"name": "Sérgio <b>S.</b>", "description": "Paciente.", "email": "novo@demo.wpcompat.test"})
    assert result.status_code == 200 and list(result.json) == EDIT_FIELDS
    assert (result.json["name"], result.json["email"]) == ("Sérgio S.", "novo@demo.wpcompat.test")
    assert reload(clinic, wp_id(clinic, "subscriber")).description == "Paciente."
    assert "user:update" in {row.metadata["event"] for row in audit_rows(clinic, resource_type="user")}
    patch = api("PATCH", f"/wp/v2/users/{wp_id(clinic, 'subscriber')}", "subscriber", json={"first_name": "S"})
    assert patch.status_code == 200 and patch.json["first_name"] == "S"


@pytest.mark.parametrize("role, status", [(None, 401), ("subscriber", 403), ("editor", 403)])
def test_editing_someone_else_needs_edit_users(api, clinic, role, status):
    result = api("POST", f"/wp/v2/users/{wp_id(clinic, 'author')}", role, json={"name": "Hacked"})
    assert (result.status_code, result.json["code"], result.json["message"]) == (
        status, "rest_cannot_edit", "Sorry, you are not allowed to edit this user.")
    assert reload(clinic, wp_id(clinic, "author")).display_name == "Álvaro Autor"
    admin = api("POST", f"/wp/v2/users/{wp_id(clinic, 'author')}", "administrator", json={"name": "Álvaro A."})
    assert admin.status_code == 200 and admin.json["name"] == "Álvaro A."


def test_roles_need_promote_users(api, clinic):
    own = api("PUT", "/wp/v2/users/me", "editor", json={"roles": ["administrator"]})
    assert (own.status_code, own.json["code"], own.json["message"]) == (
        403, "rest_cannot_edit_roles", "Sorry, you are not allowed to edit roles of this user.")
    assert reload(clinic, wp_id(clinic, "editor")).role == "editor"
    promoted = api("PUT", f"/wp/v2/users/{wp_id(clinic, 'subscriber')}", "administrator",
                   json={"roles": ["editor"]})
    assert promoted.status_code == 200 and promoted.json["roles"] == ["editor"]
    assert promoted.json["capabilities"]["edit_others_posts"] is True
    demote_self = api("PUT", "/wp/v2/users/me", "administrator", json={"roles": ["editor"]})
    assert (demote_self.status_code, demote_self.json["code"], demote_self.json["message"]) == (
        403, "rest_user_invalid_role", "Sorry, you are not allowed to give users that role.")
    unknown = api("PUT", f"/wp/v2/users/{wp_id(clinic, 'author')}", "administrator", json={"roles": ["nurse"]})
    assert unknown.status_code == 400 and unknown.json["code"] == "rest_user_invalid_role"


def test_update_refusals(api, clinic):
    author = f"/wp/v2/users/{wp_id(clinic, 'author')}"
    username = api("PUT", author, "administrator", json={"username": "renamed"})
    assert (username.status_code, username.json["code"], username.json["message"]) == (
        400, "rest_user_invalid_argument", "Username isn't editable.")
    assert api("PUT", author, "administrator", json={"username": "author"}).status_code == 200
    email = api("PUT", author, "administrator", json={"email": "Editor@demo.wpcompat.test"})
    assert (email.status_code, email.json["code"], email.json["message"]) == (
        400, "rest_user_invalid_email", "Invalid email address.")
    slug = api("PUT", author, "administrator", json={"slug": "editor"})
    assert (slug.status_code, slug.json["code"]) == (400, "rest_user_invalid_slug")
    assert reload(clinic, wp_id(clinic, "author")).email == "author@demo.wpcompat.test"
    anonymous_me = api("PUT", "/wp/v2/users/me", json={"name": "x"})
    assert anonymous_me.status_code == 404 and anonymous_me.json["code"] == "rest_user_invalid_id"


def test_password_and_registry_changes(api, clinic):
    before = reload(clinic, wp_id(clinic, "author"))
    result = api("PUT", "/wp/v2/users/me", "author", json={"password": "outra-senha",
                                                          "professional_registry": "CRM/RJ 999"})
    assert result.status_code == 200 and "password" not in result.json
    after = reload(clinic, wp_id(clinic, "author"))
    assert after.password_hash != before.password_hash and after.password_hash.startswith("$argon2")
    assert after.validated_at is None and result.json["validated_at"] is None   # must be validated again
    assert result.json["professional_registry"] == "CRM/RJ 999"


# --- deleting ----------------------------------------------------------------------------------------

def test_delete_needs_force_and_reassign(api, clinic):
    target = f"/wp/v2/users/{wp_id(clinic, 'contributor')}"
    missing = api("DELETE", target, "administrator", params={"force": "true"})
    assert (missing.status_code, missing.json["code"]) == (400, "rest_missing_callback_param")
    assert missing.json["data"]["params"] == ["reassign"]
    trash = api("DELETE", target, "administrator", params={"reassign": "false"})
    assert (trash.status_code, trash.json["code"], trash.json["message"]) == (
        501, "rest_trash_not_supported", "Users do not support trashing. Set 'force=true' to delete.")
    for reassign in (wp_id(clinic, "contributor"), 999999, "abc"):
        bad = api("DELETE", target, "administrator", params={"force": "true", "reassign": reassign})
        assert bad.status_code == 400
        assert bad.json["code"] in ("rest_user_invalid_reassign", "rest_invalid_param")
    assert reload(clinic, wp_id(clinic, "contributor")) is not None


@pytest.mark.parametrize("role, status", [(None, 401), ("editor", 403), ("contributor", 403)])
def test_only_delete_users_may_delete(api, clinic, role, status):
    result = api("DELETE", f"/wp/v2/users/{wp_id(clinic, 'contributor')}", role,
                 params={"force": "true", "reassign": "false"})
    assert (result.status_code, result.json["code"], result.json["message"]) == (
        status, "rest_user_cannot_delete", "Sorry, you are not allowed to delete this user.")
    assert reload(clinic, wp_id(clinic, "contributor")) is not None


def test_delete_reassigning_content(api, clinic, audit_rows):
    author, editor = wp_id(clinic, "author"), wp_id(clinic, "editor")
    with tenant_scope(clinic.id):
        upload = Media.create(filename=f"{clinic.id}/2026/01/x.png", original_filename="x.png", mime_type="image/png",
                              file_size=10, uploaded_by=clinic.users["author"].id, wp_id=next_wp_id("post"))
    result = api("DELETE", f"/wp/v2/users/{author}", "administrator", json={"force": True, "reassign": editor})
    assert result.status_code == 200 and result.json["deleted"] is True
    previous = result.json["previous"]
    assert previous["username"] == "author" and "_links" not in previous
    assert "Allow" not in result.headers                  # as WordPress: the user no longer exists
    assert list(previous) == EDIT_FIELDS[:-1]
    assert api("GET", f"/wp/v2/users/{author}", "administrator").status_code == 404
    assert "Álvaro Autor" not in names(api("GET", "/wp/v2/users", "administrator"))
    posts = api("GET", "/wp/v2/posts", params={"per_page": 100}).json
    assert posts and all(post["author"] == editor for post in posts)
    with tenant_scope(clinic.id):
        assert Media.get_by_id(upload.id).uploaded_by_id == clinic.users["editor"].id
    row = reload(clinic, author, deleted=True)
    assert row.deleted_at is not None and row.deleted_by == clinic.users["administrator"].id
    assert row.login != "author" and row.email != "author@demo.wpcompat.test"
    event = next(row for row in audit_rows(clinic, resource_type="user") if row.metadata["event"] == "user:delete")
    assert (event.metadata["event"], event.operation, event.metadata["login"], event.metadata["reassign"]) == (
        "user:delete", "delete", "author", editor)
    # the deleted user's application password no longer signs anyone in
    gone = api("GET", "/wp/v2/users/me", "author")
    assert gone.status_code == 401
    with tenant_scope(clinic.id):
        assert AppPassword.select().where(AppPassword.user == row.id).count() == 0


def test_delete_without_reassign_trashes_content_and_frees_login_and_email(api, clinic):
    author = wp_id(clinic, "author")
    result = api("DELETE", f"/wp/v2/users/{author}", "administrator", params={"force": "true", "reassign": ""})
    assert result.status_code == 200
    with tenant_scope(clinic.id):
        theirs = list(Post.select().where(Post.author == clinic.users["author"].id))
    assert theirs and {post.status for post in theirs} == {"trash"}
    assert all(post.slug.endswith("__trashed") for post in theirs)
    assert "Café e coração: mitos e verdades" not in [
        item["title"]["rendered"] for item in api("GET", "/wp/v2/posts").json]
    again = api("POST", "/wp/v2/users", "administrator",
                json={"username": "author", "email": "author@demo.wpcompat.test", "password": "nova"})
    assert again.status_code == 201 and again.json["id"] != author and again.json["slug"] == "author"


def test_deleting_yourself_through_me(api, clinic):
    result = api("DELETE", "/wp/v2/users/me", "administrator",
                 params={"force": "true", "reassign": wp_id(clinic, "editor")})
    assert result.status_code == 200 and result.json["previous"]["roles"] == ["administrator"]
    assert api("GET", "/wp/v2/users/me", "administrator").status_code == 401
