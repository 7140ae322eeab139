"""GET /wp-json/: WordPress's discovery index for the request's site."""

from wpcompat import audit
from wpcompat.routes.base import Controller, rest_url


class IndexController(Controller):
    namespace = ""
    route = "/"
    audit_tag = "site"

    def __init__(self, registry):
        self.registry = registry          # every controller the app serves, this one included

    def endpoint_args(self):
        return {"GET": {"context": {"default": "view", "required": False}}}

    def on_get(self, req, resp):
        self.get_index(req, resp)

    def get_index(self, req, resp):
        site = req.context.site
        base = rest_url(req, "")
        home = site.home_url(req)
        namespaces = sorted({c.namespace for c in self.registry if c.namespace})
        resp.media = {
            "name": site.name,
            "description": site.description,
            "url": home,
            "home": home,
            "gmt_offset": site.gmt_offset,
            "timezone_string": site.timezone_string,
            "namespaces": namespaces,
            "authentication": {"application-passwords": {"endpoints": {
                "authorization": f"{home}/wp-admin/authorize-application.php"}}},
            "routes": {c.route: c.describe(base) for c in self.registry},
            "site_logo": 0,
            "site_icon": 0,
            "site_icon_url": "",
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
        }
        resp.set_header("Link", f'<{base}>; rel="https://api.w.org/"')
        audit.record(req, "site:index", site.id)
