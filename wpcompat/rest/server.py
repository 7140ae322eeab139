"""RestServer: WordPress's route table and dispatcher (WP_REST_Server), behind one Falcon sink.

Routes are WordPress's own regex strings (`/wp/v2/posts/(?P<id>[\\d]+)`), matched
anchored and case-insensitively; node-wpapi builds its client from these keys in the
discovery index. One dispatcher serves HTTP requests, `_embed` links and batch/v1
sub-requests alike: match route → validate args (400) → permission (401/403) → act.
"""

import dataclasses
import re

from wpcompat.errors import WPError
from wpcompat.rest.validation import check_args, php_arrays, php_int, public_args

READABLE = ("GET",)
CREATABLE = ("POST",)
EDITABLE = ("POST", "PUT", "PATCH")
DELETABLE = ("DELETE",)


@dataclasses.dataclass
class RestResponse:
    data: object
    status: int = 200
    headers: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Endpoint:
    methods: tuple
    callback: object                   # (request) -> RestResponse | data
    permission: object = None          # (request) -> None, or raises WPError
    args: dict = dataclasses.field(default_factory=dict)
    allow_batch: bool = False


@dataclasses.dataclass
class Route:
    pattern: str
    namespace: str
    endpoints: list
    schema: object = None              # () -> item JSON schema, for OPTIONS
    controller: object = None

    def __post_init__(self):
        self.regex = re.compile("^" + self.pattern + "$", re.IGNORECASE)

    @property
    def methods(self):
        seen = []
        for endpoint in self.endpoints:
            seen.extend(m for m in endpoint.methods if m not in seen)
        return seen

    def describe(self, base_url, with_schema=False):
        """This route's entry in the discovery index; `with_schema`: as OPTIONS answers it."""
        entry = {"namespace": self.namespace, "methods": self.methods, "endpoints": []}
        for endpoint in self.endpoints:
            item = {"methods": list(endpoint.methods)}
            if endpoint.allow_batch:
                item["allow_batch"] = {"v1": True}
            item["args"] = public_args(endpoint.args)
            entry["endpoints"].append(item)
        if with_schema and self.schema is not None:
            entry["schema"] = php_arrays(self.schema())
            links = self.controller.get_schema_links(base_url) if self.controller is not None else []
            if links:
                entry["schema"]["links"] = links
        if "(?P<" not in self.pattern:
            entry["_links"] = {"self": [{"href": base_url + self.pattern.lstrip("/")}]}
        return entry


class RestServer:
    def __init__(self):
        self.routes = []
        self.namespaces = []

    def register(self, namespace, pattern, endpoints, schema=None, controller=None):
        full = f"/{namespace}{pattern}" if namespace else pattern
        full = full.rstrip("/") or "/"
        if namespace and namespace not in self.namespaces:
            self.namespaces.append(namespace)
            if pattern not in ("", "/"):
                self.register_namespace_index(namespace)      # listed before the namespace's routes
        self.routes.append(Route(full, namespace, list(endpoints), schema, controller))

    def register_namespace_index(self, namespace):
        """GET /{namespace}: that namespace's routes (WordPress registers it for every namespace)."""
        from wpcompat.routes.index import namespace_index

        self.routes.append(Route(f"/{namespace}", namespace,
                                 [Endpoint(READABLE, namespace_index(self, namespace),
                                           args={"namespace": {"default": namespace},
                                                 "context": {"default": "view"}})]))

    def match(self, path):
        """(route, {captured: value}) for the path, or (None, None)."""
        for route in self.routes:
            found = route.regex.match(path)
            if found:
                return route, found.groupdict()
        return None, None

    def dispatch(self, request):
        """Run one request; WPError propagates to the caller, which decides how to answer it."""
        route, captures = self.match(request.route)
        if route is None:
            raise WPError.no_route()
        request.url_params = {name: str(php_int(int(value))) if value and value.isdecimal() else value
                              for name, value in captures.items()}      # /posts/10**20 → PHP_INT_MAX
        request.matched_route = route
        if request.body_error is not None:
            raise request.body_error
        endpoint = self._endpoint(route, request.method)
        request.args = check_args(endpoint.args, request, request)
        request.validated_for = endpoint.args
        if endpoint.permission is not None:
            endpoint.permission(request)
        result = endpoint.callback(request)
        return result if isinstance(result, RestResponse) else RestResponse(result)

    @staticmethod
    def _args_for(endpoint, request):
        """The request's arguments as `endpoint` validates them (a GET's `post` list is no POST's id);
        none if they do not validate — the Allow header asks about the caller, not these values."""
        try:
            return check_args(endpoint.args, request, request)
        except WPError:
            return {}

    @staticmethod
    def _endpoint(route, method):
        method = "GET" if method == "HEAD" else method
        for endpoint in route.endpoints:
            if method in endpoint.methods:
                return endpoint
        raise WPError.no_route()

    def allowed_methods(self, request):
        """The methods of the matched route this caller may use (the Allow header)."""
        route = getattr(request, "matched_route", None)
        if route is None:
            return []
        allowed, validated = [], request.args
        for endpoint in route.endpoints:
            if endpoint.permission is not None:
                try:
                    if endpoint.args is not getattr(request, "validated_for", None):
                        request.args = self._args_for(endpoint, request)
                    endpoint.permission(request)
                except WPError:
                    continue
                finally:
                    request.args = validated
            allowed.extend(m for m in endpoint.methods if m not in allowed)
        return allowed
