"""Users: wp.getUsersBlogs (and blogger./metaWeblog.getUsersBlogs), blogger.getUserInfo, wp.getUser(s),
wp.getProfile, wp.editProfile, wp.getAuthors.

Users are tenant rows: another site's users do not exist here. A shared users layer
(queries/users.py) did not exist when this was written, so the few reads it needs are
the small queries below.
"""

from wpcompat.auth import ROLES, can
from wpcompat.models import User
from wpcompat.models.base import utcnow
from wpcompat.slugs import sanitize_title
from wpcompat.xmlrpc.call import absint, arg, php_int, require_args, string_list, struct, text
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.structs import user_struct
from wpcompat.xmlrpc.table import alias, method

USER_ORDER = {"login": User.login, "user_login": User.login, "email": User.email, "user_email": User.email,
              "registered": User.created_at, "user_registered": User.created_at, "display_name": User.display_name,
              "ID": User.wp_id, "id": User.wp_id, "nicename": User.nicename, "user_nicename": User.nicename,
              "url": User.url, "user_url": User.url}
AUTHOR_ROLES = ("administrator", "editor", "author", "contributor")
PROFILE_FIELDS = {"first_name": "first_name", "last_name": "last_name", "url": "url",
                  "display_name": "display_name", "bio": "description"}


def active_users():
    return User.select().where(User.deleted_at.is_null())


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
    found = active_users().where(User.wp_id == user_id).first()
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
    query = active_users()
    if "role" in filters:
        if text(filters["role"]) not in ROLES:
            raise Fault(403, "Invalid role.")
        query = query.where(User.role == text(filters["role"]))
    if text(filters.get("who")) == "authors":
        query = query.where(User.role.in_(AUTHOR_ROLES))
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
    user = call.login(arg(args, 1), arg(args, 2))
    content = struct(arg(args, 3))
    changes = {column: text(content[name]).strip() for name, column in PROFILE_FIELDS.items() if name in content}
    if "nicename" in content:
        nicename = sanitize_title(text(content["nicename"]))[:50]
        if not nicename:
            raise Fault(500, "Sorry, the user could not be updated.")
        changes["nicename"] = nicename
    if changes:
        changes["updated_at"] = utcnow()
        User.update(**changes).where(User.id == user.id).execute()
        for column, value in changes.items():
            setattr(user, column, value)
    call.touched(user.id, wp_id=user.wp_id, changed=sorted(changes))
    return True


@method("wp.getAuthors")
def wp_get_authors(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_posts"):
        raise Fault(401, "Sorry, you are not allowed to edit posts.")
    users = list(active_users().order_by(User.login, User.wp_id))
    call.touched(None, ids=[user.wp_id for user in users])
    return [{"user_id": str(user.wp_id), "user_login": user.login, "display_name": user.display_name or user.login}
            for user in users]


__all__ = ["require_args"]
