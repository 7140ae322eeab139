"""The medical content workflow's state per content item (seed: workflow_states)."""

import peewee

from wpcompat.models.base import TenantModel, UUIDField, JSONField, utcnow


class WorkflowState(TenantModel):
    content_id = UUIDField()
    current_stage = peewee.CharField(max_length=50, default="draft", null=True)
    lgpd_score = peewee.IntegerField(null=True)
    medical_claims = JSONField(default=dict, null=True)
    scientific_references = JSONField(default=dict, null=True)
    compliance_validations = JSONField(default=dict, null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "workflow_states"
