"""healthcare/v1/workflow: a post's editorial workflow — read it, run its stages, override the gate.

GET  /healthcare/v1/workflow/{id}           the summary and the stages' results (edit the post)
POST /healthcare/v1/workflow/{id}/run       run S.2.1 → S.3.1 → S.4 now (edit the post)
POST /healthcare/v1/workflow/{id}/override  let this version be published without S.4 (administrators;
                                            `reason` required; audited)

`id` is the post's or page's WordPress id. A post the user may not see is a 404, as in wp/v2.
Findings are masked (wpcompat.workflow.lgpd): no personal data is ever answered here.
"""

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.errors import WPError
from wpcompat.queries import posts as post_queries
from wpcompat.rest.server import CREATABLE, READABLE, Endpoint
from wpcompat.routes.base import Controller
from wpcompat.workflow import pipeline
from wpcompat.workflow.state import summary

ID_PATTERN = r"/(?P<id>[\d]+)"
ITEM_ARGS = {"id": {"description": "Unique identifier for the post or page.", "type": "integer"}}
FORBIDDEN = "Sorry, you are not allowed to do that."


def workflow_schema():
    return {"$schema": "http://json-schema.org/draft-04/schema#", "title": "healthcare-workflow", "type": "object",
            "properties": {
                "id": {"description": "The post's id.", "type": "integer", "readonly": True},
                "type": {"description": "The post's type.", "type": "string", "readonly": True},
                "workflow": {"description": "The workflow summary (stage, status, missing, checks).",
                             "type": "object", "readonly": True},
                "lgpd": {"description": "S.2.1: score, patient data found, masked findings with offsets.",
                         "type": "object", "readonly": True},
                "medical_claims": {"description": "S.3.1: claims and their references.", "type": "object",
                                   "readonly": True},
                "scientific_references": {"description": "S.3.1: references found.", "type": "array",
                                          "readonly": True},
                "compliance_validations": {"description": "S.4: lgpd_check, cfm_check, anvisa_check, issues.",
                                           "type": "object", "readonly": True},
            }}


class WorkflowController(Controller):
    namespace = "healthcare/v1"
    rest_base = "workflow"
    audit_tag = "workflow"

    def __init__(self):
        self._schema = workflow_schema()

    def get_item_schema(self):
        return self._schema

    def register_routes(self, server):
        base = f"/{self.rest_base}{ID_PATTERN}"
        server.register(self.namespace, base, [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, ITEM_ARGS),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, f"{base}/run", [
            Endpoint(CREATABLE, self.run_item, self.run_item_permissions_check, ITEM_ARGS),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, f"{base}/override", [
            Endpoint(CREATABLE, self.override_item, self.override_item_permissions_check, {
                **ITEM_ARGS, "reason": {"description": "Why this version may be published without S.4.",
                                        "type": "string", "required": True, "minLength": 1, "maxLength": 1000}}),
        ], schema=self.get_item_schema, controller=self)

    def get_post(self, request):
        """The post of the URL's id, any type, that this user may see — else the same 404 as wp/v2."""
        if "post" not in request.memo:
            post = post_queries.find(int(request.url_params["id"]))
            if post is None or post.post_type not in ("post", "page") or \
                    not permissions.may_see_level(request.user, post.compliance_level):
                raise WPError("rest_post_invalid_id", "Invalid post ID.", 404)
            request.memo["post"] = post
        return request.memo["post"]

    def _check_edit(self, request):
        post = self.get_post(request)
        if not permissions.can_edit_post(request.user, post):
            raise WPError.not_allowed("rest_forbidden", request.user, FORBIDDEN)
        return post

    # --- reading ------------------------------------------------------------------------
    def get_item_permissions_check(self, request):
        self._check_edit(request)

    def get_item(self, request):
        post = self.get_post(request)
        row, version = pipeline.current(post)
        self.audit(request, "workflow:read", post.id, wp_id=post.wp_id)
        return detail(post, row, version)

    # --- running and overriding -------------------------------------------------------------
    def run_item_permissions_check(self, request):
        self._check_edit(request)

    def run_item(self, request):
        post = self.get_post(request)
        row, version = pipeline.run(post, request.user, source="run", req=request.http)
        return detail(post, row, version)

    def override_item_permissions_check(self, request):
        self._check_edit(request)
        if not can(request.user, "manage_options"):
            raise WPError.not_allowed("rest_forbidden", request.user,
                                      "Sorry, only administrators may override the healthcare workflow.")

    def override_item(self, request):
        post = self.get_post(request)
        reason = " ".join(str(request.args.get("reason") or "").split())
        if not reason:
            raise WPError.invalid_params({"reason": "A reason is required."},
                                         {"reason": {"code": "rest_invalid_param", "message": "A reason is required.",
                                                     "data": None}})
        row, version = pipeline.override(post, request.user, reason, req=request.http)
        return detail(post, row, version)


def detail(post, row, version):
    validations = (row.compliance_validations or {}) if row is not None else {}
    lgpd = validations.get("lgpd") or {}
    return {
        "id": post.wp_id,
        "type": post.post_type,
        "workflow": summary(post, row, version),
        "lgpd": {"score": row.lgpd_score if row is not None else None,
                 "contains_phi": bool(lgpd.get("contains_phi")), "findings": lgpd.get("findings", [])},
        "medical_claims": (row.medical_claims or {}) if row is not None else {},
        "scientific_references": (row.scientific_references or []) if row is not None else [],
        "compliance_validations": {key: validations.get(key) for key in
                                   ("lgpd_check", "cfm_check", "anvisa_check", "passed", "issues", "version")},
    }
