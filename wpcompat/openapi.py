"""OpenAPI 3.1 description of the REST API, generated from the RestServer's route table.

Nothing here is a hand-kept copy: every path, parameter, request body and response comes
from what the controllers registered — the route regex (path parameters and their
patterns), each endpoint's `args` (the same JSON schemas `check_args` enforces and the
discovery index publishes) and the route's item schema (the controller's
`get_item_schema()`, the one that drives contexts, `_fields` and OPTIONS). A route added
tomorrow is described the moment it is registered.

WordPress's schemas are draft-04 with WordPress's own habits; they are translated to
JSON Schema 2020-12 (what OpenAPI 3.1 uses): a property's `"required": true` becomes its
parent's `required` list, `readonly` becomes `readOnly`, boolean `exclusiveMinimum`
becomes a number, `context` and callables are dropped. Response schemas describe what
the server may send back rather than what it accepts: no property is required (`_fields`
and contexts remove them), enums and formats are not asserted (a trashed post's status is
`trash`; WordPress's dates carry no offset), and every object admits more properties
(`_links`, `_embedded`, fields plugins add) and may be an empty `[]`, as PHP prints an
empty associative array; a number may be null (absent ids: an unattached file's `post`), and under `acf` also
"" (ACF answers an empty number field so); settings may be null (WP_REST_Settings_Controller).
"""

import re

from wpcompat.rest.server import Route

OPENAPI_VERSION = "3.1.0"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
BODY_METHODS = ("POST", "PUT", "PATCH")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")
ITEM_CALLBACKS = {"get_items", "get_item", "get_current_item", "create_item", "update_item", "delete_item",
                  "delete_items"}
# WordPress answers these collections as objects keyed by name, not lists (WP_REST_Post_Types_Controller…).
KEYED_COLLECTIONS = ("/wp/v2/types", "/wp/v2/statuses", "/wp/v2/taxonomies")
PLAIN_INTEGER = {r"[\d]+", r"\d+", r"[0-9]+"}
# JSON Schema keywords kept from WordPress's schemas; anything else (context, arg_options…) is dropped.
KEYWORDS = {"type", "description", "title", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "items", "properties", "additionalProperties", "patternProperties", "format",
            "pattern", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "oneOf", "anyOf",
            "readonly", "readOnly", "minProperties", "maxProperties", "multipleOf"}
REQUEST_FORMATS = {"date-time", "email", "uri", "uuid", "ipv4", "ipv6"}

ERROR_SCHEMA = {
    "type": "object",
    "description": "WordPress's error shape (WP_Error through rest_convert_error_to_response).",
    "required": ["code", "message", "data"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "data": {"type": ["object", "null"],
                 "properties": {"status": {"type": "integer"},
                                # {name: message} when invalid, [names] when missing (as WordPress)
                                "params": {"type": ["object", "array"]},
                                "details": {"type": ["object", "array"]}}},
    },
}


class UnsupportedRoute(ValueError):
    """A route regex this generator cannot turn into an OpenAPI path template."""


def build_document(server, base_url, title="wpcompat"):
    """The OpenAPI document for every route `server` has registered (call inside the tenant's scope:
    item schemas may depend on the tenant, e.g. its ACF field groups)."""
    paths, components = {}, {"WP_Error": ERROR_SCHEMA}
    for route in server.routes:
        item = _item_schema(route, components)
        for template, params in path_templates(route.pattern):
            paths[template] = path_item(route, template, params, item)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": f"{title} REST API", "version": "wp/v2 (WordPress 6.1)",
                 "description": "Generated from the route table: every registered route, its arguments "
                                "and its item schema."},
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": paths,
        "components": {
            "schemas": components,
            "responses": {"WP_Error": {"description": "WordPress's error object.",
                                       "content": {"application/json": {
                                           "schema": {"$ref": "#/components/schemas/WP_Error"}}}}},
            "securitySchemes": {"applicationPassword": {
                "type": "http", "scheme": "basic",
                "description": "A WordPress application password (login or e-mail as the user name)."}},
        },
        "security": [{}, {"applicationPassword": []}],
    }


# --- paths -----------------------------------------------------------------------
def path_templates(pattern):
    """[(OpenAPI path, {param: regex})] for a WordPress route regex; an optional trailing group
    (`/?(?P<field>…)?`) gives two paths, without and with it."""
    variants = [("", {})]
    position = 0
    while position < len(pattern):
        found = GROUP.search(pattern, position)
        literal_end = found.start() if found else len(pattern)
        literal = pattern[position:literal_end]
        optional_slash = literal.endswith("/?")
        if optional_slash:
            literal = literal[:-2]
        literal = _literal(literal, pattern)
        variants = [(path + literal, params) for path, params in variants]
        if not found:
            break
        end = _group_end(pattern, found.start())
        inner = pattern[found.end():end]
        name = found.group("name")
        position = end + 1
        optional = position < len(pattern) and pattern[position] == "?"
        if optional:
            position += 1
        separator = "/" if optional_slash else ""
        with_group = [(f"{path}{separator}{{{name}}}", {**params, name: inner}) for path, params in variants]
        variants = variants + with_group if optional else with_group
    return [(path or "/", params) for path, params in variants]


def _group_end(pattern, start):
    depth, index = 0, start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise UnsupportedRoute(f"unbalanced group in route {pattern!r}")


def _literal(text, pattern):
    text = re.sub(r"\\(.)", r"\1", text)
    if re.search(r"[\[\]()?*+|^$]", text):
        raise UnsupportedRoute(f"route {pattern!r} has regex syntax outside its named groups: {text!r}")
    return text


def path_item(route, template, captures, item_schema):
    item = {}
    for endpoint in route.endpoints:
        for method in endpoint.methods:
            if method in HTTP_METHODS and method.lower() not in item:
                item[method.lower()] = operation(route, endpoint, method, template, captures, item_schema)
    return item


def operation(route, endpoint, method, template, captures, item_schema):
    path_params = [path_parameter(name, regex, endpoint.args.get(name)) for name, regex in captures.items()]
    args = {name: spec for name, spec in endpoint.args.items() if name not in captures}
    op = {
        "operationId": operation_id(method, template),
        "tags": [route.namespace or "index"],
        "parameters": path_params,
        "responses": responses(route, endpoint, method, item_schema),
    }
    if endpoint.allow_batch:
        op["x-wp-allow-batch"] = True
    if method in BODY_METHODS:
        if args:
            body = object_schema(args, request=True)
            op["requestBody"] = {"required": any(spec.get("required") for spec in args.values()),
                                 "content": {"application/json": {"schema": body},
                                             "application/x-www-form-urlencoded": {"schema": body}}}
    else:
        op["parameters"] += [query_parameter(name, spec) for name, spec in args.items()]
    return op


def operation_id(method, template):
    words = re.sub(r"[^A-Za-z0-9]+", "_", template.replace("{", "by_").replace("}", "")).strip("_")
    return f"{method.lower()}_{words or 'index'}"


def path_parameter(name, regex, spec):
    if regex in PLAIN_INTEGER:
        schema = {"type": "integer", "minimum": 0}
    else:
        schema = {"type": "string", "pattern": f"^(?:{regex})$"}
    parameter = {"name": name, "in": "path", "required": True, "schema": schema}
    if spec and spec.get("description"):
        parameter["description"] = spec["description"]
    return parameter


def query_parameter(name, spec):
    parameter = {"name": name, "in": "query", "required": bool(spec.get("required")),
                 "schema": convert(spec, request=True)}
    if spec.get("description"):
        parameter["description"] = spec["description"]
    if parameter["schema"].get("type") in ("array", "object") or "array" in _types(parameter["schema"]):
        parameter["style"], parameter["explode"] = "form", False      # a,b,c as WordPress reads lists
    return parameter


# --- responses -------------------------------------------------------------------------
def responses(route, endpoint, method, item):
    """What the endpoint answers, from WordPress's method names (STYLE.md): get_items a list (or, for
    types/statuses/taxonomies, an object keyed by name), get_item/get_current_item/update_item the item,
    create_item the item (201; 200 where it acts on an existing one, as autosaves do), delete_item the
    item or {deleted, previous}. Any other callback, or a route without item schema, answers any body."""
    error = {"$ref": "#/components/responses/WP_Error"}
    name = getattr(endpoint.callback, "__name__", "")
    if item is None or name not in ITEM_CALLBACKS:
        return {"2XX": {"description": "Success.", "content": {"application/json": {"schema": item or {}},
                                                              "*/*": {"schema": {}}}},
                "default": error}
    if name == "get_items":
        body = ({"type": "object", "additionalProperties": item} if route.pattern.endswith(KEYED_COLLECTIONS)
                else {"type": "array", "items": item})
    elif name == "delete_item":
        body = {"anyOf": [item, {"type": "object", "properties": {"deleted": {"type": "boolean"},
                                                                   "previous": item}}]}
    elif name == "delete_items":
        body = {"type": "object", "properties": {"deleted": {"type": "boolean"}, "count": {"type": "integer"}}}
    else:
        body = item
    answer = {"description": "Success.", "content": {"application/json": {"schema": body}}}
    codes = ("201", "200") if name == "create_item" else ("200",)
    return {**{code: answer for code in codes}, "default": error}


def _item_schema(route, components):
    """A $ref to the route's item schema, kept once in components (None: the route has none)."""
    if route.schema is None:
        return None
    schema = convert(route.schema(), request=False)
    acf = schema.get("properties", {}).get("acf")
    if isinstance(acf, dict):                   # ACF answers an empty number field as "" (acf_format_numerics)
        _empty_string_numbers(acf)
    if route.pattern.endswith("/settings"):     # WP_REST_Settings_Controller::prepare_value: invalid → null
        for prop in schema.get("properties", {}).values():
            prop["type"] = list(dict.fromkeys(_types(prop) + ["null"])) if "type" in prop else prop.get("type")
    base = re.sub(r"[^A-Za-z0-9_]+", "_", f"{route.namespace}_{schema.get('title') or route.pattern}").strip("_")
    name, suffix = base, 2
    while name in components and components[name] != schema:
        name, suffix = f"{base}_{suffix}", suffix + 1
    components[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


# --- schema conversion -----------------------------------------------------------------
def object_schema(args, request):
    """{name: arg spec} → one JSON Schema object (a request body)."""
    schema = {"type": "object", "properties": {}}
    required = []
    for name, spec in args.items():
        schema["properties"][name] = convert(spec, request)
        if spec.get("required") is True:
            required.append(name)
    if required:
        schema["required"] = required
    return schema


def convert(spec, request):
    """A WordPress (draft-04) schema as JSON Schema 2020-12; see the module docstring."""
    if not isinstance(spec, dict):
        return {}
    out = {}
    for key, value in spec.items():
        if key not in KEYWORDS or callable(value):
            continue
        if key == "properties":
            props, required = {}, []
            for name, sub in (value or {}).items():
                props[name] = convert(sub, request)
                if isinstance(sub, dict) and sub.get("required") is True:
                    required.append(name)
            out["properties"] = props
            if required and request:
                out["required"] = required
        elif key in ("items", "additionalProperties"):
            out[key] = convert(value, request) if isinstance(value, dict) else value
        elif key == "patternProperties":
            out[key] = {pattern: convert(sub, request) for pattern, sub in value.items()}
        elif key in ("oneOf", "anyOf"):
            out[key] = [convert(sub, request) for sub in value]
        elif key in ("readonly", "readOnly"):
            out["readOnly"] = bool(value)
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if value is True and bound in spec:
                out[key] = spec[bound]
            elif not isinstance(value, bool):
                out[key] = value
        elif key == "format":
            if request and value in REQUEST_FORMATS:
                out[key] = value
        elif key == "enum":
            if request:
                out[key] = list(value)
        elif key == "pattern":
            if request:
                out[key] = value
        elif key == "default":
            out[key] = value
        else:
            out[key] = value
    for bound in ("minimum", "maximum"):           # draft-04's boolean exclusive* consumed its bound
        if spec.get("exclusive" + bound.capitalize()) is True:
            out.pop(bound, None)
    if "default" in out:
        out["default"] = _fitting_default(out)
        if out["default"] is _UNFIT:
            del out["default"]
    if not request:
        out.pop("minLength", None), out.pop("maxLength", None), out.pop("default", None)
        types = _types(out)
        if "object" in types and "additionalProperties" not in out:
            out["additionalProperties"] = True
        if "object" in types and "array" not in types:       # PHP prints an empty object as []
            out["type"], out["maxItems"] = types + ["array"], 0
        if ("integer" in types or "number" in types) and "null" not in types:
            out["type"] = _types(out) + ["null"]               # absent ids are null (an attachment's `post`)
    return out


def _empty_string_numbers(schema):
    if not isinstance(schema, dict):
        return
    for key in ("properties", "patternProperties"):
        for sub in (schema.get(key) or {}).values():
            _empty_string_numbers(sub)
    for key in ("items", "additionalProperties"):
        _empty_string_numbers(schema.get(key))
    for sub in schema.get("anyOf", []) + schema.get("oneOf", []):
        _empty_string_numbers(sub)
    types = _types(schema)
    if ("number" in types or "integer" in types) and "string" not in types:
        schema["anyOf"] = [{"type": types}, {"type": "string", "maxLength": 0}]
        del schema["type"]


_UNFIT = object()


def _fitting_default(schema):
    """WordPress's default as a value of the schema: "publish" for an array is ["publish"] (WordPress
    sanitises a scalar into a list); a default that still does not fit is left out."""
    import jsonschema

    check = {key: value for key, value in schema.items() if key != "default"}
    default = schema["default"]
    candidates = [default] + ([[default]] if "array" in _types(schema) and not isinstance(default, list) else [])
    for candidate in candidates:
        if jsonschema.Draft202012Validator(check).is_valid(candidate):
            return candidate
    return _UNFIT


def _types(schema):
    types = schema.get("type")
    return [types] if isinstance(types, str) else list(types or [])


def route_of(server, pattern):
    """The registered Route for a pattern (tests)."""
    return next((route for route in server.routes if isinstance(route, Route) and route.pattern == pattern), None)
