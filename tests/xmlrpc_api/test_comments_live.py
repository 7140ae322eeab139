"""python-wordpress-xmlrpc's comment methods against a live `wpcompat serve` (gunicorn) on PostgreSQL."""

import pytest
from wordpress_xmlrpc import Client
from wordpress_xmlrpc.exceptions import InvalidCredentialsError
from wordpress_xmlrpc.methods import comments
from wordpress_xmlrpc.wordpress import WordPressComment

from test_serve import served_clinic
from wpcompat.db import tenant_scope
from wpcompat.models import AuditTrail, Comment

from .live import live_database, py310_collections  # noqa: F401

PUBLIC = "Como medir a pressão arterial em casa"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with served_clinic("wpcompat_xmlrpc_comments", "live-comments", tmp_path_factory.mktemp("serve")) as served:
        clinic, base, database = served
        yield clinic, f"{base}/xmlrpc.php", database


def client(live, role):
    clinic, url, _database = live
    return Client(url, clinic.users[role].login, clinic.passwords[role])


def test_python_wordpress_xmlrpc_moderates_a_thread(live):
    clinic = live[0]
    post_id = clinic.post(PUBLIC).wp_id
    editor, subscriber = client(live, "editor"), client(live, "subscriber")
    question = WordPressComment()
    question.content = "Posso medir depois do café?"
    asked = subscriber.call(comments.NewComment(post_id, question))
    answer = WordPressComment()
    answer.content, answer.parent = "Espere 30 minutos.", asked
    answered = editor.call(comments.NewComment(post_id, answer))
    held = editor.call(comments.GetComment(asked))
    assert (held.status, held.content, held.post) == ("hold", "Posso medir depois do café?", str(post_id))
    assert held.author == clinic.users["subscriber"].display_name
    thread = editor.call(comments.GetComments({"post_id": post_id}))
    assert [item.id for item in thread] == [str(answered), str(asked)]
    held.status = "approve"
    assert editor.call(comments.EditComment(asked, held)) is True
    assert [item.id for item in subscriber.call(comments.GetComments({"status": "approve"}))] == \
        [str(answered), str(asked)]
    assert editor.call(comments.GetCommentCount(post_id)) == {"approved": 2, "awaiting_moderation": 0,
                                                               "spam": 0, "total_comments": 2}
    assert editor.call(comments.GetCommentStatusList()) == {"hold": "Unapproved", "approve": "Approved",
                                                            "spam": "Spam", "trash": "Trash"}
    assert editor.call(comments.DeleteComment(answered)) is True
    assert editor.call(comments.GetComment(answered)).status == "trash"
    with tenant_scope(clinic.id):
        assert Comment.select().count() == 2
        events = {row.metadata["event"] for row in AuditTrail.select().where(AuditTrail.resource_type == "xmlrpc")}
    assert {"xmlrpc:wp.newComment", "xmlrpc:wp.editComment", "xmlrpc:wp.deleteComment"} <= events


def test_wrong_credentials_are_refused(live):
    clinic, url, _database = live
    with pytest.raises(InvalidCredentialsError):
        Client(url, clinic.users["editor"].login, "wrong").call(comments.GetComments({}))
