"""Reading comments: who may see which, WordPress's collection filters and ordering. No HTTP here.

A comment exists for a user only if its post does (tenant scope, the post's compliance level:
DESIGN.md §8). Within that, WordPress's check_read_permission, in SQL so X-WP-Total never
counts what the caller may not read: an approved comment on a post the user may read, the
user's own comments, and every comment on a post the user may edit (edit_comment maps to
edit_post). Comments the PHI detector flagged exist only for who may read PHI, and their author.
"""

import functools

import peewee

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.models import Comment, Post, User
from wpcompat.queries import common
from wpcompat.queries import posts as post_queries

Commenter = User.alias("commenter")
CommentPost = Post.alias("comment_post")
ParentComment = Comment.alias("parent_comment")

POST_TYPES = ("post", "page")
STATUS_FILTERS = {"approve": ("approved",), "approved": ("approved",), "1": ("approved",), "hold": ("hold",),
                  "0": ("hold",), "all": ("approved", "hold"), "": ("approved", "hold")}


def base_select():
    """Comments with their post's, parent's and user's integer ids and email, in one query."""
    return (Comment.select(Comment, CommentPost.wp_id.alias("post_wp_id"), ParentComment.wp_id.alias("parent_wp_id"),
                           Commenter.wp_id.alias("user_wp_id"), Commenter.email.alias("user_email"))
            .join(CommentPost, on=(Comment.post == CommentPost.id))
            .switch(Comment).join(ParentComment, peewee.JOIN.LEFT_OUTER, on=(Comment.parent == ParentComment.id))
            .switch(Comment).join(Commenter, peewee.JOIN.LEFT_OUTER, on=(Comment.user == Commenter.id))
            .switch(Comment))


def _levels_clause(column, user):
    levels = permissions.compliance_levels(user)
    clause = column.in_(levels)
    return clause | column.is_null() if "public" in levels else clause


def readable_posts(user, password=None):
    """Ids of the posts whose approved comments `user` may read (check_read_post_permission)."""
    queries = []
    for post_type in POST_TYPES:
        query = Post.select(Post.id).where(Post.post_type == post_type)
        query = post_queries.readable(query, user, post_type, post_queries.ALL_STATUSES)
        if not permissions.can_edit_others(user, post_type):    # post_password_required, unless given
            unlocked = (Post.password == "") | (Post.password == password) if password else Post.password == ""
            query = query.where(unlocked | (Post.author == user.id) if user.is_authenticated else unlocked)
        queries.append(query)
    return functools.reduce(lambda a, b: a | b, queries)


def editable_posts(user):
    """Ids of the posts `user` may edit (map_meta_cap edit_post), hence whose comments they may edit."""
    if not user.is_authenticated:
        return None
    clauses = []
    for post_type, noun in (("post", "posts"), ("page", "pages")):
        is_type = Post.post_type == post_type
        if can(user, f"edit_others_{noun}"):
            clauses.append(is_type)
        elif can(user, f"edit_{noun}"):
            own = is_type & (Post.author == user.id)
            if not can(user, f"edit_published_{noun}"):
                own = own & Post.status.not_in(["publish", "future"])
            clauses.append(own)
    if not clauses:
        return None
    where = functools.reduce(lambda a, b: a | b, clauses)
    return Post.select(Post.id).where(where & _levels_clause(Post.compliance_level, user))


def visible(query, user, password=None):
    """Only the comments `user` may read (check_read_permission, and the healthcare rules)."""
    query = query.where(_levels_clause(CommentPost.compliance_level, user))
    clause = (Comment.status == "approved") & Comment.post.in_(readable_posts(user, password))
    own = (Comment.user == user.id) if user.is_authenticated else None
    if own is not None:
        clause = clause | own
    editable = editable_posts(user)
    if editable is not None:
        clause = clause | Comment.post.in_(editable)
    query = query.where(clause)
    if "phi" not in permissions.compliance_levels(user):
        query = query.where((Comment.contains_phi == False) | own if own is not None  # noqa: E712
                            else Comment.contains_phi == False)  # noqa: E712
    return query


def find(wp_id):
    """The comment with this id in the current tenant, with its post's ids (None if absent)."""
    return base_select().where(Comment.wp_id == wp_id).objects().first()


def exists_for(user, comment):
    """A comment exists for a user when its post's compliance level is theirs, and it is not PHI they
    may not read (their own comment excepted)."""
    post = comment.post
    if not permissions.may_see_level(user, post.compliance_level):
        return False
    if comment.contains_phi and "phi" not in permissions.compliance_levels(user):
        return user.is_authenticated and comment.user_id == user.id
    return True


def collection(user, args, zone):
    """(page query, count query) of the comments matching WordPress's collection arguments."""
    page = _order(_filtered(base_select(), user, args, zone), args)
    count = _filtered(Comment.select(Comment.id).join(CommentPost, on=(Comment.post == CommentPost.id))
                      .switch(Comment), user, args, zone)
    return page, count


def _filtered(query, user, args, zone):
    query = visible(query, user, args.get("password"))
    query = _filter_status(query, args.get("status", "approve"))
    comment_type = args.get("type", "comment")
    if comment_type in ("comment", "comments"):
        query = query.where(Comment.comment_type.in_(["comment", ""]))
    elif comment_type in ("pings",):
        query = query.where(Comment.comment_type.in_(["pingback", "trackback"]))
    elif comment_type not in ("all", ""):
        query = query.where(Comment.comment_type == comment_type)
    if args.get("post"):
        query = query.where(CommentPost.wp_id.in_(args["post"]))
    query = common.filter_authors_and_ids(query, args, Comment.user, Comment.wp_id)
    if args.get("author_email"):
        query = query.where(Comment.author_email == args["author_email"])
    query = _filter_parents(query, args)
    for key, later in (("after", True), ("before", False)):
        value = common.request_date(args.get(key))
        if value is not None:
            moment = post_queries._local(value, zone)
            query = query.where(Comment.date_local > moment if later else Comment.date_local < moment)
    if args.get("search"):
        pattern = f"%{args['search']}%"
        found = Comment.author_name.ilike(pattern) | Comment.author_url.ilike(pattern) | Comment.content.ilike(pattern)
        if can(user, "moderate_comments"):       # e-mail and IP are PHI-grade: no search oracle for others
            found = found | Comment.author_email.ilike(pattern) | Comment.author_ip.ilike(pattern)
        query = query.where(found)
    return query


def _filter_status(query, status):
    status = status or ""
    if status == "any":
        return query
    return query.where(Comment.status.in_(list(STATUS_FILTERS.get(status, (status,)))))


def _parent_ids(wp_ids):
    return ParentComment.select(ParentComment.id).where(ParentComment.wp_id.in_(wp_ids))


def _filter_parents(query, args):
    """parent / parent_exclude: comment ids, 0 meaning top level."""
    wanted = args.get("parent")
    if wanted:
        ids = [value for value in wanted if value]
        clause = Comment.parent.in_(_parent_ids(ids)) if ids else peewee.SQL("1 = 0")
        query = query.where(clause | Comment.parent.is_null() if 0 in wanted else clause)
    unwanted = args.get("parent_exclude")
    if unwanted:
        ids = [value for value in unwanted if value]
        elsewhere = Comment.parent.is_null(False)
        if ids:
            elsewhere = elsewhere & Comment.parent.not_in(_parent_ids(ids))
        query = query.where(elsewhere if 0 in unwanted else elsewhere | Comment.parent.is_null())
    return query


def _order(query, args):
    orderby = args.get("orderby") or "date_gmt"
    descending = (args.get("order") or "desc") == "desc"
    if orderby == "include" and args.get("include"):
        values = args["include"]
        position = peewee.Case(Comment.wp_id, [(value, index) for index, value in enumerate(values)], len(values))
        return query.order_by(position, Comment.wp_id)
    columns = {"date": Comment.date_local, "date_gmt": Comment.date_gmt, "id": Comment.wp_id,
               "include": Comment.date_gmt, "post": CommentPost.wp_id, "parent": ParentComment.wp_id,
               "type": Comment.comment_type}
    column = columns.get(orderby, Comment.date_gmt)
    tie = Comment.wp_id.desc() if descending else Comment.wp_id.asc()
    return query.order_by(column.desc() if descending else column.asc(), tie)


def has_children(comment_ids):
    """The uuids among `comment_ids` that have at least one reply (any status): the `children` link."""
    if not comment_ids:
        return set()
    rows = Comment.select(Comment.parent).where(Comment.parent.in_(list(comment_ids))).distinct().tuples()
    return {parent for (parent,) in rows}


def counts(post):
    """wp_count_comments($post_id): {approved, moderated, spam, trash, total_comments}."""
    rows = (Comment.select(Comment.status, peewee.fn.COUNT(Comment.id))
            .where(Comment.post == post.id).group_by(Comment.status).tuples())
    by_status = dict(rows)
    approved, held, spam = by_status.get("approved", 0), by_status.get("hold", 0), by_status.get("spam", 0)
    return {"approved": approved, "moderated": held, "spam": spam, "trash": by_status.get("trash", 0),
            "total_comments": approved + held + spam}


def is_duplicate(post, parent, content, author_name, author_email, user):
    """wp_allow_comment's duplicate check: the same text by the same person on the same post and parent."""
    same_parent = Comment.parent.is_null() if parent is None else Comment.parent == parent.id
    query = Comment.select(Comment.id).where(Comment.post == post.id, Comment.content == content, same_parent)
    who = Comment.author_name == author_name
    if author_email:
        who = who | (Comment.author_email == author_email)
    if user is not None and user.is_authenticated:
        who = who | (Comment.user == user.id)
    return query.where(who).exists()


def previously_approved(author_name, author_email):
    """check_comment's comment_previously_approved: this name and e-mail had a comment approved before."""
    if not author_email:
        return False
    return Comment.select(Comment.id).where(Comment.author_name == author_name, Comment.author_email == author_email,
                                            Comment.status == "approved").exists()
