"""Audit events: what a request touched, written as append-only audit_trail rows (DESIGN.md §6).

Controllers call `record(req, "post:read", post.id, ...)`. The AuditTrail middleware
turns the events into rows when the response is ready: inside the request's
transaction when it succeeds (no change commits without its row), or deferred to a
transaction of their own after a rollback, so denials survive.
"""

import dataclasses
import enum
import uuid

from wpcompat.db import NIL_UUID, current_tenant, db
from wpcompat.models import AuditTrail
from wpcompat.models.base import utcnow


class Operation(enum.StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    ACCESS = "access"
    LOGIN = "login"


METHOD_OPERATIONS = {"GET": Operation.READ, "HEAD": Operation.READ, "OPTIONS": Operation.READ,
                     "POST": Operation.CREATE, "PUT": Operation.UPDATE, "PATCH": Operation.UPDATE,
                     "DELETE": Operation.DELETE}


@dataclasses.dataclass
class AuditEvent:
    tag: str                       # "<resource>:<action>", e.g. "post:list", "auth:login:failure"
    operation: str
    resource_id: object = None
    extra: dict = dataclasses.field(default_factory=dict)

    @property
    def resource_type(self):
        return self.tag.split(":", 1)[0]


def record(req, tag, resource_id=None, operation=None, **extra):
    """Note that this request touched a resource; `extra` lands in the row's metadata."""
    operation = operation or METHOD_OPERATIONS.get(req.method, Operation.ACCESS)
    req.context.audit_events.append(AuditEvent(tag, str(operation), resource_id, extra))


def request_metadata(req, status):
    route = getattr(req.context, "rest_route", None) or getattr(req, "uri_template", None) or req.path
    return {"request_id": req.context.request_id, "route": route,
            "path": req.path, "method": req.method, "ip": req.context.client_ip,
            "user_agent": req.user_agent, "status": status}


def build_rows(req, status, default_tag):
    """audit_trail rows for this request; at least one, even if no controller recorded any."""
    user = req.context.user
    decision = "allow" if status < 400 else "deny"
    events = list(req.context.audit_events) or [
        AuditEvent(default_tag, str(METHOD_OPERATIONS.get(req.method, Operation.ACCESS)))]
    base = request_metadata(req, status)
    now = utcnow()
    rows = []
    for event in events:
        extra = dict(event.extra)
        own_decision = extra.pop("policy_decision", None)
        rows.append({
            "id": uuid.uuid4(),
            "operation": event.operation,
            "resource_type": event.resource_type,
            "resource_id": event.resource_id or NIL_UUID,
            "user_id": user.id or NIL_UUID,
            "metadata": {**base, "event": event.tag, **extra},
            "trust_score": req.context.trust_score,
            # an event may carry its own decision (a denied batch sub-request inside a 207)
            "policy_decision": own_decision or decision,
            "created_at": now,
        })
    return rows


COLUMNS = ("id", "tenant_id", "operation", "resource_type", "resource_id", "user_id", "metadata",
            "trust_score", "policy_decision", "created_at")


def write(rows):
    """Insert the rows (one statement; its SQL is plain, so nothing is rebuilt per request)."""
    if rows:
        db.execute_sql(*insert_statement(rows))


def insert_statement(rows):
    """(sql, params) inserting `rows` into the current tenant's audit trail."""
    tenant = current_tenant.get()
    if tenant is None:
        raise PermissionError("no tenant set: cannot write audit rows")
    fields = AuditTrail._meta.fields
    values = []
    for row in rows:
        row = {**row, "tenant_id": tenant}
        values.extend(fields[name].db_value(row[name]) for name in COLUMNS)
    p = db.param
    placeholders = ", ".join(["(" + ", ".join([p] * len(COLUMNS)) + ")"] * len(rows))
    return f"INSERT INTO audit_trail ({', '.join(COLUMNS)}) VALUES {placeholders}", values
