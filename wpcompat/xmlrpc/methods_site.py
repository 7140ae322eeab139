"""Site-wide methods: wp.getOptions, wp.setOptions, wp.getPostType(s), wp.getPostFormats, the status and
template lists, wp.getMediaItem, wp.getMediaLibrary, and uploads (wp.uploadFile, metaWeblog.newMediaObject).

Options are the tenant's settings (editing/settings.py, as /wp/v2/settings reads and writes
them); the options REST does not expose (users_can_register, the image sizes) are kept in
tenants.options under WordPress's option names.
"""

import base64
import datetime
import re
import zoneinfo

from wpcompat import kses, registry, uploads
from wpcompat.audit import Operation, record
from wpcompat.auth import can
from wpcompat.editing import settings as site_settings
from wpcompat.errors import WPError
from wpcompat.models import Media, Tenant
from wpcompat.models.base import utcnow
from wpcompat.queries import media as media_queries
from wpcompat.routes.media import MediaController
from wpcompat.xmlrpc.call import absint, arg, string_list, struct, text, truthy
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.structs import media_struct
from wpcompat.xmlrpc.table import alias, method

SOFTWARE_VERSION = "6.1.9"
MENU_POSITIONS = {"post": 5, "page": 20, "attachment": 10}          # register_post_type's menu_position
DETAILS_DENIED = "Sorry, you are not allowed to access details about this site."
FIXED_OPTIONS = (("users_can_register", "Allow new users to sign up", "0"),
                 ("thumbnail_size_w", "Thumbnail Width", "150"), ("thumbnail_size_h", "Thumbnail Height", "150"),
                 ("thumbnail_crop", "Crop thumbnail to exact dimensions", "1"),
                 ("medium_size_w", "Medium size image width", "300"),
                 ("medium_size_h", "Medium size image height", "300"),
                 ("medium_large_size_w", "Medium-Large size image width", "768"),
                 ("medium_large_size_h", "Medium-Large size image height", "0"),
                 ("large_size_w", "Large size image width", "1024"),
                 ("large_size_h", "Large size image height", "1024"))


# --- options -------------------------------------------------------------------------------------

def _gmt_offset(zone_name):
    """gmt_offset: hours east of UTC now, in the site's timezone."""
    try:
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0.0
    return datetime.datetime.now(zone).utcoffset().total_seconds() / 3600


def _offset_zone(value):
    """A numeric UTC offset written to time_zone → the IANA zone of that fixed offset."""
    try:
        hours = float(value)
    except (TypeError, ValueError):
        return None
    if hours == 0:
        return "UTC"
    if hours != int(hours) or abs(hours) > 14:
        return None
    return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(int(hours))}"


def options_table(call, row):
    """name → (desc, readonly, value, REST setting it writes or None), in WordPress's order."""
    home = call.home
    url = (row.url or home).rstrip("/")
    table = {
        "software_name": ("Software Name", True, "WordPress", None),
        "software_version": ("Software Version", True, SOFTWARE_VERSION, None),
        "blog_url": ("WordPress Address (URL)", True, url, None),
        "home_url": ("Site Address (URL)", True, url, None),
        "login_url": ("Login Address (URL)", True, f"{url}/wp-login.php", None),
        "admin_url": ("The URL to the admin area", True, f"{url}/wp-admin/", None),
        "image_default_link_type": ("Image default link type", True, "none", None),
        "image_default_size": ("Image default size", True, "", None),
        "image_default_align": ("Image default align", True, "", None),
        "template": ("Template", True, "twentytwentythree", None),
        "stylesheet": ("Stylesheet", True, "twentytwentythree", None),
        "post_thumbnail": ("Post Thumbnail", True, True, None),
        "time_zone": ("Time Zone", False, _gmt_offset(row.timezone_string), "timezone"),
        "blog_title": ("Site Title", False, row.name, "title"),
        "blog_tagline": ("Site Tagline", False, row.description or "", "description"),
        "date_format": ("Date Format", False, row.date_format, "date_format"),
        "time_format": ("Time Format", False, row.time_format, "time_format"),
    }
    options = row.options or {}
    for name, desc, default in FIXED_OPTIONS:
        table[name] = (desc, False, text(options.get(name, default)), ("option", name))
    table["default_comment_status"] = ("Allow people to submit comments on new posts.", False,
                                       options.get("default_comment_status", "open"), "default_comment_status")
    table["default_ping_status"] = ("Allow link notifications from other blogs (pingbacks and trackbacks) on new "
                                    "posts.", False, options.get("default_ping_status", "open"), "default_ping_status")
    return table


def _answer(call, table, names):
    may_manage = can(call.user, "manage_options")
    wanted = names if names else list(table)
    out = {}
    for name in wanted:
        if name in table:
            desc, readonly, value, _setting = table[name]
            out[name] = {"desc": desc, "readonly": readonly or not may_manage, "value": value}
    return out


@method("wp.getOptions")
def wp_get_options(call, args):
    call.login(arg(args, 1), arg(args, 2))
    names = string_list(arg(args, 3)) if isinstance(arg(args, 3), list) else \
        ([text(arg(args, 3))] if arg(args, 3) else [])
    row = site_settings.load(call.site.id)
    call.touched(call.site.id, names=names)
    return _answer(call, options_table(call, row), names)


@method("wp.setOptions")
def wp_set_options(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "manage_options"):
        raise Fault(403, "Sorry, you are not allowed to update options.")
    wanted = struct(arg(args, 3))
    table = options_table(call, site_settings.load(call.site.id))
    values, raw = {}, {}
    for name, value in wanted.items():
        entry = table.get(name)
        if entry is None or entry[1] or entry[3] is None:
            continue
        setting = entry[3]
        if isinstance(setting, tuple):
            raw[setting[1]] = text(value)
        else:
            values[setting] = _offset_zone(value) if setting == "timezone" else text(value)
    values = {key: value for key, value in values.items() if value is not None}
    if values:
        site_settings.update_settings(call.site.id, values)
        call.req.context.settings_changed = True
    if raw:
        _write_options(call.site.id, raw)
    call.touched(call.site.id, changed=sorted(values) + sorted(raw))
    return _answer(call, options_table(call, site_settings.load(call.site.id)), list(wanted))


def _write_options(tenant_id, values):
    """WordPress options without a REST setting: tenants.options[name] (the tenant_settings policy applies)."""
    row = site_settings.load(tenant_id, for_update=True)
    options = {**(row.options or {}), **values}
    Tenant.update(options=options, updated_at=utcnow()).where(Tenant.id == tenant_id).execute()


# --- post types, formats, statuses, templates -------------------------------------------------------

def served_post_types():
    return [post_type for post_type in registry.POST_TYPES.values() if post_type.served]


def post_type_struct(post_type, fields):
    """_prepare_post_type, from wpcompat.registry."""
    out = {"name": post_type.name, "label": post_type.label, "hierarchical": post_type.hierarchical,
           "public": post_type.public, "show_ui": post_type.show_ui, "_builtin": post_type.builtin,
           "has_archive": post_type.has_archive, "supports": {feature: True for feature in post_type.supports}}
    if "labels" in fields:
        out["labels"] = dict(post_type.labels)
    if "cap" in fields:
        out["cap"] = dict(post_type.capabilities)
        out["map_meta_cap"] = post_type.map_meta_cap
    if "menu" in fields:
        out.update({"menu_position": MENU_POSITIONS.get(post_type.name), "menu_icon": post_type.icon,
                    "show_in_menu": post_type.show_ui})
    if "taxonomies" in fields:
        out["taxonomies"] = list(post_type.taxonomies)
    return out


def can_edit_type(user, post_type):
    return can(user, post_type.capabilities["edit_posts"])


def _fields(value):
    return string_list(value) if isinstance(value, list) else ["labels", "cap", "taxonomies"]


@method("wp.getPostType", min_args=4)
def wp_get_post_type(call, args):
    fields = _fields(arg(args, 4))
    call.login(arg(args, 1), arg(args, 2))
    post_type = registry.post_type(text(arg(args, 3)))
    if post_type is None:
        raise Fault(403, "Invalid post type.")
    if not can_edit_type(call.user, post_type):
        raise Fault(401, "Sorry, you are not allowed to edit posts in this post type.")
    return post_type_struct(post_type, fields)


@method("wp.getPostTypes", min_args=3)
def wp_get_post_types(call, args):
    filters = struct(arg(args, 3)) if arg(args, 3) is not None else {"public": True}
    fields = _fields(arg(args, 4))
    call.login(arg(args, 1), arg(args, 2))
    out = {}
    for post_type in served_post_types():
        data = post_type_struct(post_type, fields)
        if all(data.get(key) == value for key, value in filters.items()) and can_edit_type(call.user, post_type):
            out[post_type.name] = data
    return out


@method("wp.getPostFormats")
def wp_get_post_formats(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_posts"):
        raise Fault(403, DETAILS_DENIED)
    formats = dict(registry.POST_FORMATS)
    if truthy(struct(arg(args, 3)).get("show-supported")):
        return {"all": formats, "supported": []}
    return formats


@method("wp.getPostStatusList")
def wp_get_post_status_list(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_posts"):
        raise Fault(403, DETAILS_DENIED)
    return {"draft": "Draft", "pending": "Pending Review", "private": "Private", "publish": "Published"}


@method("wp.getPageStatusList")
def wp_get_page_status_list(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_pages"):
        raise Fault(403, DETAILS_DENIED)
    return {"draft": "Draft", "private": "Private", "publish": "Published"}


@method("wp.getPageTemplates")
def wp_get_page_templates(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_pages"):
        raise Fault(403, DETAILS_DENIED)
    return {"Default": "default"}


# --- media -----------------------------------------------------------------------------------------

@method("wp.getMediaItem")
def wp_get_media_item(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "upload_files"):
        raise Fault(403, "Sorry, you are not allowed to upload files.")
    media = media_queries.find(absint(arg(args, 3)))
    if media is None or not media_queries.visible(Media.select(Media.id).where(Media.id == media.id),
                                                  call.user).exists():
        raise Fault(404, "Invalid attachment ID.")
    call.touched(media.id, wp_id=media.wp_id)
    return media_struct(media, call)


@method("wp.getMediaLibrary")
def wp_get_media_library(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "upload_files"):
        raise Fault(401, "Sorry, you are not allowed to upload files.")
    filters = struct(arg(args, 3))
    query_args = {"orderby": "date", "order": "desc"}
    if "parent_id" in filters:
        query_args["parent"] = [absint(filters["parent_id"])]
    if text(filters.get("mime_type")):
        query_args["mime_type"] = [text(filters["mime_type"])]
    query, _count = media_queries.collection(call.user, query_args, call.zone)
    number = filters.get("number", -1)
    if isinstance(number, int) and number > 0:
        query = query.limit(number)
    if absint(filters.get("offset")):
        query = query.offset(absint(filters["offset"]))
    items = list(query.objects())
    call.touched(None, ids=[item.wp_id for item in items])
    return [media_struct(item, call) for item in items]


@method("metaWeblog.newMediaObject", min_args=4)
def mw_new_media_object(call, args):
    """mw_newMediaObject: {name, type, bits, overwrite, post_id} through wpcompat/uploads.py (the
    client's `type` is ignored: the bytes decide). Answers _prepare_media_item plus id, file, url."""
    data = arg(args, 3)
    if not isinstance(data, dict) or not text(data.get("name")).strip():
        raise Fault(400, "Invalid attachment data.")
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "upload_files"):
        raise Fault(401, "Sorry, you are not allowed to upload files.")
    name, parent = text(data["name"]).strip(), None
    if absint(data.get("post_id")):
        parent = uploads.find_parent(call.user, absint(data["post_id"]))
        if parent is None:
            raise Fault(401, "Sorry, you are not allowed to edit this post.")
    replaced = _overwritten(call, name) if truthy(data.get("overwrite")) else None
    if replaced is not None:
        name = f"wpid{replaced.wp_id}-{re.sub(r'^wpid[0-9]+-', '', name)}"
    try:
        created = uploads.upload(call.site, call.user, name, _bits(data.get("bits")), parent=parent,
                                 fields=kses.for_user({"title": name}, call.user, call.home))
    except WPError as error:
        raise Fault(400 if error.status < 500 else 500, f"Could not write file {name} ({error.message}).") \
            from None
    if replaced is not None:                       # only once the new file is safely stored
        replaced.delete_instance()
        uploads.delete_files(replaced)
        record(call.req, "media:delete", replaced.id, operation=Operation.DELETE, wp_id=replaced.wp_id,
               overwritten_by=created.wp_id)
    media = media_queries.find(created.wp_id)
    call.touched(media.id, wp_id=media.wp_id, mime_type=media.mime_type)
    answer = media_struct(media, call)
    answer.update({"id": answer["attachment_id"], "file": answer["title"], "url": answer["link"]})
    return answer


def _bits(value):
    """<base64> arrives as bytes; some clients send the base64 text as a string."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    try:
        return base64.b64decode(text(value), validate=False)
    except (ValueError, TypeError):
        return b""


def _overwritten(call, name):
    """overwrite: WordPress deletes the attachment titled `name` (here: only one the caller may see and
    delete, as REST's DELETE /media/<id> would allow) and names the new file wpid<old id>-name."""
    old = Media.select().where(Media.title == name).order_by(Media.wp_id).first()   # the oldest, as MySQL's scan
    if old is None or not MediaController.exists_for(call.user, old, media_queries.parent_of(old)):
        return None
    return old if MediaController.can_delete(call.user, old) else None


alias("wp.uploadFile", "metaWeblog.newMediaObject")

