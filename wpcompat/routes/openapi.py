"""GET /wp-json/wpcompat/v1/openapi.json: the OpenAPI 3.1 description of this site's REST API.

Generated on every request from the live route table (wpcompat.openapi), inside the
tenant's transaction: item schemas may depend on the tenant (its ACF field groups). Public,
like the discovery index it mirrors: it describes routes and fields, never content.
"""

from wpcompat import openapi
from wpcompat.rest.http import rest_base_url
from wpcompat.rest.server import READABLE, Endpoint, RestResponse
from wpcompat.routes.base import Controller


class OpenApiController(Controller):
    namespace = "wpcompat/v1"
    rest_base = "openapi.json"
    audit_tag = "openapi"

    def register_routes(self, server):
        self.server = server
        server.register(self.namespace, r"/openapi\.json", [Endpoint(READABLE, self.get_document)],
                        controller=self)

    def get_document(self, request):
        self.audit(request, "openapi:read", request.site.id)
        document = openapi.build_document(self.server, rest_base_url(request.http), request.site.name)
        return RestResponse(document)
