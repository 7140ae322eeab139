"""The workflow's state of one post: its facts (texts, version), its workflow_states row, its summary.

"Current version" of a post: a SHA-256 (first 16 hex digits) over what the stages look at and the
gate depends on — title, content, excerpt, compliance level, medical category, disclaimer, author,
featured media and the custom fields (key, value) — not status, dates, slug or sticky. Any edit
of those invalidates every stage result and any override.

compliance_validations holds, beside the seed's lgpd_check / cfm_check / anvisa_check:
``passed``, ``issues``, ``version`` (of the S.4 result), ``post_version`` (posts.version),
``stages`` ({stage: {version, at, by, source}}), ``lgpd`` ({score, contains_phi, findings — masked})
and ``override`` ({version, by, reason, at}).
"""

import hashlib
import json
import uuid

from wpcompat import audit
from wpcompat.db import NIL_UUID
from wpcompat.models import CustomField, Media, User, WorkflowState
from wpcompat.models.base import utcnow

DRAFT, LGPD, CLAIMS, CFM = "S.1.1", "S.2.1", "S.3.1", "S.4-1.1-3"
STAGES = (LGPD, CLAIMS, CFM)
STAGE_TAGS = {LGPD: "workflow:lgpd", CLAIMS: "workflow:claims", CFM: "workflow:cfm"}
GATED_LEVELS = ("professional", "restricted", "phi")


def custom_fields(posts):
    """{post id: {meta_key: value}} for the posts (internal `_keys` left out), one query."""
    ids = [post.id for post in posts]
    found = {post_id: {} for post_id in ids}
    if ids:
        query = (CustomField.select(CustomField.post, CustomField.meta_key, CustomField.meta_value,
                                    CustomField.is_phi)
                 .where(CustomField.post.in_(ids)).order_by(CustomField.field_order, CustomField.meta_key))
        for row in query:
            if not row.meta_key.startswith("_"):
                found[row.post_id][row.meta_key] = (row.meta_value or "", bool(row.is_phi))
    return found


def texts_of(post, fields):
    texts = {"title": post.title or "", "content": post.content or "", "excerpt": post.excerpt or ""}
    for key, (value, _phi) in fields.items():
        texts[f"meta.{key}"] = value
    return texts


def version_of(post, fields):
    facts = [post.title or "", post.content or "", post.excerpt or "", post.compliance_level or "public",
             post.medical_category or "", post.medical_disclaimer or "", str(post.author_id or ""),
             str(getattr(post, "featured_media_id", None) or ""),
             sorted((key, value) for key, (value, _phi) in fields.items())]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()[:16]


def author_of(post):
    return User.get_or_none(User.id == post.author_id) if post.author_id else None


def media_descriptions(post):
    """Title, alt text, caption and file names of the images attached to or featured by the post."""
    condition = Media.post == post.id
    featured = getattr(post, "featured_media_id", None)
    if featured:
        condition |= Media.id == featured
    rows = Media.select(Media.title, Media.alt_text, Media.caption, Media.filename, Media.original_filename,
                        Media.mime_type).where(condition)
    return [" ".join(filter(None, (row.title, row.alt_text, row.caption, row.filename, row.original_filename)))
            for row in rows if (row.mime_type or "").startswith("image/")]


def is_gated(post, row):
    """Publishing needs S.4: professional/restricted/phi content, a medical category, or patient data found."""
    if (post.compliance_level or "public") in GATED_LEVELS or post.medical_category:
        return True
    lgpd = ((row.compliance_validations or {}).get("lgpd") if row is not None else None) or {}
    return bool(lgpd.get("contains_phi"))


# --- the row ----------------------------------------------------------------------------------------

def load(post_id):
    return (WorkflowState.select().where(WorkflowState.content_id == post_id)
            .order_by(WorkflowState.created_at).first())


def load_many(post_ids):
    rows = {}
    if post_ids:
        for row in WorkflowState.select().where(WorkflowState.content_id.in_(list(post_ids))) \
                .order_by(WorkflowState.created_at.desc()):
            rows[row.content_id] = row
    return rows


def patient_data_found(post_ids):
    """Whether the LGPD stage found patient data in any of these posts (their latest workflow rows)."""
    return any(((row.compliance_validations or {}).get("lgpd") or {}).get("contains_phi")
               for row in load_many(post_ids).values())


def row_for(post):
    row = load(post.id)
    if row is None:
        now = utcnow()
        row = WorkflowState(content_id=post.id, current_stage=DRAFT, medical_claims={},
                            scientific_references=[], compliance_validations={}, created_at=now, updated_at=now)
        row.is_new = True
    return row


def save_row(row):
    row.save(force_insert=getattr(row, "is_new", False))
    row.is_new = False


def mark_stage(row, stage, version, user, source):
    validations = dict(row.compliance_validations or {})
    stages = dict(validations.get("stages") or {})
    stages[stage] = {"version": version, "at": utcnow().isoformat(timespec="seconds") + "Z",
                     "by": str(user.id) if user is not None and user.id else None, "source": source}
    validations["stages"] = stages
    row.compliance_validations = validations
    row.current_stage = stage
    row.updated_at = utcnow()


def write_audit(post, user, events, req=None):
    """One audit row per stage run: on the request when there is one, else written now."""
    if req is not None:
        for tag, extra in events:
            audit.record(req, tag, post.id, operation="update", **extra)
        return
    now = utcnow()
    audit.write([{"id": uuid.uuid4(), "operation": "update", "resource_type": "workflow",
                  "resource_id": post.id, "user_id": (user.id if user is not None else None) or NIL_UUID,
                  "metadata": {"event": tag, "wp_id": post.wp_id, **extra}, "trust_score": None,
                  "policy_decision": "allow", "created_at": now} for tag, extra in events])


# --- what clients see -----------------------------------------------------------------------------

def summary(post, row, version):
    """The workflow summary (REST `workflow` field, GET /healthcare/v1/workflow/{id})."""
    validations = (row.compliance_validations or {}) if row is not None else {}
    stages = validations.get("stages") or {}
    lgpd = validations.get("lgpd") or {}
    override = validations.get("override")
    analysed = validations.get("version") if CFM in stages else None
    current = analysed == version
    overridden = bool(override) and override.get("version") == version
    gated = is_gated(post, row)
    if row is None or not stages:
        status = "not_run"
    elif not current:
        status = "stale"
    else:
        status = "passed" if validations.get("passed") else "failed"
    if overridden and status != "passed":
        status = "overridden"
    claims = (row.medical_claims or {}) if row is not None else {}
    return {
        "stage": row.current_stage if row is not None else DRAFT,
        "status": status,
        "version": version,
        "analysed_version": analysed,
        "gated": gated,
        "may_publish": (not gated) or status in ("passed", "overridden"),
        "missing": missing(post, row, version) if gated else [],
        "lgpd_score": row.lgpd_score if row is not None else None,
        "contains_phi": bool(lgpd.get("contains_phi")),
        "findings": lgpd.get("counts", {}),
        "claims": len(claims),
        "unsupported_claims": sum(1 for claim in claims.values() if not claim.get("validated")),
        "references": len((row.scientific_references or []) if row is not None else []),
        "checks": {name: validations.get(name) for name in ("lgpd_check", "cfm_check", "anvisa_check")},
        "issues": validations.get("issues", []) if current else [],
        "override": override if overridden else None,
        "updated_at": (row.updated_at.isoformat(timespec="seconds") + "Z") if row is not None and row.updated_at
        else None,
    }


def missing(post, row, version):
    """What stands between this version and publication (empty when it passed or was overridden)."""
    validations = (row.compliance_validations or {}) if row is not None else {}
    override = validations.get("override") or {}
    if override.get("version") == version:
        return []
    stages = validations.get("stages") or {}
    items = []
    for stage in STAGES:
        if (stages.get(stage) or {}).get("version") != version:
            items.append({"stage": stage, "code": "stage_not_run",
                          "message": f"{stage} has not run on the current version."})
    if items:
        return items
    if not validations.get("passed"):
        items = [{"stage": CFM, **issue} for issue in validations.get("issues", [])]
    return items


def summaries(posts):
    """{post id: summary} for a page of posts: three queries whatever their number."""
    posts = list(posts)
    rows = load_many([post.id for post in posts])
    fields = custom_fields(posts)
    return {post.id: summary(post, rows.get(post.id), version_of(post, fields[post.id])) for post in posts}


# XML-RPC: the summary as read-only custom fields (visible names: a leading underscore would hide them).
XMLRPC_KEYS = ("workflow_stage", "workflow_status", "workflow_missing", "lgpd_score", "lgpd_check", "cfm_check",
               "anvisa_check")


def custom_field_structs(post, info):
    """[{id, key, value}] for XML-RPC clients; ids are stable and match no stored field."""
    if info is None:
        return []
    checks = info["checks"]
    values = {"workflow_stage": info["stage"], "workflow_status": info["status"],
              "workflow_missing": "; ".join(item["message"] for item in info["missing"]),
              "lgpd_score": "" if info["lgpd_score"] is None else str(info["lgpd_score"]),
              "lgpd_check": checks.get("lgpd_check") or "", "cfm_check": checks.get("cfm_check") or "",
              "anvisa_check": checks.get("anvisa_check") or ""}
    out = []
    for key in XMLRPC_KEYS:
        digest = hashlib.blake2b(f"workflow:{post.id}:{key}".encode(), digest_size=4).digest()
        out.append({"id": str((int.from_bytes(digest, "big") & 0x7FFFFFFF) or 1), "key": key, "value": values[key]})
    return out
