"""Tenants as sites: the Host → tenant directory and the settings a request sees (DESIGN.md §2)."""

import dataclasses
import datetime
import threading
import time
import zoneinfo

from wpcompat.db import tenant_scope
from wpcompat.models import Tenant, TenantHost


@dataclasses.dataclass(frozen=True)
class Site:
    """An immutable snapshot of a tenant's row, safe to share between requests."""

    id: object
    slug: str
    name: str
    description: str
    url: str
    timezone_string: str
    date_format: str
    time_format: str
    start_of_week: int
    language: str
    posts_per_page: int
    default_category: object
    options: dict

    @classmethod
    def from_row(cls, row):
        return cls(**{f.name: getattr(row, f.name) for f in dataclasses.fields(cls)})

    @property
    def gmt_offset(self):
        """Hours east of UTC now, as WordPress reports it (an int when whole)."""
        try:
            zone = zoneinfo.ZoneInfo(self.timezone_string or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return 0
        hours = datetime.datetime.now(zone).utcoffset().total_seconds() / 3600
        return int(hours) if hours == int(hours) else hours

    def home_url(self, req):
        return (self.url or f"{req.scheme}://{req.netloc}").rstrip("/")


def normalize_host(host):
    return (host or "").strip().lower().rstrip(".")


class SiteDirectory:
    """Host → Site, cached for a short while. Lookups never need a tenant context."""

    def __init__(self, database, ttl=5.0, miss_reload=1.0):
        self.database = database
        self.ttl = ttl                       # settings changed by another worker show within this time
        self.miss_reload = miss_reload       # an unknown host reloads at most this often (new tenants)
        self._lock = threading.Lock()
        self._loaded_at = None
        self._by_host = {}
        self._sites = ()

    def _load(self):
        with tenant_scope(None, self.database):
            sites = {row.id: Site.from_row(row) for row in Tenant.select()}
            by_host = {row.host: sites[row.tenant_id] for row in TenantHost.select()
                       if row.tenant_id in sites}
        self._by_host, self._sites = by_host, tuple(sites.values())
        self._loaded_at = time.monotonic()

    def invalidate(self):
        with self._lock:
            self._loaded_at = None

    def lookup(self, host):
        """The site for `host`; the only site when there is one; else None."""
        with self._lock:
            if self._loaded_at is None or time.monotonic() - self._loaded_at > self.ttl:
                self._load()
            host = normalize_host(host)
            if host not in self._by_host and time.monotonic() - self._loaded_at > self.miss_reload:
                self._load()
            site = self._by_host.get(host)
            if site is None and len(self._sites) == 1:
                site = self._sites[0]
            return site


def create_site(slug, name, hosts, **settings):
    """A new tenant with its hosts. Runs as the schema owner (tenants are not a tenant's to create)."""
    if Tenant.select().where(Tenant.slug == slug).exists():
        raise ValueError(f"a tenant with slug {slug!r} already exists")
    hosts = [normalize_host(host) for host in hosts]
    taken = [row.host for row in TenantHost.select().where(TenantHost.host.in_(hosts))]
    if taken:
        raise ValueError(f"host {taken[0]!r} already belongs to another tenant")
    tenant = Tenant.create(slug=slug, name=name, **settings)
    for host in dict.fromkeys(hosts):
        TenantHost.create(tenant=tenant, host=host)
    return tenant
