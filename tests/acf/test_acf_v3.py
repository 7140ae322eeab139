"""The "ACF to REST API" plugin's routes (acf/v3): shapes, errors, permissions (spec/acf.md §4)."""

import pytest

from acf.support import caller, make_acf_site


@pytest.fixture
def site(engine):
    return make_acf_site(engine, "v3")


@pytest.fixture
def api(client, site):
    return caller(client, site)


def test_namespace_and_routes_are_in_the_discovery_index(api):
    index = api("GET", "/").json
    assert "acf/v3" in index["namespaces"]
    for route in ("/acf/v3/posts", "/acf/v3/posts/(?P<id>[\\d]+)/?(?P<field>[\\w\\-\\_]+)?", "/acf/v3/pages",
                  "/acf/v3/media", "/acf/v3/categories", "/acf/v3/tags", "/acf/v3/users",
                  "/acf/v3/options/(?P<id>[\\w\\-\\_]+)/?(?P<field>[\\w\\-\\_]+)?"):
        assert route in index["routes"], route
    assert index["routes"]["/acf/v3/posts/(?P<id>[\\d]+)/?(?P<field>[\\w\\-\\_]+)?"]["methods"] == [
        "GET", "POST", "PUT", "PATCH"]


def test_get_item_and_single_field(api, site):
    post = site.posts["article"]
    api("POST", f"/acf/v3/posts/{post.wp_id}", "editor", json={"fields": {"citations_count": 15}})
    item = api("GET", f"/acf/v3/posts/{post.wp_id}")
    assert item.status_code == 200 and item.json["acf"]["citations_count"] == "15"
    assert "X-WP-Total" not in item.headers and item.headers["Allow"] == "GET"
    assert api("GET", f"/acf/v3/posts/{post.wp_id}/citations_count").json == {"citations_count": "15"}
    assert api("GET", f"/acf/v3/posts/{post.wp_id}/no_such_field").json == {"no_such_field": None}


@pytest.mark.parametrize("path", ["/acf/v3/posts/0", "/acf/v3/posts/99999", "/acf/v3/posts/99999/evidence_level"])
def test_missing_objects_answer_200_with_an_empty_acf(api, path):
    result = api("GET", path)
    assert result.status_code == 200
    assert result.json == ({"evidence_level": None} if path.endswith("level") else {"acf": []})


def test_objects_the_caller_may_not_see_do_not_exist(api, site):
    for post in (site.posts["draft"], site.posts["restricted"]):
        api("POST", f"/acf/v3/posts/{post.wp_id}", "administrator", json={"fields": {"citations_count": 9}})
        assert api("GET", f"/acf/v3/posts/{post.wp_id}").json == {"acf": []}
        assert api("GET", f"/acf/v3/posts/{post.wp_id}", "administrator").json["acf"]["citations_count"] == "9"
    page = site.posts["reviewer_page"]
    assert api("GET", f"/acf/v3/posts/{page.wp_id}").json == {"acf": []}       # a page is not a post
    assert api("GET", f"/acf/v3/pages/{page.wp_id}").json["acf"]["peer_reviewed"] is False
    assert api("GET", f"/acf/v3/media/{site.media['scan'].wp_id}").json == {"acf": []}   # PHI media
    assert api("GET", f"/acf/v3/media/{site.media['scan'].wp_id}", "doctor").json == {"acf": {"modality": None}}


def test_collections_have_the_plugin_shape_and_no_pagination_headers(api, site):
    result = api("GET", "/acf/v3/posts", params={"per_page": 1})
    assert result.status_code == 200 and "X-WP-Total" not in result.headers
    assert 'rel="next"' not in result.headers.get("Link", "")
    assert [set(item) for item in result.json] == [{"id", "acf"}]
    assert result.json[0]["id"] == max(post.wp_id for key, post in site.posts.items()
                                       if key in ("article", "other"))                 # orderby=id, desc
    tags = api("GET", "/acf/v3/tags").json
    assert tags == [{"id": site.terms["vaccines"].wp_id, "acf": []}]
    categories = api("GET", "/acf/v3/categories").json
    assert {"id": site.terms["cardiology"].wp_id, "acf": {"specialty_code": "", "board_certified_only": False}} \
        in categories
    assert api("GET", "/acf/v3/users").json[0]["acf"] == {"crm_number": ""}


def test_update_shapes(api, site):
    post = site.posts["article"]
    whole = api("PUT", f"/acf/v3/posts/{post.wp_id}", "editor",
                json={"fields": {"citations_count": 16, "peer_reviewed": True}})
    assert whole.status_code == 200
    assert whole.json["acf"]["citations_count"] == "16" and whole.json["acf"]["peer_reviewed"] is True
    one = api("PATCH", f"/acf/v3/posts/{post.wp_id}/citations_count", "editor",
              json={"fields": {"citations_count": 17, "peer_reviewed": False}})
    assert one.json == {"citations_count": "17"}
    assert api("GET", f"/acf/v3/posts/{post.wp_id}/peer_reviewed").json == {"peer_reviewed": True}
    form = api("POST", f"/acf/v3/posts/{post.wp_id}", "editor", body="fields[citations_count]=18",
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.json["acf"]["citations_count"] == "18"


@pytest.mark.parametrize("login, status", [(None, 401), ("subscriber", 403)])
def test_updating_needs_edit_posts(api, site, login, status):
    post = site.posts["article"]
    result = api("POST", f"/acf/v3/posts/{post.wp_id}", login, json={"fields": {"citations_count": 1}})
    assert result.status_code == status
    assert result.json == {"code": "rest_forbidden", "message": "Sorry, you are not allowed to do that.",
                           "data": {"status": status}}
    assert api("GET", f"/acf/v3/posts/{post.wp_id}/citations_count").json == {"citations_count": ""}


def test_updating_another_authors_post_needs_the_right_to_edit_it(api, site):
    post = site.posts["restricted"]                      # the editor's; the author may not even see it
    hidden = api("POST", f"/acf/v3/posts/{post.wp_id}", "author", json={"fields": {"citations_count": 1}})
    assert hidden.status_code == 500 and hidden.json["code"] == "cant_update_item"
    page = site.posts["reviewer_page"]
    forbidden = api("POST", f"/acf/v3/pages/{page.wp_id}", "author", json={"fields": {"citations_count": 1}})
    assert forbidden.status_code == 403 and forbidden.json["code"] == "rest_forbidden"


@pytest.mark.parametrize("path, body", [
    ("/acf/v3/posts/{article}", {}),
    ("/acf/v3/posts/{article}", {"fields": "citations_count"}),
    ("/acf/v3/posts/0", {"fields": {"citations_count": 1}}),
    ("/acf/v3/posts/99999", {"fields": {"citations_count": 1}}),
    ("/acf/v3/tags/{tag}", {"fields": {"specialty_code": "X"}}),        # no group applies to tags
])
def test_failed_updates_are_cant_update_item(api, site, path, body):
    path = path.format(article=site.posts["article"].wp_id, tag=site.terms["vaccines"].wp_id)
    result = api("POST", path, "administrator", json=body)
    assert result.status_code == 500
    assert result.json == {"code": "cant_update_item", "message": "Cannot update item", "data": {"status": 500}}


def test_terms_users_media_and_options(api, site):
    term = site.terms["cardiology"]
    assert api("POST", f"/acf/v3/categories/{term.wp_id}", "editor",
               json={"fields": {"specialty_code": "CARD"}}).json == {
        "acf": {"specialty_code": "CARD", "board_certified_only": False}}
    user = site.users["author"]
    assert api("POST", f"/acf/v3/users/{user.wp_id}", "author", json={"fields": {"crm_number": "CRM/SP 1234"}}
               ).json == {"acf": {"crm_number": "CRM/SP 1234"}}
    media = site.media["xray"]
    assert api("POST", f"/acf/v3/media/{media.wp_id}/modality", "author", json={"fields": {"modality": "ct"}}
               ).json == {"modality": "CT"}
    assert api("GET", "/acf/v3/options/options").json == {"acf": {"clinic_phone": "", "emergency_banner": True}}
    written = api("POST", "/acf/v3/options/options", "editor", json={"fields": {"clinic_phone": "+55 11 5555-0000"}})
    assert written.json == {"acf": {"clinic_phone": "+55 11 5555-0000", "emergency_banner": True}}
    assert api("GET", "/acf/v3/options/option/clinic_phone").json == {"clinic_phone": "+55 11 5555-0000"}
    assert api("GET", f"/wp/v2/media/{media.wp_id}", params={"acf_format": "standard"}).json["acf"] == {
        "modality": "CT"}


def test_field_groups_are_listed_in_the_export_format_for_administrators(api):
    assert api("GET", "/acf/v3/field-groups", "editor").status_code == 403
    groups = api("GET", "/acf/v3/field-groups", "administrator").json
    assert [group["key"] for group in groups] == ["group_clinical_evidence", "group_specialty", "group_professional",
                                                  "group_imaging", "group_clinic_options"]
    evidence = groups[0]["fields"][0]
    assert list(evidence["choices"]) == ["1a", "1b", "2a", "2b", "3", "4", "5"]     # order kept on both engines


def test_reads_and_writes_are_audited(api, site, audit_rows):
    post = site.posts["article"]
    api("GET", f"/acf/v3/posts/{post.wp_id}")
    api("POST", f"/acf/v3/posts/{post.wp_id}", "editor", json={"fields": {"citations_count": 2}})
    events = {(row.metadata["event"], row.operation) for row in audit_rows(site)}
    assert {("acf:read", "read"), ("acf:update", "update")} <= events
    update = next(row for row in audit_rows(site) if row.metadata["event"] == "acf:update")
    assert update.metadata["fields"] == ["citations_count"] and str(update.resource_id) == str(post.id)
