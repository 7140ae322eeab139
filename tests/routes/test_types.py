"""/wp/v2/types, as WordPress 6.1 answers it, on both engines."""

import pytest

from clinic import golden_body


SERVED = ["post", "page", "attachment", "wp_block"]
VIEW_FIELDS = ["description", "hierarchical", "has_archive", "name", "slug", "icon", "taxonomies", "rest_base",
               "rest_namespace", "_links"]
EDIT_FIELDS = ["capabilities", "description", "hierarchical", "has_archive", "visibility", "viewable", "labels",
               "name", "slug", "icon", "supports", "taxonomies", "rest_base", "rest_namespace", "_links"]



@pytest.fixture
def api(client, clinic):
    def call(path, role=None, **kwargs):
        return client.simulate_get(f"/wp-json/wp/v2{path}", host=clinic.host, headers=clinic.auth(role), **kwargs)

    return call




def test_collection_is_an_object_keyed_by_slug_of_the_served_types(api, clinic):
    result = api("/types")
    assert result.status_code == 200
    assert isinstance(result.json, dict) and list(result.json) == SERVED
    assert result.headers["Allow"] == "GET"
    assert "X-WP-Total" not in result.headers
    for slug, item in result.json.items():
        assert list(item) == VIEW_FIELDS and item["slug"] == slug
    assert result.json["post"]["_links"] == {
        "collection": [{"href": f"http://{clinic.host}/wp-json/wp/v2/types"}],
        "wp:items": [{"href": f"http://{clinic.host}/wp-json/wp/v2/posts"}],
        "curies": [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}]}


def test_view_and_single_answers_match_wordpress(api, clinic):
    expected = golden_body("109-types.json", clinic.host)
    assert api("/types").json == {slug: expected[slug] for slug in SERVED}
    assert api("/types/post").json == golden_body("110-types-post.json", clinic.host)


def test_edit_context_matches_wordpress_for_an_administrator(api, clinic):
    result = api("/types", "administrator", params={"context": "edit"})
    assert result.status_code == 200
    expected = golden_body("111-types-edit-auth.json", clinic.host)
    assert result.json == {slug: expected[slug] for slug in SERVED}
    assert [list(item) for item in result.json.values()] == [EDIT_FIELDS] * len(SERVED)
    assert result.headers["Cache-Control"].startswith("no-cache")


def test_single_type_in_edit_context_gives_gutenberg_what_it_reads(api):
    item = api("/types/page", "editor", params={"context": "edit"}).json
    assert item["supports"]["page-attributes"] is True and item["viewable"] is True
    assert item["labels"]["parent_item_colon"] == "Parent Page:"
    assert item["capabilities"]["edit_posts"] == "edit_pages"
    assert item["visibility"] == {"show_in_nav_menus": True, "show_ui": True}


def test_embed_context_keeps_the_embed_fields(api):
    item = api("/types/attachment", params={"context": "embed"}).json
    assert list(item) == ["name", "slug", "icon", "rest_base", "rest_namespace", "_links"]
    assert item["rest_base"] == "media" and item["icon"] == "dashicons-admin-media"


@pytest.mark.parametrize("slug", ["nope", "nav_menu_item", "wp_template"])
def test_types_wpcompat_does_not_serve_are_invalid(api, slug):
    result = api(f"/types/{slug}", "administrator")
    assert result.status_code == 404
    assert result.json == {"code": "rest_type_invalid", "message": "Invalid post type.", "data": {"status": 404}}


@pytest.mark.parametrize("role,status", [(None, 401), ("subscriber", 403)])
def test_edit_context_of_the_collection_needs_edit_posts(api, role, status):
    result = api("/types", role, params={"context": "edit"})
    assert result.status_code == status
    assert result.json["code"] == "rest_cannot_view"
    assert result.json["message"] == "Sorry, you are not allowed to edit posts in this post type."


def test_edit_context_lists_only_the_types_the_user_may_edit(api):
    assert list(api("/types", "contributor", params={"context": "edit"}).json) == ["post", "attachment", "wp_block"]
    assert list(api("/types", "editor", params={"context": "edit"}).json) == SERVED


@pytest.mark.parametrize("role,path,status", [(None, "/types/post", 401), ("subscriber", "/types/post", 403),
                                              ("contributor", "/types/page", 403)])
def test_edit_context_of_one_type_needs_its_edit_capability(api, role, path, status):
    result = api(path, role, params={"context": "edit"})
    assert result.status_code == status
    assert result.json["code"] == "rest_forbidden_context"
    assert result.headers["Allow"] == "GET"


def test_fields_filter_a_single_type(api):
    assert api("/types/post", params={"_fields": "slug,rest_base"}).json == {"slug": "post", "rest_base": "posts"}


def test_wrong_context_is_an_invalid_param(api):
    result = api("/types", params={"context": "raw"})
    assert result.status_code == 400 and result.json["code"] == "rest_invalid_param"


def test_reads_are_audited(api, clinic, audit_rows):
    api("/types", "editor")
    api("/types/page")
    rows = {row.metadata["event"]: row for row in audit_rows(clinic) if row.resource_type == "type"}
    assert set(rows) == {"type:list", "type:read"}
    assert rows["type:list"].metadata["ids"] == SERVED and rows["type:list"].user_id == clinic.users["editor"].id
    assert rows["type:read"].metadata["slug"] == "page" and rows["type:read"].operation == "read"


def test_the_routes_are_in_the_discovery_index_and_options_publishes_the_schema(client, clinic):
    index = client.simulate_get("/wp-json/wp/v2", host=clinic.host).json
    route = index["routes"]["/wp/v2/types/(?P<type>[\\w-]+)"]
    assert route["endpoints"][0]["args"] == {
        "type": {"description": "An alphanumeric identifier for the post type.", "type": "string",
                 "required": False},
        "context": {"description": "Scope under which the request is made; determines fields present in response.",
                    "type": "string", "enum": ["view", "embed", "edit"], "default": "view", "required": False}}
    schema = client.simulate_options("/wp-json/wp/v2/types", host=clinic.host).json["schema"]
    assert schema["title"] == "type" and schema["properties"]["labels"]["context"] == ["edit"]


def test_every_site_answers_the_same_types(client, clinic, site_b):
    mine = client.simulate_get("/wp-json/wp/v2/types", host=clinic.host).json
    theirs = client.simulate_get("/wp-json/wp/v2/types", host=site_b.host).json
    assert list(mine) == list(theirs) == SERVED
    assert theirs["post"]["_links"]["wp:items"] == [{"href": f"http://{site_b.host}/wp-json/wp/v2/posts"}]
