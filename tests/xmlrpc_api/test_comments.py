"""XML-RPC comment methods (wp.getComment(s), wp.newComment, wp.editComment, wp.deleteComment,
wp.getCommentCount, wp.getCommentStatusList) through the whole app, on both engines."""

import datetime

import pytest

from clinic import make_clinic
from conftest import count_rows
from wpcompat.db import tenant_scope
from wpcompat.models import AuditTrail, Comment
from wpcompat.wp_ids import next_wp_id

from .helpers import creds, fresh_login_counters, rpc  # noqa: F401

COMMENT_MEMBERS = ["date_created_gmt", "user_id", "comment_id", "parent", "status", "content", "link", "post_id",
                   "post_title", "author", "author_url", "author_email", "author_ip", "type"]
PUBLIC = "Como medir a pressão arterial em casa"           # by the author
RESTRICTED = "Protocolo interno de pré-eclâmpsia"
PAGE = "Sobre a clínica"                                      # comments closed


@pytest.fixture
def clinic(engine):
    return make_clinic(engine, "xmlrpc-comments")


def seed(clinic, title, content, status="approved", minutes=0, parent=None):
    post = clinic.post(title)
    when = datetime.datetime(2026, 3, 1, 12, 0) + datetime.timedelta(minutes=minutes)
    with tenant_scope(clinic.id):
        return Comment.create(wp_id=next_wp_id("comment"), post=post.id, status=status, content=content,
                              parent=parent.id if parent else None, author_name="Visitante",
                              author_email="v@example.org", author_ip="198.51.100.7", date_local=when,
                              date_gmt=when)


@pytest.fixture
def comments(clinic):
    first = seed(clinic, PUBLIC, "Primeiro", minutes=1)
    return {"first": first, "reply": seed(clinic, PUBLIC, "Resposta", minutes=2, parent=first),
            "held": seed(clinic, PUBLIC, "Pendente", status="hold", minutes=3),
            "spam": seed(clinic, PUBLIC, "Spam", status="spam", minutes=4),
            "restricted": seed(clinic, RESTRICTED, "Interno", minutes=5)}


def test_get_comment_answers_wordpress_s_struct(rpc, creds, comments, clinic):
    value = rpc.call("wp.getComment", *creds("editor"), comments["reply"].wp_id)
    assert list(value) == COMMENT_MEMBERS
    post = clinic.post(PUBLIC)
    assert value["comment_id"] == str(comments["reply"].wp_id) and value["parent"] == str(comments["first"].wp_id)
    assert value["post_id"] == str(post.wp_id) and value["post_title"] == PUBLIC and value["user_id"] == "0"
    assert value["status"] == "approve" and value["type"] == "comment" and value["content"] == "Resposta"
    assert value["date_created_gmt"] == datetime.datetime(2026, 3, 1, 12, 2)
    assert value["link"] == f"http://{clinic.host}/{post.slug}/#comment-{comments['reply'].wp_id}"
    assert value["author_ip"] == "198.51.100.7"
    assert rpc.fault("wp.getComment", *creds("subscriber"), comments["reply"].wp_id) == \
        (403, "Sorry, you are not allowed to moderate or edit this comment.")
    assert rpc.fault("wp.getComment", *creds("editor"), 99999) == (404, "Invalid comment ID.")
    assert rpc.fault("wp.getComment", 1, "editor", "wrong", comments["reply"].wp_id)[0] == 403


def test_get_comments_lists_statuses_for_moderators_and_approved_for_others(rpc, creds, comments, clinic):
    listed = rpc.call("wp.getComments", *creds("editor"), {"post_id": clinic.post(PUBLIC).wp_id})
    assert [item["comment_id"] for item in listed] == [str(comments[key].wp_id) for key in ("held", "reply", "first")]
    assert [item["status"] for item in listed] == ["hold", "approve", "approve"]
    spam = rpc.call("wp.getComments", *creds("editor"), {"status": "spam"})
    assert [item["comment_id"] for item in spam] == [str(comments["spam"].wp_id)]
    assert rpc.fault("wp.getComments", *creds("subscriber"), {}) == (401, "Invalid comment status.")
    approved = rpc.call("wp.getComments", *creds("subscriber"), {"status": "approve", "number": 1, "offset": 1})
    assert [item["comment_id"] for item in approved] == [str(comments["first"].wp_id)]
    everything = rpc.call("wp.getComments", *creds("subscriber"), {"status": "approve"})
    assert str(comments["restricted"].wp_id) not in [item["comment_id"] for item in everything]   # hidden post
    assert rpc.fault("wp.getComments", *creds("editor"), {"post_type": "nope"}) == (404, "Invalid post type.")


def test_new_comment_returns_the_id_and_follows_the_post_s_rules(rpc, creds, clinic, client):
    post = clinic.post(PUBLIC).wp_id
    new_id = rpc.call("wp.newComment", *creds("editor"), post, {"content": "via XML-RPC ☕"})
    assert isinstance(new_id, int)
    with tenant_scope(clinic.id):
        row = Comment.get(Comment.wp_id == new_id)
    assert row.status == "approved" and row.user_id == clinic.users["editor"].id
    assert row.author_name == clinic.users["editor"].display_name and row.author_email == clinic.users["editor"].email
    held = rpc.call("wp.newComment", *creds("subscriber"), post, {"content": "Pergunta", "comment_parent": new_id})
    with tenant_scope(clinic.id):
        reply = Comment.get(Comment.wp_id == held)
    assert reply.status == "hold" and reply.parent_id == row.id
    assert rpc.fault("wp.newComment", *creds("subscriber"), clinic.post(PAGE).wp_id, {"content": "x"}) == \
        (403, "Sorry, comments are closed for this item.")
    assert rpc.fault("wp.newComment", *creds("subscriber"), 99999, {"content": "x"}) == (404, "Invalid post ID.")
    assert rpc.fault("wp.newComment", *creds("subscriber"), clinic.post(RESTRICTED).wp_id, {"content": "x"}) == \
        (404, "Invalid post ID.")                                  # a post they may not see does not exist
    assert rpc.fault("wp.newComment", *creds("editor"), post, {"content": ""}) == (403, "Comment is required.")
    assert rpc.fault("wp.newComment", *creds("editor"), post, {"content": "via XML-RPC ☕"})[0] == 403   # duplicate
    assert rpc.fault("wp.newComment", 1, "", "", post, {"content": "anônimo"}) == \
        (403, "Incorrect username or password.")                  # anonymous comments are off
    assert count_rows(clinic, Comment) == 2


def test_edit_comment_changes_text_status_and_date(rpc, creds, comments):
    wp_id = comments["held"].wp_id
    assert rpc.call("wp.editComment", *creds("editor"), wp_id, {
        "status": "approve", "content": "Texto revisto", "author": "Outro", "author_email": "o@example.org",
        "date_created_gmt": datetime.datetime(2026, 4, 1, 10, 0)}) is True
    value = rpc.call("wp.getComment", *creds("editor"), wp_id)
    assert (value["status"], value["content"], value["author"], value["author_email"]) == \
        ("approve", "Texto revisto", "Outro", "o@example.org")
    assert value["date_created_gmt"] == datetime.datetime(2026, 4, 1, 10, 0)
    assert rpc.fault("wp.editComment", *creds("editor"), wp_id, {"status": "approved"}) == \
        (401, "Invalid comment status.")
    assert rpc.fault("wp.editComment", *creds("subscriber"), wp_id, {"content": "x"})[0] == 403
    assert rpc.call("wp.editComment", *creds("author"), wp_id, {"status": "hold"}) is True     # the post's author


def test_edited_author_fields_are_plain_text_and_a_safe_url(rpc, creds, comments):
    """As wp_filter_comment saves them (and REST's sanitize callbacks): served raw, they reach moderators."""
    wp_id = comments["held"].wp_id
    assert rpc.call("wp.editComment", *creds("editor"), wp_id, {
        "author": '<b>Outro</b><img src=x onerror="alert(1)">', "author_url": "javascript:alert(1)",
        "author_email": "<i>o@example.org</i>"}) is True
    value = rpc.call("wp.getComment", *creds("editor"), wp_id)
    assert (value["author"], value["author_url"], value["author_email"]) == ("Outro", "", "o@example.org")


def test_delete_comment_trashes_first_then_deletes(rpc, creds, comments, clinic):
    wp_id = comments["first"].wp_id
    assert rpc.call("wp.deleteComment", *creds("editor"), wp_id) is True
    assert rpc.call("wp.getComment", *creds("editor"), wp_id)["status"] == "trash"
    assert rpc.call("wp.deleteComment", *creds("editor"), wp_id) is True
    assert rpc.fault("wp.getComment", *creds("editor"), wp_id) == (404, "Invalid comment ID.")
    assert rpc.call("wp.getComment", *creds("editor"), comments["reply"].wp_id)["parent"] == "0"
    assert rpc.fault("wp.deleteComment", *creds("contributor"), comments["reply"].wp_id) == \
        (403, "Sorry, you are not allowed to delete this comment.")


def test_comment_count_and_status_list(rpc, creds, comments, clinic):
    post = clinic.post(PUBLIC).wp_id
    assert rpc.call("wp.getCommentCount", *creds("editor"), post) == \
        {"approved": 2, "awaiting_moderation": 1, "spam": 1, "total_comments": 4}
    assert rpc.fault("wp.getCommentCount", *creds("subscriber"), post) == \
        (403, "Sorry, you are not allowed access to details of this post.")
    assert rpc.fault("wp.getCommentCount", *creds("editor"), 99999) == (404, "Invalid post ID.")
    assert rpc.call("wp.getCommentStatusList", *creds("author")) == \
        {"hold": "Unapproved", "approve": "Approved", "spam": "Spam", "trash": "Trash"}
    assert rpc.fault("wp.getCommentStatusList", *creds("contributor")) == \
        (403, "Sorry, you are not allowed access to details about this site.")


def test_calls_are_audited_and_other_tenants_comments_do_not_exist(rpc, creds, comments, clinic, engine, client):
    other = make_clinic(engine, "xmlrpc-other")
    foreign = seed(other, PUBLIC, "Da outra clínica")
    with tenant_scope(other.id):
        Comment.update(wp_id=777).where(Comment.id == foreign.id).execute()
    assert rpc.fault("wp.getComment", *creds("administrator"), 777) == (404, "Invalid comment ID.")
    assert rpc.fault("wp.editComment", *creds("administrator"), 777, {"content": "x"})[0] == 404
    assert rpc.fault("wp.deleteComment", *creds("administrator"), 777)[0] == 404
    rpc.call("wp.getComments", *creds("editor"), {})
    with tenant_scope(clinic.id):
        rows = list(AuditTrail.select().where(AuditTrail.resource_type == "xmlrpc"))
    events = {row.metadata["event"]: row for row in rows}
    assert events["xmlrpc:wp.getComments"].policy_decision == "allow"
    assert sorted(events["xmlrpc:wp.getComments"].metadata["ids"]) == \
        sorted(comment.wp_id for key, comment in comments.items() if key != "spam")
    assert events["xmlrpc:wp.editComment"].policy_decision == "deny"
    with tenant_scope(other.id):
        assert Comment.get(Comment.wp_id == 777).content == "Da outra clínica"
