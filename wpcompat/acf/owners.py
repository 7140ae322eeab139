"""The objects /acf/v3 routes are about, as the caller may see them (no HTTP here).

The plugin reads fields of any id without a check; here an object the caller may not see
— another tenant's, a post of a compliance level or status they may not read, PHI media, a
user they could not look up on /wp/v2/users — does not exist (DESIGN.md §8), and writing
needs the right to edit that very object on top of the plugin's global `edit_posts`.
"""

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.models import Media, Post, Term, User
from wpcompat.queries import media as media_queries
from wpcompat.queries import posts as post_queries
from wpcompat.queries import terms as term_queries
from wpcompat.queries import users as user_queries
from wpcompat.slugs import sanitize_title

KINDS = {"posts": ("post", "post"), "pages": ("post", "page"), "media": ("media", "attachment"),
         "categories": ("term", "category"), "tags": ("term", "post_tag"), "users": ("user", "user")}


def options_page(raw_id):
    """The plugin's options id: sanitize_title, and ACF's `option` is `options`."""
    page = sanitize_title(str(raw_id or ""))
    return "options" if page == "option" else page


def _user_visible(user, viewer):
    if viewer.is_authenticated and viewer.id == user.id:
        return True
    return can(viewer, "list_users") or user_queries.has_published_posts(user, viewer)


def by_ids(kind, sub_type, wp_ids, viewer):
    """The visible objects among `wp_ids`, in that order (one query, two for users)."""
    wanted = [int(wp_id) for wp_id in wp_ids if int(wp_id) > 0]
    if not wanted:
        return []
    if kind == "post":
        rows = post_queries.base_select().where(Post.wp_id.in_(wanted), Post.post_type == sub_type).objects()
        found = {row.wp_id: row for row in rows if permissions.can_read_post(viewer, row)}
    elif kind == "media":
        rows = media_queries.visible(media_queries.base_select(), viewer).where(Media.wp_id.in_(wanted)).objects()
        found = {row.wp_id: row for row in rows}
    elif kind == "term":
        rows = term_queries.base_select().where(Term.wp_id.in_(wanted), Term.taxonomy == sub_type).objects()
        found = {row.wp_id: row for row in rows}
    else:
        rows = user_queries.active().where(User.wp_id.in_(wanted))
        found = {row.wp_id: row for row in rows if _user_visible(row, viewer)}
    return [found[wp_id] for wp_id in wanted if wp_id in found]


def find(kind, sub_type, raw_id, viewer):
    """The object of a URL id, or None when it does not exist for `viewer`."""
    if kind == "option":
        return options_page(raw_id) or None
    found = by_ids(kind, sub_type, [raw_id], viewer)
    return found[0] if found else None


def may_edit(kind, owner, user):
    """edit_post / edit_term / edit_user on the object (options: the plugin's edit_posts)."""
    if kind == "post":
        return permissions.can_edit_post(user, owner)
    if kind == "media":
        from wpcompat.routes.media import MediaController

        return MediaController.can_edit(user, owner)
    if kind == "term":
        return can(user, "manage_categories")
    if kind == "user":
        return user.is_authenticated and (user.id == owner.id or can(user, "edit_users"))
    return can(user, "edit_posts")
