"""Site settings ↔ the tenant's row: get_option() and update_option() for /wp/v2/settings.

Only the current tenant's row is ever read or written (by its id; on PostgreSQL the
tenant_settings policy refuses any other row to the app role). Values pass through
WordPress's sanitize_option() rules: some are normalised (absint, esc_html, no trailing
slash on the URL), and a value WordPress would refuse there (an unknown timezone, a URL
that is not http(s), a malformed locale) leaves the stored value as it was, as it does
in WordPress. `null` resets a setting: a column takes its default, an option is removed.
"""

import functools
import re
import zoneinfo

from wpcompat.db import is_postgres
from wpcompat.models import Tenant
from wpcompat.models.base import utcnow
from wpcompat.rest.validation import ParamError, validate
from wpcompat.schemas.settings import BY_NAME, SETTINGS

ENTITY = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")
HTTP_URL = re.compile(r"^https?://.+", re.I)
URL_BREAKS = re.compile(r"%0[ad]", re.I)
URL_UNSAFE = re.compile(r"[^a-zA-Z0-9\-~+_.?#=!&;,/:%@$|*'()\[\]\u0080-\U0010ffff]")      # esc_url's set
LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]+)*$")
RESET_COLUMNS = {"name": ""}          # NOT NULL columns without a default


def esc_html(text, _old=None):
    """esc_html() without double encoding: the form WordPress stores blogname/blogdescription in."""
    text = ENTITY.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#039;")


def absint(value, _old=None):
    return abs(int(value))


def posts_per_page(value, _old=None):
    value = int(value)
    return 1 if value == 0 else abs(value) if value < -1 else value


def site_url(value, old):
    """sanitize_option('home'): an http(s) URL through esc_url_raw (spaces as %20, then characters a URL
    may not hold, control characters included, and %0a/%0d dropped), without its trailing slash; a value
    that is not such a URL, before or after, leaves `old`."""
    if not HTTP_URL.match(value):
        return old
    url = URL_UNSAFE.sub("", value.lstrip().replace(" ", "%20"))
    while (stripped := URL_BREAKS.sub("", url)) != url:             # _deep_replace: until none is left
        url = stripped
    url = url.rstrip("/")
    return url if HTTP_URL.match(url) else old


@functools.lru_cache(maxsize=1)
def _zones():
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def timezone(value, old):
    return value if value == "" or value in _zones() else old


def language(value, old):
    if value == "":
        return "en_US"
    return value if LOCALE.match(value) else old


SANITIZE = {"title": esc_html, "description": esc_html, "url": site_url, "timezone": timezone,
            "language": language, "start_of_week": absint, "default_category": absint,
            "posts_per_page": posts_per_page, "page_on_front": absint, "page_for_posts": absint, "site_icon": absint}


# --- reading -----------------------------------------------------------------------------------

def load(tenant_id, for_update=False):
    query = Tenant.select().where(Tenant.id == tenant_id)
    if for_update and is_postgres():
        query = query.for_update()
    return query.get()


def stored(row, setting):
    if setting.column is not None:
        return getattr(row, setting.column)
    return (row.options or {}).get(setting.name, setting.fallback)


def prepare_value(value, setting):
    """WordPress's prepare_value: cast to the schema's type; a value invalid for it reads as null."""
    if value is None:
        return None
    try:
        return validate(value, setting.schema(), setting.name)
    except ParamError:
        return None


def read_settings(row, home_url):
    """Every setting of the tenant `row`, in WordPress's order. `home_url`: the URL when none is stored."""
    data = {}
    for setting in SETTINGS:
        value = stored(row, setting)
        if setting.name == "url":
            value = (value or home_url).rstrip("/")
        data[setting.name] = prepare_value(value, setting)
    return data


# --- writing -----------------------------------------------------------------------------------

def _reset_value(setting):
    field = Tenant._meta.fields[setting.column]
    if setting.column in RESET_COLUMNS:
        return RESET_COLUMNS[setting.column]
    return field.default if not callable(field.default) else field.default()


def update_settings(tenant_id, values):
    """Write `values` ({setting name: value or None}) to the tenant's row; the row before and after."""
    row = load(tenant_id, for_update=True)
    columns, options = {}, dict(row.options or {})
    for name, value in values.items():
        setting = BY_NAME[name]
        old = stored(row, setting)
        if value is not None and name in SANITIZE:
            value = SANITIZE[name](value, old)
        if setting.column is not None:
            columns[setting.column] = _reset_value(setting) if value is None else value
        elif value is None:
            options.pop(name, None)
        else:
            options[name] = value
    if columns or options != (row.options or {}):
        changes = {getattr(Tenant, column): value for column, value in columns.items()}
        changes.update({Tenant.options: options, Tenant.updated_at: utcnow()})
        updated = Tenant.update(changes).where(Tenant.id == tenant_id).execute()
        if updated != 1:                 # the tenant_settings policy refused the row
            raise RuntimeError(f"the settings of tenant {tenant_id} could not be written")
    return row, load(tenant_id)
