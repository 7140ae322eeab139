"""wp.* methods on posts of any type: wp.getPost(s), wp.newPost, wp.editPost, wp.deletePost, revisions
(wp.getRevisions, wp.restoreRevision: the revisions table, editing/revisions.py).

Reads go through queries/posts.py (tenant scope, compliance levels, status rules) and
then WordPress's per-post edit_post filter; writes through writing.py and editing/posts.py.
"""

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.editing import posts as editing
from wpcompat.editing import revisions as revision_editing
from wpcompat.models import Post
from wpcompat.queries import posts as post_queries
from wpcompat.queries import revisions as revision_queries
from wpcompat.xmlrpc.call import absint, arg, php_int, string_list, struct, text
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.structs import PostBatch, post_struct
from wpcompat.xmlrpc.table import alias, method
from wpcompat.xmlrpc.writing import POST_TYPES, insert_post, visible_post

DEFAULT_STATUSES = ("draft", "publish", "future", "pending", "private")
MAX_POSTS = 1000                     # one wp.getPosts answers at most this many posts
ORDERBY = {"post_date": "date", "date": "date", "title": "title", "post_title": "title", "id": "id",
           "ID": "id", "modified": "modified", "post_modified": "modified", "name": "slug",
           "post_name": "slug", "author": "author", "post_author": "author", "menu_order": "menu_order",
           "parent": "parent", "post_parent": "parent"}


def fields_arg(args, index):
    value = arg(args, index)
    if value is None:
        return None
    return string_list(value) if isinstance(value, list) else [text(value)]


def editable_post(call, post_id, message="Sorry, you are not allowed to edit this post.", post_type=None):
    post = visible_post(call, post_id, post_type)
    if post is None:
        raise Fault(404, "Invalid post ID.")
    if not permissions.can_edit_post(call.user, post):
        raise Fault(401, message)
    return post


@method("wp.getPost", min_args=4, keep_answer=True)
def wp_get_post(call, args):
    fields = fields_arg(args, 4)
    call.login(arg(args, 1), arg(args, 2))
    post = editable_post(call, arg(args, 3))
    call.touched(post.id, wp_id=post.wp_id)
    return post_struct(post, fields, PostBatch(call, [post]))


def statuses_filter(value):
    if value is None:
        return DEFAULT_STATUSES
    items = value if isinstance(value, list) else text(value).split(",")
    statuses = [text(item).strip() for item in items if text(item).strip()]
    return post_queries.statuses_for(statuses) if statuses else DEFAULT_STATUSES


def recent_posts(call, post_type, statuses, number, offset=0, orderby="date", order="desc", search=None):
    """wp_get_recent_posts for the caller: what they may read, newest first, then filtered by edit_post."""
    query_args = {"status": list(statuses), "orderby": orderby, "order": order}
    if search:
        query_args["search"] = search
    query, _count = post_queries.collection(call.user, post_type, query_args, call.zone)
    posts = list(query.limit(min(number, MAX_POSTS)).offset(offset).objects())
    return [post for post in posts if permissions.can_edit_post(call.user, post)]


@method("wp.getPosts", min_args=3, keep_answer=True)
def wp_get_posts(call, args):
    filters = struct(arg(args, 3))
    fields = fields_arg(args, 4)
    call.login(arg(args, 1), arg(args, 2))
    post_type = text(filters.get("post_type")) if "post_type" in filters else "post"
    if post_type not in POST_TYPES:
        raise Fault(403, "Invalid post type.")
    if not permissions.can_create(call.user, post_type):
        raise Fault(401, "Sorry, you are not allowed to edit posts in this post type.")
    orderby, order = "date", "desc"
    if "orderby" in filters:
        orderby = ORDERBY.get(text(filters["orderby"]), "date")
        order = "asc" if text(filters.get("order")).lower() == "asc" else "desc"
    number = absint(filters["number"]) if "number" in filters else 10
    posts = recent_posts(call, post_type, statuses_filter(filters.get("post_status")), number or 10,
                         absint(filters.get("offset")), orderby, order, text(filters.get("s")) or None)
    call.touched(None, ids=[post.wp_id for post in posts])
    batch = PostBatch(call, posts)
    return [post_struct(post, fields, batch) for post in posts]


@method("wp.newPost", min_args=4)
def wp_new_post(call, args):
    call.login(arg(args, 1), arg(args, 2))
    content = dict(struct(arg(args, 3)))
    content.pop("ID", None)
    post = insert_post(call, content)
    call.touched(post.id, wp_id=post.wp_id)
    return str(post.wp_id)


@method("wp.editPost", min_args=5)
def wp_edit_post(call, args):
    call.login(arg(args, 1), arg(args, 2))
    content = struct(arg(args, 4))
    post = visible_post(call, arg(args, 3))
    if post is None:
        raise Fault(404, "Invalid post ID.")
    since = content.get("if_not_modified_since")
    if since is not None and hasattr(since, "year"):
        if post.updated_at and post.updated_at > since.replace(tzinfo=None):
            raise Fault(409, "There is a revision of this post that is more recent.")
    insert_post(call, content, existing=post)
    call.touched(post.id, wp_id=post.wp_id)
    return True


def delete_post(call, post):
    """wp_delete_post as XML-RPC calls it: the trash first; a trashed post is deleted for good."""
    terms = editing.terms_of(post)
    if post.status == "trash":
        editing.delete_for_good(post)
    else:
        editing.trash(post, call.user)
    editing.recount_terms(terms)


@method("wp.deletePost", min_args=4)
def wp_delete_post(call, args):
    call.login(arg(args, 1), arg(args, 2))
    post = visible_post(call, arg(args, 3))
    if post is None:
        raise Fault(404, "Invalid post ID.")
    if not permissions.can_delete_post(call.user, post):
        raise Fault(401, "Sorry, you are not allowed to delete this post.")
    delete_post(call, post)
    call.touched(post.id, wp_id=post.wp_id)
    return True


alias("wp.deleteFile", "wp.deletePost")


@method("wp.getRevisions", min_args=4)
def wp_get_revisions(call, args):
    """The post's revisions, newest first, autosaves skipped (fields default: post_date, post_date_gmt)."""
    fields = fields_arg(args, 4) or ["post_date", "post_date_gmt"]
    call.login(arg(args, 1), arg(args, 2))
    post = visible_post(call, arg(args, 3))
    if post is None:
        raise Fault(404, "Invalid post ID.")
    if not permissions.can_edit_post(call.user, post):
        raise Fault(401, "Sorry, you are not allowed to edit posts.")
    if post.post_type not in revision_editing.REVISIONED_TYPES:
        raise Fault(401, "Sorry, revisions are disabled.")
    query, _count = revision_queries.of_post(post)
    revisions = [revision_as_post(row, post) for row in query.objects() if row.kind == "revision"]
    call.touched(post.id, wp_id=post.wp_id, ids=[row.wp_id for row in revisions])
    batch = PostBatch(call, revisions, terms=False, fields=False, media=False)
    return [post_struct(row, fields, batch) for row in revisions]


def revision_as_post(revision, parent):
    """A revision as the post row _prepare_post reads (post_type revision, status inherit)."""
    row = Post(id=revision.id, wp_id=revision.wp_id, post_type="revision", status="inherit",
               slug=f"{parent.wp_id}-revision-v1", title=revision.title, content=revision.content,
               excerpt=revision.excerpt, published_at=revision.created_at, updated_at=revision.updated_at,
               author=revision.author_id, parent=parent.id, password="", menu_order=0, guid="",
               comment_status="closed", ping_status="closed", format="standard")
    row.author_wp_id, row.parent_wp_id = getattr(revision, "author_wp_id", None), parent.wp_id
    return row


@method("wp.restoreRevision", min_args=3)
def wp_restore_revision(call, args):
    """wp_restore_post_revision: the revision's title, content, excerpt (and ACF values) back on its post."""
    call.login(arg(args, 1), arg(args, 2))
    revision = revision_queries.find(php_int(arg(args, 3)))
    if revision is None or revision.kind != "revision":
        raise Fault(404, "Invalid post ID.")
    post = post_queries.find(Post.select(Post.wp_id).where(Post.id == revision.post_id).scalar() or 0)
    if post is None or not permissions.may_see_level(call.user, post.compliance_level):
        raise Fault(404, "Invalid post ID.")
    if not permissions.can_edit_post(call.user, post):
        raise Fault(401, "Sorry, you are not allowed to edit this post.")
    editing.apply_fields(post, revision_editing.restore_fields(revision), call.user, call.zone, creating=False,
                         home=call.home)
    editing.save_existing(post)
    revision_editing.restore_custom_fields(post, revision, "phi" in permissions.compliance_levels(call.user))
    editing.after_update(post, call.user)
    call.touched(post.id, wp_id=post.wp_id, revision=revision.wp_id)
    return True


def can_edit_type(user, post_type):
    return can(user, "edit_pages" if post_type == "page" else "edit_posts")
