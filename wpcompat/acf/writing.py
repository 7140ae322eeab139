"""Writing ACF values (spec/acf.md §2.3, §4.3, §5.4): check everything first, then one upsert.

`check()` maps the submitted names (Format A also keys) to the fields of the groups that
apply, validates — Format A against the JSON schema ACF publishes, both formats against
the healthcare `validation_rules` of fields that require validation — refuses PHI fields
to writers without PHI rights, and HTML-filters strings for writers without
unfiltered_html. Any failure raises before anything is written. `Pending.save()` then
writes all rows of the object with one INSERT … ON CONFLICT DO UPDATE and one DELETE.
"""

import json

from wpcompat import audit, kses, permissions
from wpcompat.acf import definitions, location, types, values
from wpcompat.acf.formats import light, row_count
from wpcompat.acf.objects import Refs
from wpcompat.acf.reading import fields_of, targets, view_for
from wpcompat.auth import can
from wpcompat.errors import WPError
from wpcompat.rest.validation import ParamError, validate

INTERNAL_KEYS = ("_acf_field_group_scope", "_acf_field_key_map")
META_KEY_LENGTH = 100
DEFINING_SETTINGS = ("choices", "multiple", "allow_null", "return_format", "min", "max", "maxlength",
                     "default_value", "display_format", "post_type", "taxonomy", "field_type", "mime_types")


class Pending:
    """Checked values of one object, written by save() once the object itself is saved."""

    def __init__(self, request, kind, values_by_field=()):
        self.request, self.kind = request, kind
        self.items = list(values_by_field)              # [(Field, value)]

    def __bool__(self):
        return bool(self.items)

    def save(self, owner):
        if not self.items:
            return
        key = values.owner_key(self.kind, owner)
        existing = values.load(self.kind, [key])[key]
        rows, deletes = {}, set()
        for field, value in self.items:
            _plan(field, value, field.name, field, field.is_phi, existing, rows, deletes)
        values.delete(self.kind, key, deletes - set(rows))
        values.upsert(self.kind, key, rows)
        written = [field.name for field, _value in self.items if field.has_phi()]
        if written and self.request.http is not None:
            audit.record(self.request.http, "acf:update", None if self.kind == "option" else owner.id,
                         operation="update", object=self.kind, phi=True, fields=written)


# --- checking ---------------------------------------------------------------------------------------

def check(request, kind, sub_type, owner, raw, native, param):
    """Pending values for `raw` (dict) or raise WPError. native: Format A (names or keys, schema-checked)."""
    if not isinstance(raw, dict) or not raw:
        return Pending(request, kind)
    raw = dict(raw)
    scope = raw.pop("_acf_field_group_scope", None) or []
    key_map = raw.pop("_acf_field_key_map", None) or {}
    registry = definitions.for_request(request)
    target = targets(kind, sub_type, [owner], registry)[0] if owner is not None else \
        location.Target(kind, sub_type)
    groups = [group for group in location.groups_for(registry, target, rest_only=native)
              if not scope or group.key in scope]
    fields = fields_of(groups)
    given = _by_name(fields, raw, key_map if native else {}, native)
    if native:
        given = _validated(fields, given, param)
    items = [(field, given[field.name]) for field in fields if field.name in given]
    _check_rules(request, items, param)
    _check_phi(request.user, items)
    html_ok = can(request.user, "unfiltered_html")
    return Pending(request, kind, [(field, value if html_ok else _kses(field, value)) for field, value in items])


def _by_name(fields, raw, key_map, native):
    """{field name: value} for the submitted properties that name a field; the rest is ignored."""
    given = {}
    for name, value in raw.items():
        name = key_map.get(name, name)
        field = next((f for f in fields if f.name == name or (native and f.key == name)), None)
        if field is not None:
            given[field.name] = _normalise(field, value, native)
    return given


def _normalise(field, value, native):
    """Sub values keyed by name (Format A may use keys); Format B's {"0": row} lists as lists."""
    if field.type == "repeater":
        if isinstance(value, dict) and all(str(key).isdigit() for key in value):
            value = [value[key] for key in sorted(value, key=int)]
        if not native and value in ("", False):
            return []
        if isinstance(value, list):
            return [_sub_values(field, row, native) if isinstance(row, dict) else row for row in value]
    if field.type == "group" and isinstance(value, dict):
        return _sub_values(field, value, native)
    return value


def _sub_values(field, row, native):
    result = {}
    for name, value in row.items():
        sub = field.find_sub(name) if native else next((s for s in field.sub_fields if s.name == name), None)
        if sub is not None:
            result[sub.name] = _normalise(sub, value, native)
    return result


def _validated(fields, given, param):
    """Format A: the acf object against its JSON schema (rest_validate_value_from_schema), sanitised."""
    schema = {"type": "object", "properties": types.properties(fields)}
    try:
        return validate(given, schema, param)
    except ParamError as error:
        raise invalid(param, error) from None


def invalid(param, error):
    return WPError.invalid_params({param: error.message},
                                  {param: {"code": error.code, "message": error.message, "data": error.data}})


def _check_rules(request, items, param):
    """Healthcare validation_rules (both formats) and, for those fields, that referenced ids exist."""
    refs = Refs(view_for(request, standard=False))
    checked = []
    for field, value, path in _walk(items, param):
        if value is None or not field.requires_validation:
            continue
        try:
            if field.validation_rules and field.type not in ("group", "repeater"):
                stored = light(field, types.encode(field, value))      # as it will read back
                if stored not in ("", None):
                    validate(stored, types.rules_schema(field.validation_rules), path)
        except ParamError as error:
            raise invalid(param, error) from None
        if field.type in types.RELATIONAL:
            ids = types.referenced_ids(field, types.encode(field, value))
            refs.want(field.type, ids)
            checked.append((field, ids, path))
    if checked:
        refs.load()
    for field, ids, path in checked:
        missing = [wp_id for wp_id in ids if refs.get(field.type, wp_id) is None]
        if missing:
            raise invalid(param, _bad_reference(field, path))


def _bad_reference(field, path):
    noun, code = {"image": ("attachment", "rest_post_invalid_id"), "file": ("attachment", "rest_post_invalid_id"),
                  "taxonomy": ("term", "rest_term_invalid"), "user": ("user", "rest_user_invalid_id")}.get(
        field.type, ("post", "rest_post_invalid_id"))
    return ParamError(code, f"{path} is not a valid {noun} ID.", {"param": path})


def _walk(items, param):
    """(field, value, param path) for every submitted value, sub values included."""
    for field, value in items:
        path = f"{param}[{field.name}]"
        yield field, value, path
        if field.type == "group" and isinstance(value, dict):
            yield from _walk([(sub, value[sub.name]) for sub in field.sub_fields if sub.name in value], path)
        elif field.type == "repeater" and isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, dict):
                    subs = [(sub, row[sub.name]) for sub in field.sub_fields if sub.name in row]
                    yield from _walk(subs, f"{path}[{index}]")


def _check_phi(user, items):
    if "phi" in permissions.compliance_levels(user):
        return
    for field, _value in items:
        if field.has_phi():
            raise WPError("rest_cannot_update", f"Sorry, you are not allowed to edit the {field.name} custom field.",
                          403, key=field.name)


def _kses(field, value):
    if field.type in types.STRING_TYPES and isinstance(value, str):
        return kses.filter_small(value)
    if field.type == "group" and isinstance(value, dict):
        return {name: _kses(field.find_sub(name), item) for name, item in value.items()}
    if field.type == "repeater" and isinstance(value, list):
        return [{name: _kses(field.find_sub(name), item) for name, item in row.items()}
                if isinstance(row, dict) else row for row in value]
    return value


# --- planning the rows --------------------------------------------------------------------------------

def _plan(field, value, key, top, phi, existing, rows, deletes):
    """Rows to upsert and keys to delete for `value` of `field` stored under `key`."""
    if len(key) > META_KEY_LENGTH:
        raise invalid("acf", ParamError("rest_invalid_param", f"{key} is nested too deeply to be stored.", None))
    if value is None:
        deletes.update({key} | _descendants(field, key, existing))
        return
    if field.type == "repeater":
        new_rows = value if isinstance(value, list) else []
        for index, row in enumerate(new_rows):
            for sub in field.sub_fields:
                sub_key = f"{key}_{index}_{sub.name}"
                if isinstance(row, dict) and sub.name in row:
                    _plan(sub, row[sub.name], sub_key, top, phi or sub.is_phi, existing, rows, deletes)
                else:
                    deletes.update({sub_key} | _descendants(sub, sub_key, existing))
        for index in range(len(new_rows), row_count(existing.get(key))):
            for sub in field.sub_fields:
                sub_key = f"{key}_{index}_{sub.name}"
                deletes.update({sub_key} | _descendants(sub, sub_key, existing))
        rows[key] = _columns(field, str(len(new_rows)) if new_rows else "", top, phi)
    elif field.type == "group":
        rows[key] = _columns(field, "", top, phi)
        for sub in field.sub_fields:
            if isinstance(value, dict) and sub.name in value:
                _plan(sub, value[sub.name], f"{key}_{sub.name}", top, phi or sub.is_phi, existing, rows, deletes)
    else:
        rows[key] = _columns(field, types.encode(field, value), top, phi)


def _descendants(field, key, existing):
    found = set()
    if field.type == "repeater":
        for index in range(row_count(existing.get(key))):
            for sub in field.sub_fields:
                sub_key = f"{key}_{index}_{sub.name}"
                found |= {sub_key} | _descendants(sub, sub_key, existing)
    elif field.type == "group":
        for sub in field.sub_fields:
            sub_key = f"{key}_{sub.name}"
            found |= {sub_key} | _descendants(sub, sub_key, existing)
    return found


def _columns(field, text, top, phi):
    """The row's columns: the canonical text plus the definition's copies (spec/acf.md §5.1)."""
    definition = {"key": field.key, "label": field.label}
    definition.update({name: field.settings[name] for name in DEFINING_SETTINGS if name in field.settings})
    if field.sub_fields:
        definition["sub_fields"] = [sub.key for sub in field.sub_fields]
    if field.validation_rules:
        definition["rules"] = field.validation_rules
    return {"meta_value": text, "meta_type": field.type[:20], "field_group": top.group_key,
            "field_order": top.order, "is_phi": bool(phi or field.is_phi),
            "medical_significance": field.medical_significance, "requires_validation": field.requires_validation,
            "validation_rules": json.dumps(definition, ensure_ascii=False), "is_required": field.required}
