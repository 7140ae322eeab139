"""/wp/v2/blocks (reusable blocks, post type wp_block), /wp/v2/block-types, and the editor's other needs."""

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import Post, Revision

from conftest import count_rows

BLOCK = '<!-- wp:paragraph -->\n<p>Aviso: procure um médico.</p>\n<!-- /wp:paragraph -->'


def create_block(api, role="editor", **body):
    return api("POST", "/wp/v2/blocks", role, json={"title": "Aviso médico", "content": BLOCK,
                                                    "status": "publish", **body})


def test_a_reusable_block_is_created_read_and_listed_with_raw_fields_only(api, clinic):
    created = create_block(api)
    assert created.status_code == 201, created.json
    block = created.json
    assert block["type"] == "wp_block" and block["title"] == {"raw": "Aviso médico"}
    assert block["content"] == {"raw": BLOCK, "protected": False, "block_version": 1}
    for missing in ("author", "excerpt", "featured_media", "comment_status", "categories", "sticky"):
        assert missing not in block
    assert created.headers["Location"].endswith(f"/wp-json/wp/v2/blocks/{block['id']}")
    with tenant_scope(clinic.id):
        assert Post.get(Post.wp_id == block["id"]).post_type == "wp_block"
    view = api("GET", f"/wp/v2/blocks/{block['id']}", "contributor").json
    assert view["title"] == {"raw": "Aviso médico"} and view["content"]["raw"] == BLOCK
    assert view["_links"]["self"][0]["href"].endswith(f"/wp/v2/blocks/{block['id']}")
    listed = api("GET", "/wp/v2/blocks", "author")
    assert [item["id"] for item in listed.json] == [block["id"]] and listed.headers["X-WP-Total"] == "1"
    assert api("GET", f"/wp/v2/posts/{block['id']}", "editor").status_code == 404     # not a post
    assert block["id"] not in [item["id"] for item in api("GET", "/wp/v2/posts", "editor",
                                                          params={"per_page": 100}).json]


@pytest.mark.parametrize("role,status", [(None, 401), ("subscriber", 403)])
def test_reading_blocks_needs_edit_posts(api, clinic, role, status):
    block = create_block(api).json
    listed = api("GET", "/wp/v2/blocks", role)
    assert listed.status_code == 200 and listed.json == [] and listed.headers["X-WP-Total"] == "0"
    single = api("GET", f"/wp/v2/blocks/{block['id']}", role)
    assert (single.status_code, single.json["code"]) == (status, "rest_forbidden")


def test_creating_blocks_needs_publish_posts(api, clinic):
    denied = create_block(api, "contributor", status="draft")
    assert (denied.status_code, denied.json["code"]) == (403, "rest_cannot_create")
    assert count_rows(clinic.tenant, Post, Post.post_type == "wp_block") == 0
    assert create_block(api, "author").status_code == 201


def test_blocks_are_updated_with_revisions_and_deleted(api, clinic):
    block = create_block(api).json
    updated = api("POST", f"/wp/v2/blocks/{block['id']}", "editor", json={"content": "<p>Novo aviso</p>"})
    assert updated.status_code == 200 and updated.json["content"]["raw"] == "<p>Novo aviso</p>"
    revisions = api("GET", f"/wp/v2/blocks/{block['id']}/revisions", "editor").json
    assert [item["content"]["raw"] for item in api("GET", f"/wp/v2/blocks/{block['id']}/revisions", "editor",
                                                   params={"context": "edit"}).json] == ["<p>Novo aviso</p>"]
    assert revisions[0]["_links"]["parent"][0]["href"].endswith(f"/wp/v2/blocks/{block['id']}")
    trashed = api("DELETE", f"/wp/v2/blocks/{block['id']}", "editor")
    assert trashed.status_code == 200 and trashed.json["status"] == "trash"
    gone = api("DELETE", f"/wp/v2/blocks/{block['id']}", "editor", params={"force": "true"})
    assert gone.status_code == 200 and gone.json["deleted"] is True
    with tenant_scope(clinic.id):
        assert Revision.select().count() == 0


def test_another_tenants_blocks_do_not_exist(api, clinic, site_b):
    with tenant_scope(site_b.id):
        Post.update(post_type="wp_block").where(Post.id == site_b.post.id).execute()
    listed = api("GET", "/wp/v2/blocks", "administrator")
    assert listed.json == [] and "Secret" not in listed.text


def test_types_list_wp_block_with_the_editor_fields(api, clinic):
    types = api("GET", "/wp/v2/types", "editor", params={"context": "edit"}).json
    block = types["wp_block"]
    assert block["rest_base"] == "blocks" and block["viewable"] is False
    assert block["supports"] == {"title": True, "editor": True, "revisions": True}
    assert block["capabilities"]["create_posts"] == "publish_posts"
    assert types["post"]["viewable"] is True and types["post"]["supports"]["revisions"] is True
    assert api("GET", "/wp/v2/types/wp_block").json["rest_base"] == "blocks"


def test_block_types_answer_empty_to_editors(api, clinic, audit_rows):
    result = api("GET", "/wp/v2/block-types", "contributor")
    assert (result.status_code, result.json) == (200, [])
    assert api("GET", "/wp/v2/block-types/core", "editor").json == []
    missing = api("GET", "/wp/v2/block-types/core/paragraph", "editor")
    assert missing.status_code == 404
    assert missing.json == {"code": "rest_block_type_invalid", "message": "Invalid block type.",
                            "data": {"status": 404}}
    for role, status in ((None, 401), ("subscriber", 403)):
        denied = api("GET", "/wp/v2/block-types", role)
        assert (denied.status_code, denied.json["code"]) == (status, "rest_block_type_cannot_view")
    assert any(row.metadata["event"] == "block_type:list" for row in audit_rows(clinic.tenant))


def test_users_me_has_capabilities_in_edit_context(api, clinic):
    me = api("GET", "/wp/v2/users/me", "author", params={"context": "edit"}).json
    assert me["capabilities"]["publish_posts"] is True and me["capabilities"].get("edit_others_posts") is not True
    assert "capabilities" not in api("GET", "/wp/v2/users/me", "author").json


@pytest.mark.parametrize("path", ["/wp/v2/posts", "/wp/v2/types", "/wp/v2/blocks", "/wp/v2/users/me",
                                  "/wp/v2/settings", "/wp/v2/block-types", "/wp/v2/taxonomies"])
def test_locale_user_is_accepted_everywhere(api, clinic, path):
    result = api("GET", path, "administrator", params={"_locale": "user", "context": "edit"})
    assert result.status_code == 200, result.json


def test_options_tell_can_user_what_the_caller_may_do(api, clinic):
    assert "POST" in api("OPTIONS", "/wp/v2/blocks", "editor").headers["Allow"]
    assert "POST" not in api("OPTIONS", "/wp/v2/blocks", "subscriber").headers.get("Allow", "")
    post = clinic.post("Como medir a pressão arterial em casa")
    assert "POST" in api("OPTIONS", f"/wp/v2/posts/{post.wp_id}/autosaves", "author").headers["Allow"]
    assert "POST" not in api("OPTIONS", f"/wp/v2/posts/{post.wp_id}/autosaves", "contributor").headers.get("Allow", "")
