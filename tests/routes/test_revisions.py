"""/wp/v2/{posts,pages}/{parent}/revisions: kept on update, listed, read, deleted; links; isolation; audit."""

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import Post, Revision

from conftest import count_rows
from wpcompat.wp_ids import next_wp_id

PUBLIC = "Como medir a pressão arterial em casa"          # by the author, public
RESTRICTED = "Protocolo interno de pré-eclâmpsia"         # by the editor, restricted
DRAFT = "Rascunho: campanha de inverno"                     # by the contributor
PAGE = "Sobre a clínica"


def update(api, post, role="administrator", **body):
    base = "pages" if post.post_type == "page" else "posts"
    result = api("POST", f"/wp/v2/{base}/{post.wp_id}", role, json=body)
    assert result.status_code == 200, result.json
    return result.json


def revisions_of(clinic, post):
    with tenant_scope(clinic.id):
        return list(Revision.select().where(Revision.post == post.id).order_by(Revision.wp_id))


def test_every_update_of_title_content_or_excerpt_keeps_the_new_state(api, clinic):
    post = clinic.post(PUBLIC)
    first = update(api, post, title="Pressão em casa", content="<p>Versão 2</p>")
    assert first["_links"]["version-history"][0]["count"] == 1
    second = update(api, post, "editor", excerpt="Resumo novo")
    rows = revisions_of(clinic, post)
    assert [(row.title, row.content, row.excerpt) for row in rows] == [
        ("Pressão em casa", "<p>Versão 2</p>", rows[0].excerpt), ("Pressão em casa", "<p>Versão 2</p>", "Resumo novo")]
    assert rows[0].author_id == clinic.users["administrator"].id and rows[1].author_id == clinic.users["editor"].id
    assert second["_links"]["version-history"] == [
        {"count": 2, "href": f"http://{clinic.host}/wp-json/wp/v2/posts/{post.wp_id}/revisions"}]
    assert second["_links"]["predecessor-version"] == [
        {"id": rows[1].wp_id,
         "href": f"http://{clinic.host}/wp-json/wp/v2/posts/{post.wp_id}/revisions/{rows[1].wp_id}"}]
    with tenant_scope(clinic.id):
        assert Post.get_by_id(post.id).version == 3          # the original and two revisions


def test_an_update_that_changes_nothing_versioned_keeps_no_new_revision(api, clinic):
    post = clinic.post(PUBLIC)
    update(api, post, title="Uma vez")
    update(api, post, title="Uma vez", comment_status="closed")
    update(api, post, content=post.content + "\n\n")       # only whitespace differs
    assert len(revisions_of(clinic, post)) == 1


def test_revision_ids_share_the_post_id_space(api, clinic):
    post = clinic.post(PUBLIC)
    update(api, post, title="Nova")
    revision = revisions_of(clinic, post)[0]
    with tenant_scope(clinic.id):
        assert not Post.select().where(Post.wp_id == revision.wp_id).exists()
    assert api("GET", f"/wp/v2/posts/{revision.wp_id}").json["code"] == "rest_post_invalid_id"
    created = api("POST", "/wp/v2/posts", "administrator", json={"title": "Depois"}).json
    assert created["id"] > revision.wp_id


def test_list_and_single_as_wordpress_answers_them(api, clinic):
    post = clinic.post(PUBLIC)
    update(api, post, title="Primeira")
    update(api, post, title="Segunda")
    result = api("GET", f"/wp/v2/posts/{post.wp_id}/revisions", "editor")
    assert result.status_code == 200
    assert result.headers["X-WP-Total"] == "2" and result.headers["X-WP-TotalPages"] == "1"
    items = result.json
    assert [item["title"]["rendered"] for item in items] == ["Segunda", "Primeira"]        # newest first
    item = items[0]
    assert list(item) == ["author", "date", "date_gmt", "id", "modified", "modified_gmt", "parent", "slug",
                          "guid", "title", "content", "excerpt", "meta", "_links"]
    assert item["parent"] == post.wp_id and item["slug"] == f"{post.wp_id}-revision-v1"
    assert item["author"] == clinic.users["administrator"].wp_id
    assert "raw" not in item["title"]
    assert item["_links"] == {"parent": [{"href": f"http://{clinic.host}/wp-json/wp/v2/posts/{post.wp_id}"}]}
    single = api("GET", f"/wp/v2/posts/{post.wp_id}/revisions/{item['id']}", "editor",
                 params={"context": "edit"}).json
    assert single["title"] == {"raw": "Segunda", "rendered": "Segunda"}
    assert single["content"]["raw"] == post.content


def test_collection_arguments(api, clinic):
    post = clinic.post(PUBLIC)
    for title in ("Um", "Dois", "Três"):
        update(api, post, title=title)
    path = f"/wp/v2/posts/{post.wp_id}/revisions"
    page = api("GET", path, "editor", params={"per_page": 2, "page": 2})
    assert [item["title"]["rendered"] for item in page.json] == ["Um"]
    assert page.headers["X-WP-TotalPages"] == "2" and 'rel="prev"' in page.headers["Link"]
    ascending = api("GET", path, "editor", params={"order": "asc", "orderby": "id"}).json
    assert [item["title"]["rendered"] for item in ascending] == ["Um", "Dois", "Três"]
    ids = [item["id"] for item in ascending]
    assert [item["id"] for item in api("GET", path, "editor", params={"include": ids[1]}).json] == [ids[1]]
    assert len(api("GET", path, "editor", params={"exclude": ids[0]}).json) == 2
    assert [item["id"] for item in api("GET", path, "editor", params={"search": "Dois"}).json] == [ids[1]]
    assert [item["id"] for item in api("GET", path, "editor", params={"_fields": "id"}).json] == ids[::-1]
    too_far = api("GET", path, "editor", params={"per_page": 2, "page": 3})
    assert (too_far.status_code, too_far.json["code"]) == (400, "rest_revision_invalid_page_number")
    offset = api("GET", path, "editor", params={"offset": 3})
    assert (offset.status_code, offset.json["code"]) == (400, "rest_revision_invalid_offset_number")
    bad = api("GET", path, "editor", params={"orderby": "include"})
    assert bad.json["code"] == "rest_orderby_include_missing_include"
    assert api("GET", path, "editor", params={"orderby": "author"}).json["code"] == "rest_invalid_param"


@pytest.mark.parametrize("role,status", [(None, 401), ("subscriber", 403), ("contributor", 403)])
def test_reading_revisions_needs_edit_post_on_the_parent(api, clinic, role, status, audit_rows):
    post = clinic.post(PUBLIC)
    update(api, post, title="Nova")
    result = api("GET", f"/wp/v2/posts/{post.wp_id}/revisions", role)
    assert (result.status_code, result.json["code"]) == (status, "rest_cannot_read")
    assert result.json["message"] == "Sorry, you are not allowed to view revisions of this post."
    assert audit_rows(clinic.tenant, policy_decision="deny")[-1].metadata["status"] == status


def test_the_author_reads_the_revisions_of_their_own_post(api, clinic):
    post = clinic.post(PUBLIC)
    update(api, post, title="Nova")
    assert len(api("GET", f"/wp/v2/posts/{post.wp_id}/revisions", "author").json) == 1


@pytest.mark.parametrize("path", ["/wp/v2/posts/999999/revisions", "/wp/v2/pages/{post}/revisions",
                                  "/wp/v2/posts/{page}/revisions", "/wp/v2/posts/{restricted}/revisions"])
def test_a_parent_that_does_not_exist_for_the_caller_is_invalid(api, clinic, path):
    ids = {"post": clinic.post(PUBLIC).wp_id, "page": clinic.post(PAGE).wp_id,
           "restricted": clinic.post(RESTRICTED).wp_id}
    result = api("GET", path.format(**ids), "author")
    assert result.status_code == 404
    assert result.json == {"code": "rest_post_invalid_parent", "message": "Invalid post parent ID.",
                           "data": {"status": 404}}


def test_revision_ids_that_are_not_revisions_or_of_another_parent(api, clinic):
    post, other = clinic.post(PUBLIC), clinic.post("Café e coração: mitos e verdades")
    update(api, post, title="Nova")
    update(api, other, title="Outra")
    revision = revisions_of(clinic, other)[0]
    missing = api("GET", f"/wp/v2/posts/{post.wp_id}/revisions/{other.wp_id}", "editor")
    assert (missing.status_code, missing.json["code"], missing.json["message"]) == \
        (404, "rest_post_invalid_id", "Invalid revision ID.")
    mismatch = api("GET", f"/wp/v2/posts/{post.wp_id}/revisions/{revision.wp_id}", "editor")
    assert (mismatch.status_code, mismatch.json["code"]) == (404, "rest_revision_parent_id_mismatch")
    deleting = api("DELETE", f"/wp/v2/posts/{post.wp_id}/revisions/{revision.wp_id}", "editor",
                   params={"force": "true"})
    assert deleting.json["code"] == "rest_revision_parent_id_mismatch"
    assert len(revisions_of(clinic, other)) == 1


def test_delete_needs_force_and_delete_post(api, clinic, audit_rows):
    post = clinic.post(PUBLIC)
    update(api, post, title="Um")
    update(api, post, title="Dois")
    revision = revisions_of(clinic, post)[0]
    path = f"/wp/v2/posts/{post.wp_id}/revisions/{revision.wp_id}"
    no_force = api("DELETE", path, "editor")
    assert no_force.status_code == 501
    assert no_force.json == {"code": "rest_trash_not_supported",
                             "message": "Revisions do not support trashing. Set 'force=true' to delete.",
                             "data": {"status": 501}}
    denied = api("DELETE", path, "contributor", params={"force": "true"})
    assert (denied.status_code, denied.json["code"]) == (403, "rest_cannot_delete")
    assert len(revisions_of(clinic, post)) == 2
    deleted = api("DELETE", path, "editor", json={"force": True})
    assert deleted.status_code == 200
    assert deleted.json["deleted"] is True and deleted.json["previous"]["id"] == revision.wp_id
    assert deleted.json["previous"]["title"]["rendered"] == "Um"
    assert [row.wp_id for row in revisions_of(clinic, post)] != [revision.wp_id]
    assert len(revisions_of(clinic, post)) == 1
    with tenant_scope(clinic.id):
        assert Post.get_by_id(post.id).version == 2
    [row] = [row for row in audit_rows(clinic.tenant, operation="delete", policy_decision="allow")
             if row.metadata["event"] == "revision:delete"]
    assert row.resource_id == revision.id and row.user_id == clinic.users["editor"].id


def test_pages_keep_revisions_too(api, clinic):
    page = clinic.post(PAGE)
    result = update(api, page, content="<p>Nova página</p>")
    assert result["_links"]["version-history"][0]["count"] == 1
    items = api("GET", f"/wp/v2/pages/{page.wp_id}/revisions", "editor").json
    assert [item["content"]["rendered"].strip() for item in items] == ["<p>Nova página</p>"]


def test_restore_by_update_keeps_a_revision_of_the_restored_state(api, clinic):
    post = clinic.post(PUBLIC)
    update(api, post, title="Versão A", content="<p>A</p>")
    update(api, post, title="Versão B", content="<p>B</p>")
    old = api("GET", f"/wp/v2/posts/{post.wp_id}/revisions", "editor", params={"context": "edit"}).json[-1]
    restored = update(api, post, "editor", title=old["title"]["raw"], content=old["content"]["raw"],
                      excerpt=old["excerpt"]["raw"])
    assert restored["title"]["raw"] == "Versão A" and restored["content"]["raw"] == "<p>A</p>"
    assert restored["_links"]["version-history"][0]["count"] == 3


def test_deleting_the_post_deletes_its_revisions(api, clinic):
    post = clinic.post(PUBLIC)
    update(api, post, title="Nova")
    assert api("DELETE", f"/wp/v2/posts/{post.wp_id}", "administrator", params={"force": "true"}).status_code == 200
    assert revisions_of(clinic, post) == []


def test_another_tenants_revisions_do_not_exist(api, clinic, site_b):
    post = clinic.post(PUBLIC)
    update(api, post, title="Só nossa")
    with tenant_scope(site_b.id):                # ids are per tenant: b's numbers may name our rows
        foreign = Revision.create(post=site_b.post.id, wp_id=next_wp_id("post"), title="Secret revision of b",
                                  content="", excerpt="")
    ours = {row.wp_id for row in revisions_of(clinic, post)}
    for parent in (post.wp_id, site_b.post.wp_id):
        for path in (f"/wp/v2/posts/{parent}/revisions", f"/wp/v2/posts/{parent}/autosaves",
                     f"/wp/v2/posts/{parent}/revisions/{foreign.wp_id}"):
            result = api("GET", path, "administrator")
            assert "Secret" not in result.text
            if path.endswith(f"/{foreign.wp_id}") and foreign.wp_id not in ours:
                assert result.status_code == 404
        deleted = api("DELETE", f"/wp/v2/posts/{parent}/revisions/{foreign.wp_id}", "administrator",
                      params={"force": "true"})
        assert deleted.status_code == 404 or foreign.wp_id in ours
    assert count_rows(site_b, Revision) == 1 and count_rows(clinic.tenant, Revision) == 1


def test_reads_are_audited_with_the_ids_returned(api, clinic, audit_rows):
    post = clinic.post(PUBLIC)
    update(api, post, title="Nova")
    revision = revisions_of(clinic, post)[0]
    api("GET", f"/wp/v2/posts/{post.wp_id}/revisions", "editor")
    api("GET", f"/wp/v2/posts/{post.wp_id}/revisions/{revision.wp_id}", "editor")
    events = {row.metadata["event"]: row for row in audit_rows(clinic.tenant, operation="read")}
    assert events["revision:list"].metadata["ids"] == [revision.wp_id]
    assert events["revision:list"].resource_id == post.id
    assert events["revision:read"].resource_id == revision.id
