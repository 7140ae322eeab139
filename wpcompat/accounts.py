"""Creating users and application passwords in the current tenant (CLI now, REST later)."""

import uuid

from slugify import slugify

from wpcompat import passwords
from wpcompat.auth import ROLES
from wpcompat.models import AppPassword, User
from wpcompat.models.base import utcnow
from wpcompat.wp_ids import next_wp_id


class AccountError(ValueError):
    """The request cannot be carried out; str() is one line for the caller."""


def create_user(login, email, role, password=None, display_name=None, professional_registry=None,
                professional_type=None, speciality=None, validated=False, **profile):
    """A new user of the current tenant. Call inside tenant_scope()."""
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
        wp_id=next_wp_id("user"), nicename=slugify(login)[:50] or f"user-{uuid.uuid4().hex[:8]}",
        display_name=display_name or login,
        professional_registry=professional_registry, professional_type=professional_type,
        speciality=speciality, validated_at=now if validated else None,
        created_at=now, updated_at=now, **profile)


def create_app_password(user, name, app_id=""):
    """(AppPassword row, the plain password). The plain password is shown once and not kept."""
    if not name.strip():
        raise AccountError("an application password needs a name")
    plain = passwords.generate_app_password()
    row = AppPassword.create(user=user.id, uuid=uuid.uuid4(), app_id=app_id, name=name.strip(),
                             password_hash=passwords.hash_app_password(plain))
    return row, plain
