"""/wp/v2/statuses, as WordPress 6.1 answers it, on both engines."""

import pytest

from clinic import golden_body


EDITOR_STATUSES = ["publish", "future", "draft", "pending", "private", "trash"]
EDIT_FIELDS = ["name", "private", "protected", "public", "queryable", "show_in_list", "slug", "date_floating",
               "_links"]



@pytest.fixture
def api(client, clinic):
    def call(path, role=None, **kwargs):
        return client.simulate_get(f"/wp-json/wp/v2{path}", host=clinic.host, headers=clinic.auth(role), **kwargs)

    return call




def test_anonymous_sees_only_publish_as_wordpress_answers(api, clinic):
    result = api("/statuses")
    assert result.status_code == 200 and result.headers["Allow"] == "GET"
    assert result.json == golden_body("115-statuses-anon.json", clinic.host)


def test_an_administrator_sees_the_six_statuses_as_wordpress_answers(api, clinic):
    result = api("/statuses", "administrator")
    assert list(result.json) == EDITOR_STATUSES
    assert result.json == golden_body("116-statuses-auth.json", clinic.host)


@pytest.mark.parametrize("role,expected", [("subscriber", ["publish"]), ("contributor", EDITOR_STATUSES),
                                           ("author", EDITOR_STATUSES), ("editor", EDITOR_STATUSES)])
def test_who_sees_which_statuses(api, role, expected):
    assert list(api("/statuses", role).json) == expected


def test_single_status_matches_wordpress(api, clinic):
    assert api("/statuses/publish").json == golden_body("117-status-publish.json", clinic.host)


@pytest.mark.parametrize("role,status", [(None, 401), ("subscriber", 403)])
def test_a_hidden_status_cannot_be_read(api, role, status):
    result = api("/statuses/draft", role)
    assert result.status_code == status
    assert result.json == {"code": "rest_cannot_read_status", "message": "Cannot view status.",
                           "data": {"status": status}}
    assert "Allow" not in result.headers


def test_a_contributor_reads_draft_and_trash(api):
    assert api("/statuses/draft", "contributor").json["date_floating"] is True
    assert api("/statuses/trash", "contributor").json["name"] == "Trash"


@pytest.mark.parametrize("slug", ["inherit", "auto-draft", "request-pending"])
def test_internal_statuses_are_hidden_even_from_administrators(api, slug):
    result = api(f"/statuses/{slug}", "administrator")
    assert result.status_code == 403 and result.json["code"] == "rest_cannot_read_status"


def test_unknown_status_is_invalid(api):
    result = api("/statuses/published", "administrator")
    assert result.status_code == 404
    assert result.json == {"code": "rest_status_invalid", "message": "Invalid status.", "data": {"status": 404}}


def test_edit_context_adds_private_protected_and_show_in_list(api):
    items = api("/statuses", "editor", params={"context": "edit"}).json
    assert [list(item) for item in items.values()] == [EDIT_FIELDS] * 6
    assert items["private"]["private"] is True and items["future"]["protected"] is True
    assert items["publish"]["show_in_list"] is True and items["trash"]["show_in_list"] is False


@pytest.mark.parametrize("role,status", [(None, 401), ("subscriber", 403)])
def test_edit_context_of_the_collection_needs_edit_posts(api, role, status):
    result = api("/statuses", role, params={"context": "edit"})
    assert result.status_code == status
    assert result.json["code"] == "rest_cannot_view"
    assert result.json["message"] == "Sorry, you are not allowed to manage post statuses."


def test_a_visible_single_status_answers_in_edit_context_as_in_wordpress(api):
    result = api("/statuses/publish", params={"context": "edit"})
    assert result.status_code == 200 and list(result.json) == EDIT_FIELDS


def test_embed_context(api):
    assert list(api("/statuses/publish", params={"context": "embed"}).json) == ["name", "slug", "_links"]


def test_archive_links_point_at_the_posts_of_the_status(api, clinic):
    items = api("/statuses", "author").json
    assert items["draft"]["_links"] == {
        "archives": [{"href": f"http://{clinic.host}/wp-json/wp/v2/posts?status=draft"}]}
    draft_posts = api("/posts", "administrator", params={"status": "draft"})
    assert draft_posts.status_code == 200 and draft_posts.json


def test_reads_are_audited(api, clinic, audit_rows):
    api("/statuses")
    api("/statuses/pending", "editor")
    rows = {row.metadata["event"]: row for row in audit_rows(clinic) if row.resource_type == "status"}
    assert rows["status:list"].metadata["ids"] == ["publish"]
    assert rows["status:read"].metadata["slug"] == "pending"
