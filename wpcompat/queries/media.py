"""Reading media (attachments): visibility, WordPress's collection filters and ordering. No HTTP here.

Every query is tenant-scoped by the model layer (and RLS on PostgreSQL). On top,
`visible()` keeps only what the user may see, in SQL, so X-WP-Total never counts
the rest:
- PHI (DESIGN.md §8): media with `contains_phi` exist only for users who may read PHI;
- media attached to a post the user may not see (its compliance level) do not exist either;
- `inherit` media follow their parent post's readability (WordPress's
  check_read_permission), except for their own uploader; unattached ones are public.
Media have no status column: every row is `inherit`.
"""

import datetime
import functools
import operator
import re

import peewee

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.models import Media, Post, User
from wpcompat.queries import posts as post_queries
from wpcompat.queries import common
from wpcompat.queries.compiled import CompiledQuery

Uploader = User.alias("uploader")
Parent = Post.alias("attached_to")
PARENT_TYPES = ("post", "page")


def base_select():
    """Media with their uploader's and parent's integer ids, in one query."""
    return (Media.select(Media, Uploader.wp_id.alias("author_wp_id"), Parent.wp_id.alias("parent_wp_id"))
            .join(Uploader, peewee.JOIN.LEFT_OUTER, on=(Media.uploaded_by == Uploader.id))
            .switch(Media).join(Parent, peewee.JOIN.LEFT_OUTER, on=(Media.post == Parent.id))
            .switch(Media))


def may_see_phi(user):
    return "phi" in permissions.compliance_levels(user)


def _level_visible_posts(user):
    levels = permissions.compliance_levels(user)
    visible = Post.compliance_level.in_(levels)
    if "public" in levels:
        visible = visible | Post.compliance_level.is_null()
    return Post.select(Post.id).where(visible)


def _readable_parent_clause(user):
    clauses = [Media.post.in_(post_queries.readable(Post.select(Post.id).where(Post.post_type == post_type),
                                                    user, post_type, post_queries.ALL_STATUSES))
               for post_type in PARENT_TYPES]
    return functools.reduce(operator.or_, clauses)


def visible(query, user):
    """Only the media `user` may see (see the module docstring)."""
    if not may_see_phi(user):
        query = query.where((Media.contains_phi == False) | Media.contains_phi.is_null())  # noqa: E712
    query = query.where(Media.post.is_null() | Media.post.in_(_level_visible_posts(user)))
    readable = Media.post.is_null() | _readable_parent_clause(user)
    if user.is_authenticated:
        readable = readable | (Media.uploaded_by == user.id)
    return query.where(readable)


_FIND = CompiledQuery(lambda wp_id: base_select().where(Media.wp_id == wp_id).objects(), wp_id=-424242)


def find(wp_id):
    """The media item with this integer id in the current tenant (None if absent)."""
    rows = _FIND.rows(wp_id=wp_id)
    return rows[0] if rows else None


def content_images(wp_ids, user):
    """The attachments content images name (wp-image-N) that `user` may see, in one query:
    what source_url and the content filter read (PHI never: visible() keeps it from anyone else,
    and its files have no public sub-size URLs to list)."""
    query = (Media.select(Media.id, Media.wp_id, Media.metadata, Media.url, Media.filename, Media.contains_phi)
             .where(Media.wp_id.in_(sorted(wp_ids))
                    & ((Media.contains_phi == False) | Media.contains_phi.is_null())))  # noqa: E712
    return list(visible(query, user))


def parent_of(media):
    """The post a media item is attached to (any status), or None."""
    if media.post_id is None:
        return None
    return Post.select().where(Post.id == media.post_id).first()


def parents_by_id(media_items):
    """{post uuid: Post} for the parents of a page of media, in one query."""
    ids = list({item.post_id for item in media_items if item.post_id is not None})
    if not ids:
        return {}
    return {post.id: post for post in Post.select().where(Post.id.in_(ids))}


def collection(user, args, zone):
    """(page query with joins and ordering, count query without them) for the matching media."""
    page = _filtered(base_select(), user, args, zone)
    count = _filtered(Media.select(Media.id), user, args, zone)
    return _order(page, args), count


def _filtered(query, user, args, zone):
    if "inherit" not in (args.get("status") or ["inherit"]):
        return query.where(peewee.SQL("1 = 0"))       # no private or trashed media are stored
    query = visible(query, user)
    query = common.filter_authors_and_ids(query, args, Media.uploaded_by, Media.wp_id)
    query = common.filter_parents(query, args, Media.post)
    # after/before on the upload date, modified_* on the last change (both stored in UTC)
    query = common.filter_dates(query, args, {"date": Media.inserted_at, "modified": Media.updated_at},
                                lambda moment: _utc(moment, zone))
    query = _filter_types(query, args)
    if args.get("search"):
        query = _search(query, args["search"])
    if args.get("slug"):
        query = query.where(Media.slug.in_(args["slug"]))
    return query


def _utc(value, zone):
    """A request date → naive UTC; without an offset it is the site's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _filter_types(query, args):
    """WordPress 6.1: a known mime_type wins over media_type; an unknown one is ignored. Each is one string
    (REST) or a list of them (XML-RPC's filters)."""
    mime_types = [value for value in _listed(args.get("mime_type")) if _is_known_mime_type(value)]
    if mime_types:
        return query.where(Media.mime_type.in_(mime_types))
    media_types = _listed(args.get("media_type"))
    if media_types:
        clauses = [Media.mime_type.startswith(f"{media_type}/") for media_type in media_types]
        query = query.where(functools.reduce(operator.or_, clauses))
    return query


def _listed(value):
    return [value] if isinstance(value, str) and value else value or []


_MIME_SUBTYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\Z")      # RFC 6838's restricted-name


def _is_known_mime_type(value):
    """One MIME type of a media kind WordPress knows (`image/png,image/jpeg` is not one: ignored, as WordPress
    ignores a value outside get_allowed_mime_types())."""
    major, _, minor = str(value).partition("/")
    return major in ("image", "video", "text", "application", "audio") and _MIME_SUBTYPE.match(minor) is not None


def _search(query, text):
    """Every word must be in the title, caption, description or file name (WordPress's search
    with wp_allow_query_attachment_by_filename). The file name is matched after the tenant's
    folder, so a word of the tenant's slug does not match every file."""
    for word in [part for part in text.split() if part][:10] or [text]:
        pattern = f"%{word}%"
        query = query.where(Media.title.ilike(pattern) | Media.caption.ilike(pattern)
                            | Media.description.ilike(pattern) | Media.filename.ilike(f"%/{pattern}")
                            | Media.original_filename.ilike(pattern))
    return query


def _order(query, args):
    orderby = args.get("orderby") or "date"
    descending = (args.get("order") or "desc") == "desc"
    if orderby in ("include", "include_slugs"):
        values = args.get("include" if orderby == "include" else "slug") or []
        column = Media.wp_id if orderby == "include" else Media.slug
        position = peewee.Case(column, [(value, index) for index, value in enumerate(values)], len(values)) \
            if values else column                 # no values: a CASE without WHEN is a syntax error
        return query.order_by(position, Media.wp_id)
    if orderby == "relevance":
        words = " ".join((args.get("search") or "").split())
        in_title = peewee.Case(None, [(Media.title.ilike(f"%{words}%"), 0)], 1)
        return query.order_by(in_title, Media.inserted_at.desc(), Media.wp_id.desc())
    columns = {"date": Media.inserted_at, "id": Media.wp_id, "modified": Media.updated_at, "title": Media.title,
               "slug": Media.slug, "author": Uploader.wp_id, "parent": Parent.wp_id}
    column = columns[orderby]
    tie = Media.wp_id.desc() if descending else Media.wp_id.asc()
    return query.order_by(column.desc() if descending else column.asc(), tie)


def may_use_status(user, status):
    """sanitize_post_statuses for attachments: a status other than inherit needs edit_posts
    (private: read_private_posts is enough)."""
    if status == "inherit":
        return True
    if status == "private" and can(user, "read_private_posts"):
        return True
    return can(user, "edit_posts")
