"""The publication gate over XML-RPC: wp.newPost/editPost, metaWeblog, blogger and mt.publishPost."""

from wpcompat.db import tenant_scope
from wpcompat.models import Post

from conftest import count_rows
from workflow.conftest import PATIENT_PT, SUPPORTED_PT, UNSUPPORTED_PT

INCOMPLETE = "This content cannot be published until the healthcare workflow passes."
PENDING = "Revisão pendente: exercícios para hipertensos"        # demo: cardiology, by a contributor (no CRM)
PROFESSIONAL = "Novas diretrizes de hipertensão: o que muda na prática"


def test_wp_new_post_with_patient_data_is_a_fault_and_writes_nothing(rpc, creds, clinic):
    before = count_rows(clinic, Post)
    code, message = rpc.fault("wp.newPost", *creds("author"), {"post_title": "Caso", "post_content": PATIENT_PT,
                                                               "post_status": "publish"})
    assert code == 400 and message.startswith(INCOMPLETE) and "Patient data" in message
    assert "Maria" not in message
    assert count_rows(clinic, Post) == before
    draft = rpc.call("wp.newPost", *creds("author"), {"post_title": "Caso", "post_content": PATIENT_PT})
    assert int(draft) > 0


def test_wp_edit_post_of_published_professional_content_is_gated(rpc, creds, clinic):
    post = clinic.post(PROFESSIONAL)
    code, message = rpc.fault("wp.editPost", *creds("author"), post.wp_id, {"post_content": UNSUPPORTED_PT})
    assert code == 400 and "Unsupported claim" in message
    assert clinic.post(PROFESSIONAL).content == post.content
    assert rpc.call("wp.editPost", *creds("author"), post.wp_id, {"post_content": SUPPORTED_PT}) is True


def test_metaweblog_and_blogger_publish_flags_are_gated(rpc, creds):
    struct = {"title": "Caso clínico", "description": PATIENT_PT}
    code, message = rpc.fault("metaWeblog.newPost", 1, *creds("editor")[1:], struct, True)
    assert code == 400 and message.startswith(INCOMPLETE)
    assert int(rpc.call("metaWeblog.newPost", 1, *creds("editor")[1:], struct, False)) > 0
    code, message = rpc.fault("blogger.newPost", "", 1, *creds("editor")[1:], f"<title>Caso</title>{PATIENT_PT}", True)
    assert code == 400 and message.startswith(INCOMPLETE)


def test_mt_publish_post_needs_the_workflow_or_an_override(rpc, creds, clinic, api):
    post = clinic.post(PENDING)
    code, message = rpc.fault("mt.publishPost", post.wp_id, *creds("editor")[1:])
    assert code == 400 and "professional registry" in message
    assert clinic.post(PENDING).status == "pending"
    override = api("POST", f"/healthcare/v1/workflow/{post.wp_id}/override", "administrator",
                   json={"reason": "Revisado pelo diretor clínico (CRM/SP 100200)."})
    assert override.status_code == 200
    assert rpc.call("mt.publishPost", post.wp_id, *creds("editor")[1:]) == post.wp_id
    assert clinic.post(PENDING).status == "publish"


def test_workflow_summary_as_read_only_custom_fields(rpc, creds, clinic):
    post = clinic.post(PROFESSIONAL)
    fields = {item["key"]: item["value"] for item in rpc.call("wp.getPost", *creds("editor"), post.wp_id)["custom_fields"]}
    assert fields["workflow_stage"] == "S.4-1.1-3" and fields["workflow_status"] == "passed"
    assert fields["lgpd_score"] == "100" and fields["cfm_check"] == "passed" and fields["workflow_missing"] == ""
    assert fields["evidence_level"] == "1"                     # the post's own fields are still there
    rpc.call("wp.editPost", *creds("editor"), post.wp_id, {"custom_fields": [{"key": "workflow_status",
                                                                              "value": "passed"}]})
    with tenant_scope(clinic.id):
        assert not [row for row in Post.get_by_id(post.id).custom_fields if row.meta_key == "workflow_status"]
    pending = clinic.post(PENDING)
    fields = {item["key"]: item["value"] for item in rpc.call("wp.getPost", *creds("editor"), pending.wp_id)["custom_fields"]}
    assert fields["workflow_status"] == "failed" and "registry" in fields["workflow_missing"]
