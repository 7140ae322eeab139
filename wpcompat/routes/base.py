"""Controller: what every WordPress REST resource shares (STYLE.md; WP_REST_Controller).

Subclasses declare `get_item_schema()` (JSON schema whose properties list their
contexts) and `get_collection_params()`, and implement WordPress's method names.
The schema is the single source of truth: it drives context filtering, `_fields`,
input validation and what OPTIONS publishes.
"""

import math
from urllib.parse import parse_qsl, urlencode

from wpcompat import audit
from wpcompat.errors import WPError
from wpcompat.rest.http import REST_PREFIX
from wpcompat.rest.server import RestResponse
from wpcompat.rest.validation import SCHEMA_KEYWORDS, PublishedArg, parse_list

CONTEXTS = ("view", "embed", "edit")


def context_param(default="view"):
    return {"description": "Scope under which the request is made; determines fields present in response.",
            "type": "string", "enum": list(CONTEXTS), "default": default}


def pagination_params():
    return {
        "context": context_param(),
        "page": {"description": "Current page of the collection.", "type": "integer", "default": 1,
                 "minimum": 1},
        "per_page": {"description": "Maximum number of items to be returned in result set.",
                     "type": "integer", "default": 10, "minimum": 1, "maximum": 100},
        "search": {"description": "Limit results to those matching a string.", "type": "string"},
    }


def post_collection_params(author=True):
    """The collection arguments posts, pages and media share (WP_REST_Posts_Controller); author ones only for
    a type that supports authors."""
    params = pagination_params()
    date = {"type": "string", "format": "date-time"}
    ids = {"type": "array", "items": {"type": "integer"}, "default": []}
    params.update({
        "after": {**date, "description": "Limit response to posts published after a given ISO8601 compliant date."},
        "modified_after": {**date, "description": "Limit response to posts modified after a given ISO8601 "
                                                  "compliant date."},
        **({"author": {**ids, "description": "Limit result set to posts assigned to specific authors."},
            "author_exclude": {**ids, "description": "Ensure result set excludes posts assigned to specific "
                                                     "authors."}} if author else {}),
        "before": {**date, "description": "Limit response to posts published before a given ISO8601 compliant "
                                          "date."},
        "modified_before": {**date, "description": "Limit response to posts modified before a given ISO8601 "
                                                   "compliant date."},
        "exclude": {**ids, "description": "Ensure result set excludes specific IDs."},
        "include": {**ids, "description": "Limit result set to specific IDs."},
    })
    return params


def order_params(orderby_values, default="date"):
    return {
        "offset": {"description": "Offset the result set by a specific number of items.", "type": "integer"},
        "order": {"description": "Order sort attribute ascending or descending.", "type": "string",
                  "default": "desc", "enum": ["asc", "desc"]},
        "orderby": {"description": "Sort collection by post attribute.", "type": "string", "default": default,
                    "enum": list(orderby_values)},
    }


def endpoint_args_for_item_schema(schema, creating=True, enforced=None):
    """get_endpoint_args_for_item_schema: every writable property of the item `schema`, as its schema keywords
    in WordPress's order (`default` and `required` only when creating). `enforced`: {name: schema} for the
    args whose values are checked against another schema than the one published (PublishedArg)."""
    enforced = enforced or {}
    args = {}
    for name, prop in schema["properties"].items():
        if prop.get("readonly"):
            continue
        arg = {key: prop[key] for key in SCHEMA_KEYWORDS if key in prop and (creating or key != "default")}
        if creating and prop.get("required"):
            arg["required"] = True
        args[name] = PublishedArg(arg, enforced[name]) if name in enforced else arg
    return args


MAX_OFFSET = 2 ** 53        # far past any table: LIMIT/OFFSET stay inside PostgreSQL's bigint


def bounded_offset(offset):
    """A list's OFFSET as WP_Query takes it (absint), capped: `offset=-5` or `page=10**30` is an empty
    page, never a database error."""
    return min(abs(int(offset or 0)), MAX_OFFSET)


def check_orderby(args):
    """The orderby values that need another argument (WP_REST_Posts_Controller::get_items)."""
    if args.get("orderby") == "relevance" and not args.get("search"):
        raise WPError("rest_no_search_term_defined", "You need to define a search term to order by relevance.", 400)
    if args.get("orderby") == "include" and not args.get("include"):
        raise WPError("rest_orderby_include_missing_include",
                      "You need to define an include parameter to order by include.", 400)


def parent_params():
    ids = {"type": "array", "items": {"type": "integer"}, "default": []}
    return {"parent": {**ids, "description": "Limit result set to items with particular parent IDs."},
            "parent_exclude": {**ids, "description": "Limit result set to all items except those of a "
                                                     "particular parent ID."}}


class Controller:
    namespace = "wp/v2"
    rest_base = None
    audit_tag = "request"

    def register_routes(self, server):
        raise NotImplementedError

    def get_item_schema(self):
        return {}

    def get_collection_params(self):
        return pagination_params()

    def get_schema_links(self, base_url):
        """The item schema's `links` (`base_url`: the REST root); none by default."""
        return []

    # --- URLs -----------------------------------------------------------------
    @staticmethod
    def home(request):
        return request.site.home_url(request.http) if request.http is not None else request.site.url.rstrip("/")

    def rest_url(self, request, route):
        return f"{self.home(request)}{REST_PREFIX}/{route.lstrip('/')}"

    # --- fields and contexts ----------------------------------------------------
    @staticmethod
    def requested_fields(request):
        """The top-level fields worth computing (None: all), from `_fields`."""
        if "_fields" not in request:
            return None
        return {str(name).split(".", 1)[0] for name in parse_list(request.get("_fields"))}

    @staticmethod
    def included(name, fields):
        return fields is None or name in fields

    def filter_by_context(self, data, context, schema=None):
        """Drop properties (recursively) whose schema does not list `context`."""
        properties = (schema or self.get_item_schema()).get("properties", {})
        return _filter(data, _plan(properties, context))

    # --- collections -------------------------------------------------------------
    def paginate(self, request, total, per_page, page):
        """X-WP-Total, X-WP-TotalPages and the prev/next Link, as WordPress builds them."""
        pages = math.ceil(total / per_page) if total else 0
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        base = self.rest_url(request, request.route) if request.http is None or "rest_route" not in \
            request.query else f"{self.home(request)}{REST_PREFIX}/{request.route.lstrip('/')}"
        query = [(key, value) for key, value in parse_qsl(request.query_string, keep_blank_values=True)
                 if key != "page"]
        links = []
        if page > 1:
            previous = min(page - 1, pages) if pages else 1
            links.append(f'<{base}?{urlencode(query + [("page", previous)])}>; rel="prev"')
        if page < pages:
            links.append(f'<{base}?{urlencode(query + [("page", page + 1)])}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return headers

    @staticmethod
    def created(data, location):
        return RestResponse(data, 201, {"Location": location})

    ACTION_OPERATIONS = {"list": "read", "read": "read", "index": "read", "create": "create",
                         "update": "update", "trash": "delete", "delete": "delete"}

    @classmethod
    def audit(cls, request, tag, resource_id, **extra):
        """Record an audit event for this request: tag "<resource>:<action>", e.g. "post:list"."""
        operation = cls.ACTION_OPERATIONS.get(tag.split(":")[1], "access")
        audit.record(request.http, tag, resource_id, operation=operation, **extra)


# What filter_by_context keeps of an item is decided by the schema alone, so it is worked out once
# per (properties, context) and each item is filtered by a dict comprehension: keys the schema
# lists without this context are dropped; keys it does not list, and keys starting with "_",
# are kept; a kept dict value whose property has "properties" is filtered the same way below.
_PLANS = {}                  # (id(properties), context) → (properties, (keys to drop, ((key, plan), ...)))
_PLANS_MAX = 512             # schemas built per call (a few routes) must not grow this without bound
_KEEP_ALL = (frozenset(), ())


def _plan(properties, context):
    if not properties:
        return _KEEP_ALL
    key = (id(properties), context)
    entry = _PLANS.get(key)
    if entry is not None and entry[0] is properties:       # the entry holds it: its id cannot be reused
        return entry[1]
    drop, nested = set(), []
    for name, prop in properties.items():
        if prop is None or name.startswith("_"):
            continue
        contexts = prop.get("context")
        if contexts is not None and context not in contexts:
            drop.add(name)
        elif "properties" in prop:
            nested.append((name, _plan(prop["properties"], context)))
    plan = (frozenset(drop), tuple(nested))
    if len(_PLANS) >= _PLANS_MAX:
        _PLANS.clear()
    _PLANS[key] = (properties, plan)
    return plan


def _filter(data, plan):
    if not isinstance(data, dict):
        return data
    drop, nested = plan
    kept = {key: value for key, value in data.items() if key not in drop} if drop else dict(data)
    for name, inner in nested:
        value = kept.get(name)
        if isinstance(value, dict):
            kept[name] = _filter(value, inner)
    return kept


class PrepareContext:
    """Facts about the request that preparing each item of a response needs, computed once."""

    def __init__(self, controller, request):
        from wpcompat.dates import zone_of

        self.request = request
        self.user = request.user
        self.context = request.context
        self.fields = controller.requested_fields(request)
        self.home = controller.home(request)
        self.rest_root = f"{self.home}{REST_PREFIX}/"
        self.zone = zone_of(request.site)
        self.password = request.args.get("password") or None

    def included(self, name):
        return self.fields is None or name in self.fields
