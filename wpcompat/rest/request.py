"""RestRequest: one REST call's method, route and merged parameters, as WP_REST_Request holds them.

Parameters merge as WordPress merges them — JSON body, then form body, then query
string, then defaults — with one deliberate difference: values captured from the
URL path (`id`, `parent`, ...) always win, so a query or body `id=1abc` can never
override the path (CVE-2017-1001000).
"""

import json
import re
from urllib.parse import parse_qsl, unquote

from wpcompat import limits
from wpcompat.errors import WPError

BRACKETS = re.compile(r"\[([^\]]*)\]")
JSON_TYPES = re.compile(r"^application/(?:[\w.+-]+\+)?json\b", re.I)
FORM_TYPE = "application/x-www-form-urlencoded"
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def parse_php_query(query_string):
    """A query string parsed the way PHP fills $_GET: `a[]=1&a[]=2`, `a[k]=v`, last plain key wins."""
    result = {}
    for key, value in parse_qsl(query_string or "", keep_blank_values=True, errors="replace"):
        name, _, rest = key.partition("[")
        if not rest or not name:
            result[key] = value
            continue
        path = BRACKETS.findall("[" + rest)
        _assign(result, name, path, value)
    return result


def _assign(container, name, path, value):
    if not path:
        container[name] = value
        return
    node = container.get(name)
    if not isinstance(node, dict):
        node = {}
        container[name] = node
    key = path[0]
    if key == "":
        key = str(len(node))
    _assign(node, key, path[1:], value)


def _listify(value):
    """{'0': a, '1': b} (from a[]=) → [a, b]; nested likewise."""
    if isinstance(value, dict):
        converted = {key: _listify(item) for key, item in value.items()}
        if converted and all(key.isascii() and key.isdigit() for key in converted):     # not "¹": int() fails
            return [converted[key] for key in sorted(converted, key=int)]
        return converted
    return value


def parse_params(text):
    """A query string or form body as WordPress's parameters: a dict always (`0=a&1=b` too), its
    `a[]=` values made lists."""
    return {key: _listify(value) for key, value in parse_php_query(text).items()}


class RestRequest:
    def __init__(self, method, route, *, query=None, form=None, json_body=None, body=b"", headers=None,
                 user=None, site=None, http=None, query_string=""):
        self.method = method.upper()
        self.route = route                # e.g. "/wp/v2/posts/5"
        self.query = query or {}
        self.form = form or {}
        self.json = json_body if isinstance(json_body, dict) else {}
        self.body = body
        self.headers = {key.lower(): value for key, value in (headers or {}).items()}
        self.user = user
        self.site = site
        self.http = http                  # the Falcon request, for IP and the like (None when internal)
        self.query_string = query_string  # as sent, for pagination links
        self.url_params = {}
        self.defaults = {}
        self.args = {}                    # validated and sanitised endpoint arguments
        self.memo = {}                    # per-request cache (e.g. the item a permission check loaded)
        self.is_embed = False
        self.body_error = None            # a body that could not be parsed (rest_invalid_json)

    # WP_REST_Request::get_param order, URL captures first (see module docstring).
    def _sources(self):
        return (self.url_params, self.json, self.form, self.query, self.defaults)

    def __contains__(self, name):
        return any(name in source for source in self._sources())

    def get(self, name, default=None):
        for source in self._sources():
            if name in source:
                return source[name]
        return default

    def __getitem__(self, name):
        return self.args[name] if name in self.args else self.get(name)

    @property
    def context(self):
        return self.args.get("context") or "view"

    def header(self, name):
        return self.headers.get(name.lower())

    @classmethod
    def from_http(cls, req, route, user, site):
        """Build from a Falcon request: method override, PHP-style query, JSON or form body."""
        query = parse_params(req.query_string)
        method = req.method
        override = query.get("_method") or req.get_header("X-HTTP-Method-Override")
        if isinstance(override, str) and override.strip():
            method = override.strip().upper()
        body = req.bounded_stream.read() if req.content_length or req.method in BODY_METHODS else b""
        content_type = (req.content_type or "").lower()
        json_body, form, body_error = None, {}, None
        if body and JSON_TYPES.match(content_type):
            try:
                json_body = decode_json(body)
            except WPError as error:          # raised once the route is matched (so Allow is known)
                body_error = error
        elif body and req.method in BODY_METHODS and (not content_type or content_type.startswith(FORM_TYPE)):
            form = parse_params(body.decode("utf-8", errors="replace"))
        query, form, json_body = without_nul(query), without_nul(form), without_nul(json_body)
        request = cls(method, route, query=query, form=form, json_body=json_body, body=body,
                      headers=req.headers, user=user, site=site, http=req, query_string=req.query_string)
        request.body_error = body_error
        return request

    @classmethod
    def internal(cls, parent, method, path, params=None, body=None):
        """A request the server makes itself (_embed, batch/v1), as the same caller."""
        route, _, query_string = path.partition("?")
        query = parse_params(query_string)
        query.update(params or {})
        request = cls(method, unquote(route), query=query, json_body=body, user=parent.user,
                      site=parent.site, http=parent.http, query_string=query_string)
        request.headers = dict(parent.headers)
        return request


def without_nul(value):
    """`value` with U+0000 removed from every string: PostgreSQL can store none in text or jsonb (a 500
    otherwise); WordPress's own sanitising drops them too (wp_kses_no_null)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


def decode_json(body):
    """The body's JSON; nesting deeper than limits.MAX_JSON_DEPTH is refused as PHP's json_decode
    refuses depth over its limit (JSON_ERROR_DEPTH), never a RecursionError (a 500)."""
    try:
        value = json.loads(body)
    except RecursionError:
        value = None
        too_deep = True
    except (ValueError, UnicodeDecodeError):
        raise WPError("rest_invalid_json", "Invalid JSON body passed.", 400,
                      json_error_code=4, json_error_message="Syntax error") from None
    else:
        too_deep = limits.json_depth_exceeded(value)
    if too_deep:
        raise WPError("rest_invalid_json", "Invalid JSON body passed.", 400,
                      json_error_code=1, json_error_message="Maximum stack depth exceeded")
    return value
