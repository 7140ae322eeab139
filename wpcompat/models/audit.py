"""The append-only audit trail (seed: audit_trail). Rows are inserted, never changed."""

import peewee

from wpcompat.models.base import TenantModel, UUIDField, JSONField, utcnow


class AuditTrail(TenantModel):
    operation = peewee.CharField(max_length=50)
    resource_type = peewee.CharField(max_length=50)
    resource_id = UUIDField()
    user_id = UUIDField()
    metadata = JSONField(default=dict, null=True)
    trust_score = peewee.IntegerField(null=True)
    policy_decision = peewee.CharField(max_length=50, null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "audit_trail"

    def save(self, *args, **kwargs):
        if not kwargs.get("force_insert"):
            raise PermissionError("audit_trail is append-only")
        return super().save(*args, **kwargs)
