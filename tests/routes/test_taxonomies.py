"""/wp/v2/taxonomies, as WordPress 6.1 answers it, on both engines."""

import pytest

from clinic import golden_body


VIEW_FIELDS = ["name", "slug", "description", "types", "hierarchical", "rest_base", "rest_namespace", "_links"]
EDIT_FIELDS = ["name", "slug", "capabilities", "description", "labels", "types", "show_cloud", "hierarchical",
               "rest_base", "rest_namespace", "visibility", "_links"]



@pytest.fixture
def api(client, clinic):
    def call(path, role=None, **kwargs):
        return client.simulate_get(f"/wp-json/wp/v2{path}", host=clinic.host, headers=clinic.auth(role), **kwargs)

    return call




def test_collection_is_an_object_keyed_by_slug(api, clinic):
    result = api("/taxonomies")
    assert result.status_code == 200 and result.headers["Allow"] == "GET"
    assert list(result.json) == ["category", "post_tag"]
    assert [list(item) for item in result.json.values()] == [VIEW_FIELDS, VIEW_FIELDS]
    expected = golden_body("112-taxonomies.json", clinic.host)     # WordPress also lists nav_menu, not served here
    assert result.json == {slug: expected[slug] for slug in ("category", "post_tag")}


def test_type_filter_and_single_taxonomy_match_wordpress(api, clinic):
    assert api("/taxonomies", params={"type": "post"}).json == golden_body("113-taxonomies-type-post.json", clinic.host)
    assert api("/taxonomies/category").json == golden_body("114-taxonomy-category.json", clinic.host)


@pytest.mark.parametrize("post_type", ["page", "attachment", "nope"])
def test_a_type_without_taxonomies_gives_an_empty_object(api, post_type):
    result = api("/taxonomies", params={"type": post_type})
    assert result.status_code == 200
    assert result.text == "{}"


def test_edit_context_shows_capabilities_labels_and_visibility(api):
    result = api("/taxonomies", "contributor", params={"context": "edit"})
    assert result.status_code == 200
    category, tag = result.json["category"], result.json["post_tag"]
    assert list(category) == EDIT_FIELDS
    assert category["capabilities"] == {"manage_terms": "manage_categories", "edit_terms": "edit_categories",
                                        "delete_terms": "delete_categories", "assign_terms": "assign_categories"}
    assert tag["capabilities"]["assign_terms"] == "assign_post_tags"
    assert category["labels"]["parent_item_colon"] == "Parent Category:" and tag["labels"]["parent_item"] == ""
    assert tag["labels"]["separate_items_with_commas"] == "Separate tags with commas"
    assert category["show_cloud"] is True
    assert list(category["visibility"]) == ["public", "publicly_queryable", "show_admin_column", "show_in_nav_menus",
                                            "show_in_quick_edit", "show_ui"]
    assert all(category["visibility"].values())


def test_embed_context(api):
    item = api("/taxonomies/post_tag", params={"context": "embed"}).json
    assert list(item) == ["name", "slug", "rest_base", "rest_namespace", "_links"]


@pytest.mark.parametrize("role,status", [(None, 401), ("subscriber", 403)])
def test_edit_context_needs_the_right_to_assign_terms(api, role, status):
    listing = api("/taxonomies", role, params={"context": "edit"})
    assert listing.status_code == status and listing.json["code"] == "rest_cannot_view"
    assert listing.json["message"] == "Sorry, you are not allowed to manage terms in this taxonomy."
    single = api("/taxonomies/category", role, params={"context": "edit"})
    assert single.status_code == status and single.json["code"] == "rest_forbidden_context"
    assert "Allow" not in single.headers


def test_edit_context_for_a_type_without_taxonomies_is_refused(api):
    result = api("/taxonomies", "administrator", params={"context": "edit", "type": "page"})
    assert result.status_code == 403 and result.json["code"] == "rest_cannot_view"


def test_unknown_taxonomy_is_invalid(api):
    result = api("/taxonomies/genre", "administrator")
    assert result.status_code == 404
    assert result.json == {"code": "rest_taxonomy_invalid", "message": "Invalid taxonomy.", "data": {"status": 404}}


@pytest.mark.parametrize("role,status", [(None, 401), ("administrator", 403)])
def test_a_taxonomy_outside_rest_is_forbidden(api, role, status):
    result = api("/taxonomies/post_format", role)
    assert result.status_code == status
    assert result.json["code"] == "rest_forbidden"


def test_reads_are_audited(api, clinic, audit_rows):
    api("/taxonomies", params={"type": "post"})
    api("/taxonomies/category", "author")
    rows = {row.metadata["event"]: row for row in audit_rows(clinic) if row.resource_type == "taxonomy"}
    assert rows["taxonomy:list"].metadata["ids"] == ["category", "post_tag"]
    assert rows["taxonomy:read"].metadata["slug"] == "category"
    assert rows["taxonomy:read"].user_id == clinic.users["author"].id


def test_the_about_link_of_a_term_leads_here(client, clinic):
    term = client.simulate_get("/wp-json/wp/v2/categories", host=clinic.host).json[0]
    about = term["_links"]["about"][0]["href"]
    result = client.simulate_get(about.split(clinic.host, 1)[1], host=clinic.host)
    assert result.status_code == 200 and result.json["slug"] == "category"
