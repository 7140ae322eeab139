"""Who is calling: HTTP Basic with application passwords, WordPress roles and capabilities."""

import base64
import binascii
import dataclasses
import datetime

from wpcompat import passwords
from wpcompat.errors import WPError
from wpcompat.models import AppPassword, User
from wpcompat.models.base import utcnow

ROLES = ("administrator", "editor", "author", "contributor", "subscriber")

_SUBSCRIBER = {"read", "level_0"}
_CONTRIBUTOR = _SUBSCRIBER | {"edit_posts", "delete_posts", "level_1"}
_AUTHOR = _CONTRIBUTOR | {"upload_files", "publish_posts", "edit_published_posts",
                          "delete_published_posts", "level_2"}
_EDITOR = _AUTHOR | {"moderate_comments", "manage_categories", "manage_links", "unfiltered_html",
                     "edit_others_posts", "edit_pages", "edit_others_pages", "edit_published_pages",
                     "publish_pages", "delete_pages", "delete_others_pages", "delete_published_pages",
                     "delete_others_posts", "delete_private_posts", "edit_private_posts",
                     "read_private_posts", "delete_private_pages", "edit_private_pages",
                     "read_private_pages", "level_3", "level_4", "level_5", "level_6", "level_7"}
_ADMINISTRATOR = _EDITOR | {"switch_themes", "edit_themes", "activate_plugins", "edit_plugins",
                            "edit_users", "edit_files", "manage_options", "import", "export",
                            "list_users", "create_users", "delete_users", "promote_users",
                            "remove_users", "edit_dashboard", "customize", "delete_site",
                            "level_8", "level_9", "level_10"}
# WordPress's default roles (wp-admin/includes/schema.php populate_roles).
ROLE_CAPABILITIES = {"administrator": frozenset(_ADMINISTRATOR), "editor": frozenset(_EDITOR),
                     "author": frozenset(_AUTHOR), "contributor": frozenset(_CONTRIBUTOR),
                     "subscriber": frozenset(_SUBSCRIBER)}

TRUST_ANONYMOUS = 10
TRUST_APP_PASSWORD = 70
TRUST_FAILED = 0
LAST_USED_EVERY = datetime.timedelta(days=1)   # WordPress records use at most daily


@dataclasses.dataclass(frozen=True)
class Anonymous:
    id = None
    wp_id = 0
    role = None
    is_authenticated = False


ANONYMOUS = Anonymous()


def capabilities(user):
    return ROLE_CAPABILITIES.get(getattr(user, "role", None), frozenset())


def can(user, capability):
    return user.is_authenticated and capability in capabilities(user)


def parse_basic(header):
    """(login, password) from an Authorization header; None if it is not Basic."""
    if not header:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise WPError("rest_invalid_authorization",
                      "The Authorization header is not valid HTTP Basic credentials.", 401) from None
    login, sep, password = decoded.partition(":")
    if not sep or not login:
        raise WPError("rest_invalid_authorization",
                      "The Authorization header is not valid HTTP Basic credentials.", 401)
    return login, password


def find_user(login):
    """A user of the current tenant by login, or by email as WordPress also accepts."""
    user = User.select().where(User.login == login, User.deleted_at.is_null()).first()
    if user is None and "@" in login:
        user = User.select().where(User.email == login, User.deleted_at.is_null()).first()
    return user


def authenticate_app_password(login, password, ip=None):
    """The user these credentials name, or WPError 401 as current WordPress answers."""
    user = find_user(login)
    if user is None:
        raise WPError("invalid_username",
                      "Unknown username. Check again or try your email address.", 401)
    for item in AppPassword.select().where(AppPassword.user == user.id):
        if passwords.verify_app_password(item.password_hash, password):
            _record_use(item, ip)
            return user
    raise WPError("incorrect_password", "The provided password is an invalid application password.", 401)


def _record_use(item, ip):
    now = utcnow()
    if item.last_used_at is None or now - item.last_used_at >= LAST_USED_EVERY or item.last_ip != ip:
        AppPassword.update(last_used_at=now, last_ip=ip).where(AppPassword.id == item.id).execute()
