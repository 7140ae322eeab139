"""A full demo clinic per test (wpcompat.demo), with an application password for every role."""

import dataclasses
import json
import uuid
from pathlib import Path

import pytest

from wpcompat.accounts import create_app_password
from wpcompat.db import bind, db, tenant_scope
from wpcompat.demo import load_demo_content
from wpcompat.models import Post, Term, User
from wpcompat.sites import create_site

from conftest import basic_auth

ROLES = ("administrator", "editor", "author", "contributor", "subscriber")


@dataclasses.dataclass
class Clinic:
    tenant: object
    host: str
    users: dict            # role → User
    passwords: dict        # role → app password

    @property
    def id(self):
        return self.tenant.id

    def auth(self, role):
        if role is None:
            return {}
        user = self.users[role]
        return {"Authorization": basic_auth(user.login, self.passwords[role])}

    def post(self, title):
        with tenant_scope(self.id):
            return Post.get(Post.title == title)

    def term(self, name):
        with tenant_scope(self.id):
            return Term.get(Term.name == name)


def make_clinic(engine, label="clinic"):
    previous = db.obj
    bind(engine.database)
    try:
        return _make_clinic(engine, label)
    finally:
        if previous is not None:
            bind(previous)                     # an app created earlier keeps its own database


def _make_clinic(engine, label):
    slug = f"{label}-{uuid.uuid4().hex[:8]}"
    host = f"{slug}.clinic.test"
    with engine.database.atomic():
        tenant = create_site(slug, f"Clinic {label}", [host], timezone_string="America/Sao_Paulo")
    load_demo_content(tenant, login_passwords=False)
    users, passwords = {}, {}
    with tenant_scope(tenant.id):
        for user in User.select():
            users[user.role] = user
            _row, passwords[user.role] = create_app_password(user, "tests")
    return Clinic(tenant, host, users, passwords)


GOLDEN = Path(__file__).resolve().parents[2] / "shared" / "golden"
GOLDEN_HOME = "http://127.0.0.1:8081"


def golden_body(name, host):
    """A golden answer's body with the golden site's URL replaced by this site's (skipped without shared/)."""
    path = GOLDEN / name
    if not path.exists():
        pytest.skip("golden answers not available")
    body = json.loads(path.read_text(encoding="utf-8"))["body"]
    return json.loads(json.dumps(body).replace(GOLDEN_HOME, f"http://{host}"))
