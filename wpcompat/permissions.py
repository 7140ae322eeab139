"""Who may read, edit and delete which post: WordPress's map_meta_cap, plus the healthcare rules.

WordPress rules (wp-includes/capabilities.php): an author edits their own posts with
edit_posts (edit_published_posts once published), others' with edit_others_posts;
private posts need read_private_posts; pages use the *_pages capabilities.

Healthcare rules (DESIGN.md §8) come first: content whose compliance level the user may
not see does not exist for them — 404, never counted in X-WP-Total.
"""

from wpcompat.auth import can

PUBLIC_STATUSES = ("publish",)
EDITOR_ROLES = ("administrator", "editor")


def compliance_levels(user):
    """The compliance levels this user may see (None in the column counts as public)."""
    levels = ["public"]
    if not user.is_authenticated:
        return levels
    role = user.role
    if role in EDITOR_ROLES or getattr(user, "validated_at", None) is not None:
        levels.append("professional")
    if role in EDITOR_ROLES:
        levels.append("restricted")
    if role == "administrator" or getattr(user, "phi_access", False):
        levels.append("phi")
    return levels


def may_see_level(user, level):
    return (level or "public") in compliance_levels(user)


def _caps(post_type):
    noun = "pages" if post_type == "page" else "posts"
    return {key: f"{key}_{noun}" for key in ("edit", "edit_others", "edit_published", "edit_private",
                                             "delete", "delete_others", "delete_published",
                                             "delete_private", "read_private", "publish")}


def is_author(user, post):
    return user.is_authenticated and post.author_id == user.id


def effective_status(post):
    return post.pre_trash_status or "draft" if post.status == "trash" else post.status


def can_edit_post(user, post):
    if not user.is_authenticated or not may_see_level(user, post.compliance_level):
        return False
    caps = _caps(post.post_type)
    status = effective_status(post)
    if is_author(user, post):
        if status in ("publish", "future"):
            return can(user, caps["edit_published"])
        return can(user, caps["edit"])
    if not can(user, caps["edit_others"]):
        return False
    if status in ("publish", "future"):
        return can(user, caps["edit_published"])
    if status == "private":
        return can(user, caps["edit_private"])
    return True


def can_delete_post(user, post):
    if not user.is_authenticated or not may_see_level(user, post.compliance_level):
        return False
    caps = _caps(post.post_type)
    status = effective_status(post)
    if is_author(user, post):
        return can(user, caps["delete_published"] if status in ("publish", "future") else caps["delete"])
    if not can(user, caps["delete_others"]):
        return False
    if status in ("publish", "future"):
        return can(user, caps["delete_published"])
    if status == "private":
        return can(user, caps["delete_private"])
    return True


def can_read_post(user, post):
    """check_read_permission: published is public; private needs read_private; the rest need edit."""
    if not may_see_level(user, post.compliance_level):
        return False
    if post.post_type == "wp_block" and not can(user, "edit_posts"):    # its read_post maps to edit_posts
        return False
    if post.status == "publish":
        return True
    if post.status == "private":
        return is_author(user, post) or can(user, _caps(post.post_type)["read_private"])
    return can_edit_post(user, post)


def can_publish(user, post_type):
    return can(user, _caps(post_type)["publish"])


def can_create(user, post_type):
    return can(user, _caps(post_type)["edit"])


def can_edit_others(user, post_type):
    return can(user, _caps(post_type)["edit_others"])


def can_read_private(user, post_type):
    return can(user, _caps(post_type)["read_private"])
