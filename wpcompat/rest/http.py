"""The REST API over HTTP: the Falcon sink in front of RestServer, and WordPress's response rules.

What happens to every answer here, as WP_REST_Server::serve_request does it:
`_embed` (embeddable links dispatched internally), `_fields`, link compaction with
curies, the `Allow` header for this caller, pagination headers, `_envelope` and
`_jsonp`. A failed request still answers in WordPress's shape; the unit of work sees
its real status and rolls back.
"""

import dataclasses
import io
import json
import re

from wpcompat.errors import WPError
from wpcompat.rest.request import RestRequest
from wpcompat.rest.server import RestResponse
from wpcompat.rest.validation import parse_list

REST_PREFIX = "/wp-json"
JSONP_CALLBACK = re.compile(r"^[\w.]+$")
CURIES = [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}]


@dataclasses.dataclass
class FileBody:
    """A RestResponse body that is a file's bytes, sent as they are (the media download route); an
    error rendered after the route (resp.media) replaces them."""
    data: bytes
    content_type: str


def rest_base_url(req):
    return f"{req.context.site.home_url(req)}{REST_PREFIX}/"


class RestSink:
    def __init__(self, server, settings):
        self.server = server
        self.jsonp_enabled = settings.jsonp_enabled

    def __call__(self, req, resp, **_):
        route = req.path[len(REST_PREFIX):].rstrip("/") or "/"
        request = RestRequest.from_http(req, route, req.context.user, req.context.site)
        req.context.rest_request = request
        if request.method == "OPTIONS":
            return self._options(req, resp, request)
        try:
            response = self.server.dispatch(request)
            response.data = self.prepare_body(request, response.data)
        except WPError as error:
            response = RestResponse(error.to_dict(), error.status)
            req.context.rest_failed = True
        route_pattern = getattr(getattr(request, "matched_route", None), "pattern", None)
        req.context.rest_route = route_pattern
        if "Allow" not in response.headers:      # a controller may say None: the item is gone
            allowed = self.server.allowed_methods(request)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        response.headers = {name: value for name, value in response.headers.items() if value is not None}
        self.write(req, resp, request, response)

    def _options(self, req, resp, request):
        route, captures = self.server.match(request.route)
        if route is None:
            resp.media = []
            return
        request.url_params, request.matched_route = captures, route
        body = route.describe(rest_base_url(req), with_schema=True)
        allowed = self.server.allowed_methods(request)
        self.write(req, resp, request, RestResponse(body, 200, {"Allow": ", ".join(allowed)} if allowed else {}))

    def prepare_body(self, request, data):
        """_embed, then _fields, then link compaction — the order WordPress applies them."""
        fields = parse_list(request.get("_fields")) if "_fields" in request else None
        embed = embed_rels(request.get("_embed")) if "_embed" in request else None
        if embed is not None and (fields is None or "_embedded" in fields):
            data = self._embed(request, data, embed)
        if fields is not None:
            data = filter_fields(data, fields)
        return compact_links(data)

    def _embed(self, request, data, wanted):
        items = [item for item in (data if isinstance(data, list) else [data])
                 if isinstance(item, dict) and isinstance(item.get("_links"), dict)]
        cache = self._embed_batched(request, items, wanted)
        for item in items:
            embedded = self._embedded_for(request, item["_links"], wanted, cache)
            if embedded:
                item["_embedded"] = embedded
        return data

    def _embed_batched(self, request, items, wanted):
        """{href: result} for the links a controller can answer together (its `embed_batch`)."""
        groups = {}
        for item in items:
            for rel, entries in item["_links"].items():
                if wanted is not True and rel not in wanted:
                    continue
                for entry in entries:
                    if entry.get("embeddable"):
                        inner = self._inner_request(request, entry["href"])
                        route, _captures = self.server.match(inner.route)
                        if route is not None and hasattr(route.controller, "embed_batch"):
                            groups.setdefault(route.controller, {})[entry["href"]] = inner
        cache = {}
        for controller, by_href in groups.items():
            answers = controller.embed_batch(list(by_href.values()))
            for href, inner in by_href.items():
                if inner in answers:
                    cache[href] = compact_links(answers[inner])
        return cache

    def _inner_request(self, request, href):
        inner = RestRequest.internal(request, "GET", href.split(REST_PREFIX, 1)[-1])
        if "context" not in inner.query:
            inner.query["context"] = "embed"
        route, _captures = self.server.match(inner.route)
        if route is not None and "(?P<" not in route.pattern and "per_page" not in inner.query:
            inner.query["per_page"] = 100          # a linked collection is embedded whole (up to 100)
        inner.is_embed = True
        return inner

    def _embedded_for(self, request, links, wanted, cache):
        embedded = {}
        for rel, entries in links.items():
            if wanted is not True and rel not in wanted:
                continue
            results = [self._embed_one(request, entry["href"], cache)
                       for entry in entries if entry.get("embeddable")]
            if results and not all(result == [] for result in results):
                embedded[rel] = results
        return embedded

    def _embed_one(self, request, href, cache):
        if href in cache:
            return cache[href]
        inner = self._inner_request(request, href)
        try:
            result = compact_links(self.server.dispatch(inner).data)
        except WPError as error:
            result = error.to_dict()
        cache[href] = result
        return result

    def write(self, req, resp, request, response):
        headers = dict(response.headers)
        if isinstance(response.data, FileBody):          # no _envelope/_jsonp: bytes are not JSON
            resp.status, req.context.rest_status = response.status, response.status
            for name, value in headers.items():
                resp.set_header(name, str(value))
            # a stream, not resp.data: Falcon sends resp.data even when a middleware answers an error
            # afterwards (a failed COMMIT of the audit row sets resp.media), a stream it drops.
            resp.content_type = response.data.content_type
            resp.set_stream(io.BytesIO(response.data.data), len(response.data.data))
            return
        if "_envelope" in request.query:                # WordPress reads $_GET['_envelope'] only
            resp.status = 200
            envelope_headers = {key: (int(value) if key.startswith("X-WP-Total") else value)
                                for key, value in headers.items()}
            resp.media = {"body": response.data, "status": response.status, "headers": envelope_headers or []}
            req.context.rest_status = response.status
            return
        resp.status = response.status
        req.context.rest_status = response.status
        for name, value in headers.items():
            resp.set_header(name, str(value))
        callback = request.query.get("_jsonp")          # $_GET['_jsonp'] only, as WordPress
        if callback is not None and isinstance(callback, str):
            self._jsonp(resp, callback, response.data)
            return
        resp.media = response.data

    def _jsonp(self, resp, callback, data):
        if not self.jsonp_enabled:
            error = WPError("rest_callback_disabled", "JSONP support is disabled on this site.", 400)
            resp.status, resp.media = 400, error.to_dict()
            return
        if not JSONP_CALLBACK.match(callback):
            error = WPError("rest_callback_invalid", "Invalid JSONP callback function.", 400)
            resp.status, resp.media = 400, error.to_dict()
            return
        resp.content_type = "application/javascript; charset=UTF-8"
        resp.text = f"/**/{callback}({json.dumps(data, ensure_ascii=False, separators=(',', ':'))})"


def embed_rels(value):
    """True for everything (`_embed`, `_embed=1`, `=true`), else the set of rels named."""
    if value in (None, "", "1", True) or (isinstance(value, str) and value.lower() == "true"):
        return True
    return set(parse_list(value))


def filter_fields(data, fields):
    """rest_filter_response_fields: keep only the named top-level keys and nested a.b paths."""
    mask = {}
    for field in fields:
        node = mask
        parts = str(field).split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if child is True:
                break
            node = child
        else:
            node[parts[-1]] = True
    if isinstance(data, list):
        return [_apply_mask(item, mask) for item in data]
    return _apply_mask(data, mask)


def _apply_mask(item, mask):
    if not isinstance(item, dict):
        return item
    kept = {}
    for key, value in item.items():
        rule = mask.get(key)
        if rule is True:
            kept[key] = value
        elif isinstance(rule, dict):
            kept[key] = _apply_mask(value, rule)
    return kept


def compact_links(data):
    """Add WordPress's `curies` to every `_links` that uses a wp: relation."""
    items = data if isinstance(data, list) else [data]
    for item in items:
        links = item.get("_links") if isinstance(item, dict) else None
        if isinstance(links, dict) and "curies" not in links and any(rel.startswith("wp:") for rel in links):
            links["curies"] = CURIES
    return data
