"""prepare_item_for_response for users and application passwords: WordPress's fields, order and links."""

import hashlib
from urllib.parse import urlsplit

from wpcompat.schemas.users import AVATAR_SIZES

# The capabilities of WordPress's default roles, in the order populate_roles() grants them
# (what WP_User::$allcaps lists; the role's own name comes last, as WordPress adds it).
_LEVELS = [f"level_{n}" for n in range(10, -1, -1)]
_ADMIN_ONLY = ["switch_themes", "edit_themes", "activate_plugins", "edit_plugins", "edit_users", "edit_files",
               "manage_options"]
_EDITOR_HEAD = ["moderate_comments", "manage_categories", "manage_links", "upload_files"]
_PAGES_AND_PRIVATE = ["edit_others_pages", "edit_published_pages", "publish_pages", "delete_pages",
                      "delete_others_pages", "delete_published_pages", "delete_posts", "delete_others_posts",
                      "delete_published_posts", "delete_private_posts", "edit_private_posts", "read_private_posts",
                      "delete_private_pages", "edit_private_pages", "read_private_pages"]
WP_CAPABILITIES = {
    "administrator": _ADMIN_ONLY + _EDITOR_HEAD + ["import", "unfiltered_html", "edit_posts", "edit_others_posts",
                                                   "edit_published_posts", "publish_posts", "edit_pages", "read"]
    + _LEVELS + _PAGES_AND_PRIVATE
    + ["delete_users", "create_users", "unfiltered_upload", "edit_dashboard", "update_plugins", "delete_plugins",
       "install_plugins", "update_themes", "install_themes", "update_core", "list_users", "remove_users",
       "promote_users", "edit_theme_options", "delete_themes", "export"],
    "editor": _EDITOR_HEAD + ["unfiltered_html", "edit_posts", "edit_others_posts", "edit_published_posts",
                              "publish_posts", "edit_pages", "read"] + _LEVELS[3:] + _PAGES_AND_PRIVATE,
    "author": ["upload_files", "edit_posts", "edit_published_posts", "publish_posts", "read", "level_2", "level_1",
               "level_0", "delete_posts", "delete_published_posts"],
    "contributor": ["edit_posts", "read", "level_1", "level_0", "delete_posts"],
    "subscriber": ["read", "level_0"],
}


def capabilities_of(user):
    """(capabilities, extra_capabilities) as WP_User's allcaps and caps."""
    role = user.role
    caps = {name: True for name in WP_CAPABILITIES.get(role, [])}
    caps[role] = True
    return caps, {role: True}


def avatar_urls(email, scheme="http"):
    """rest_get_avatar_urls(): Gravatar URLs from the md5 of the trimmed, lower-cased email."""
    digest = hashlib.md5((email or "").strip().lower().encode("utf-8")).hexdigest()
    if scheme == "https":
        base = f"https://secure.gravatar.com/avatar/{digest}"
    else:
        base = f"http://{int(digest[0], 16) % 3}.gravatar.com/avatar/{digest}"
    return {str(size): f"{base}?s={size}&d=mm&r=g" for size in AVATAR_SIZES}


def iso_gmt(value):
    """gmdate('c'): 2024-01-01T08:00:00+00:00."""
    return value.strftime("%Y-%m-%dT%H:%M:%S+00:00") if value is not None else None


def user_locale(user, site):
    """get_user_locale(): the user's own, else the site's."""
    return user.locale or getattr(site, "language", "") or "en_US"


def prepare_user(user, ctx):
    """The user's fields in WordPress's order (context filtering comes after). ctx: PrepareContext."""
    included = ctx.included
    data = {}
    simple = (("id", user.wp_id), ("username", user.login), ("name", user.display_name),
              ("first_name", user.first_name), ("last_name", user.last_name), ("email", user.email),
              ("url", user.url), ("description", user.description))
    for name, value in simple:
        if included(name):
            data[name] = value
    if included("link"):
        data["link"] = f"{ctx.home}/author/{user.nicename}/"
    if included("locale"):
        data["locale"] = user_locale(user, ctx.request.site)
    if included("nickname"):
        data["nickname"] = user.login         # no nickname is stored: WordPress's default
    if included("slug"):
        data["slug"] = user.nicename
    if included("roles"):
        data["roles"] = [user.role]
    if included("registered_date"):
        data["registered_date"] = iso_gmt(user.created_at)
    if included("capabilities") or included("extra_capabilities"):
        caps, extra = capabilities_of(user)
        if included("capabilities"):
            data["capabilities"] = caps
        if included("extra_capabilities"):
            data["extra_capabilities"] = extra
    if included("avatar_urls"):
        data["avatar_urls"] = avatar_urls(user.email, urlsplit(ctx.home).scheme)
    if included("meta"):
        data["meta"] = {"persisted_preferences": []}
    for name in ("professional_registry", "professional_type", "speciality"):
        if included(name):
            data[name] = getattr(user, name)
    if included("validated_at"):
        data["validated_at"] = iso_gmt(user.validated_at)
    return data


def finish_meta(data):
    """In view context the edit-only meta key is gone and PHP prints the empty array as []."""
    if isinstance(data.get("meta"), dict) and not data["meta"]:
        data["meta"] = []
    return data


def user_links(user, ctx):
    return {"self": [{"href": f"{ctx.rest_root}wp/v2/users/{user.wp_id}"}],
            "collection": [{"href": f"{ctx.rest_root}wp/v2/users"}]}


# --- application passwords --------------------------------------------------------------------------

def _gmt(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S") if value is not None else None


def prepare_application_password(item, new_password=None):
    data = {"uuid": str(item.uuid), "app_id": item.app_id or "", "name": item.name,
            "created": _gmt(item.created_at), "last_used": _gmt(item.last_used_at), "last_ip": item.last_ip or None}
    if new_password is not None:
        data["password"] = new_password
    return data


def application_password_links(owner, item, rest_root):
    return {"self": [{"href": f"{rest_root}wp/v2/users/{owner.wp_id}/application-passwords/{item.uuid}"}]}
