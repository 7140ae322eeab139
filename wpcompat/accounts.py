"""Creating users and application passwords in the current tenant (CLI now, REST later)."""

import uuid

from wpcompat import passwords
from wpcompat.auth import ROLES
from wpcompat.models import AppPassword, User
from wpcompat.models.base import utcnow
from wpcompat.slugs import sanitize_title
from wpcompat.wp_ids import next_wp_id

NICENAME_LENGTH = 50


class AccountError(ValueError):
    """The request cannot be carried out; str() is one line for the caller."""


def create_user(login, email, role, password=None, display_name=None, professional_registry=None,
                professional_type=None, speciality=None, validated=False, nicename=None, **profile):
    """A new user of the current tenant. Call inside tenant_scope().

    nicename (the author slug): sanitised as WordPress does, from the login when not
    given, and made unique among the tenant's active users with -2, -3...
    """
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    login = login.strip()
    if not login or len(login) > 60:
        raise AccountError("a login must be 1 to 60 characters")
    if "@" not in email or len(email) > 255:
        raise AccountError(f"{email!r} is not an email address")
    if User.select().where(User.login == login).exists():
        raise AccountError(f"a user with login {login!r} already exists in this site")
    if User.select().where(User.email == email).exists():
        raise AccountError(f"a user with email {email!r} already exists in this site")
    now = utcnow()
    return User.create(
        login=login, email=email, role=role,
        password_hash=passwords.hash_password(password) if password else passwords.UNUSABLE_PASSWORD,
        wp_id=next_wp_id("user"), nicename=unique_nicename(nicename or login),
        display_name=display_name or login,
        professional_registry=professional_registry, professional_type=professional_type,
        speciality=speciality, validated_at=now if validated else None,
        created_at=now, updated_at=now, **profile)


def unique_nicename(text, user_id=None):
    """wp_insert_user's user_nicename: sanitize_title of the first 50 characters, then -2, -3... if taken."""
    base = sanitize_title(text[:NICENAME_LENGTH])[:NICENAME_LENGTH] or f"user-{uuid.uuid4().hex[:8]}"
    candidate, suffix = base, 2
    while _nicename_taken(candidate, user_id):
        candidate = f"{base[:NICENAME_LENGTH - 1 - len(str(suffix))]}-{suffix}"
        suffix += 1
    return candidate


def _nicename_taken(nicename, user_id):
    query = User.select(User.id).where(User.nicename == nicename, User.deleted_at.is_null())
    if user_id is not None:
        query = query.where(User.id != user_id)
    return query.exists()


def create_app_password(user, name, app_id=""):
    """(AppPassword row, the plain password). The plain password is shown once and not kept."""
    if not name.strip():
        raise AccountError("an application password needs a name")
    plain = passwords.generate_app_password()
    row = AppPassword.create(user=user.id, uuid=uuid.uuid4(), app_id=app_id, name=name.strip(),
                             password_hash=passwords.hash_app_password(plain))
    return row, plain
