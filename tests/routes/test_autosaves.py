"""/wp/v2/{posts,pages}/{id}/autosaves: in place for the author's draft, else one autosave per user."""

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import Post, Revision

PUBLIC = "Como medir a pressão arterial em casa"          # published, by the author
DRAFT = "Rascunho: campanha de inverno"                     # draft, by the contributor
PAGE_DRAFT = "Política interna (rascunho)"                  # draft page, by the admin (demo)
RESTRICTED = "Protocolo interno de pré-eclâmpsia"


def autosaves(clinic, post):
    with tenant_scope(clinic.id):
        return list(Revision.select().where(Revision.post == post.id, Revision.kind == "autosave"))


def reload(clinic, post):
    with tenant_scope(clinic.id):
        return Post.get_by_id(post.id)


def test_an_autosave_of_a_published_post_is_a_revision_per_user_and_leaves_the_post(api, clinic):
    post = clinic.post(PUBLIC)
    path = f"/wp/v2/posts/{post.wp_id}/autosaves"
    result = api("POST", path, "author", json={"title": "Rascunho automático", "content": "<p>Digitando…</p>"})
    assert result.status_code == 200
    body = result.json
    assert body["parent"] == post.wp_id and body["slug"] == f"{post.wp_id}-autosave-v1"
    assert body["title"] == {"raw": "Rascunho automático", "rendered": "Rascunho automático"}   # edit context
    assert body["author"] == clinic.users["author"].wp_id
    assert body["preview_link"].endswith(f"preview_id={post.wp_id}&preview=true")
    assert reload(clinic, post).title == PUBLIC and reload(clinic, post).version == 1
    again = api("POST", path, "author", json={"title": "Segunda tentativa", "content": "<p>Mais</p>"}).json
    assert again["id"] == body["id"]                                   # replaced, not added
    editor = api("POST", path, "editor", json={"title": "Do editor"}).json
    assert editor["id"] != body["id"]
    rows = autosaves(clinic, post)
    assert sorted(row.title for row in rows) == ["Do editor", "Segunda tentativa"]
    listed = api("GET", path, "editor").json
    assert sorted(item["title"]["rendered"] for item in listed) == ["Do editor", "Segunda tentativa"]
    assert "X-WP-Total" not in api("GET", path, "editor").headers
    latest = api("GET", f"/wp/v2/posts/{post.wp_id}/autosaves/{body['id']}", "editor")
    assert latest.status_code == 200 and latest.json["parent"] == post.wp_id
    revisions = api("GET", f"/wp/v2/posts/{post.wp_id}/revisions", "editor").json
    assert {item["slug"] for item in revisions} == {f"{post.wp_id}-autosave-v1"}    # autosaves are revisions


def test_an_unchanged_autosave_returns_the_existing_one(api, clinic):
    post = clinic.post(PUBLIC)
    path = f"/wp/v2/posts/{post.wp_id}/autosaves"
    first = api("POST", path, "editor", json={"title": "Mudou"}).json
    same = api("POST", path, "editor", json={"title": post.title, "content": post.content,
                                            "excerpt": post.excerpt}).json
    assert same["id"] == first["id"] and same["title"]["raw"] == "Mudou"
    assert len(autosaves(clinic, post)) == 1


def test_the_authors_draft_is_saved_in_place_without_a_revision(api, clinic):
    draft = clinic.post(DRAFT)
    result = api("POST", f"/wp/v2/posts/{draft.wp_id}/autosaves", "contributor",
                 json={"title": "Campanha de inverno 2026", "content": "<p>Texto</p>"})
    assert result.status_code == 200
    assert result.json["id"] == draft.wp_id and result.json["parent"] == 0
    assert result.json["title"]["raw"] == "Campanha de inverno 2026"
    saved = reload(clinic, draft)
    assert (saved.title, saved.content, saved.status) == ("Campanha de inverno 2026", "<p>Texto</p>", "draft")
    with tenant_scope(clinic.id):
        assert Revision.select().where(Revision.post == draft.id).count() == 0


def test_someone_elses_draft_gets_an_autosave(api, clinic):
    draft = clinic.post(DRAFT)
    result = api("POST", f"/wp/v2/posts/{draft.wp_id}/autosaves", "editor", json={"title": "Sugestão do editor"})
    assert result.json["parent"] == draft.wp_id and result.json["id"] != draft.wp_id
    assert reload(clinic, draft).title == DRAFT


def test_pages_autosave_too(api, clinic):
    page = clinic.post("Sobre a clínica")
    result = api("POST", f"/wp/v2/pages/{page.wp_id}/autosaves", "editor", json={"content": "<p>Nova</p>"})
    assert result.status_code == 200 and result.json["parent"] == page.wp_id
    assert result.json["_links"]["parent"][0]["href"].endswith(f"/wp/v2/pages/{page.wp_id}")


@pytest.mark.parametrize("role,status", [(None, 401), ("subscriber", 403), ("contributor", 403)])
def test_autosaving_needs_edit_post(api, clinic, role, status):
    post = clinic.post(PUBLIC)
    result = api("POST", f"/wp/v2/posts/{post.wp_id}/autosaves", role, json={"title": "x"})
    assert (result.status_code, result.json["code"]) == (status, "rest_cannot_edit")
    listing = api("GET", f"/wp/v2/posts/{post.wp_id}/autosaves", role)
    assert (listing.status_code, listing.json["code"]) == (status, "rest_cannot_read")
    assert listing.json["message"] == "Sorry, you are not allowed to view autosaves of this post."
    assert autosaves(clinic, post) == []


def test_errors_of_missing_posts_and_autosaves(api, clinic):
    post = clinic.post(PUBLIC)
    assert api("POST", "/wp/v2/posts/999999/autosaves", "editor", json={"title": "x"}).json["code"] == \
        "rest_post_invalid_id"
    assert api("GET", "/wp/v2/posts/999999/autosaves", "editor").json["code"] == "rest_post_invalid_parent"
    none = api("GET", f"/wp/v2/posts/{post.wp_id}/autosaves/1", "editor")
    assert none.status_code == 404
    assert none.json == {"code": "rest_post_no_autosave", "message": "There is no autosave revision for this post.",
                         "data": {"status": 404}}
    hidden = clinic.post(RESTRICTED)
    assert api("POST", f"/wp/v2/posts/{hidden.wp_id}/autosaves", "author", json={"title": "x"}).status_code == 404
    bad = api("POST", f"/wp/v2/posts/{post.wp_id}/autosaves", "editor", json={"status": "bogus"})
    assert (bad.status_code, bad.json["code"]) == (400, "rest_invalid_param")


def test_autosaves_are_audited(api, clinic, audit_rows):
    post = clinic.post(PUBLIC)
    body = api("POST", f"/wp/v2/posts/{post.wp_id}/autosaves", "editor", json={"title": "Auditado"}).json
    [row] = [row for row in audit_rows(clinic.tenant, operation="create") if row.metadata["event"] == "autosave:create"]
    assert row.metadata["wp_id"] == body["id"] and row.user_id == clinic.users["editor"].id
    api("POST", f"/wp/v2/posts/{post.wp_id}/autosaves", "subscriber", json={"title": "x"})
    denied = [row for row in audit_rows(clinic.tenant, policy_decision="deny") if row.metadata["status"] == 403]
    assert denied and denied[-1].user_id == clinic.users["subscriber"].id
