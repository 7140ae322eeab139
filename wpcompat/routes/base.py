"""Controller: what every WordPress REST resource shares (STYLE.md)."""

from wpcompat.errors import WPError

REST_PREFIX = "/wp-json"


class Controller:
    """A REST resource. Subclasses set `namespace`, `route`, `methods` and the WP-named methods.

    Falcon answers OPTIONS itself and has no HEAD fallback; WordPress answers both,
    so they are defined here once.
    """

    namespace = "wp/v2"
    route = "/"
    methods = ("GET",)
    audit_tag = "request"

    @property
    def path(self):
        return REST_PREFIX + self.route.rstrip("/") if self.route != "/" else REST_PREFIX

    def endpoint_args(self):
        """{method: {arg: {required, default, ...}}} for the discovery index."""
        return {method: {} for method in self.methods}

    def describe(self, base_url):
        """This route's entry in the /wp-json/ index."""
        endpoints = [{"methods": [method], "args": args} for method, args in self.endpoint_args().items()]
        return {"namespace": self.namespace, "methods": list(self.methods), "endpoints": endpoints,
                "_links": {"self": [{"href": base_url + self.route.lstrip("/")}]}}

    def on_head(self, req, resp, **params):
        self.on_get(req, resp, **params)

    def on_options(self, req, resp, **params):
        resp.set_header("Allow", ", ".join(self.methods))
        resp.media = self.describe(rest_url(req, ""))

    def on_get(self, req, resp, **params):
        raise WPError.no_route()


def rest_url(req, route):
    """The absolute URL of a REST route on this site, as WordPress's rest_url() builds it."""
    return f"{req.context.site.home_url(req)}{REST_PREFIX}/{route.lstrip('/')}"
