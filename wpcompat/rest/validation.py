"""WordPress's argument validation and sanitising (rest_validate_value_from_schema and friends).

An argument is described by a JSON-schema dict, as WordPress registers it
(`{"type": "integer", "minimum": 1, "maximum": 100, "default": 10}`). `check_args`
validates and converts the request's values and raises WordPress's errors:
`rest_missing_callback_param`, or `rest_invalid_param` with `params` and `details`
listing every bad argument. The same schemas are what the discovery index and
OPTIONS publish, so what is documented is what is enforced.
"""

import datetime
import math
import re
import uuid

from wpcompat.errors import WPError

DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?$")
EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
LIST_SPLIT = re.compile(r"[\s,]+")
NUMERIC = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
INTEGER = re.compile(r"^[+-]?\d+\Z")


class ParamError(Exception):
    """One argument is invalid: WordPress's detail code, message and data."""

    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def human_list(items):
    """wp_sprintf's %l: 'a', 'a and b', 'a, b, and c'."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


def parse_list(value):
    """wp_parse_list: a list as is, a string split on commas and white space."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    if value is None or value == "":
        return []
    return [part for part in LIST_SPLIT.split(str(value)) if part != ""]


def is_integer(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    number = _as_number(value)
    return number is not None and math.isfinite(number) and number == round(number)


def _as_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and NUMERIC.match(value):     # PHP's is_numeric: no "1_000", "nan", "inf"
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def is_boolean(value):
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return value.lower() in ("true", "false", "1", "0")
    if isinstance(value, int):
        return value in (0, 1)
    return False


def to_boolean(value):
    if isinstance(value, str) and value.lower() in ("false", "0", ""):
        return False
    return bool(value)


def _type_matches(value, type_name):
    if type_name == "null":
        return value is None
    if type_name == "integer":
        return is_integer(value)
    if type_name == "number":
        return _as_number(value) is not None
    if type_name == "boolean":
        return is_boolean(value)
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "array":
        return isinstance(value, (list, str)) or (isinstance(value, dict) and _is_list_like(value))
    if type_name == "object":
        return isinstance(value, dict) or value == "" or value == []
    return True


def _is_list_like(value):
    return all(str(key).isascii() and str(key).isdigit() for key in value)


def _pick_type(value, types):
    """The first of the schema's types the value fits (WordPress tries them in its own order)."""
    order = ("array", "object", "integer", "number", "boolean", "string", "null")
    for type_name in sorted(types, key=lambda name: order.index(name) if name in order else 99):
        if _type_matches(value, type_name):
            return type_name
    return None


def validate(value, schema, param):
    """Validated and sanitised `value` for `schema`, or ParamError (rest_parse_request_arg)."""
    types = schema.get("type")
    if types is None:
        return value
    types = [types] if isinstance(types, str) else list(types)
    type_name = _pick_type(value, types)
    if type_name is None:
        raise ParamError("rest_invalid_type", f"{param} is not of type {','.join(types)}.", {"param": param})
    if type_name == "null":
        return None
    value = _coerce(value, type_name, schema, param)
    _check_constraints(value, type_name, schema, param)
    return value


PHP_INT_MAX = 2**63 - 1


def php_int(number):
    """An integer as PHP reads one from a string: past PHP_INT_MAX it stops there. Such an id finds
    nothing (WordPress answers 404), and no database is asked for a number it cannot hold."""
    return max(-PHP_INT_MAX - 1, min(number, PHP_INT_MAX))


def _coerce(value, type_name, schema, param):
    if type_name == "integer":
        if isinstance(value, int):
            return php_int(value)
        if isinstance(value, str) and INTEGER.match(value):
            return php_int(int(value))        # exact: float() would round ids past 2**53
        return php_int(int(float(value)))
    if type_name == "number":
        number = float(value)
        return int(number) if number.is_integer() and not isinstance(value, float) else number
    if type_name == "boolean":
        return to_boolean(value)
    if type_name == "array":
        items = parse_list(value)
        item_schema = schema.get("items")
        if item_schema:
            items = [validate(item, item_schema, f"{param}[{index}]") for index, item in enumerate(items)]
        return items
    if type_name == "object":
        if not isinstance(value, dict):
            return {}
        return _coerce_object(value, schema, param)
    return value


def _coerce_object(value, schema, param):
    properties = schema.get("properties", {})
    result = {}
    for key, item in value.items():
        if key in properties:
            result[key] = validate(item, properties[key], f"{param}[{key}]")
        elif schema.get("additionalProperties") is False:
            raise ParamError("rest_additional_properties_forbidden",
                             f"{key} is not a valid property of Object.", None)
        else:
            result[key] = item
    for key, prop in properties.items():
        if prop.get("required") is True and key not in result:
            raise ParamError("rest_property_required", f"{key} is a required property of {param}.", None)
    return result


def _check_constraints(value, type_name, schema, param):
    if "enum" in schema and value not in schema["enum"]:
        raise ParamError("rest_not_in_enum", f"{param} is not one of {human_list(schema['enum'])}.", None)
    if type_name in ("integer", "number"):
        _check_bounds(value, schema, param)
    elif type_name == "string":
        _check_string(value, schema, param)
    elif type_name == "array":
        if "minItems" in schema and len(value) < schema["minItems"]:
            raise ParamError("rest_too_few_items",
                             f"{param} must contain at least {schema['minItems']} items.", None)
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise ParamError("rest_too_many_items",
                             f"{param} must contain at most {schema['maxItems']} items.", None)
        if schema.get("uniqueItems") and len({repr(item) for item in value}) != len(value):
            raise ParamError("rest_duplicate_items", f"{param} has duplicate items.", None)


def _check_bounds(value, schema, param):
    low, high = schema.get("minimum"), schema.get("maximum")
    low_x, high_x = schema.get("exclusiveMinimum", False), schema.get("exclusiveMaximum", False)
    below = low is not None and (value <= low if low_x else value < low)
    above = high is not None and (value >= high if high_x else value > high)
    if not (below or above):
        return
    if low is not None and high is not None:
        message = (f"{param} must be between {low} ({'exclusive' if low_x else 'inclusive'}) "
                   f"and {high} ({'exclusive' if high_x else 'inclusive'})")
    elif low is not None:
        message = f"{param} must be greater than {'' if low_x else 'or equal to '}{low}"
    else:
        message = f"{param} must be less than {'' if high_x else 'or equal to '}{high}"
    raise ParamError("rest_out_of_bounds", message, None)


def _check_string(value, schema, param):
    if "minLength" in schema and len(value) < schema["minLength"]:
        count = schema["minLength"]
        raise ParamError("rest_too_short",
                         f"{param} must be at least {count} character{'s' if count != 1 else ''} long.", None)
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        count = schema["maxLength"]
        raise ParamError("rest_too_long",
                         f"{param} must be at most {count} character{'s' if count != 1 else ''} long.", None)
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise ParamError("rest_invalid_pattern", f"{param} does not match pattern {schema['pattern']}.", None)
    fmt = schema.get("format")
    if fmt == "date-time" and not parse_date(value):
        raise ParamError("rest_invalid_date", "Invalid date.", None)
    if fmt == "email" and not EMAIL.match(value):
        raise ParamError("rest_invalid_email", "Invalid email address.", None)
    if fmt == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            raise ParamError("rest_invalid_uuid", f"{param} is not a valid UUID.", None) from None


def parse_date(value):
    """rest_parse_date: a datetime (aware if the string names an offset), or None."""
    if not isinstance(value, str) or not DATE_TIME.match(value.strip()):
        return None
    text = value.strip().replace("t", "T").replace(" ", "T", 1).replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif re.search(r"[+-]\d{2}$", text):
        text += ":00"
    elif re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def check_args(args, params, request=None):
    """Validate and sanitise `params` (a dict, or any object with .get and 'in') against `args`.

    Returns {name: value} for every declared argument that is present or has a default.
    Custom `sanitize(value, request)` / `validate(value, request)` callables in an arg
    run after the schema and may raise ParamError.
    """
    missing = [name for name, spec in args.items() if spec.get("required") and name not in params]
    if missing:
        raise WPError("rest_missing_callback_param", f"Missing parameter(s): {', '.join(missing)}", 400,
                      params=missing)
    values, bad, details = {}, {}, {}
    for name, spec in args.items():
        if name in params:
            raw = params.get(name)
        elif "default" in spec:
            if spec["default"] is None:           # a null default is no value at all
                values[name] = None
                continue
            raw = _copy(spec["default"])          # defaults are sanitised too, as WordPress does
        else:
            continue
        try:
            value = validate(raw, getattr(spec, "enforced", spec), name)
            for hook in ("validate", "sanitize"):
                if hook in spec:
                    result = spec[hook](value, request)
                    value = value if hook == "validate" else result
            values[name] = value
        except ParamError as error:
            bad[name] = error.message
            details[name] = {"code": error.code, "message": error.message, "data": error.data}
    if bad:
        raise WPError.invalid_params(bad, details)
    return values


def _copy(default):
    return list(default) if isinstance(default, list) else dict(default) if isinstance(default, dict) else default


# rest_get_allowed_schema_keywords(), in its order: what the discovery index and OPTIONS show of an argument.
SCHEMA_KEYWORDS = (
    "title", "description", "default", "type", "format", "enum", "items", "properties", "additionalProperties",
    "patternProperties", "minProperties", "maxProperties", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
    "anyOf", "oneOf")


class PublishedArg(dict):
    """An argument whose published schema is not the one check_args enforces: WordPress checks it with a
    callback of its own (a title is published as an object, taken as a string too). `enforced`: the schema
    its values are checked against ({}: any value; the arg's validate/sanitize hooks still run)."""

    def __init__(self, published, enforced=None):
        super().__init__(published)
        self.enforced = {} if enforced is None else enforced


def public_args(args):
    """`args` as the discovery index and OPTIONS show them (WP_REST_Server::get_data_for_route): the schema
    keywords of each, and `required`, as PHP's json_encode writes them."""
    return php_arrays({name: {key: value for key, value in spec.items() if key in SCHEMA_KEYWORDS}
                       | {"required": bool(spec.get("required", False))} for name, spec in args.items()})


def php_arrays(value):
    """`value` with every empty dict written as `[]`: a route description is PHP arrays, and json_encode
    writes an empty one as a list."""
    if isinstance(value, dict):
        return {key: php_arrays(item) for key, item in value.items()} if value else []
    if isinstance(value, list):
        return [php_arrays(item) for item in value]
    return value
