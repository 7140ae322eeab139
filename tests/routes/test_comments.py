"""/wp/v2/comments through the whole app, on both engines: WordPress's fields, arguments, rules and
error codes, the healthcare rules (comments on posts a user may not see do not exist, PHI-flagged
comments only for PHI readers), tenant isolation and audit rows."""

import datetime

import pytest

from conftest import count_rows, make_site
from wpcompat.db import tenant_scope
from wpcompat.models import AuditTrail, Comment
from wpcompat.wp_ids import next_wp_id

PUBLIC = "Como medir a pressão arterial em casa"           # public, by the author
OTHER_PUBLIC = "Café e coração: mitos e verdades"           # public, by the author
PROFESSIONAL = "Novas diretrizes de hipertensão: o que muda na prática"
RESTRICTED = "Protocolo interno de pré-eclâmpsia"           # by the editor
PHI_POST = "Relato de caso: paciente com crise hipertensiva"  # private, phi, by the admin
DRAFT = "Rascunho: campanha de inverno"
TRASHED = "Post antigo removido"
PAGE = "Sobre a clínica"                                      # comments closed
VIEW_FIELDS = ["id", "post", "parent", "author", "author_name", "author_url", "date", "date_gmt", "content",
               "link", "status", "type", "author_avatar_urls", "meta", "_links"]
EDIT_FIELDS = ["id", "post", "parent", "author", "author_name", "author_email", "author_url", "author_ip",
               "author_user_agent", "date", "date_gmt", "content", "link", "status", "type", "author_avatar_urls",
               "meta", "_links"]
EMBED_FIELDS = ["id", "parent", "author", "author_name", "author_url", "date", "content", "link", "type",
                "author_avatar_urls", "_links"]
PHI_TEXT = "A paciente Maria Aparecida da Silva, 45 anos, CPF 529.982.247-25, teve alta ontem."


def seed(clinic, title, content, status="approved", user=None, parent=None, minutes=0, **fields):
    """A comment row written as an import would (not through the API)."""
    post = clinic.post(title)
    when = datetime.datetime(2026, 3, 1, 12, 0) + datetime.timedelta(minutes=minutes)
    with tenant_scope(clinic.id):
        comment = Comment.create(
            wp_id=next_wp_id("comment"), post=post.id, parent=parent.id if parent else None,
            user=clinic.users[user].id if user else None, status=status,
            author_name=clinic.users[user].display_name if user else "Visitante",
            author_email=clinic.users[user].email if user else "visitante@example.org",
            author_url="https://example.org", author_ip="203.0.113.9", user_agent="Mozilla/5.0 test",
            content=content, date_local=when - datetime.timedelta(hours=3), date_gmt=when, **fields)
    return comment


@pytest.fixture
def thread(clinic):
    """Approved, held and spam comments on public posts, a reply, and comments on hidden posts."""
    first = seed(clinic, PUBLIC, "Ótimo post! ☕", minutes=1)
    reply = seed(clinic, PUBLIC, "Obrigado, \"João\".", user="author", parent=first, minutes=2)
    held = seed(clinic, PUBLIC, "Aguardando moderação.", status="hold", minutes=3)
    spam = seed(clinic, PUBLIC, "Compre agora!", status="spam", minutes=4)
    other = seed(clinic, OTHER_PUBLIC, "Café faz bem?", minutes=5)
    restricted = seed(clinic, RESTRICTED, "Comentário interno.", user="editor", minutes=6)
    phi_post = seed(clinic, PHI_POST, "Evolução do caso.", user="administrator", minutes=7)
    return {"first": first, "reply": reply, "held": held, "spam": spam, "other": other,
            "restricted": restricted, "phi_post": phi_post}


def ids(result):
    return [item["id"] for item in result.json]


# --- reading ------------------------------------------------------------------------------------

def test_anonymous_list_shows_approved_comments_on_public_posts_newest_first(api, thread, clinic):
    result = api("GET", "/wp/v2/comments")
    assert result.status_code == 200
    assert ids(result) == [thread[key].wp_id for key in ("other", "reply", "first")]
    assert result.headers["X-WP-Total"] == "3" and result.headers["X-WP-TotalPages"] == "1"
    assert result.headers["Allow"] == "GET"
    item = result.json[1]
    assert list(item) == VIEW_FIELDS
    post = clinic.post(PUBLIC)
    assert item["post"] == post.wp_id and item["parent"] == thread["first"].wp_id
    assert item["author"] == clinic.users["author"].wp_id and item["author_name"] == "Álvaro Autor"
    assert item["content"] == {"rendered": "<p>Obrigado, &#8220;João&#8221;.</p>\n"}
    assert item["date_gmt"] == "2026-03-01T12:02:00" and item["date"] == "2026-03-01T09:02:00"
    assert item["status"] == "approved" and item["type"] == "comment" and item["meta"] == []
    assert item["link"] == f"http://{clinic.host}/{post.slug}/#comment-{thread['reply'].wp_id}"
    assert set(item["author_avatar_urls"]) == {"24", "48", "96"}
    links = item["_links"]
    assert links["up"] == [{"embeddable": True, "post_type": "post",
                            "href": f"http://{clinic.host}/wp-json/wp/v2/posts/{post.wp_id}"}]
    assert links["in-reply-to"][0]["href"].endswith(f"/wp/v2/comments/{thread['first'].wp_id}")
    assert links["author"][0]["href"].endswith(f"/wp/v2/users/{clinic.users['author'].wp_id}")
    first = result.json[2]["_links"]
    assert "author" not in first and "in-reply-to" not in first
    assert first["children"] == [{"embeddable": True, "href": f"http://{clinic.host}/wp-json/wp/v2/comments?"
                                                               f"parent={thread['first'].wp_id}"}]


def test_comments_on_posts_a_user_may_not_see_do_not_exist(api, thread, clinic):
    editor = api("GET", "/wp/v2/comments", role="editor", params={"per_page": 100})
    assert thread["restricted"].wp_id in ids(editor) and thread["phi_post"].wp_id not in ids(editor)
    admin = api("GET", "/wp/v2/comments", role="administrator")
    assert thread["phi_post"].wp_id in ids(admin)
    assert admin.headers["X-WP-Total"] == "5"
    for role in (None, "subscriber"):
        listed = api("GET", "/wp/v2/comments", role=role)
        assert thread["restricted"].wp_id not in ids(listed) and listed.headers["X-WP-Total"] == "3"
        single = api("GET", f"/wp/v2/comments/{thread['restricted'].wp_id}", role=role)
        assert (single.status_code, single.json["code"]) == (404, "rest_comment_invalid_id")
        by_post = api("GET", "/wp/v2/comments", role=role, params={"post": clinic.post(RESTRICTED).wp_id})
        assert by_post.status_code == 200 and by_post.json == [] and by_post.headers["X-WP-Total"] == "0"
    hidden = api("GET", f"/wp/v2/comments/{thread['phi_post'].wp_id}", role="editor")
    assert hidden.status_code == 404


def test_status_and_authorization_arguments_need_edit_posts(api, thread):
    anonymous = api("GET", "/wp/v2/comments", params={"status": "hold"})
    assert anonymous.status_code == 401
    assert anonymous.json == {"code": "rest_forbidden_param", "message": "Query parameter not permitted: status",
                              "data": {"status": 401}}
    subscriber = api("GET", "/wp/v2/comments", role="subscriber", params={"author_email": "a@b.co", "type": "x"})
    assert subscriber.status_code == 403
    assert subscriber.json["message"] == "Query parameter not permitted: author_email, type"
    held = api("GET", "/wp/v2/comments", role="editor", params={"status": "hold", "context": "edit"})
    assert ids(held) == [thread["held"].wp_id]
    assert list(held.json[0]) == EDIT_FIELDS
    assert held.json[0]["author_email"] == "visitante@example.org" and held.json[0]["author_ip"] == "203.0.113.9"
    assert held.json[0]["content"]["raw"] == "Aguardando moderação."
    spam = api("GET", "/wp/v2/comments", role="editor", params={"status": "spam"})
    assert ids(spam) == [thread["spam"].wp_id]
    author = api("GET", "/wp/v2/comments", role="author", params={"status": "all"})   # their own post's
    assert set(ids(author)) == {thread[key].wp_id for key in ("first", "reply", "held", "other")}


def test_edit_context_is_for_moderators_and_is_audited_as_phi_access(api, thread, clinic, audit_rows):
    for role, status in ((None, 401), ("author", 403)):
        result = api("GET", "/wp/v2/comments", role=role, params={"context": "edit"})
        assert (result.status_code, result.json["code"]) == (status, "rest_forbidden_context")
        assert result.json["message"] == "Sorry, you are not allowed to edit comments."
    single = api("GET", f"/wp/v2/comments/{thread['first'].wp_id}", role="editor", params={"context": "edit"})
    assert single.status_code == 200 and single.json["author_user_agent"] == "Mozilla/5.0 test"
    rows = {row.metadata["event"]: row for row in audit_rows(clinic, resource_id=thread["first"].id)}
    assert set(rows) == {"comment:read", "comment:phi"}
    assert rows["comment:phi"].operation == "access"
    assert rows["comment:phi"].metadata["fields"] == ["author_email", "author_ip", "author_user_agent"]
    view = api("GET", f"/wp/v2/comments/{thread['first'].wp_id}")
    assert "author_email" not in view.json and "author_ip" not in view.json


def test_single_comment_errors_are_wordpress_s(api, thread):
    missing = api("GET", "/wp/v2/comments/999999")
    assert missing.json == {"code": "rest_comment_invalid_id", "message": "Invalid comment ID.",
                            "data": {"status": 404}}
    held = api("GET", f"/wp/v2/comments/{thread['held'].wp_id}")
    assert held.status_code == 401
    assert held.json == {"code": "rest_cannot_read", "message": "Sorry, you are not allowed to read this comment.",
                         "data": {"status": 401}}
    assert api("GET", f"/wp/v2/comments/{thread['held'].wp_id}", role="subscriber").status_code == 403
    assert api("GET", f"/wp/v2/comments/{thread['held'].wp_id}", role="editor").status_code == 200


def test_collection_filters_order_and_pagination(api, thread, clinic):
    public = clinic.post(PUBLIC).wp_id
    by_post = api("GET", "/wp/v2/comments", params={"post": public, "orderby": "date", "order": "asc"})
    assert ids(by_post) == [thread["first"].wp_id, thread["reply"].wp_id]
    assert api("GET", "/wp/v2/comments", params={"parent": thread["first"].wp_id}).json[0]["id"] == \
        thread["reply"].wp_id
    assert ids(api("GET", "/wp/v2/comments", params={"parent": 0})) == [thread["other"].wp_id,
                                                                         thread["first"].wp_id]
    assert ids(api("GET", "/wp/v2/comments", params={"parent_exclude": 0})) == [thread["reply"].wp_id]
    assert ids(api("GET", "/wp/v2/comments", params={"search": "café"})) == [thread["other"].wp_id]
    assert ids(api("GET", "/wp/v2/comments", params={"search": "203.0.113"})) == []     # no IP oracle
    assert len(ids(api("GET", "/wp/v2/comments", role="editor", params={"search": "203.0.113"}))) == 4
    assert ids(api("GET", "/wp/v2/comments", params={"exclude": thread["other"].wp_id})) == \
        [thread["reply"].wp_id, thread["first"].wp_id]
    included = api("GET", "/wp/v2/comments", params={"include": f"{thread['first'].wp_id},{thread['other'].wp_id}",
                                                     "orderby": "include"})
    assert ids(included) == [thread["first"].wp_id, thread["other"].wp_id]
    authors = api("GET", "/wp/v2/comments", role="editor", params={"author": clinic.users["author"].wp_id})
    assert ids(authors) == [thread["reply"].wp_id]
    page = api("GET", "/wp/v2/comments", params={"per_page": 1, "page": 2})
    assert ids(page) == [thread["reply"].wp_id] and page.headers["X-WP-TotalPages"] == "3"
    assert 'rel="prev"' in page.headers["Link"] and 'rel="next"' in page.headers["Link"]
    after = api("GET", "/wp/v2/comments", params={"after": "2026-03-01T09:01:30"})
    assert ids(after) == [thread["other"].wp_id, thread["reply"].wp_id]
    bad = api("GET", "/wp/v2/comments", params={"orderby": "title"})
    assert bad.status_code == 400 and bad.json["code"] == "rest_invalid_param"


# --- creating -----------------------------------------------------------------------------------

def test_anonymous_comments_are_off_by_default_and_a_tenant_option_turns_them_on(api, client, clinic, engine):
    post = clinic.post(PUBLIC).wp_id
    body = {"post": post, "author_name": "Anônimo", "author_email": "anon@example.com", "content": "Oi 👍"}
    refused = api("POST", "/wp/v2/comments", json=body)
    assert refused.json == {"code": "rest_comment_login_required",
                            "message": "Sorry, you must be logged in to comment.", "data": {"status": 401}}
    assert count_rows(clinic, Comment) == 0
    with engine.database.atomic():
        clinic.tenant.options = {**(clinic.tenant.options or {}), "rest_allow_anonymous_comments": True}
        clinic.tenant.save()
    other = make_site(engine, "anon")           # a fresh app: the site directory reads the option again
    from falcon import testing
    from wpcompat.app import create_app
    fresh = testing.TestClient(create_app(engine.settings()))
    created = fresh.simulate_post("/wp-json/wp/v2/comments", host=clinic.host, json=body,
                                  headers={"User-Agent": "curl/8"})
    assert created.status_code == 201
    assert created.json["status"] == "hold" and created.json["author"] == 0 and "author_email" not in created.json
    nameless = fresh.simulate_post("/wp-json/wp/v2/comments", host=clinic.host,
                                   json={"post": post, "content": "Sem nome"})
    assert nameless.json["code"] == "rest_comment_author_data_required"
    with tenant_scope(clinic.id):
        row = Comment.get(Comment.wp_id == created.json["id"])
    assert row.user_agent == "curl/8" and row.author_ip and row.user_id is None
    assert other.host != clinic.host


def test_signed_in_comments_take_the_profile_and_wordpress_s_approval_rules(api, clinic, audit_rows):
    post = clinic.post(PUBLIC)
    subscriber = api("POST", "/wp/v2/comments", role="subscriber", json={"post": post.wp_id, "content": "Dúvida"},
                     headers={"User-Agent": "pytest-agent"})
    assert subscriber.status_code == 201
    assert list(subscriber.json) == VIEW_FIELDS                   # view context: not a moderator
    assert subscriber.json["status"] == "hold"                    # a first comment waits for moderation
    assert subscriber.json["author_name"] == "Sérgio Assinante"
    assert subscriber.headers["Location"] == f"http://{clinic.host}/wp-json/wp/v2/comments/{subscriber.json['id']}"
    assert subscriber.headers["Allow"] == "POST"      # WordPress too: GET's status default is not set on a POST
    flood = api("POST", "/wp/v2/comments", role="subscriber", json={"post": post.wp_id, "content": "De novo"})
    assert (flood.status_code, flood.json["code"]) == (400, "comment_flood")
    editor = api("POST", "/wp/v2/comments", role="editor",
                 json={"post": post.wp_id, "content": "Resposta", "parent": subscriber.json["id"]})
    assert editor.status_code == 201 and list(editor.json) == EDIT_FIELDS
    assert editor.json["status"] == "approved" and editor.json["parent"] == subscriber.json["id"]
    assert editor.json["author_email"] == clinic.users["editor"].email and editor.json["author_ip"]
    author = api("POST", "/wp/v2/comments", role="author", json={"post": post.wp_id, "content": "Eu escrevi"})
    assert author.json["status"] == "approved"                    # the post's own author
    rows = {row.metadata["wp_id"]: row for row in audit_rows(clinic, resource_type="comment", operation="create")}
    assert set(rows) == {subscriber.json["id"], editor.json["id"], author.json["id"]}
    mine = rows[author.json["id"]]
    assert mine.policy_decision == "allow" and mine.metadata["status"] == "approved"
    assert mine.metadata["contains_phi"] is False


@pytest.mark.parametrize("title, body, role, status, code", [
    (PAGE, {"content": "x"}, "subscriber", 403, "rest_comment_closed"),
    (DRAFT, {"content": "x"}, "editor", 403, "rest_comment_draft_post"),
    (TRASHED, {"content": "x"}, "editor", 403, "rest_comment_trash_post"),
    (PROFESSIONAL, {"content": "x"}, "subscriber", 403, "rest_comment_invalid_post_id"),   # does not exist for them
    (None, {"content": "x"}, "subscriber", 403, "rest_comment_invalid_post_id"),
    (PUBLIC, {"content": "  "}, "subscriber", 400, "rest_comment_content_invalid"),
    (PUBLIC, {"content": "x", "status": "approved"}, "subscriber", 403, "rest_comment_invalid_status"),
    (PUBLIC, {"content": "x", "author": 1}, "subscriber", 403, "rest_comment_invalid_author"),
    (PUBLIC, {"content": "x", "author_ip": "10.1.2.3"}, "subscriber", 403, "rest_comment_invalid_author_ip"),
    (PUBLIC, {"content": "x", "author": 999}, "editor", 400, "rest_comment_author_invalid"),
    (PUBLIC, {"content": "x", "parent": 999}, "editor", 400, "rest_comment_invalid_parent"),
    (PUBLIC, {"content": "x", "author_email": "no"}, "editor", 400, "rest_invalid_param"),
    (PUBLIC, {"content": "x" * 65526}, "editor", 400, "comment_content_column_length"),
    (PUBLIC, {"content": "x", "id": 5}, "editor", 400, "rest_comment_exists"),
])
def test_create_errors_are_wordpress_s_and_change_nothing(api, clinic, audit_rows, title, body, role, status, code):
    post = {"post": clinic.post(title).wp_id} if title else {}
    result = api("POST", "/wp/v2/comments", role=role, json={**post, **body})
    assert (result.status_code, result.json["code"]) == (status, code)
    assert count_rows(clinic, Comment) == 0
    denied = [row for row in audit_rows(clinic, policy_decision="deny") if row.metadata.get("status") == status]
    assert [row.metadata["path"] for row in denied] == ["/wp-json/wp/v2/comments"]


def test_duplicates_are_409(api, clinic):
    body = {"post": clinic.post(PUBLIC).wp_id, "content": "Mesmo texto"}
    assert api("POST", "/wp/v2/comments", role="editor", json=body).status_code == 201
    again = api("POST", "/wp/v2/comments", role="editor", json=body)
    assert again.status_code == 409 and again.json["code"] == "comment_duplicate"
    assert again.json["message"] == "Duplicate comment detected; it looks as though you&#8217;ve already said that!"
    assert count_rows(clinic, Comment) == 1


def test_comment_text_goes_through_kses_and_renders_like_wordpress(api, clinic):
    result = api("POST", "/wp/v2/comments", role="subscriber",
                 json={"post": clinic.post(PUBLIC).wp_id, "content": "Veja <strong>isto</strong><script>x()</script>"})
    with tenant_scope(clinic.id):
        stored = Comment.get(Comment.wp_id == result.json["id"]).content
    assert "<script>" not in stored and "<strong>isto</strong>" in stored
    assert result.json["content"]["rendered"].startswith("<p>Veja <strong>isto</strong>")


def test_comments_with_phi_are_held_flagged_and_shown_only_to_phi_readers(api, clinic, audit_rows):
    result = api("POST", "/wp/v2/comments", role="editor", json={"post": clinic.post(PUBLIC).wp_id,
                                                                 "content": PHI_TEXT})
    assert result.status_code == 201 and result.json["status"] == "hold"
    with tenant_scope(clinic.id):
        row = Comment.get(Comment.wp_id == result.json["id"])
    assert row.contains_phi and row.lgpd_score < 100
    event = audit_rows(clinic, resource_id=row.id, operation="create")[-1]
    assert event.metadata["contains_phi"] is True and "cpf" in event.metadata["phi_findings"]
    copied = {key: value for key, value in event.metadata.items() if key != "request_id"}   # random hex
    assert "529.982" not in str(copied) and "529982" not in str(copied)   # findings are counted, never copied
    assert api("GET", f"/wp/v2/comments/{row.wp_id}", role="editor").status_code == 200    # its own author
    other_editor = api("GET", "/wp/v2/comments", role="author", params={"status": "all"})
    assert row.wp_id not in ids(other_editor)
    admin = api("GET", f"/wp/v2/comments/{row.wp_id}", role="administrator", params={"context": "edit"})
    assert admin.status_code == 200 and admin.json["content"]["raw"] == PHI_TEXT
    approved = api("POST", f"/wp/v2/comments/{row.wp_id}", role="administrator", json={"status": "approved"})
    assert approved.json["status"] == "approved"
    assert api("GET", f"/wp/v2/comments/{row.wp_id}").status_code == 404          # still PHI: not public


# --- updating and deleting ------------------------------------------------------------------------

def test_moderators_and_the_post_s_editors_update_comments(api, thread, clinic, audit_rows):
    approved = api("POST", f"/wp/v2/comments/{thread['held'].wp_id}", role="editor", json={"status": "approved"})
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert list(approved.json) == EDIT_FIELDS
    edited = api("PUT", f"/wp/v2/comments/{thread['first'].wp_id}", role="author",     # the post's author
                 json={"content": {"raw": "Texto novo"}, "author_name": "Outro nome"})
    assert edited.status_code == 200 and edited.json["content"]["raw"] == "Texto novo"
    assert edited.json["author_name"] == "Outro nome" and edited.json["author_ip"] == "203.0.113.9"
    denied = api("POST", f"/wp/v2/comments/{thread['first'].wp_id}", role="subscriber", json={"content": "x"})
    assert denied.json == {"code": "rest_cannot_edit", "message": "Sorry, you are not allowed to edit this comment.",
                           "data": {"status": 403}}
    assert api("POST", f"/wp/v2/comments/{thread['first'].wp_id}", json={"content": "x"}).status_code == 401
    empty = api("POST", f"/wp/v2/comments/{thread['first'].wp_id}", role="editor", json={"content": ""})
    assert empty.json["code"] == "rest_comment_content_invalid"
    row = audit_rows(clinic, resource_id=thread["held"].id, operation="update")[-1]
    assert row.metadata["event"] == "comment:update" and row.metadata["status"] == "approved"


def test_trash_then_force_delete(api, thread, clinic):
    wp_id = thread["first"].wp_id
    trashed = api("DELETE", f"/wp/v2/comments/{wp_id}", role="editor")
    assert trashed.status_code == 200 and trashed.json["status"] == "trash"
    again = api("DELETE", f"/wp/v2/comments/{wp_id}", role="editor")
    assert again.json == {"code": "rest_already_trashed", "message": "The comment has already been trashed.",
                          "data": {"status": 410}}
    assert wp_id not in ids(api("GET", "/wp/v2/comments"))
    restored = api("POST", f"/wp/v2/comments/{wp_id}", role="editor", json={"status": "untrash"})
    assert restored.json["status"] == "approved"
    gone = api("DELETE", f"/wp/v2/comments/{wp_id}", role="editor", params={"force": "true"})
    assert gone.status_code == 200 and gone.json["deleted"] is True and gone.json["previous"]["id"] == wp_id
    assert "_links" not in gone.json["previous"] and "Allow" not in gone.headers
    assert api("GET", f"/wp/v2/comments/{wp_id}").status_code == 404
    reply = api("GET", f"/wp/v2/comments/{thread['reply'].wp_id}")
    assert reply.json["parent"] == 0                               # replies move up a level
    assert api("DELETE", f"/wp/v2/comments/{thread['other'].wp_id}").json["code"] == "rest_cannot_delete"
    assert api("DELETE", f"/wp/v2/comments/{thread['other'].wp_id}", role="subscriber").status_code == 403


# --- posts: replies, embeds, OPTIONS, tenants -----------------------------------------------------

def test_posts_link_and_embed_their_replies(api, thread, clinic):
    post = clinic.post(PUBLIC)
    result = api("GET", f"/wp/v2/posts/{post.wp_id}", params={"_embed": "replies"})
    assert result.json["_links"]["replies"] == [{"embeddable": True, "href": f"http://{clinic.host}/wp-json/wp/v2/"
                                                                             f"comments?post={post.wp_id}"}]
    assert list(result.json["_links"])[3:5] == ["author", "replies"]
    (replies,) = result.json["_embedded"]["replies"]
    assert [item["id"] for item in replies] == [thread["reply"].wp_id, thread["first"].wp_id]
    assert list(replies[0]) == EMBED_FIELDS
    page = api("GET", f"/wp/v2/pages/{clinic.post(PAGE).wp_id}")
    assert "replies" in page.json["_links"]
    listed = api("GET", "/wp/v2/posts", role="editor", params={"_embed": "replies", "per_page": 100})
    embedded = {item["id"]: [reply["id"] for reply in item["_embedded"]["replies"][0]]
                for item in listed.json if "_embedded" in item}
    assert embedded == {post.wp_id: [thread["reply"].wp_id, thread["first"].wp_id],      # approved only
                        clinic.post(OTHER_PUBLIC).wp_id: [thread["other"].wp_id],
                        clinic.post(RESTRICTED).wp_id: [thread["restricted"].wp_id]}
    anonymous = api("GET", "/wp/v2/posts", params={"_embed": "replies", "per_page": 100})
    assert clinic.post(RESTRICTED).wp_id not in {item["id"] for item in anonymous.json}


def test_options_publishes_the_schema_and_allow_follows_the_caller(api, thread):
    options = api("OPTIONS", "/wp/v2/comments")
    assert options.json["schema"]["title"] == "comment"
    assert options.json["schema"]["properties"]["author_ip"]["context"] == ["edit"]
    assert api("GET", "/wp/v2/comments", role="subscriber").headers["Allow"] == "GET"    # no post: no POST
    item = api("GET", f"/wp/v2/comments/{thread['first'].wp_id}", role="editor")
    assert item.headers["Allow"] == "GET, POST, PUT, PATCH, DELETE"


def test_tenants_never_see_each_other_s_comments(api, client, clinic, engine, site_b):
    mine = seed(clinic, PUBLIC, "Da clínica A")
    with tenant_scope(site_b.id):
        theirs = Comment.create(wp_id=next_wp_id("comment") + 500, post=site_b.post.id, status="approved",
                                content="Segredo de B", author_name="B", date_local=datetime.datetime(2026, 1, 1),
                                date_gmt=datetime.datetime(2026, 1, 1))
    listed = api("GET", "/wp/v2/comments", role="administrator", params={"per_page": 100})
    assert ids(listed) == [mine.wp_id]
    probe = api("GET", f"/wp/v2/comments/{theirs.wp_id}", role="administrator")
    assert probe.status_code == 404
    write = api("POST", f"/wp/v2/comments/{theirs.wp_id}", role="administrator", json={"content": "x"})
    assert write.status_code == 404
    their_post = api("POST", "/wp/v2/comments", role="administrator", json={"post": site_b.post.wp_id + 1000,
                                                                            "content": "x"})
    assert their_post.json["code"] == "rest_comment_invalid_post_id"
    with tenant_scope(site_b.id):
        assert Comment.get(Comment.id == theirs.id).content == "Segredo de B"
    assert count_rows(site_b, AuditTrail, AuditTrail.resource_type == "comment") == 0


def test_deleting_a_post_deletes_its_comments(api, thread, clinic):
    post = clinic.post(OTHER_PUBLIC)
    assert api("DELETE", f"/wp/v2/posts/{post.wp_id}", role="editor", params={"force": "true"}).status_code == 200
    assert api("GET", f"/wp/v2/comments/{thread['other'].wp_id}").status_code == 404
    assert count_rows(clinic, Comment, Comment.post == post.id) == 0
