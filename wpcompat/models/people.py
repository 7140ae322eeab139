"""Tenants (sites), their hosts, users and application passwords."""

import peewee

from wpcompat.models.base import BaseModel, TenantModel, UUIDField, JSONField, utcnow


class Tenant(BaseModel):
    """A site. Readable without a tenant context (DESIGN.md §2); holds the settings WordPress exposes."""

    slug = peewee.CharField(max_length=100, unique=True)
    name = peewee.CharField(max_length=255)
    description = peewee.TextField(default="")
    url = peewee.CharField(max_length=500, default="")
    timezone_string = peewee.CharField(max_length=64, default="UTC")
    date_format = peewee.CharField(max_length=64, default="F j, Y")
    time_format = peewee.CharField(max_length=64, default="g:i a")
    start_of_week = peewee.IntegerField(default=1)
    language = peewee.CharField(max_length=20, default="en_US")
    posts_per_page = peewee.IntegerField(default=10)
    default_category = peewee.IntegerField(null=True)
    default_post_format = peewee.CharField(max_length=20, default="0")
    use_smilies = peewee.BooleanField(default=True)
    upload_quota_bytes = peewee.BigIntegerField(null=True)
    options = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "tenants"


class TenantHost(BaseModel):
    """One Host header value that selects a tenant."""

    tenant = peewee.ForeignKeyField(Tenant, backref="hosts", column_name="tenant_id", on_delete="CASCADE")
    host = peewee.CharField(max_length=255, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "tenant_hosts"


class User(TenantModel):
    # Seed columns (spec/healthcare-schema.md, users)
    email = peewee.CharField(max_length=255)
    password_hash = peewee.CharField(max_length=255)
    role = peewee.CharField(max_length=50, default="subscriber")
    mfa_enabled = peewee.BooleanField(default=False, null=True)
    professional_registry = peewee.CharField(max_length=100, null=True)
    professional_type = peewee.CharField(max_length=50, null=True)
    speciality = peewee.CharField(max_length=100, null=True)
    validated_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    deleted_at = peewee.DateTimeField(null=True)
    deleted_by = UUIDField(null=True)
    # WordPress (DESIGN.md §3-4)
    wp_id = peewee.IntegerField()
    login = peewee.CharField(max_length=60)
    nicename = peewee.CharField(max_length=50)
    display_name = peewee.CharField(max_length=250, default="")
    first_name = peewee.CharField(max_length=100, default="")
    last_name = peewee.CharField(max_length=100, default="")
    url = peewee.CharField(max_length=500, default="")
    description = peewee.TextField(default="")
    locale = peewee.CharField(max_length=20, default="")
    phi_access = peewee.BooleanField(default=False)

    class Meta:
        table_name = "users"

    is_authenticated = True


class LoginFailure(TenantModel):
    """A failed login, counted by wpcompat/limits.py per client IP (`kind` ip) and per login name (login)."""

    kind = peewee.CharField(max_length=5)
    subject = peewee.CharField(max_length=255)
    failed_at = peewee.DateTimeField()

    class Meta:
        table_name = "login_failures"


class AppPassword(TenantModel):
    """A WordPress application password; only its hash is kept."""

    user = peewee.ForeignKeyField(User, backref="app_passwords", column_name="user_id", on_delete="CASCADE")
    uuid = UUIDField()
    app_id = peewee.CharField(max_length=100, default="")
    name = peewee.CharField(max_length=255)
    password_hash = peewee.CharField(max_length=255)
    created_at = peewee.DateTimeField(default=utcnow)
    last_used_at = peewee.DateTimeField(null=True)
    last_ip = peewee.CharField(max_length=45, null=True)

    class Meta:
        table_name = "app_passwords"
