"""healthcare/v1/workflow: reading, running, overriding — permissions, audit rows, tenant isolation."""

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import CustomField, Post, WorkflowState
from wpcompat.workflow import analyze, record_lgpd

from clinic import make_clinic
from workflow.conftest import PATIENT_PT, UNSUPPORTED_PT

PROFESSIONAL = "Novas diretrizes de hipertensão: o que muda na prática"
PHI_CASE = "Relato de caso: paciente com crise hipertensiva"


def route(post, action=""):
    return f"/healthcare/v1/workflow/{post.wp_id}{action}"


def events(audit_rows, clinic, tag):
    return [row for row in audit_rows(clinic) if row.metadata.get("event") == tag]


def test_namespace_is_discoverable(api):
    index = api("GET", "/").json
    assert "healthcare/v1" in index["namespaces"]
    assert "/healthcare/v1/workflow/(?P<id>[\\d]+)/override" in index["routes"]
    assert api("GET", "/healthcare/v1").json["namespace"] == "healthcare/v1"


@pytest.mark.parametrize("role,status", [("administrator", 200), ("editor", 200), ("author", 200),
                                         ("contributor", 404), ("subscriber", 404), (None, 404)])
def test_reading_needs_edit_rights_on_the_post(api, clinic, role, status):
    post = clinic.post(PROFESSIONAL)             # professional content: it does not exist for the last three
    result = api("GET", route(post), role)
    assert result.status_code == status, result.json
    if status == 200:
        body = result.json
        assert body["id"] == post.wp_id and body["workflow"]["status"] == "passed"
        assert body["compliance_validations"]["cfm_check"] == "passed"
    else:
        assert result.json["code"] == "rest_post_invalid_id"


def test_contributors_cannot_read_the_workflow_of_a_post_they_cannot_edit(api, clinic):
    post = clinic.post("Como medir a pressão arterial em casa")      # public, the author's, published
    assert api("GET", route(post), "contributor").status_code == 403
    own = clinic.post("Rascunho: campanha de inverno")              # the contributor's own draft
    assert api("GET", route(own), "contributor").status_code == 200


def test_run_records_each_stage_with_an_audit_row(api, clinic, audit_rows):
    post = clinic.post("Rascunho: campanha de inverno")
    with tenant_scope(clinic.id):
        Post.update(content=UNSUPPORTED_PT).where(Post.id == post.id).execute()
    result = api("POST", route(post, "/run"), "contributor")
    assert result.status_code == 200
    assert result.json["workflow"]["unsupported_claims"] == 1
    assert result.json["medical_claims"]["claim_1"]["validated"] is False
    contributor = clinic.users["contributor"].id
    for tag in ("workflow:lgpd", "workflow:claims", "workflow:cfm"):
        rows = [row for row in events(audit_rows, clinic, tag) if row.user_id == contributor]
        assert len(rows) == 1 and rows[0].resource_id == post.id and rows[0].policy_decision == "allow"
        assert rows[0].metadata["source"] == "run" and rows[0].resource_type == "workflow"
    assert api("POST", route(post, "/run"), "subscriber").status_code == 403


def test_run_on_content_with_patient_data_masks_the_findings(api, clinic):
    post = clinic.post(PHI_CASE)
    with tenant_scope(clinic.id):
        Post.update(content=PATIENT_PT).where(Post.id == post.id).execute()
    result = api("POST", route(post, "/run"), "administrator")
    findings = result.json["lgpd"]["findings"]
    assert {item["kind"] for item in findings} == {"patient", "phi_field"}    # + the demo's PHI field
    assert "Maria" not in result.text and "J.S." not in result.text
    assert result.json["lgpd"]["contains_phi"] and result.json["lgpd"]["score"] < 100


def test_override_is_for_administrators_needs_a_reason_and_is_audited(api, clinic, audit_rows):
    post = clinic.post("Revisão pendente: exercícios para hipertensos")
    assert api("POST", route(post, "/override"), "editor", json={"reason": "ok"}).status_code == 403
    missing = api("POST", route(post, "/override"), "administrator", json={})
    assert missing.status_code == 400 and missing.json["code"] == "rest_missing_callback_param"
    assert api("POST", route(post, "/override"), "administrator", json={"reason": "   "}).status_code == 400
    result = api("POST", route(post, "/override"), "administrator",
                 json={"reason": "Conteúdo revisado pela direção clínica."})
    assert result.status_code == 200
    assert result.json["workflow"]["status"] == "overridden" and result.json["workflow"]["may_publish"]
    (row,) = events(audit_rows, clinic, "workflow:override")
    assert row.metadata["reason"] == "Conteúdo revisado pela direção clínica."
    assert row.user_id == clinic.users["administrator"].id and row.resource_id == post.id
    denied = [r for r in audit_rows(clinic, policy_decision="deny") if "/override" in r.metadata.get("path", "")]
    assert len(denied) == 3                                    # the refused attempts are audited too
    # publishing this version works; an edit invalidates the override
    published = api("POST", f"/wp/v2/posts/{post.wp_id}", "editor", json={"status": "publish"})
    assert published.status_code == 200 and published.json["workflow"]["status"] == "overridden"
    edited = api("POST", f"/wp/v2/posts/{post.wp_id}", "editor", json={"content": "<p>Texto novo.</p>"})
    assert edited.status_code == 400 and edited.json["code"] == "rest_workflow_incomplete"


def test_workflow_rows_and_routes_are_isolated_between_tenants(api, client, clinic, engine):
    other = make_clinic(engine, "other")              # before the app's first request reads the site list
    created = api("POST", "/wp/v2/posts", "editor", json={"title": "Só nesta clínica", "content": UNSUPPORTED_PT})
    assert created.status_code == 201
    for action, method in (("", "GET"), ("/run", "POST"), ("/override", "POST")):
        result = client.simulate_request(method, f"/wp-json/healthcare/v1/workflow/{created.json['id']}{action}",
                                         host=other.host, headers=other.auth("administrator"), json={"reason": "x"})
        assert result.status_code == 404 and result.json["code"] == "rest_post_invalid_id"
    post = clinic.post("Só nesta clínica")
    with tenant_scope(other.id):
        assert WorkflowState.select().where(WorkflowState.content_id == post.id).count() == 0
    with tenant_scope(clinic.id):
        row = WorkflowState.get(WorkflowState.content_id == post.id)
        assert not (row.compliance_validations or {}).get("override")
        assert len(row.medical_claims) == 1


def test_record_lgpd_is_what_the_importer_calls(clinic):
    post = clinic.post("Café e coração: mitos e verdades")
    with tenant_scope(clinic.id):
        Post.update(content=PATIENT_PT).where(Post.id == post.id).execute()
        post = Post.get_by_id(post.id)
        result = analyze({"title": post.title, "content": post.content})
        row = record_lgpd(post, result)
        assert row.current_stage == "S.2.1" and row.lgpd_score == result.score
        assert Post.get_by_id(post.id).compliance_level == "phi"
        assert "Maria" not in str(row.compliance_validations)
        assert WorkflowState.select().where(WorkflowState.content_id == post.id).count() == 1


def test_the_demo_site_runs_the_real_workflow(clinic):
    with tenant_scope(clinic.id):
        rows = {row.content_id: row for row in WorkflowState.select()}
        posts = list(Post.select())
        assert set(rows) == {post.id for post in posts}
        published = [post for post in posts if post.status == "publish"]
        assert all(rows[post.id].compliance_validations["passed"] for post in published)
        case = next(post for post in posts if post.compliance_level == "phi")
        assert rows[case.id].compliance_validations["lgpd"]["contains_phi"]      # its is_phi field
        assert CustomField.select().where(CustomField.meta_key.startswith("workflow")).count() == 0
