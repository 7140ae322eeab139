"""XML-RPC on posts and pages (wp.*, metaWeblog.*, blogger.*, mt.*) through the whole app, on both engines."""

import datetime

import pytest

from clinic import make_clinic
from conftest import count_rows
from wpcompat.db import tenant_scope
from wpcompat.models import CustomField, Post, PostTerm, Term
from wpcompat.wp_ids import next_wp_id
from wpcompat.workflow.state import XMLRPC_KEYS

from .helpers import Rpc, creds, fresh_login_counters, rpc  # noqa: F401

POST_MEMBERS = ["post_id", "post_title", "post_date", "post_date_gmt", "post_modified", "post_modified_gmt",
                "post_status", "post_type", "post_name", "post_author", "post_password", "post_excerpt",
                "post_content", "post_parent", "post_mime_type", "link", "guid", "menu_order", "comment_status",
                "ping_status", "sticky", "post_thumbnail", "post_format", "terms", "custom_fields"]
TERM_MEMBERS = ["term_id", "name", "slug", "term_group", "term_taxonomy_id", "taxonomy", "description", "parent",
                "count", "filter", "custom_fields"]


@pytest.fixture
def clinic(engine):
    return make_clinic(engine, "xmlrpc")


def wp_id(clinic, title):
    return clinic.post(title).wp_id


# --- reading --------------------------------------------------------------------------------------

def test_get_posts_answers_wordpress_structs_for_what_the_admin_may_edit(rpc, creds):
    posts = rpc.call("wp.getPosts", *creds("administrator"))
    assert len(posts) == 9                                  # every status but trash, newest first
    first = posts[0]
    assert list(first) == POST_MEMBERS
    assert first["post_title"] == "Mutirão de vacinação no próximo mês"
    assert first["post_status"] == "publish"                # future is reported as publish
    assert isinstance(first["post_id"], str) and isinstance(first["post_author"], str)
    assert isinstance(first["post_date"], datetime.datetime) and isinstance(first["sticky"], bool)
    assert isinstance(first["menu_order"], int) and first["post_thumbnail"] == []
    assert list(first["terms"][0]) == TERM_MEMBERS and isinstance(first["terms"][0]["count"], int)
    assert {"Relato de caso: paciente com crise hipertensiva"} <= {post["post_title"] for post in posts}
    assert rpc.last.headers["Content-Type"] == "text/xml; charset=UTF-8" and rpc.last.status_code == 200


def test_get_posts_skips_what_the_author_may_not_edit_and_filters(rpc, creds, clinic):
    titles = {post["post_title"] for post in rpc.call("wp.getPosts", *creds("author"), {}, ["post_title"])}
    assert titles == {"Como medir a pressão arterial em casa", "Novas diretrizes de hipertensão: o que muda na prática",
                      "Café e coração: mitos e verdades"}
    found = rpc.call("wp.getPosts", *creds("editor"), {"s": "vacinação", "post_status": "publish", "number": 5},
                     ["post_title"])
    assert found == [{"post_id": str(wp_id(clinic, "Calendário de vacinação infantil 2026")),
                      "post_title": "Calendário de vacinação infantil 2026"}]
    ordered = rpc.call("wp.getPosts", *creds("editor"), {"orderby": "title", "order": "ASC", "number": 2},
                       ["post_title"])
    assert [post["post_title"] for post in ordered] == ["Café e coração: mitos e verdades",
                                                        "Calendário de vacinação infantil 2026"]


def test_role_and_visibility_faults(rpc, creds, clinic):
    assert rpc.fault("wp.getPosts", *creds("subscriber")) == (
        401, "Sorry, you are not allowed to edit posts in this post type.")
    restricted = wp_id(clinic, "Protocolo interno de pré-eclâmpsia")
    assert rpc.call("wp.getPost", *creds("editor"), restricted, ["post_title"])["post_title"].startswith("Protocolo")
    # healthcare rules: content the author may not see does not exist for them
    assert rpc.fault("wp.getPost", *creds("author"), restricted) == (404, "Invalid post ID.")
    editors = wp_id(clinic, "Calendário de vacinação infantil 2026")
    assert rpc.fault("wp.getPost", *creds("author"), editors) == (401, "Sorry, you are not allowed to edit this post.")
    assert rpc.fault("wp.getPost", *creds("administrator"), 999999) == (404, "Invalid post ID.")
    assert rpc.fault("wp.getPost", *creds("administrator")[:2]) == (
        400, "Insufficient arguments passed to this XML-RPC method.")
    assert rpc.fault("wp.getPosts", *creds("administrator"), {"post_type": "nope"}) == (403, "Invalid post type.")


def test_another_tenants_posts_and_users_do_not_exist_here(rpc, creds, clinic, site_b, client):
    with tenant_scope(site_b.id):
        foreign = Post.create(title="Foreign", slug="foreign", status="publish", author=site_b.admin.id,
                              wp_id=900000 + next_wp_id("post"), compliance_level="public")
    assert rpc.fault("wp.getPost", *creds("administrator"), foreign.wp_id) == (404, "Invalid post ID.")
    assert rpc.fault("wp.deletePost", *creds("administrator"), foreign.wp_id) == (404, "Invalid post ID.")
    other = Rpc(client, site_b.host)
    assert other.fault("wp.getPosts", *creds("administrator")) == (403, "Incorrect username or password.")
    mine = other.call("wp.getPost", 1, site_b.admin.login, site_b.admin_password, foreign.wp_id, ["post_title"])
    assert mine == {"post_id": str(foreign.wp_id), "post_title": "Foreign"}


def test_custom_fields_hide_protected_and_phi_values(rpc, creds, clinic):
    post = clinic.post("Como medir a pressão arterial em casa")
    with tenant_scope(clinic.id):
        CustomField.create(post=post.id, meta_key="_internal", meta_value="hidden")
        CustomField.create(post=post.id, meta_key="patient_ref", meta_value="P-17", is_phi=True)
        CustomField.create(post=post.id, meta_key="related_link", meta_value='["https://a.test", "https://b.test"]',
                           meta_type="multiple")
    editor = rpc.call("wp.getPost", *creds("editor"), post.wp_id, ["custom_fields"])["custom_fields"]
    editor = [field for field in editor if field["key"] not in XMLRPC_KEYS]     # the workflow's (tests/workflow)
    assert [(field["key"], field["value"]) for field in editor] == [
        ("evidence_level", "1"), ("peer_reviewed", "true"), ("related_link", "https://a.test"),
        ("related_link", "https://b.test")]
    assert all(isinstance(field["id"], str) and field["id"].isdigit() for field in editor)
    admin = rpc.call("wp.getPost", *creds("administrator"), post.wp_id, ["custom_fields"])["custom_fields"]
    assert ("patient_ref", "P-17") in [(field["key"], field["value"]) for field in admin]


# --- writing --------------------------------------------------------------------------------------

def test_new_edit_delete_post_with_terms_and_custom_fields(rpc, creds, clinic):
    admin = creds("administrator")
    cardiology = clinic.term("Cardiologia").wp_id
    new_id = rpc.call("wp.newPost", *admin, {
        "post_title": "Criado via XML-RPC", "post_content": "<p>Corpo</p>", "post_status": "publish",
        "post_excerpt": "resumo", "post_date": datetime.datetime(2024, 3, 5, 10, 0), "sticky": True,
        "terms": {"category": [cardiology]}, "terms_names": {"post_tag": ["café", "tag nova"]},
        "custom_fields": [{"key": "color", "value": "red"}, {"key": "color", "value": "blue"},
                          {"key": "_secret", "value": "no"}]})
    assert isinstance(new_id, str)
    post = rpc.call("wp.getPost", *admin, int(new_id))
    assert post["post_title"] == "Criado via XML-RPC" and post["post_status"] == "publish" and post["sticky"] is True
    assert post["post_date"] == datetime.datetime(2024, 3, 5, 10, 0)       # site-local (São Paulo)
    assert post["post_date_gmt"] == datetime.datetime(2024, 3, 5, 13, 0)
    assert sorted((term["taxonomy"], term["name"]) for term in post["terms"]) == [
        ("category", "Cardiologia"), ("post_tag", "café"), ("post_tag", "tag nova")]
    fields = post["custom_fields"]
    assert [(field["key"], field["value"]) for field in fields] == [("color", "red"), ("color", "blue")]
    with tenant_scope(clinic.id):
        row = CustomField.get(CustomField.meta_key == "color")
        assert row.meta_type == "multiple"
        assert not CustomField.select().where(CustomField.meta_key == "_secret").exists()
    assert rpc.call("wp.editPost", *admin, int(new_id), {
        "post_title": "Editado", "post_status": "draft", "terms": {"post_tag": []},
        "custom_fields": [{"id": fields[0]["id"], "key": "color", "value": "green"}, {"id": fields[1]["id"]}]}) is True
    post = rpc.call("wp.getPost", *admin, int(new_id))
    assert (post["post_title"], post["post_status"]) == ("Editado", "draft")
    assert [term["name"] for term in post["terms"]] == ["Cardiologia"]
    assert [(field["key"], field["value"]) for field in post["custom_fields"]] == [("color", "green")]
    assert rpc.call("wp.deletePost", *admin, int(new_id)) is True
    assert rpc.call("wp.getPost", *admin, int(new_id), ["post_status"]) == {"post_id": new_id, "post_status": "trash"}
    assert rpc.call("wp.deletePost", *admin, int(new_id)) is True                   # from the trash: for good
    assert rpc.fault("wp.deletePost", *admin, int(new_id)) == (404, "Invalid post ID.")


def test_html_from_writers_without_unfiltered_html_is_filtered_as_over_rest(rpc, creds):
    hostile = '<p onclick="x()">Dose</p><script>steal()</script><img src="x.png" onerror="x()">'
    by_author = rpc.call("wp.newPost", *creds("author"), {"post_title": "<i>Dose</i><img src=x>",
                                                          "post_content": hostile, "post_excerpt": hostile})
    post = rpc.call("wp.getPost", *creds("author"), int(by_author), ["post_title", "post_content", "post_excerpt"])
    assert post["post_title"] == "<i>Dose</i>"
    assert post["post_content"] == post["post_excerpt"] == '<p>Dose</p>steal()<img src="x.png">'
    mw_id = rpc.call("metaWeblog.newPost", *creds("author"), {"title": "MW", "description": hostile}, False)
    mw_post = rpc.call("metaWeblog.getPost", mw_id, *creds("author")[1:])
    assert mw_post["description"] == '<p>Dose</p>steal()<img src="x.png">'
    by_editor = rpc.call("wp.newPost", *creds("editor"), {"post_title": "Dose", "post_content": hostile})
    assert rpc.call("wp.getPost", *creds("editor"), int(by_editor), ["post_content"])["post_content"] == hostile


def test_publishing_rules_and_failed_writes_change_nothing(rpc, creds, clinic):
    before = count_rows(clinic, Post)
    assert rpc.fault("wp.newPost", *creds("contributor"), {"post_title": "x", "post_status": "publish"}) == (
        401, "Sorry, you are not allowed to publish posts in this post type.")
    assert rpc.fault("wp.newPost", *creds("subscriber"), {"post_title": "x"}) == (
        401, "Sorry, you are not allowed to post on this site.")
    assert rpc.fault("wp.newPost", *creds("editor"), {"post_title": "x", "terms": {"category": [987654]}}) == (
        403, "Invalid term ID.")
    assert rpc.fault("wp.newPost", *creds("editor"), {"post_title": "x", "terms_names": {"post_tag": ["nova"]},
                                                      "terms": {"nope": [1]}}) == (
        401, "Sorry, one of the given taxonomies is not supported by the post type.")
    assert rpc.fault("wp.newPost", *creds("author"), {"post_title": "x", "sticky": True}) == (
        401, "Sorry, you are not allowed to make posts sticky.")
    assert rpc.fault("wp.newPost", *creds("editor"), {"post_type": "nope"}) == (403, "Invalid post type.")
    assert rpc.fault("wp.editPost", *creds("editor"), 999999, {"post_title": "x"}) == (404, "Invalid post ID.")
    assert count_rows(clinic, Post) == before
    with tenant_scope(clinic.id):
        assert not Term.select().where(Term.name == "nova").exists()
    draft = rpc.call("wp.newPost", *creds("contributor"), {"post_title": "Rascunho"})
    assert rpc.call("wp.getPost", *creds("contributor"), int(draft), ["post_status"])["post_status"] == "draft"


def test_pages_through_wp_page_methods(rpc, creds, clinic):
    editor = creds("editor")
    parent = wp_id(clinic, "Especialidades")
    page_id = rpc.call("wp.newPage", *editor, {"title": "Nova página", "description": "Texto<!--more-->Mais",
                                               "wp_page_parent_id": parent, "wp_page_order": 7}, True)
    page = rpc.call("wp.getPage", 1, int(page_id), *editor[1:])
    assert (page["page_id"], page["page_status"], page["title"]) == (int(page_id), "publish", "Nova página")
    assert (page["description"], page["text_more"]) == ("Texto", "Mais")
    assert (page["wp_page_parent_id"], page["wp_page_parent_title"], page["wp_page_order"]) == (
        parent, "Especialidades", 7)
    assert page["link"].endswith("/especialidades/nova-pagina/") and page["wp_page_template"] == "default"
    assert rpc.call("wp.editPage", 1, int(page_id), *editor[1:], {"title": "Renomeada"}, False) is True
    assert rpc.call("wp.getPage", 1, int(page_id), *editor[1:])["page_status"] == "draft"
    listed = rpc.call("wp.getPageList", *editor)
    assert list(listed[0]) == ["page_id", "page_title", "page_parent_id", "dateCreated", "date_created_gmt"]
    assert str(page_id) in [item["page_id"] for item in listed]
    assert any(item["title"] == "Renomeada" for item in rpc.call("wp.getPages", *editor, 50))
    post = wp_id(clinic, "Calendário de vacinação infantil 2026")
    assert rpc.fault("wp.getPage", 1, post, *editor[1:]) == (404, "Sorry, no such page.")
    assert rpc.fault("wp.deletePage", *editor, post) == (404, "Sorry, no such page.")
    assert rpc.fault("wp.getPages", *creds("author")) == (401, "Sorry, you are not allowed to edit pages.")
    assert rpc.call("wp.deletePage", *editor, int(page_id)) is True
    assert rpc.call("wp.getPost", *creds("editor"), int(page_id), ["post_status"])["post_status"] == "trash"


def test_metaweblog_blogger_and_mt_methods(rpc, creds, clinic):
    admin = creds("administrator")
    post_id = rpc.call("metaWeblog.newPost", *admin, {
        "title": "metaWeblog post", "description": "<p>corpo</p>", "categories": ["Pediatria", "Desconhecida"],
        "mt_keywords": "café, nova-tag-mw", "mt_excerpt": "resumo mw",
        "dateCreated": datetime.datetime(2024, 3, 6, 11, 0)}, True)
    mw = rpc.call("metaWeblog.getPost", int(post_id), *admin[1:])
    assert mw["postid"] == int(post_id) and mw["userid"] == str(clinic.users["administrator"].wp_id)
    assert (mw["categories"], mw["mt_keywords"], mw["post_status"]) == (["Pediatria"], "café, nova-tag-mw", "publish")
    assert mw["dateCreated"] == datetime.datetime(2024, 3, 6, 11, 0) and mw["wp_post_thumbnail"] == 0
    # without the publish flag and without mt_keywords: a draft without tags, categories kept
    assert rpc.call("metaWeblog.editPost", int(post_id), *admin[1:], {"title": "editado"}) is True
    mw = rpc.call("metaWeblog.getPost", int(post_id), *admin[1:])
    assert (mw["title"], mw["post_status"], mw["mt_keywords"], mw["categories"]) == (
        "editado", "draft", "", ["Pediatria"])
    recent = rpc.call("metaWeblog.getRecentPosts", *admin, 50)
    mine = next(item for item in recent if item["postid"] == post_id)        # postid: a string here
    assert list(mine)[-3:] == ["date_modified_gmt", "sticky", "wp_post_thumbnail"]
    news = clinic.term("Notícias").wp_id
    assert rpc.call("mt.setPostCategories", int(post_id), *admin[1:], [{"categoryId": str(news)}]) is True
    assert rpc.call("mt.getPostCategories", int(post_id), *admin[1:]) == [
        {"categoryName": "Notícias", "categoryId": str(news), "isPrimary": True}]
    assert rpc.call("mt.publishPost", int(post_id), *admin[1:]) == int(post_id)
    blogger = rpc.call("blogger.getPost", "appkey", int(post_id), *admin[1:])
    assert blogger["content"].startswith(f"<title>editado</title><category>{news}</category>")
    new_id = rpc.call("blogger.newPost", "k", 1, *admin[1:], "<title>Blogger</title><category>"
                      f"{news}</category>Olá", True)
    assert isinstance(new_id, int)
    assert rpc.call("blogger.editPost", "k", new_id, *admin[1:], "<title>Blogger 2</title>Tchau", False) is True
    assert rpc.call("wp.getPost", *admin, new_id, ["post_title", "post_status", "post_content"]) == {
        "post_id": str(new_id), "post_title": "Blogger 2", "post_status": "draft", "post_content": "Tchau"}
    assert rpc.call("blogger.deletePost", "k", new_id, *admin[1:]) is True
    page = wp_id(clinic, "Contato")
    assert rpc.fault("blogger.deletePost", "k", page, *admin[1:]) == (404, "Sorry, no such post.")
    assert rpc.call("mt.getTrackbackPings", int(post_id)) == []


def test_every_call_is_audited_and_faults_roll_back(rpc, creds, clinic, audit_rows):
    post = clinic.post("Como medir a pressão arterial em casa")
    rpc.call("wp.getPost", *creds("editor"), post.wp_id, ["post_title"])
    row = audit_rows(clinic, resource_id=post.id)[-1]
    assert row.metadata["event"] == "xmlrpc:wp.getPost" and row.policy_decision == "allow"
    assert row.user_id == clinic.users["editor"].id
    before = count_rows(clinic, PostTerm)
    rpc.fault("wp.newPost", *creds("editor"), {"post_title": "x", "terms_names": {"post_tag": ["rollback-tag"]},
                                               "terms": {"category": [424242]}})
    denied = [row for row in audit_rows(clinic) if row.metadata.get("event") == "xmlrpc:wp.newPost"]
    assert denied[-1].policy_decision == "deny" and denied[-1].metadata["fault_code"] == 403
    assert count_rows(clinic, PostTerm) == before
