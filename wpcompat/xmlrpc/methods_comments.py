"""wp.* comment methods: wp.getComment(s), wp.newComment, wp.editComment, wp.deleteComment,
wp.getCommentCount, wp.getCommentStatusList (wp_xmlrpc_server, WordPress 6.1).

Reads go through queries/comments.py (tenant scope, the post's compliance level, PHI-flagged
comments only for who may read PHI); writes through editing/comments.py, as REST's do.
edit_comment is edit_post of the comment's post. Anonymous wp.newComment is off unless the
tenant option `xmlrpc_allow_anonymous_comments` is true (WordPress's filter).
"""

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.dates import to_local
from wpcompat.editing import comments as editing
from wpcompat.errors import WPError
from wpcompat.queries import comments as comment_queries
from wpcompat.queries import posts as post_queries
from wpcompat.models.base import utcnow
from wpcompat.responses.comments import CommentRelations, xmlrpc_struct
from wpcompat.xmlrpc.call import absint, arg, php_int, struct, text
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.table import method
from wpcompat.xmlrpc.writing import visible_post

STATUSES = {"hold": "Unapproved", "approve": "Approved", "spam": "Spam", "trash": "Trash"}
STATUS_NAMES = {"hold": "hold", "approve": "approved", "spam": "spam", "trash": "trash"}
CANNOT_MODERATE = "Sorry, you are not allowed to moderate or edit this comment."
NOT_ON_POST = "Sorry, you are not allowed to comment on this post."


def visible_comment(call, wp_id):
    """The comment with this id if it exists for the caller, else Fault 404."""
    comment = comment_queries.find(php_int(wp_id))
    if comment is None or not comment_queries.exists_for(call.user, comment):
        raise Fault(404, "Invalid comment ID.")
    return comment


def editable_comment(call, wp_id, message=CANNOT_MODERATE):
    comment = visible_comment(call, wp_id)
    if not permissions.can_edit_post(call.user, comment.post):         # map_meta_cap edit_comment
        raise Fault(403, message)
    return comment


def structs(call, comments):
    relations = CommentRelations(comments)
    return [xmlrpc_struct(comment, call.home, relations) for comment in comments]


@method("wp.getComment")
def wp_get_comment(call, args):
    call.login(arg(args, 1), arg(args, 2))
    comment = editable_comment(call, arg(args, 3))
    call.touched(comment.id, wp_id=comment.wp_id, phi_fields=["author_email", "author_ip"])
    return structs(call, [comment])[0]


@method("wp.getComments")
def wp_get_comments(call, args):
    call.login(arg(args, 1), arg(args, 2))
    filters = struct(arg(args, 3))
    status = text(filters.get("status"))
    if not can(call.user, "moderate_comments") and status != "approve":
        raise Fault(401, "Invalid comment status.")
    query_args = {"status": status or "all", "type": "all", "orderby": "date_gmt", "order": "desc"}
    if filters.get("post_id"):
        query_args["post"] = [absint(filters["post_id"])]
    if "post_type" in filters and text(filters["post_type"]) not in ("post", "page"):
        raise Fault(404, "Invalid post type.")
    query, _count = comment_queries.collection(call.user, query_args, call.zone)
    if "post_type" in filters:
        query = query.where(comment_queries.CommentPost.post_type == text(filters["post_type"]))
    number = absint(filters["number"]) if "number" in filters else 10
    comments = list(query.limit(min(number or 10, 1000)).offset(absint(filters.get("offset"))).objects())
    call.touched(None, ids=[comment.wp_id for comment in comments], phi_fields=["author_email", "author_ip"])
    return structs(call, comments)


@method("wp.deleteComment")
def wp_delete_comment(call, args):
    call.login(arg(args, 1), arg(args, 2))
    comment = editable_comment(call, arg(args, 3), "Sorry, you are not allowed to delete this comment.")
    if comment.status in ("trash", "spam"):        # wp_delete_comment: the trash first, then for good
        editing.delete_for_good(comment)
    else:
        editing.trash(comment)
    call.touched(comment.id, wp_id=comment.wp_id)
    return True


@method("wp.editComment")
def wp_edit_comment(call, args):
    call.login(arg(args, 1), arg(args, 2))
    comment = editable_comment(call, arg(args, 3))
    content = struct(arg(args, 4))
    values = {}
    if "status" in content:
        if text(content["status"]) not in STATUSES:
            raise Fault(401, "Invalid comment status.")
    created = content.get("date_created_gmt")
    if created is not None and hasattr(created, "year"):
        gmt = created.replace(tzinfo=None, microsecond=0)
        values.update(date_gmt=gmt, date_local=to_local(gmt, call.zone))
    if "content" in content:
        values["content"] = editing.filter_content(text(content["content"]), call.user)
    values.update(editing.sanitized_author({column: text(content[key]) for key, column in (
        ("author", "author_name"), ("author_url", "author_url"), ("author_email", "author_email")) if key in content}))
    editing.check_lengths(values)
    findings = editing.update(comment, values) if values else {}
    if "status" in content:
        editing.set_status(comment, STATUS_NAMES[text(content["status"])])
    call.touched(comment.id, wp_id=comment.wp_id, status=comment.status, contains_phi=comment.contains_phi,
                 phi_findings=findings or None)
    return True


@method("wp.newComment")
def wp_new_comment(call, args):
    allow_anonymous = bool((call.site.options or {}).get("xmlrpc_allow_anonymous_comments", False))
    try:
        call.login(arg(args, 1), arg(args, 2))
    except Fault:
        if not allow_anonymous:
            raise
    if allow_anonymous and not call.user.is_authenticated and (call.site.options or {}).get("comment_registration"):
        raise Fault(403, "Sorry, you must be logged in to comment.")
    post = _commentable_post(call, arg(args, 3))
    content = struct(arg(args, 4))
    values = {"content": editing.filter_content(text(content.get("content")), call.user)}
    if call.user.is_authenticated:
        values.update(editing.author_values(call.user))
    else:
        values.update(user=None, **editing.sanitized_author({
            "author_name": text(content.get("author")), "author_email": text(content.get("author_email")),
            "author_url": text(content.get("author_url"))}))
        if editing.option(call.site, "require_name_email", True):
            if len(values["author_email"]) < 6 or values["author_name"] == "":
                raise Fault(403, "Comment author name and email are required.")
            if "@" not in values["author_email"]:
                raise Fault(403, "A valid email address is required.")
    parent = None
    if absint(content.get("comment_parent")):
        parent = comment_queries.find(absint(content["comment_parent"]))
        if parent is None or parent.post_id != post.id:
            raise Fault(403, "Invalid comment parent ID.")
    if values["content"] == "":
        raise Fault(403, "Comment is required.")
    now = utcnow()
    values.update(author_ip=call.req.context.client_ip or "127.0.0.1", user_agent=(call.req.user_agent or "")[:255],
                  date_gmt=now, date_local=to_local(now, call.zone))
    try:
        comment, findings = editing.new_comment(call.site, post, parent, values, call.user)
    except WPError as error:
        raise Fault(403, error.message) from None
    call.touched(comment.id, wp_id=comment.wp_id, post=post.wp_id, status=comment.status,
                 contains_phi=comment.contains_phi, phi_findings=findings or None)
    return comment.wp_id


def _commentable_post(call, value):
    """The post to comment on: an id (a URL is not resolved here), open to comments and readable."""
    post_id = absint(value) if isinstance(value, int) or text(value).strip().isdigit() else 0
    post = visible_post(call, post_id) if post_id else None
    if post is None or post.post_type not in ("post", "page"):
        raise Fault(404, "Invalid post ID.")
    if (post.comment_status or "open") != "open":
        raise Fault(403, "Sorry, comments are closed for this item.")
    may_edit = permissions.can_edit_post(call.user, post)
    if post.status == "publish" and post.password and not may_edit:
        raise Fault(403, NOT_ON_POST)
    if post.status == "draft" and not may_edit:
        raise Fault(403, NOT_ON_POST)
    if not permissions.can_read_post(call.user, post):       # healthcare: what the user may not read
        raise Fault(404, "Invalid post ID.")
    return post


@method("wp.getCommentStatusList")
def wp_get_comment_status_list(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "publish_posts"):
        raise Fault(403, "Sorry, you are not allowed access to details about this site.")
    return dict(STATUSES)


@method("wp.getCommentCount")
def wp_get_comment_count(call, args):
    call.login(arg(args, 1), arg(args, 2))
    post = visible_post(call, arg(args, 3))
    if post is None:
        raise Fault(404, "Invalid post ID.")
    if not permissions.can_edit_post(call.user, post):
        raise Fault(403, "Sorry, you are not allowed access to details of this post.")
    counts = comment_queries.counts(post)
    call.touched(post.id, wp_id=post.wp_id)
    return {"approved": counts["approved"], "awaiting_moderation": counts["moderated"], "spam": counts["spam"],
            "total_comments": counts["total_comments"]}
