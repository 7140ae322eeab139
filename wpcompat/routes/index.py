"""GET /wp-json/ and GET /wp-json/{namespace}: WordPress's discovery indexes."""

from wpcompat import audit
from wpcompat.rest.http import rest_base_url
from wpcompat.rest.server import READABLE, Endpoint, RestResponse
from wpcompat.routes.base import Controller


class IndexController(Controller):
    namespace = ""
    audit_tag = "site"

    def register_routes(self, server):
        self.server = server
        server.register("", "/", [Endpoint(READABLE, self.get_index,
                                           args={"context": {"default": "view"}})])

    def get_index(self, request):
        site = request.site
        base = rest_base_url(request.http)
        home = site.home_url(request.http)
        audit.record(request.http, "site:index", site.id)
        return RestResponse({
            "name": site.name,
            "description": site.description,
            "url": home,
            "home": home,
            "gmt_offset": site.gmt_offset,
            "timezone_string": site.timezone_string,
            "namespaces": list(self.server.namespaces),
            "authentication": {"application-passwords": {"endpoints": {
                "authorization": f"{home}/wp-admin/authorize-application.php"}}},
            "routes": {route.pattern: route.describe(base) for route in self.server.routes},
            "site_logo": 0,
            "site_icon": 0,
            "site_icon_url": "",
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
        }, headers={"Link": f'<{base}>; rel="https://api.w.org/"'})


def namespace_index(server, namespace):
    def get_namespace_index(request):
        base = rest_base_url(request.http)
        routes = {route.pattern: route.describe(base) for route in server.routes
                  if route.namespace == namespace}
        audit.record(request.http, "site:index", request.site.id)
        return {"namespace": namespace, "routes": routes, "_links": {"up": [{"href": base}]}}

    return get_namespace_index
