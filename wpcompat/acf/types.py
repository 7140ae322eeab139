"""ACF field types: the JSON schema ACF publishes for each (Format A validation) and the canonical
text each stores (spec/acf.md §3, §5.2).

Input side only; what a stored text reads back as lives in formats.py. `encode` takes a
value that passed the schema (Format A, already sanitised) or a raw one (Format B, which
ACF stores unvalidated) and returns the text for `meta_value`.
"""

import decimal
import json

STRING_TYPES = ("text", "textarea", "email", "url", "password", "wysiwyg", "color_picker", "oembed", "time_picker")
CHOICE_TYPES = ("select", "radio", "button_group", "checkbox")
POST_TYPES = ("relationship", "post_object")
ATTACHMENT_TYPES = ("image", "file")
RELATIONAL = POST_TYPES + ATTACHMENT_TYPES + ("taxonomy", "user")
SUPPORTED = STRING_TYPES + CHOICE_TYPES + POST_TYPES + ATTACHMENT_TYPES + (
    "number", "range", "true_false", "date_picker", "date_time_picker", "taxonomy", "user", "group", "repeater")


def is_multiple(field):
    """Whether the field holds a list of values."""
    if field.type in ("checkbox", "relationship"):
        return True
    if field.type == "taxonomy":
        return field.setting("field_type", "checkbox") in ("checkbox", "multi_select")
    if field.type in ("select", "post_object", "user"):
        return bool(field.setting("multiple", False))
    return False


def choice_values(field):
    choices = field.setting("choices", {})
    if isinstance(choices, dict):
        return [str(value) for value in choices]
    return [str(value) for value in choices] if isinstance(choices, list) else []


def choice_label(field, value):
    choices = field.setting("choices", {})
    return str(choices.get(value, value)) if isinstance(choices, dict) else value


def _number_or_none(value):
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# --- schema (acf_get_field_rest_schema) ------------------------------------------------------------

def _scalar_schema(field):
    kind = field.type
    if kind in ("number", "range"):
        schema = {"type": ["number", "null"]}
        for setting, keyword in (("min", "minimum"), ("max", "maximum")):
            bound = _number_or_none(field.setting(setting))
            if bound is not None:
                schema[keyword] = int(bound) if bound.is_integer() else bound
        return schema
    if kind == "true_false":
        return {"type": ["boolean", "null"]}
    if kind in ("select", "checkbox"):
        items = {"type": "string"}
        if not (kind == "checkbox" and field.setting("allow_custom")):
            items["enum"] = choice_values(field)
        schema = {"type": ["string", "array", "null"] if kind == "select" else ["array", "null"], "items": items}
        if kind == "select" and not field.setting("allow_null"):
            schema["minItems"] = 1
        if kind == "select" and not field.setting("multiple"):
            schema["maxItems"] = 1
        return schema
    if kind in ("radio", "button_group"):
        return {"type": ["string", "null"], "enum": choice_values(field)}
    if kind in ATTACHMENT_TYPES:
        return {"type": ["integer", "null"]}
    if kind in POST_TYPES + ("taxonomy", "user"):
        return _id_list_schema(field) if is_multiple(field) else {"type": ["integer", "null"]}
    schema = {"type": ["string", "null"]}
    maxlength = _number_or_none(field.setting("maxlength"))
    if kind in ("text", "textarea") and maxlength:
        schema["maxLength"] = int(maxlength)
    if kind == "date_picker":
        schema["description"] = "A date in the Ymd format."
    return schema


def _id_list_schema(field):
    schema = {"type": ["integer", "array", "null"] if field.type == "relationship" else ["array", "null"],
              "items": {"type": "integer"}}
    low, high = _number_or_none(field.setting("min")), _number_or_none(field.setting("max"))
    if field.type == "relationship" and not field.setting("allow_null"):
        schema["minItems"] = max(1, int(low or 0))
    elif low:
        schema["minItems"] = int(low)
    if high:
        schema["maxItems"] = int(high)
    return schema


def schema(field):
    """The JSON schema of one field (sub fields included), as Format A validates and publishes it."""
    if field.type == "group":
        result = {"type": ["object", "null"], "properties": properties(field.sub_fields)}
    elif field.type == "repeater":
        result = {"type": ["array", "null"],
                  "items": {"type": "object", "properties": properties(field.sub_fields)}}
        low, high = _number_or_none(field.setting("min")), _number_or_none(field.setting("max"))
        if low:
            result["minItems"] = int(low)
        if high:
            result["maxItems"] = int(high)
    else:
        result = _scalar_schema(field)
    result["required"] = field.required
    default = field.setting("default_value")
    if default not in (None, "", [], False) and field.type not in ("group", "repeater"):
        result["default"] = float(default) if field.type in ("number", "range") and \
            _number_or_none(default) is not None else default
    return result


def properties(fields):
    return {field.name: schema(field) for field in fields}


def rules_schema(rules):
    """validation_rules ({type, min, max, pattern, enum}) as a JSON schema for rest/validation."""
    kind = rules.get("type")
    result = {"type": [kind, "null"]} if kind else {}
    bounds = {"string": ("minLength", "maxLength"), "array": ("minItems", "maxItems")}
    low_key, high_key = bounds.get(kind, ("minimum", "maximum"))
    if rules.get("min") is not None:
        result[low_key] = rules["min"]
    if rules.get("max") is not None:
        result[high_key] = rules["max"]
    if rules.get("pattern"):
        result["pattern"] = rules["pattern"]
    if rules.get("enum"):
        result["enum"] = list(rules["enum"])
    return result


# --- storage (the canonical meta_value, spec §5.2) ---------------------------------------------------

def decimal_text(value):
    """15 → "15", "98.60" → "98.6", "1,000" → "1000" (Format B); "" stays ""; else the raw text."""
    text = str(value).strip().replace(",", "") if not isinstance(value, bool) else str(int(value))
    if text == "":
        return ""
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _id_text(value):
    if isinstance(value, bool) or value in (None, ""):
        return ""
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return str(value)


def _ids(value):
    values = value if isinstance(value, list) else [value]
    return [int(float(item)) for item in values
            if not isinstance(item, bool) and str(item).strip().lstrip("-").replace(".", "", 1).isdigit()]


def _json(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _truthy(value):
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false")
    return bool(value)


def encode(field, value):
    """The text stored for a scalar field's value (groups and repeaters are written by writing.py)."""
    kind = field.type
    if kind in ("number", "range"):
        return decimal_text(value)
    if kind == "true_false":
        return "1" if _truthy(value) else "0"
    if kind in CHOICE_TYPES:
        values = [str(item) for item in (value if isinstance(value, list) else [value]) if item is not None]
        if is_multiple(field):
            return _json(values)
        return values[0] if values else ""
    if kind in ATTACHMENT_TYPES:
        return _id_text(value[0] if isinstance(value, list) and value else value)
    if kind in POST_TYPES + ("user",) and not is_multiple(field):
        return _id_text(value[0] if isinstance(value, list) and value else value)
    if kind in POST_TYPES + ("taxonomy", "user"):
        ids = _ids(value) if value not in ("", None) else []
        return _json(ids) if ids else ""
    if isinstance(value, (dict, list)):
        return _json(value)
    if isinstance(value, bool):
        return "1" if value else ""
    return "" if value is None else str(value)


def referenced_ids(field, text):
    """The object ids a stored text of a relational field names, in order."""
    if not text:
        return []
    if text.startswith("["):
        try:
            return _ids(json.loads(text))
        except ValueError:
            return []
    return _ids(text)
