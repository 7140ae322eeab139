"""Two tenants for the isolation sweep: A (the caller's clinic) and B (the one it must never reach).

Both are ACF clinics (tests/acf/support.py: users of every role, posts, pages, terms, media, the
medical field groups). B also holds marker objects whose every id is above 900000 — ids are
per-tenant integers, so an id of B's that A also uses would prove nothing — and whose every
title, slug, login, e-mail and value contains one marker string: any answer to A that contains
the marker, B's host or one of B's UUIDs is a leak. A also holds a "poisoned" post whose
author, parent, featured image, category and tag are B's rows (as a buggy import could leave
them), so `_embed`, links and relational fields have something of B's to follow.
"""

import base64
import dataclasses
import io
import uuid

from PIL import Image

from acf.support import make_acf_site
from wpcompat.accounts import create_app_password, create_user
from wpcompat.db import tenant_scope
from wpcompat.models import TENANT_MODELS, Comment, Post, PostTerm, Revision, Term
from wpcompat.models.base import utcnow
from wpcompat.wp_ids import next_wp_id, reserve_wp_id

from conftest import basic_auth

HIGH = 900_000


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclasses.dataclass
class World:
    a: object                 # AcfSite, the caller's clinic
    b: object                 # AcfSite, the other clinic
    marker: str
    ids: dict                 # B's marker objects: kind → wp_id
    slugs: dict               # kind → slug
    uuids: set                # every UUID of B's rows and B's tenant id
    app_password_uuid: str
    media_path: str           # B's uploaded file, /wp-content/uploads/...
    poisoned: int             # A's post pointing at B's rows
    a_article: int            # an ordinary A post

    def leaks(self, text):
        """What of B's the text shows (empty: nothing)."""
        found = [self.marker] if self.marker in text.lower() else []
        found += [self.b.host] if self.b.host in text else []
        found += [value for value in self.uuids if value in text]
        return found

    def admin_a(self):
        return self.a.auth("administrator")

    def admin_b(self):
        return self.b.auth("administrator")


def build_world(engine, client):
    a = make_acf_site(engine, "iso-a")
    b = make_acf_site(engine, "iso-b")
    marker = "zzb" + uuid.uuid4().hex[:10]
    ids, slugs = {}, {}
    with tenant_scope(b.id, engine.database):
        for kind in ("post", "term", "user", "comment"):
            reserve_wp_id(kind, HIGH)
        user = create_user(f"{marker}-user", f"{marker}@b-clinic.test", "author", display_name=f"{marker} Author")
        app_row, _password = create_app_password(user, f"{marker} app")
        category = Term.create(name=f"{marker} Category", slug=f"{marker}-category", wp_id=next_wp_id("term"))
        tag = Term.create(name=f"{marker} Tag", slug=f"{marker}-tag", taxonomy="post_tag", wp_id=next_wp_id("term"))
        post = Post.create(title=f"{marker} Post", slug=f"{marker}-post", status="publish", author=user.id,
                           category=category.id, content=f"<p>{marker} body</p>", excerpt=f"{marker} excerpt",
                           compliance_level="public", wp_id=next_wp_id("post"), published_at=utcnow())
        PostTerm.create(post=post.id, term=tag.id)
        PostTerm.create(post=post.id, term=category.id)
        page = Post.create(title=f"{marker} Page", slug=f"{marker}-page", status="publish", post_type="page",
                           author=user.id, content=f"{marker} page", compliance_level="public",
                           wp_id=next_wp_id("post"), published_at=utcnow())
        draft = Post.create(title=f"{marker} Draft", slug="", status="draft", author=user.id, content=marker,
                            compliance_level="public", wp_id=next_wp_id("post"))
        now = utcnow()
        comment = Comment.create(wp_id=next_wp_id("comment"), post=post.id, user=user.id, status="approved",
                                 author_name=f"{marker} Commenter", author_email=f"{marker}-c@b-clinic.test",
                                 content=f"{marker} comment", date_local=now, date_gmt=now)
        block = Post.create(title=f"{marker} Block", slug=f"{marker}-block", status="publish", post_type="wp_block",
                            author=user.id, content=f"<!-- wp:paragraph --><p>{marker}</p><!-- /wp:paragraph -->",
                            compliance_level="public", wp_id=next_wp_id("post"), published_at=utcnow())
        for parent, prefix in ((post, ""), (page, "page_"), (block, "block_")):
            for kind in ("revision", "autosave"):
                row = Revision.create(post=parent.id, author=user.id, wp_id=next_wp_id("post"), kind=kind,
                                      title=f"{marker} {kind}", content=f"{marker} {kind}")
                ids[prefix + kind] = row.wp_id
    upload = client.simulate_post("/wp-json/wp/v2/media", body=png_bytes(), host=b.host, headers={
        **b.auth("administrator"), "Content-Type": "image/png",
        "Content-Disposition": f'attachment; filename="{marker}-scan.png"'})
    assert upload.status_code == 201, upload.text
    media = upload.json
    b_admin = {**b.auth("administrator"), "Content-Type": "application/json"}
    acf = client.simulate_post(f"/wp-json/wp/v2/posts/{post.wp_id}", host=b.host, headers=b_admin,
                               json={"acf": {"summary": f"{marker} summary", "author_crm": "CRM/SP 123456"}})
    assert acf.status_code == 200, acf.text
    options = client.simulate_post("/wp-json/acf/v3/options/acf-options-clinic", host=b.host, headers=b_admin,
                                   json={"fields": {"clinic_phone": f"{marker}-phone"}})
    assert options.status_code == 200, options.text
    ids.update(post=post.wp_id, page=page.wp_id, draft=draft.wp_id, category=category.wp_id, tag=tag.wp_id,
               user=user.wp_id, media=media["id"], comment=comment.wp_id, block=block.wp_id)
    slugs.update(post=post.slug, page=page.slug, category=category.slug, tag=tag.slug, user=user.nicename,
                 media=media["slug"])
    uuids = {str(b.id)}
    with tenant_scope(b.id, engine.database):
        for model in TENANT_MODELS:
            if model._meta.table_name == "audit_trail":
                continue
            uuids.update(str(row[0]) for row in model.select(model._meta.primary_key).tuples())
    assert all(value > HIGH for value in ids.values()), ids
    media_path = "/" + media["source_url"].split("/", 3)[3]
    with tenant_scope(a.id, engine.database):
        poisoned = Post.create(title="Poisoned import", slug="poisoned-import", status="publish",
                               author=user.id, parent=post.id, category=category.id,
                               featured_media=uuid.UUID(_media_uuid(engine, b, media["id"])),
                               compliance_level="public", wp_id=next_wp_id("post"), published_at=utcnow(),
                               content="<p>poisoned</p>")
        PostTerm.create(post=poisoned.id, term=tag.id)
    return World(a, b, marker, ids, slugs, uuids, str(app_row.uuid), media_path, poisoned.wp_id,
                 a.posts["article"].wp_id)


def _media_uuid(engine, site, wp_id):
    from wpcompat.models import Media

    with tenant_scope(site.id, engine.database):
        return str(Media.get(Media.wp_id == wp_id).id)


def fingerprint(engine, site):
    """Every row the tenant owns, in every tenant table but the audit trail (checked on its own)."""
    snapshot = {}
    with tenant_scope(site.id, engine.database):
        for model in TENANT_MODELS:
            if model._meta.table_name == "audit_trail":
                continue
            rows = model.select().dicts()
            snapshot[model._meta.table_name] = sorted(repr(sorted(row.items(), key=lambda kv: kv[0]))
                                                      for row in rows)
    return snapshot


def basic(login, password):
    return {"Authorization": basic_auth(login, password)}


__all__ = ["World", "base64", "basic", "build_world", "fingerprint", "png_bytes"]
