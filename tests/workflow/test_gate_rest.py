"""The publication gate over REST: per role and compliance level, on create, update and schedule."""

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import Post, WorkflowState

from conftest import count_rows
from workflow.conftest import CLEAN_PT, DISCLAIMER, PATIENT_PT, SUPPORTED_PT, UNSUPPORTED_PT


def publish(api, role, level="public", content=CLEAN_PT, status="publish", **extra):
    body = {"title": f"Artigo {level}", "content": content, "status": status, "compliance_level": level, **extra}
    if level in ("professional", "restricted"):
        body.setdefault("medical_disclaimer", DISCLAIMER)
    return api("POST", "/wp/v2/posts", role, json=body)


@pytest.mark.parametrize("role,level", [
    ("author", "public"), ("author", "professional"), ("editor", "professional"), ("editor", "restricted"),
    ("administrator", "public"), ("administrator", "phi"),
])
def test_compliant_content_publishes(api, role, level):
    result = publish(api, role, level, SUPPORTED_PT)
    assert result.status_code == 201, result.json
    assert result.json["status"] == "publish"
    assert result.json["workflow"]["status"] == "passed"
    assert result.json["workflow"]["stage"] == "S.4-1.1-3"


@pytest.mark.parametrize("role,level", [("author", "professional"), ("editor", "restricted"),
                                        ("administrator", "phi"), ("author", "public")])
def test_an_unsupported_claim_blocks_gated_content_and_nothing_is_written(api, clinic, role, level):
    before, states = count_rows(clinic, Post), count_rows(clinic, WorkflowState)
    extra = {"medical_category": "cardiology"} if level == "public" else {}
    result = publish(api, role, level, UNSUPPORTED_PT, **extra)
    assert result.status_code == 400
    assert result.json["code"] == "rest_workflow_incomplete"
    assert [item["code"] for item in result.json["data"]["missing"]] == ["unsupported_claim"]
    assert "Unsupported claim" in result.json["message"]
    assert count_rows(clinic, Post) == before
    assert count_rows(clinic, WorkflowState) == states        # the stage results rolled back too


def test_ungated_public_content_publishes_even_with_a_claim(api):
    result = publish(api, "author", "public", UNSUPPORTED_PT)
    assert result.status_code == 201
    assert result.json["workflow"]["gated"] is False and result.json["workflow"]["unsupported_claims"] == 1


@pytest.mark.parametrize("status", ["draft", "pending"])
def test_drafts_and_pending_are_saved_with_their_results(api, status):
    result = publish(api, "author", "professional", UNSUPPORTED_PT, status=status)
    assert result.status_code == 201
    workflow = result.json["workflow"]
    assert workflow["status"] == "failed" and workflow["may_publish"] is False
    assert workflow["missing"][0]["code"] == "unsupported_claim"


def test_scheduling_is_publishing(api):
    result = publish(api, "editor", "professional", UNSUPPORTED_PT, status="future", date="2099-01-01T10:00:00")
    assert result.status_code == 400 and result.json["code"] == "rest_workflow_incomplete"


def test_contributors_are_refused_before_the_gate(api):
    result = publish(api, "contributor", "public", UNSUPPORTED_PT, medical_category="cardiology")
    assert result.status_code == 403 and result.json["code"] == "rest_cannot_publish"


def test_an_author_without_registry_cannot_publish_medical_content(api):
    # the demo's administrator has no professional registry
    result = publish(api, "administrator", "professional", SUPPORTED_PT)
    assert result.status_code == 400
    assert [item["code"] for item in result.json["data"]["missing"]] == ["missing_registry"]


def test_patient_data_from_a_user_without_phi_access_blocks_publication(api, clinic):
    result = publish(api, "author", "public", PATIENT_PT)
    assert result.status_code == 400
    assert [item["code"] for item in result.json["data"]["missing"]] == ["phi_not_classified"]
    draft = publish(api, "author", "public", PATIENT_PT, status="draft")
    assert draft.status_code == 201
    assert draft.json["compliance_level"] == "public"          # not raised: the author could not read it back
    assert draft.json["workflow"]["contains_phi"] and draft.json["workflow"]["lgpd_score"] < 100
    assert "Maria" not in str(draft.json["workflow"])


def test_patient_data_from_an_administrator_is_classified_phi(api):
    result = publish(api, "administrator", "public", PATIENT_PT)
    assert result.status_code == 201, result.json
    assert result.json["compliance_level"] == "phi"
    assert result.json["workflow"]["contains_phi"] and result.json["workflow"]["status"] == "passed"


def test_editing_published_content_goes_through_the_stages_again(api, clinic):
    post = clinic.post("Novas diretrizes de hipertensão: o que muda na prática")
    path = f"/wp/v2/posts/{post.wp_id}"
    refused = api("POST", path, "author", json={"content": UNSUPPORTED_PT})
    assert refused.status_code == 400 and refused.json["code"] == "rest_workflow_incomplete"
    assert clinic.post(post.title).content == post.content                 # unchanged
    accepted = api("POST", path, "author", json={"content": SUPPORTED_PT})
    assert accepted.status_code == 200
    workflow = accepted.json["workflow"]
    assert workflow["status"] == "passed" and workflow["claims"] == 1 and workflow["references"] == 1
    with tenant_scope(clinic.id):
        row = WorkflowState.get(WorkflowState.content_id == post.id)
    assert row.compliance_validations["version"] == workflow["version"]
    # unpublishing is not gated
    assert api("POST", path, "author", json={"status": "draft", "content": UNSUPPORTED_PT}).status_code == 200


def test_the_workflow_field_is_in_edit_context_only(api, clinic):
    post = clinic.post("Como medir a pressão arterial em casa")
    view = api("GET", f"/wp/v2/posts/{post.wp_id}", "editor")
    assert "workflow" not in view.json
    edit = api("GET", f"/wp/v2/posts/{post.wp_id}", "editor", params={"context": "edit"})
    assert edit.json["workflow"]["status"] == "passed"
    listing = api("GET", "/wp/v2/pages", "editor", params={"context": "edit"})
    assert all(item["workflow"]["stage"] == "S.4-1.1-3" for item in listing.json)
    schema = api("OPTIONS", "/wp/v2/posts").json["schema"]["properties"]["workflow"]
    assert schema["context"] == ["edit"] and schema["readonly"] is True
