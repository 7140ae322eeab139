"""wp.getRevisions and wp.restoreRevision over XML-RPC, and the revisions XML-RPC edits keep."""

import datetime

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import AcfField, AcfFieldGroup, CustomField, Post, Revision
from wpcompat.wp_ids import next_wp_id

from xmlrpc_api.helpers import creds, fresh_login_counters, rpc  # noqa: F401

PUBLIC = "Como medir a pressão arterial em casa"          # by the author
RESTRICTED = "Protocolo interno de pré-eclâmpsia"


def edit(rpc, creds, post, role="administrator", **content):
    assert rpc.call("wp.editPost", *creds(role), post.wp_id, content) is True


def test_edits_keep_revisions_that_get_revisions_lists(rpc, creds, clinic):
    post = clinic.post(PUBLIC)
    edit(rpc, creds, post, post_title="Pela XML-RPC")
    edit(rpc, creds, post, "editor", post_content="<p>Conteúdo novo</p>")
    revisions = rpc.call("wp.getRevisions", *creds("author"), post.wp_id)
    assert [sorted(item) for item in revisions] == [["post_date", "post_date_gmt", "post_id"]] * 2
    full = rpc.call("wp.getRevisions", *creds("author"), post.wp_id, ["post"])
    assert [item["post_title"] for item in full] == ["Pela XML-RPC", "Pela XML-RPC"]
    assert full[0]["post_content"] == "<p>Conteúdo novo</p>" and full[0]["post_type"] == "revision"
    assert full[0]["post_parent"] == str(post.wp_id) and full[0]["post_status"] == "inherit"
    assert full[0]["post_author"] == str(clinic.users["editor"].wp_id)
    assert isinstance(full[0]["post_date"], datetime.datetime)
    with tenant_scope(clinic.id):
        assert Post.get_by_id(post.id).version == 3


def test_autosaves_are_not_listed(rpc, creds, clinic, api):
    post = clinic.post(PUBLIC)
    api("POST", f"/wp/v2/posts/{post.wp_id}/autosaves", "editor", json={"title": "Autosalvo"})
    assert rpc.call("wp.getRevisions", *creds("editor"), post.wp_id) == []


def test_get_revisions_faults(rpc, creds, clinic):
    post = clinic.post(PUBLIC)
    assert rpc.fault("wp.getRevisions", *creds("editor"), 999999) == (404, "Invalid post ID.")
    assert rpc.fault("wp.getRevisions", *creds("contributor"), post.wp_id) == (
        401, "Sorry, you are not allowed to edit posts.")
    assert rpc.fault("wp.getRevisions", *creds("author"), clinic.post(RESTRICTED).wp_id) == (404, "Invalid post ID.")


def test_restore_revision_brings_the_fields_back_and_keeps_a_revision(rpc, creds, clinic, audit_rows):
    post = clinic.post(PUBLIC)
    edit(rpc, creds, post, post_title="Versão A", post_content="<p>A</p>")
    edit(rpc, creds, post, post_title="Versão B", post_content="<p>B</p>")
    first = rpc.call("wp.getRevisions", *creds("editor"), post.wp_id, ["post"])[-1]
    assert first["post_title"] == "Versão A"
    assert rpc.call("wp.restoreRevision", *creds("editor"), int(first["post_id"])) is True
    with tenant_scope(clinic.id):
        restored = Post.get_by_id(post.id)
        assert (restored.title, restored.content) == ("Versão A", "<p>A</p>")
        assert Revision.select().where(Revision.post == post.id).count() == 3
    assert [row for row in audit_rows(clinic.tenant) if row.metadata["event"] == "xmlrpc:wp.restoreRevision"
            and row.policy_decision == "allow"]


def test_restore_revision_faults(rpc, creds, clinic, api):
    post = clinic.post(PUBLIC)
    edit(rpc, creds, post, post_title="Outra")
    revision = rpc.call("wp.getRevisions", *creds("editor"), post.wp_id)[0]
    assert rpc.fault("wp.restoreRevision", *creds("editor"), post.wp_id) == (404, "Invalid post ID.")
    assert rpc.fault("wp.restoreRevision", *creds("contributor"), int(revision["post_id"])) == (
        401, "Sorry, you are not allowed to edit this post.")
    autosave = api("POST", f"/wp/v2/posts/{post.wp_id}/autosaves", "editor", json={"title": "Auto"}).json
    assert rpc.fault("wp.restoreRevision", *creds("editor"), autosave["id"]) == (404, "Invalid post ID.")
    with tenant_scope(clinic.id):
        assert Post.get_by_id(post.id).title == "Outra"


def test_restore_brings_back_the_acf_values_kept_with_the_revision(rpc, creds, clinic, api):
    with tenant_scope(clinic.id):
        group = AcfFieldGroup.create(key="group_rev", title="Revisões", show_in_rest=True,
                                     location=[[{"param": "post_type", "operator": "==", "value": "post"}]],
                                     source={})
        AcfField.create(key="field_rev_note", group=group.id, name="nota", label="Nota", type="text", settings={})
    post = clinic.post(PUBLIC)
    first = api("POST", f"/wp/v2/posts/{post.wp_id}", "administrator",
                json={"title": "Com nota", "acf": {"nota": "um"}})
    assert first.status_code == 200, first.json
    api("POST", f"/wp/v2/posts/{post.wp_id}", "administrator", json={"title": "Outra nota", "acf": {"nota": "dois"}})
    with tenant_scope(clinic.id):
        kept = Revision.select().where(Revision.post == post.id).order_by(Revision.wp_id).first()
        assert kept.field_values["nota"]["meta_value"] == "um"
    assert rpc.call("wp.restoreRevision", *creds("administrator"), kept.wp_id) is True
    with tenant_scope(clinic.id):
        assert CustomField.get(CustomField.post == post.id, CustomField.meta_key == "nota").meta_value == "um"
    assert api("GET", f"/wp/v2/posts/{post.wp_id}").json["acf"] == {"nota": "um"}


def test_another_tenants_revision_cannot_be_restored(rpc, creds, clinic, site_b):
    with tenant_scope(site_b.id):
        foreign = Revision.create(post=site_b.post.id, wp_id=next_wp_id("post") + 500, title="Secret", content="",
                                  excerpt="")
    assert rpc.fault("wp.restoreRevision", *creds("administrator"), foreign.wp_id) == (404, "Invalid post ID.")
