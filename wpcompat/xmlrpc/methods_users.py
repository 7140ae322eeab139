"""Users: wp.getUsersBlogs (and blogger./metaWeblog.getUsersBlogs), blogger.getUserInfo, wp.getUser(s),
wp.getProfile, wp.editProfile, wp.getAuthors.

Users are tenant rows: another site's users do not exist here. Reads go through
queries/users.py (active users only).
"""

from wpcompat import kses
from wpcompat.auth import ROLES, can
from wpcompat.models import User
from wpcompat.editing import users as user_editing
from wpcompat.errors import WPError
from wpcompat.queries import users as user_queries
from wpcompat.xmlrpc.call import absint, arg, php_int, string_list, struct, text
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.structs import user_struct
from wpcompat.xmlrpc.table import alias, method

USER_ORDER = {"login": User.login, "user_login": User.login, "email": User.email, "user_email": User.email,
              "registered": User.created_at, "user_registered": User.created_at, "display_name": User.display_name,
              "ID": User.wp_id, "id": User.wp_id, "nicename": User.nicename, "user_nicename": User.nicename,
              "url": User.url, "user_url": User.url}
PROFILE_FIELDS = {  # wp.editProfile member → (REST user field, its sanitiser)
    "first_name": ("first_name", kses.sanitize_text_field),
    "last_name": ("last_name", kses.sanitize_text_field),
    "url": ("url", user_editing.sanitize_url), "display_name": ("name", kses.sanitize_text_field),
    "nicename": ("slug", user_editing.sanitize_slug), "bio": ("description", str.strip)}


def can_edit_user(user, wp_id):
    return user.wp_id == wp_id or can(user, "edit_users")


def fields_arg(value, default=None):
    return string_list(value) if isinstance(value, list) else default


def users_blogs(call):
    return [{"isAdmin": can(call.user, "manage_options"), "url": f"{call.home}/", "blogid": "1",
             "blogName": call.site.name, "xmlrpc": call.xmlrpc_url}]


@method("wp.getUsersBlogs", min_args=2)
def wp_get_users_blogs(call, args):
    call.login(arg(args, 0), arg(args, 1))
    return users_blogs(call)


@method("blogger.getUsersBlogs", min_args=3)
def blogger_get_users_blogs(call, args):
    call.login(arg(args, 1), arg(args, 2))
    return users_blogs(call)


alias("metaWeblog.getUsersBlogs", "blogger.getUsersBlogs")


@method("blogger.getUserInfo")
def blogger_get_user_info(call, args):
    user = call.login(arg(args, 1), arg(args, 2))
    if not can(user, "edit_posts"):
        raise Fault(401, "Sorry, you are not allowed to access user data on this site.")
    return {"nickname": user.login, "userid": user.wp_id, "url": user.url or "", "lastname": user.last_name or "",
            "firstname": user.first_name or ""}


@method("wp.getUser", min_args=4)
def wp_get_user(call, args):
    user_id = php_int(arg(args, 3))
    fields = fields_arg(arg(args, 4))
    call.login(arg(args, 1), arg(args, 2))
    if not can_edit_user(call.user, user_id):
        raise Fault(401, "Sorry, you are not allowed to edit this user.")
    found = user_queries.find(user_id)
    if found is None:
        raise Fault(404, "Invalid user ID.")
    call.touched(found.id, wp_id=found.wp_id)
    return user_struct(found, fields)


@method("wp.getUsers", min_args=3)
def wp_get_users(call, args):
    filters = struct(arg(args, 3))
    fields = fields_arg(arg(args, 4))
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "list_users"):
        raise Fault(401, "Sorry, you are not allowed to list users.")
    query = user_queries.active()
    if "role" in filters:
        if text(filters["role"]) not in ROLES:
            raise Fault(403, "Invalid role.")
        query = query.where(User.role == text(filters["role"]))
    if text(filters.get("who")) == "authors":
        query = query.where(User.role.in_(user_queries.AUTHOR_ROLES))
    column = USER_ORDER.get(text(filters.get("orderby")), User.login)
    descending = "orderby" in filters and text(filters.get("order")).upper() == "DESC"
    query = query.order_by(column.desc() if descending else column.asc(), User.wp_id)
    number = absint(filters["number"]) if "number" in filters else 50
    users = list(query.limit(number or 50).offset(absint(filters.get("offset"))))
    users = [user for user in users if can_edit_user(call.user, user.wp_id)]
    call.touched(None, ids=[user.wp_id for user in users])
    return [user_struct(user, fields) for user in users]


@method("wp.getProfile", min_args=3)
def wp_get_profile(call, args):
    fields = fields_arg(arg(args, 3))
    user = call.login(arg(args, 1), arg(args, 2))
    call.touched(user.id, wp_id=user.wp_id)
    return user_struct(user, fields)


@method("wp.editProfile", min_args=4)
def wp_edit_profile(call, args):
    """wp_update_user through editing/users.py, with its sanitisers (text fields, URL, nicename)."""
    user = call.login(arg(args, 1), arg(args, 2))
    content = struct(arg(args, 3))
    changes = {rest: sanitize(text(content[name])) for name, (rest, sanitize) in PROFILE_FIELDS.items()
               if name in content}
    if "slug" in changes and not changes["slug"]:
        raise Fault(500, "Sorry, the user could not be updated.")
    try:
        user_editing.check_update(user, changes, user)
        user_editing.update(user, changes)
    except WPError as error:
        raise Fault(500, error.message) from None
    call.touched(user.id, wp_id=user.wp_id, changed=sorted(changes))
    return True


@method("wp.getAuthors")
def wp_get_authors(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_posts"):
        raise Fault(401, "Sorry, you are not allowed to edit posts.")
    users = list(user_queries.active().order_by(User.login, User.wp_id))
    call.touched(None, ids=[user.wp_id for user in users])
    return [{"user_id": str(user.wp_id), "user_login": user.login, "display_name": user.display_name or user.login}
            for user in users]

