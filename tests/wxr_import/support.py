"""What the WXR importer tests share: an empty site to import into, and REST calls against it."""

import dataclasses
import pathlib
import uuid

from conftest import basic_auth
from wpcompat.accounts import create_app_password, create_user
from wpcompat.db import bind, db, tenant_scope
from wpcompat.sites import create_site

from importers.wxr import Options, import_wxr
from importers.wxr.downloads import Fetcher

CORPUS = pathlib.Path("/work/shared/corpus/wxr")
TESTS = CORPUS / "importer-tests"
THEME = CORPUS / "theme-unit-test" / "themeunittestdata.wordpress.xml"
PUBLIC_IP = "93.184.216.34"


@dataclasses.dataclass
class ImportSite:
    tenant: object
    host: str
    admin: object
    password: str

    @property
    def id(self):
        return self.tenant.id

    @property
    def headers(self):
        return {"Authorization": basic_auth(self.admin.login, self.password)}


def make_import_site(engine, label="wxr", url="http://example.org"):
    """A tenant with only an administrator (login `boss`, wp id 1): nothing else to collide with."""
    previous = db.obj
    bind(engine.database)
    try:
        slug = f"{label}-{uuid.uuid4().hex[:8]}"
        host = f"{slug}.import.test"
        with engine.database.atomic():
            tenant = create_site(slug, f"Import {label}", [host], url=url)
        with tenant_scope(tenant.id, engine.database):
            admin = create_user("boss", f"boss@{host}", "administrator")
            _row, password = create_app_password(admin, "tests")
        return ImportSite(tenant, host, admin, password)
    finally:
        if previous is not None:
            bind(previous)


def offline_fetcher(resolver=None, **kwargs):
    """A Fetcher whose DNS answers are given (a public address by default): no real lookups."""
    return Fetcher(resolver=resolver or (lambda host, port: [PUBLIC_IP]), sleep=lambda seconds: None, **kwargs)


def run(site, *paths, **options):
    options.setdefault("fetcher", offline_fetcher())
    options.setdefault("link_head", False)
    return import_wxr([str(path) for path in paths], site.tenant, Options(**options))


def rest(client, site, path, **params):
    return client.simulate_get(f"/wp-json{path}", host=site.host, headers=site.headers, params=params)


def total(client, site, path, **params):
    result = rest(client, site, path, per_page=1, **params)
    assert result.status_code == 200, result.json
    return int(result.headers["X-WP-Total"])
