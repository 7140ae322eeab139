"""Running the stages on a post and recording each result in workflow_states, with an audit row.

`run(post, user)` runs S.2.1 → S.3.1 → S.4 on the post as it is in memory (so the editor can run
it on a save before the post is written) and returns the row and the version it analysed.
`record_lgpd(post, result)` records an S.2.1 result computed elsewhere (the importer).
"""

from wpcompat import permissions
from wpcompat.models import Post
from wpcompat.models.base import utcnow
from wpcompat.workflow import cfm, claims, lgpd
from wpcompat.workflow.state import (CFM, CLAIMS, LGPD, STAGE_TAGS, author_of, custom_fields, load, mark_stage,
                                     media_descriptions, row_for, save_row, texts_of, version_of, write_audit)


def may_classify_phi(user):
    """Who may raise content to phi on finding patient data: the system (None) or users who may read PHI."""
    return user is None or permissions.may_see_level(user, "phi")


def analyse_lgpd(post, fields):
    """S.2.1 on the post's texts, plus its custom fields flagged is_phi that hold a value."""
    result = lgpd.analyze(texts_of(post, fields))
    flagged = [lgpd.flagged(f"meta.{key}", value) for key, (value, phi) in fields.items() if phi and value]
    if flagged:
        result = lgpd.LgpdResult(score=lgpd.score_of(result.findings + flagged),
                                 findings=result.findings + flagged, contains_phi=True)
    return result


def apply_lgpd(post, row, result, user, version_fields, source, persist):
    """Record S.2.1 on the row; raise the post to phi when patient data was found and the user may."""
    if result.contains_phi and (post.compliance_level or "public") != "phi" and may_classify_phi(user):
        post.compliance_level = "phi"
        if persist:
            Post.update(compliance_level="phi").where(Post.id == post.id).execute()
    from wpcompat import uploads                # here: uploads → responses → workflow would be a cycle
    uploads.protect_post_media(post, user)      # phi however it became so (here or set by the user): files sealed
    version = version_of(post, version_fields)
    validations = dict(row.compliance_validations or {})
    validations["lgpd"] = {"score": result.score, "contains_phi": result.contains_phi,
                           "counts": result.counts(), "findings": [dict(item) for item in result.findings]}
    row.compliance_validations = validations
    row.lgpd_score = result.score
    mark_stage(row, LGPD, version, user, source)
    return version, (STAGE_TAGS[LGPD], {"stage": LGPD, "source": source, "score": result.score,
                                         "contains_phi": result.contains_phi, "findings": result.counts()})


def record_lgpd(post, result, user=None, source="import", req=None):
    """Write an S.2.1 result into the post's workflow_states row (and an audit row). Returns the row.

    Sets the post's compliance_level to phi (saved) when the result found patient data.
    """
    fields = custom_fields([post])[post.id]
    row = row_for(post)
    _version, event = apply_lgpd(post, row, result, user, fields, source, persist=True)
    save_row(row)
    write_audit(post, user, [event], req)
    return row


def run(post, user=None, source="run", req=None, persist=True, audited=True):
    """All three stages on `post`; the row is saved, one audit row per stage. Returns (row, version).

    persist=False: the post is being saved by the caller (the editor), which writes any change
    S.2.1 makes to its compliance level. audited=False: no audit rows (the demo loader, which
    writes none for the content it creates either).
    """
    fields = custom_fields([post])[post.id]
    row = row_for(post)
    result = analyse_lgpd(post, fields)
    version, lgpd_event = apply_lgpd(post, row, result, user, fields, source, persist)
    texts = texts_of(post, fields)
    found = claims.extract(texts, result.findings)
    row.medical_claims = found.claims_json()
    row.scientific_references = found.references
    mark_stage(row, CLAIMS, version, user, source)
    checked = cfm.validate(_cfm_input(post, fields, texts, result, found))
    validations = dict(row.compliance_validations or {})
    validations.update(checked.checks)
    validations.update({"passed": checked.passed, "issues": checked.issues, "version": version,
                        "post_version": post.version})
    row.compliance_validations = validations
    mark_stage(row, CFM, version, user, source)
    save_row(row)
    if not audited:
        return row, version
    write_audit(post, user, [
        lgpd_event,
        (STAGE_TAGS[CLAIMS], {"stage": CLAIMS, "source": source, "claims": len(found.claims),
                              "unsupported": len(found.unsupported), "references": len(found.references)}),
        (STAGE_TAGS[CFM], {"stage": CFM, "source": source, "passed": checked.passed, **checked.checks,
                           "issues": sorted({issue["code"] for issue in checked.issues})}),
    ], req)
    return row, version


def _cfm_input(post, fields, texts, result, found):
    author = author_of(post)
    plain_fields = {key: value for key, (value, _phi) in fields.items()}
    return cfm.CfmInput(
        compliance_level=post.compliance_level or "public", medical_category=post.medical_category,
        disclaimer=post.medical_disclaimer,
        registry=author.professional_registry if author is not None else None,
        registry_validated=bool(author is not None and author.validated_at),
        images=cfm.images_in(post.content) + media_descriptions(post),
        consent=cfm.consent_given(plain_fields), texts=texts, contains_phi=result.contains_phi,
        unsupported_claims=found.unsupported)


def current(post):
    """(row, version): the post's workflow row (None if never run) and its current version."""
    fields = custom_fields([post])[post.id]
    return load(post.id), version_of(post, fields)


def override(post, user, reason, req=None):
    """An administrator lets this version be published without S.4 passing; audited. Returns (row, version)."""
    fields = custom_fields([post])[post.id]
    version = version_of(post, fields)
    row = row_for(post)
    validations = dict(row.compliance_validations or {})
    previous = validations.get("override")
    validations["override"] = {"version": version, "by": str(user.id), "by_wp_id": user.wp_id,
                               "reason": reason, "at": utcnow().isoformat(timespec="seconds") + "Z"}
    row.compliance_validations = validations
    row.updated_at = utcnow()
    save_row(row)
    write_audit(post, user, [("workflow:override", {"version": version, "reason": reason,
                                                     "passed": bool(validations.get("passed")),
                                                     "replaces": (previous or {}).get("version")})], req)
    return row, version
