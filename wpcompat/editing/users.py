"""Creating, updating and deleting users, and their application passwords (wp_insert_user's rules, no HTTP).

New users and application passwords are made by wpcompat.accounts, the one place
that creates them; what is checked here are the rules WordPress applies around it,
with WordPress's codes. Errors WordPress raises without a status (existing_user_login,
existing_user_email, user_login_too_long, ...) reach REST clients as 500, as in core.

Deleting a user keeps the row for the audit (LGPD): deleted_at/deleted_by are set,
the password becomes unusable, application passwords are removed, and the login and
email are moved to tombstones (`deleted-<uuid hex>`), so the unique indexes
(tenant, login) and (email, tenant) let a new account reuse them, as WordPress allows
once the old row is gone. The former login and email stay in the audit event.
"""

import re

import peewee

from wpcompat import accounts, kses, passwords
from wpcompat.kses import sanitize_text_field
from wpcompat.auth import ROLE_CAPABILITIES
from wpcompat.db import db
from wpcompat.errors import WPError
from wpcompat.models import AppPassword, Media, Post, PostTerm, User
from wpcompat.models.base import utcnow
from wpcompat.queries import users as user_queries
from wpcompat.render import strip_all_tags
from wpcompat.rest.validation import ParamError
from wpcompat.slugs import remove_accents, sanitize_title

LOGIN_LENGTH = 60
HEALTHCARE_FIELDS = ("professional_registry", "professional_type", "speciality")
_OCTETS = re.compile(r"%[a-fA-F0-9]{2}")
_ENTITIES = re.compile(r"&.+?;")
_NOT_STRICT = re.compile(r"[^a-z0-9 _.\-@]", re.I)
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d*)?$")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
URL_SCHEMES = ("http", "https", "ftp", "ftps", "mailto", "news", "irc", "irc6", "ircs", "gopher", "nntp", "feed",
               "telnet", "mms", "rtsp", "sms", "svn", "tel", "fax", "xmpp", "webcal", "urn")


# --- sanitising (arg_options callbacks) ----------------------------------------------------------

def sanitize_user(username, strict=True):
    """sanitize_user(): tags, accents, octets and entities out; strict keeps a-z 0-9 space _ . - @."""
    username = remove_accents(strip_all_tags(str(username)))
    username = _ENTITIES.sub("", _OCTETS.sub("", username))
    if strict:
        username = _NOT_STRICT.sub("", username)
    return _SPACE.sub(" ", username.strip())


def check_username(value, request):
    username = str(value)
    if not username or sanitize_user(username) != username:
        raise ParamError("rest_user_invalid_username", "This username is invalid because it uses illegal "
                         "characters. Please enter a valid username.", {"status": 400})
    return username


def check_user_password(value, request):
    password = str(value)
    if not password:
        raise ParamError("rest_user_invalid_password", "Passwords cannot be empty.", {"status": 400})
    if "\\" in password:
        raise ParamError("rest_user_invalid_password", 'Passwords cannot contain the "\\" character.',
                         {"status": 400})
    return password


def sanitize_slug(value, request=None):
    return sanitize_title(str(value))


def sanitize_url(value, request=None):
    """esc_url_raw(), roughly: no spaces, http:// added to a bare host, unknown schemes refused."""
    url = str(value).strip().replace(" ", "%20")
    if not url:
        return ""
    scheme = _SCHEME.match(url)
    if scheme is None:
        return url if url.startswith(("/", "#", "?")) else f"http://{url}"
    return url if scheme.group(1).lower() in URL_SCHEMES else ""


def check_roles(value, request):
    """Our users hold one role (the seed's `role` column): more than one is refused."""
    if len(set(value)) > 1:
        raise ParamError("rest_too_many_items", "roles must contain at most 1 items.", None)
    return value


def check_reassign(value, request):
    """WP_REST_Users_Controller::check_reassign on the raw value: a user id, or false, 'false', ''
    (and 0) for none. Anything else is rest_invalid_param."""
    if value is None or value is False:
        return False
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value)
    if isinstance(value, str):
        text = value.strip()
        if text in ("", "false"):
            return False
        if _NUMBER.match(text):
            return abs(int(float(text)))
    raise ParamError("rest_invalid_param", "Invalid user parameter(s).", {"status": 400})


# --- roles ------------------------------------------------------------------------------------------

def check_role_update(actor, target_id, roles):
    """WP_REST_Users_Controller::check_role_update."""
    for role in roles:
        if role not in ROLE_CAPABILITIES:
            raise WPError("rest_user_invalid_role", f"The role {role} does not exist.", 400)
        if actor.is_authenticated and actor.id == target_id and "edit_users" not in ROLE_CAPABILITIES[role]:
            raise WPError.not_allowed("rest_user_invalid_role", actor,
                                      "Sorry, you are not allowed to give users that role.")


# --- users ------------------------------------------------------------------------------------------

def _nicename(args, login):
    """The slug a request asks for (sanitize_user strict, at most 50), else the login's."""
    if args.get("slug"):
        nicename = sanitize_user(args["slug"])
        if len(nicename) > accounts.NICENAME_LENGTH:
            raise WPError("user_nicename_too_long", "Nicename may not be longer than 50 characters.", 500)
        return nicename or login
    return login


def _display_name(args, login):
    if args.get("name"):
        return args["name"]
    first, last = args.get("first_name") or "", args.get("last_name") or ""
    return f"{first} {last}" if first and last else first or last or login


def create(args):
    """wp_insert_user for a REST create; returns the new User."""
    login = sanitize_user(args["username"]).strip()
    if not login:
        raise WPError("empty_user_login", "Cannot create a user with an empty login name.", 500)
    if len(login) > LOGIN_LENGTH:
        raise WPError("user_login_too_long", "Username may not be longer than 60 characters.", 500)
    if user_queries.login_taken(login):
        raise WPError("existing_user_login", "Sorry, that username already exists!", 500)
    if user_queries.email_owner(args["email"]) is not None:
        raise WPError("existing_user_email", "Sorry, that email address is already used!", 500)
    roles = args.get("roles") or ["subscriber"]
    profile = {name: args[name] for name in ("first_name", "last_name", "description", "locale")
               if args.get(name) is not None}
    if "description" in profile:
        profile["description"] = kses.filter_small(profile["description"])       # pre_user_description
    profile.update({name: args[name] or None for name in HEALTHCARE_FIELDS if name in args})
    if args.get("url"):
        profile["url"] = args["url"]
    try:
        with db.atomic():
            return accounts.create_user(login, args["email"], roles[0], password=args["password"],
                                        display_name=_display_name(args, login),
                                        nicename=_nicename(args, login), **profile)
    except peewee.IntegrityError:                 # a concurrent request took the login or email
        raise WPError("existing_user_login", "Sorry, that username already exists!", 500) from None
    except accounts.AccountError as error:
        raise WPError("rest_user_create", str(error), 500) from None


def check_update(user, args, actor):
    """The refusals of update_item, in WordPress's order (nothing is written yet)."""
    if args.get("email"):
        owner = user_queries.email_owner(args["email"])
        if owner is not None and owner.id != user.id:
            raise WPError("rest_user_invalid_email", "Invalid email address.", 400)
    if args.get("username") and args["username"] != user.login:
        raise WPError("rest_user_invalid_argument", "Username isn't editable.", 400)
    if args.get("slug") and args["slug"] != user.nicename:
        owner = user_queries.slug_owner(args["slug"])
        if owner is not None and owner.id != user.id:
            raise WPError("rest_user_invalid_slug", "Invalid slug.", 400)
    if args.get("roles"):
        check_role_update(actor, user.id, args["roles"])


def update(user, args):
    """wp_update_user with the validated fields (check_update has passed)."""
    fields = {"name": "display_name", "first_name": "first_name", "last_name": "last_name", "email": "email",
              "url": "url", "description": "description", "locale": "locale"}
    for arg, column in fields.items():
        if arg in args and args[arg] is not None:
            setattr(user, column, kses.filter_small(args[arg]) if arg == "description" else args[arg])
    if args.get("slug"):
        user.nicename = accounts.unique_nicename(_nicename(args, user.login), user.id)
    if args.get("password"):
        user.password_hash = passwords.hash_password(args["password"])
    if args.get("roles"):
        user.role = args["roles"][0]
    for name in HEALTHCARE_FIELDS:
        if name in args and (args[name] or None) != getattr(user, name):
            setattr(user, name, args[name] or None)
            if name in ("professional_registry", "professional_type"):
                user.validated_at = None              # a changed registry must be validated again
    user.updated_at = utcnow()
    user.save()
    return user


def delete(user, reassign_to, actor):
    """wp_delete_user: content to `reassign_to` (a User) or to the trash; the row is kept, soft-deleted."""
    if reassign_to is not None:
        Post.update(author=reassign_to.id).where(Post.author == user.id).execute()
        Media.update(uploaded_by=reassign_to.id).where(Media.uploaded_by == user.id).execute()
    else:
        trash_content_of(user)
    AppPassword.delete().where(AppPassword.user == user.id).execute()
    tombstone = f"deleted-{user.id.hex}"
    now = utcnow()
    User.update(deleted_at=now, deleted_by=actor.id, updated_at=now, login=tombstone,
                email=f"{tombstone}@deleted.invalid", password_hash=passwords.UNUSABLE_PASSWORD) \
        .where(User.id == user.id).execute()


def trash_content_of(user):
    """Posts and pages of a user deleted without reassignment go to the trash, as wp_delete_post does."""
    from wpcompat.editing.posts import recount_terms

    posts = Post.select(Post.id).where(Post.author == user.id, Post.status != "trash")
    post_ids = [row.id for row in posts]
    if not post_ids:
        return
    terms = [row.term_id for row in PostTerm.select(PostTerm.term).where(PostTerm.post.in_(post_ids))]
    slug = peewee.Case(None, [(Post.slug == "", "")], Post.slug.concat("__trashed"))
    Post.update(pre_trash_status=Post.status, status="trash", deleted_at=utcnow(), slug=slug) \
        .where(Post.id.in_(post_ids)).execute()
    recount_terms(terms)


# --- application passwords --------------------------------------------------------------------------

def _application_name(name):
    name = sanitize_text_field(name or "")
    if not name:
        raise WPError("application_password_empty_name",
                      "An application name is required to create an application password.", 400)
    return name


def create_application_password(owner, name, app_id=""):
    """(row, plain password) — WP_Application_Passwords::create_new_application_password."""
    name = _application_name(name)
    if AppPassword.select().where(AppPassword.user == owner.id, AppPassword.name == name).exists():
        raise WPError("application_password_duplicate_name", "Each application name should be unique.", 409)
    return accounts.create_app_password(owner, name, app_id or "")


def rename_application_password(item, name):
    if name is None:
        return item
    name = sanitize_text_field(name)
    if name and name != item.name:
        AppPassword.update(name=name).where(AppPassword.id == item.id).execute()
        item.name = name
    return item


def delete_application_password(item):
    AppPassword.delete().where(AppPassword.id == item.id).execute()


def delete_application_passwords(owner):
    """delete_all_application_passwords: how many there were."""
    return AppPassword.delete().where(AppPassword.user == owner.id).execute()
