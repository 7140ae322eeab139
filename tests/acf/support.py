"""A clinic with the medical ACF field groups of data/medical_field_groups.json, for tests/acf.

The site has users of every role plus `doctor`, an editor granted PHI access; posts, pages,
a category, a tag and media of its own, and the export loaded with the importer (the end
to end test loads it with the CLI instead).
"""

import dataclasses
import json
import pathlib
import uuid

from wpcompat.accounts import create_app_password, create_user
from wpcompat.acf.importer import import_groups
from wpcompat.db import bind, db, tenant_scope
from wpcompat.models import Media, Post, Term
from wpcompat.sites import create_site
from wpcompat.wp_ids import next_wp_id

from conftest import basic_auth

EXPORT = pathlib.Path(__file__).parent / "data" / "medical_field_groups.json"
ROLES = ("administrator", "editor", "author", "contributor", "subscriber")


def export():
    return json.loads(EXPORT.read_text(encoding="utf-8"))


@dataclasses.dataclass
class AcfSite:
    tenant: object
    host: str
    users: dict              # login → User (a login per role, and "doctor")
    passwords: dict
    posts: dict              # name → Post
    terms: dict              # name → Term
    media: dict              # name → Media

    @property
    def id(self):
        return self.tenant.id

    def auth(self, login):
        if login is None:
            return {}
        return {"Authorization": basic_auth(self.users[login].login, self.passwords[login])}


def _post(author, title, status="publish", post_type="post", level="public", **fields):
    return Post.create(title=title, slug=f"{post_type}-{uuid.uuid4().hex[:8]}", status=status, post_type=post_type,
                       author=author.id, wp_id=next_wp_id("post"), compliance_level=level,
                       content=f"<p>{title}</p>", **fields)


def _media(uploader, name, mime_type="image/jpeg", phi=False, post=None):
    return Media.create(title=name, filename=f"{uuid.uuid4().hex}/2025/01/{name}", original_filename=name,
                        mime_type=mime_type, file_size=48213, width=1200, height=800, uploaded_by=uploader.id,
                        wp_id=next_wp_id("post"), slug=name.rsplit(".", 1)[0], contains_phi=phi, post=post,
                        alt_text="", metadata={})


def make_acf_site(engine, label="acf", load=True):
    previous = db.obj
    bind(engine.database)
    try:
        return _make(engine, label, load)
    finally:
        if previous is not None:
            bind(previous)


def _make(engine, label, load):
    slug = f"{label}-{uuid.uuid4().hex[:8]}"
    host = f"{slug}.clinic.test"
    with engine.database.atomic():
        tenant = create_site(slug, f"Clinic {label}", [host], timezone_string="America/Sao_Paulo")
    users, passwords = {}, {}
    with tenant_scope(tenant.id):
        for login in ROLES + ("doctor",):
            role = "editor" if login == "doctor" else login
            users[login] = create_user(f"{login}-{slug}", f"{login}@{host}", role, display_name=login.title(),
                                       phi_access=login == "doctor")
            _row, passwords[login] = create_app_password(users[login], "tests")
        author = users["author"]
        posts = {"article": _post(author, "Hypertension guideline 2025"),
                 "other": _post(author, "Coffee and the heart"),
                 "draft": _post(author, "Draft on winter vaccines", status="draft"),
                 "restricted": _post(users["editor"], "Internal protocol", level="restricted",
                                     medical_disclaimer="For staff only."),
                 "reviewer_page": _post(users["editor"], "Dr. Ana Reviewer", post_type="page"),
                 "second_reviewer": _post(users["editor"], "Dr. Bruno Reviewer", post_type="page")}
        terms = {"cardiology": Term.create(name="Cardiology", slug="cardiology", wp_id=next_wp_id("term")),
                 "vaccines": Term.create(name="Vaccines", slug="vaccines", taxonomy="post_tag",
                                         wp_id=next_wp_id("term"))}
        media = {"xray": _media(author, "xray.jpg"), "scan": _media(author, "patient-scan.jpg", phi=True),
                 "protocol": _media(author, "protocol.pdf", mime_type="application/pdf")}
        if load:
            import_groups(export())
    return AcfSite(tenant, host, users, passwords, posts, terms, media)


def caller(client, site):
    """api(method, path, login=None, **kwargs) → falcon Result, as that user of the site."""

    def call(method, path, login=None, headers=None, **kwargs):
        return client.simulate_request(method, f"/wp-json{path}", host=site.host,
                                       headers={**site.auth(login), **(headers or {})}, **kwargs)

    return call
