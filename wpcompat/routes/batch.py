"""POST /batch/v1: several REST writes in one request, as WordPress 5.6+ serves them (Gutenberg saves through it).

Each sub-request goes through the same dispatcher as an HTTP request (route, args,
permission, action) as the same user. Each runs in a savepoint of the request's
transaction, so a failing one leaves nothing behind while the others stand, as in
WordPress. With `validation: require-all-validate` nothing runs unless every
sub-request validates.
"""

from wpcompat import audit
from wpcompat.db import savepoint
from wpcompat.errors import WPError
from wpcompat.rest.request import RestRequest
from wpcompat.rest.server import CREATABLE, Endpoint, RestResponse
from wpcompat.rest.validation import check_args
from wpcompat.routes.base import Controller

MAX_REQUESTS = 25


class BatchController(Controller):
    namespace = ""                 # WordPress registers /batch/v1 outside any namespace
    audit_tag = "batch"

    def register_routes(self, server):
        self.server = server
        args = {
            "validation": {"type": "string", "enum": ["require-all-validate", "normal"], "default": "normal"},
            "requests": {"required": True, "type": "array", "maxItems": MAX_REQUESTS, "items": {
                "type": "object", "properties": {
                    "method": {"type": "string", "enum": ["POST", "PUT", "PATCH", "DELETE"], "default": "POST"},
                    "path": {"type": "string", "required": True},
                    "body": {"type": "object", "properties": {}, "additionalProperties": True},
                    "headers": {"type": "object", "properties": {}, "additionalProperties": {
                        "type": ["string", "array"], "items": {"type": "string"}}},
                }}},
        }
        server.register(self.namespace, "/batch/v1", [Endpoint(CREATABLE, self.serve_batch, None, args)])

    def serve_batch(self, request):
        prepared = [self._prepare(request, item) for item in request.args["requests"]]
        if request.args["validation"] == "require-all-validate":
            checks = [self._validate(sub) for sub in prepared]
            if any(check is not None for check in checks):
                return RestResponse({"failed": "validation", "responses": checks}, 207)
        return RestResponse({"responses": [self._run(request, sub) for sub in prepared]}, 207)

    def _prepare(self, parent, item):
        sub = RestRequest.internal(parent, item.get("method") or "POST", item["path"], body=item.get("body"))
        sub.headers.update({key.lower(): value for key, value in (item.get("headers") or {}).items()})
        return sub

    def _endpoint(self, sub):
        route, captures = self.server.match(sub.route)
        if route is None:
            raise WPError.no_route()
        sub.url_params, sub.matched_route = captures, route
        endpoint = self.server._endpoint(route, sub.method)
        if not endpoint.allow_batch:
            raise WPError("rest_batch_not_allowed", "The requested route does not support batch requests.", 400)
        return endpoint

    def _validate(self, sub):
        try:
            endpoint = self._endpoint(sub)
            check_args(endpoint.args, sub, sub)
        except WPError as error:
            return {"body": error.to_dict(), "status": error.status, "headers": []}
        return None

    def _run(self, parent, sub):
        try:
            self._endpoint(sub)
            with savepoint():                       # a failure undoes only this one, files included
                response = self.server.dispatch(sub)
        except WPError as error:
            audit.record(parent.http, "batch:deny", None, operation="access", path=sub.route,
                         sub_method=sub.method, code=error.code, sub_status=error.status,
                         policy_decision="deny")
            return {"body": error.to_dict(), "status": error.status, "headers": []}
        return {"body": response.data, "status": response.status, "headers": response.headers or []}
