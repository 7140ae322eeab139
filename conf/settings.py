"""Settings: read once from WPCOMPAT_* environment variables into a frozen object.

Every setting has a documented default (see conf/production.env.example). A bad
value raises SettingsError with one line that names the variable; the CLI prints
that line and exits with status 2.
"""

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MEDIA_STORES = ("local", "s3")
ENVIRONMENTS = ("development", "production")
DEV_SECRET_KEY = "wpcompat-development-secret-key-not-for-production"


class SettingsError(ValueError):
    """A setting is missing or invalid. str(error) is one line naming the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/wpcompat.sqlite3"
    migrate_database_url: str = ""
    app_role: str = "wpcompat_app"
    app_role_password: str = ""
    pool_size: int = 8
    environment: str = "development"
    secret_key: str = DEV_SECRET_KEY
    log_level: str = "INFO"
    max_body_bytes: int = 64 * 1024 * 1024
    trust_forwarded_for: bool = False
    jsonp_enabled: bool = True
    audit_reads_durable: bool = True    # False: a read's audit row commits without waiting for the WAL flush
    response_cache_mb: int = 64         # per worker, anonymous REST answers (0: off); README "Response cache"
    response_cache_seconds: int = 60    # the longest an answer is kept, even when nothing was written
    audit_writer: bool = True           # `wpcompat serve` on PostgreSQL runs the audit writer (wpcompat/audit_writer.py)
    audit_writer_socket: str = ""       # where workers find it (serve sets it; empty: each worker audits its hits)
    media_store: str = "local"
    media_root: str = "var/uploads"
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_kms_key_id: str = ""
    media_key: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def owner_database_url(self):
        """The URL migrations and tenant creation use (the schema owner)."""
        return self.migrate_database_url or self.database_url

    @property
    def is_postgres(self):
        return is_postgres_url(self.database_url)


def is_postgres_url(url):
    return urlsplit(url).scheme.split("+")[0] in ("postgres", "postgresql")


def _text(env, name, default):
    return env.get(name) or default


def _integer(env, name, default, minimum, maximum):
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _boolean(env, name, default):
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _choice(env, name, default, choices, transform=str.lower):
    value = transform(env.get(name) or default)
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def redact(url):
    """The URL with its password replaced by ***, fit for an error line or a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _database_url(env, name, default):
    url = env.get(name) or default
    if not url:
        return url
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme == "sqlite":
        return url
    if scheme in ("postgres", "postgresql"):
        if not urlsplit(url).path.strip("/"):
            raise SettingsError(f"{name} must name a database, got {redact(url)!r}")
        return url
    raise SettingsError(f"{name} must be a sqlite:/// or postgresql:// URL, got {redact(url)!r}")


def _identifier(env, name, default):
    value = env.get(name) or default
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
        raise SettingsError(f"{name} must be a lower-case SQL identifier (a-z, 0-9, _), got {value!r}")
    return value


def load_settings(env=None):
    """Build Settings from a mapping (default: os.environ). Raises SettingsError."""
    env = os.environ if env is None else env
    defaults = Settings()
    environment = _choice(env, "WPCOMPAT_ENV", defaults.environment, ENVIRONMENTS)
    secret_key = env.get("WPCOMPAT_SECRET_KEY") or ""
    if environment == "production" and not secret_key:
        raise SettingsError("WPCOMPAT_SECRET_KEY must be set when WPCOMPAT_ENV=production")
    if secret_key and len(secret_key) < 32:
        raise SettingsError("WPCOMPAT_SECRET_KEY must be at least 32 characters long")
    settings = Settings(
        database_url=_database_url(env, "WPCOMPAT_DATABASE_URL", defaults.database_url),
        migrate_database_url=_database_url(env, "WPCOMPAT_MIGRATE_DATABASE_URL", ""),
        app_role=_identifier(env, "WPCOMPAT_APP_ROLE", defaults.app_role),
        app_role_password=_text(env, "WPCOMPAT_APP_ROLE_PASSWORD", ""),
        pool_size=_integer(env, "WPCOMPAT_POOL_SIZE", defaults.pool_size, 1, 200),
        environment=environment,
        secret_key=secret_key or DEV_SECRET_KEY,
        log_level=_choice(env, "WPCOMPAT_LOG_LEVEL", defaults.log_level, LOG_LEVELS, str.upper),
        max_body_bytes=_integer(env, "WPCOMPAT_MAX_BODY_BYTES", defaults.max_body_bytes,
                                1024, 4 * 1024 ** 3),
        trust_forwarded_for=_boolean(env, "WPCOMPAT_TRUST_FORWARDED_FOR", False),
        jsonp_enabled=_boolean(env, "WPCOMPAT_JSONP_ENABLED", True),
        audit_reads_durable=_boolean(env, "WPCOMPAT_AUDIT_READS_DURABLE", True),
        response_cache_mb=_integer(env, "WPCOMPAT_RESPONSE_CACHE_MB", defaults.response_cache_mb, 0, 65536),
        response_cache_seconds=_integer(env, "WPCOMPAT_RESPONSE_CACHE_SECONDS", defaults.response_cache_seconds,
                                        1, 86400),
        audit_writer=_boolean(env, "WPCOMPAT_AUDIT_WRITER", True),
        audit_writer_socket=_text(env, "WPCOMPAT_AUDIT_WRITER_SOCKET", ""),
        media_store=_choice(env, "WPCOMPAT_MEDIA_STORE", defaults.media_store, MEDIA_STORES),
        media_root=_text(env, "WPCOMPAT_MEDIA_ROOT", defaults.media_root),
        s3_bucket=_text(env, "WPCOMPAT_S3_BUCKET", ""),
        s3_prefix=_text(env, "WPCOMPAT_S3_PREFIX", ""),
        s3_endpoint_url=_text(env, "WPCOMPAT_S3_ENDPOINT_URL", ""),
        s3_region=_text(env, "WPCOMPAT_S3_REGION", defaults.s3_region),
        s3_kms_key_id=_text(env, "WPCOMPAT_S3_KMS_KEY_ID", ""),
        media_key=_text(env, "WPCOMPAT_MEDIA_KEY", ""),
    )
    if settings.media_key and len(settings.media_key) < 32:
        raise SettingsError("WPCOMPAT_MEDIA_KEY must be at least 32 characters long")
    if settings.media_store == "s3" and not settings.s3_bucket:
        raise SettingsError("WPCOMPAT_S3_BUCKET must be set when WPCOMPAT_MEDIA_STORE=s3")
    if environment == "production" and not settings.is_postgres:
        raise SettingsError("WPCOMPAT_DATABASE_URL must be a postgresql:// URL when WPCOMPAT_ENV=production")
    return settings
