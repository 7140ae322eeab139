"""Reading users: who exists, who may be listed, WordPress's collection filters and ordering. No HTTP here.

Every query is tenant-scoped by the model layer (and by RLS on PostgreSQL), and
soft-deleted users (deleted_at set) exist for nobody. Callers without `list_users`
only ever see users with published content they could read themselves (posts or
pages in `publish` of a compliance level visible to them): no user enumeration.

Ordering by the text columns follows MySQL's accent- and case-insensitive collation
(`Álvaro` before `Ana`), which neither SQLite nor PostgreSQL's default collation
gives; so a listing reads the sort keys of the matching users in one query, sorts
them here and then loads the page's rows in a second one — two queries whatever
per_page is, linear in the tenant's (small) number of matching users.
"""

import functools

import peewee

from wpcompat import permissions
from wpcompat.auth import ROLE_CAPABILITIES
from wpcompat.models import Post, User
from wpcompat.slugs import remove_accents

PUBLISHED_TYPES = ("post", "page")          # the post types our posts table holds
AUTHOR_ROLES = ("administrator", "editor", "author", "contributor")   # user_level > 0 (who=authors)


def active():
    return User.select().where(User.deleted_at.is_null())


def find(wp_id):
    """The active user with this integer id in the current tenant, or None."""
    if wp_id is None or int(wp_id) <= 0:
        return None
    return active().where(User.wp_id == int(wp_id)).first()


def find_by_uuid(user_id):
    return active().where(User.id == user_id).first()


def _published_authors(viewer, post_types=PUBLISHED_TYPES):
    """Subquery: authors of content in `publish` of a type in post_types that `viewer` may see."""
    types = [name for name in post_types if name in PUBLISHED_TYPES]
    if not types:
        return None
    levels = permissions.compliance_levels(viewer)
    visible = Post.compliance_level.in_(levels)
    if "public" in levels:
        visible = visible | Post.compliance_level.is_null()
    return (Post.select(Post.author)
            .where(Post.status == "publish", Post.post_type.in_(types), Post.deleted_at.is_null(), visible))


def has_published_posts(user, viewer):
    """count_user_posts() > 0, counting only what `viewer` could read."""
    authors = _published_authors(viewer)
    return authors is not None and authors.where(Post.author == user.id).exists()


def roles_with_capabilities(capabilities):
    """The roles that hold any of `capabilities` (a role's own name counts, as in WordPress)."""
    wanted = set(capabilities)
    return [role for role, caps in ROLE_CAPABILITIES.items() if role in wanted or caps & wanted]


def _filtered(viewer, args, published_only, may_list):
    query = active()
    if published_only is not None:
        authors = _published_authors(viewer, published_only)
        query = query.where(User.id.in_(authors)) if authors is not None else query.where(peewee.SQL("1 = 0"))
    if args.get("include"):
        query = query.where(User.wp_id.in_(args["include"]))
    if args.get("exclude"):
        query = query.where(User.wp_id.not_in(args["exclude"]))
    if args.get("slug"):
        query = query.where(User.nicename.in_(args["slug"]))
    if args.get("roles"):
        query = query.where(User.role.in_(args["roles"]))
    if args.get("capabilities"):
        query = query.where(User.role.in_(roles_with_capabilities(args["capabilities"])))
    if args.get("who") == "authors":
        query = query.where(User.role.in_(AUTHOR_ROLES))
    if args.get("search"):
        query = query.where(_search(args["search"], may_list))
    return query


def _search(text, may_list):
    """WP_User_Query's `*term*` search on WordPress's columns; without list_users never the email."""
    term = text.strip("*")
    if not may_list:
        columns = [User.login, User.nicename, User.display_name]
        clause = functools.reduce(lambda a, b: a | b, [column.contains(term) for column in columns])
        return clause | (User.wp_id == int(term)) if term.isdigit() else clause
    if "@" in term:
        return User.email.contains(term)
    if term.isdigit():
        return User.login.contains(term) | (User.wp_id == int(term))
    if term.lower().startswith(("http://", "https://")):
        return User.url.contains(term)
    columns = [User.login, User.url, User.email, User.nicename, User.display_name]
    return functools.reduce(lambda a, b: a | b, [column.contains(term) for column in columns])


def collate(text):
    """A sort key close to MySQL's utf8mb4_unicode_ci: accents and case do not count."""
    return remove_accents(text or "").casefold()


SORT_KEYS = {
    "id": lambda row, args: row.wp_id,
    "name": lambda row, args: collate(row.display_name),
    "slug": lambda row, args: collate(row.nicename),
    "email": lambda row, args: collate(row.email),
    "url": lambda row, args: collate(row.url),
    "registered_date": lambda row, args: row.created_at,
}


def _position_key(values, attribute):
    positions = {value: index for index, value in enumerate(values)}
    return lambda row, args: positions.get(getattr(row, attribute), len(positions))


def _sort_key(args):
    orderby = args.get("orderby") or "name"
    if orderby == "include" and args.get("include"):
        return _position_key(args["include"], "wp_id")
    if orderby == "include_slugs" and args.get("slug"):
        return _position_key(args["slug"], "nicename")
    return SORT_KEYS.get(orderby, lambda row, args: collate(row.login))


def collection(viewer, args, published_only, may_list, offset, limit):
    """(total, users of the page in order). published_only: None, or the post types that count;
    may_list: the viewer has list_users (search may look at emails and URLs)."""
    keys = list(_filtered(viewer, args, published_only, may_list)
                .select(User.id, User.wp_id, User.login, User.display_name, User.nicename, User.email,
                        User.url, User.created_at))
    key = _sort_key(args)
    keys.sort(key=lambda row: (key(row, args), row.wp_id), reverse=(args.get("order") == "desc"))
    page_ids = [row.id for row in keys[offset:offset + limit]]
    if not page_ids:
        return len(keys), []
    rows = {row.id: row for row in active().where(User.id.in_(page_ids))}
    return len(keys), [rows[row_id] for row_id in page_ids if row_id in rows]


# --- uniqueness (users of the tenant that exist; deleted ones hold tombstones) -----------------------

def login_taken(login):
    return User.select(User.id).where(peewee.fn.LOWER(User.login) == login.lower()).exists()


def email_owner(email):
    """The user (deleted or not) holding this email, case-insensitively, or None."""
    return User.select(User.id, User.wp_id).where(peewee.fn.LOWER(User.email) == email.lower()).first()


def slug_owner(slug):
    return active().select(User.id).where(User.nicename == slug).first()
