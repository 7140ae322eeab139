"""Comments: threading, statuses, meta, ids, idempotency — as the REST API shows them after an import."""

from wpcompat.db import tenant_scope
from wpcompat.models import Comment

from wxr_import.support import TESTS, rest, run, total


def test_comment_meta_is_unserialized(client, site):
    report = run(site, TESTS / "test-serialized-comment-meta.xml")
    assert report.counts["comments"]["created"] == 1
    with tenant_scope(site.id):
        comment = Comment.get()
    assert comment.status == "approved"
    assert comment.meta["string"] == "¯\\_(ツ)_/¯" and comment.meta["array"] == {"key": "¯\\_(ツ)_/¯"}


def test_theme_unit_test_comments_are_threaded_and_not_duplicated(client, site):
    first = run(site, TESTS / "theme-unit-test-data.xml")
    assert first.counts["comments"]["created"] >= 30
    with tenant_scope(site.id):
        comments = list(Comment.select())
        by_source = {comment.source_id: comment for comment in comments}
    replies = [comment for comment in comments if comment.parent_id is not None]
    assert replies
    for reply in replies:
        parent = next(comment for comment in comments if comment.id == reply.parent_id)
        assert parent.post_id == reply.post_id
    # ids kept where free: the REST id is the source comment id
    some = replies[0]
    shown = rest(client, site, f"/wp/v2/comments/{some.wp_id}", context="edit").json
    assert shown["id"] == some.source_id
    assert shown["parent"] == by_source[next(c.source_id for c in comments if c.id == some.parent_id)].wp_id
    again = run(site, TESTS / "theme-unit-test-data.xml")
    assert again.counts["comments"]["created"] == 0
    with tenant_scope(site.id):
        assert Comment.select().count() == len(comments)


def test_slashes_in_comments_are_kept(client, site):
    run(site, TESTS / "slashes.xml")
    assert total(client, site, "/wp/v2/comments") == 1
    comment = rest(client, site, "/wp/v2/comments", context="edit").json[0]
    assert comment["content"]["raw"] == "\\o/ ¯\\_(ツ)_/¯"
