"""Loading field groups from an ACF JSON export ("Tools → Export Field Groups", or a local-JSON file).

The export is a list of groups (a single group object is accepted too), each with its
`fields` (sub fields in `sub_fields`), `location`, `menu_order`, `active` and
`show_in_rest`. Fields may carry this project's extensions: `is_phi`,
`medical_significance` (none, low, medium, high, critical), `requires_validation` and
`validation_rules` ({type, min, max, pattern, enum}). Everything else a field holds is its
type's settings and is kept as given. Importing a group again replaces it (same key);
nothing is written unless the whole file is valid. Runs inside a tenant_scope.
"""

import re

from wpcompat.acf.definitions import LAYOUT_TYPES
from wpcompat.acf.types import SUPPORTED
from wpcompat.models import AcfField, AcfFieldGroup
from wpcompat.models.base import utcnow

SIGNIFICANCE = ("none", "low", "medium", "high", "critical")
RULE_KEYS = {"type", "min", "max", "pattern", "enum"}
NAME = re.compile(r"^[A-Za-z0-9_-]+$")
COLUMNS = {"key", "label", "name", "type", "required", "sub_fields", "is_phi", "medical_significance",
           "requires_validation", "validation_rules", "menu_order", "parent", "ID", "id"}


class ExportError(ValueError):
    """The export cannot be loaded; str() says where and why."""


def groups_of(document):
    """The list of group objects in a decoded export."""
    groups = document if isinstance(document, list) else [document]
    if not groups or not all(isinstance(group, dict) for group in groups):
        raise ExportError("an ACF export is a JSON list of field groups (or one field group object)")
    return groups


def _flag(value):
    return value not in (None, False, 0, "0", "", "false")


def _check_field(field, where, seen):
    if not isinstance(field, dict):
        raise ExportError(f"{where}: a field is not an object")
    key, kind = str(field.get("key", "")), field.get("type")
    where = f"{where} › {key or '?'}"
    if not key.startswith("field_"):
        raise ExportError(f"{where}: a field key starts with field_")
    if key in seen:
        raise ExportError(f"{where}: field key {key} appears twice")
    seen.add(key)
    if kind not in SUPPORTED and kind not in LAYOUT_TYPES:
        raise ExportError(f"{where}: field type {kind!r} is not supported")
    if kind not in LAYOUT_TYPES and not NAME.match(str(field.get("name", ""))):
        raise ExportError(f"{where}: a field needs a name of letters, digits, _ and -")
    if str(field.get("medical_significance", "none")) not in SIGNIFICANCE:
        raise ExportError(f"{where}: medical_significance is one of {', '.join(SIGNIFICANCE)}")
    rules = field.get("validation_rules")
    if rules is not None and (not isinstance(rules, dict) or set(rules) - RULE_KEYS):
        raise ExportError(f"{where}: validation_rules is an object of {', '.join(sorted(RULE_KEYS))}")
    for sub in field.get("sub_fields") or []:
        _check_field(sub, where, seen)


def validate(groups):
    seen_groups, seen_fields = set(), set()
    for group in groups:
        key = str(group.get("key", ""))
        if not key.startswith("group_") or key in seen_groups:
            raise ExportError(f"{key or '?'}: a field group needs a unique key starting with group_")
        seen_groups.add(key)
        if not isinstance(group.get("fields", []), list) or not isinstance(group.get("location", []), list):
            raise ExportError(f"{key}: `fields` and `location` are lists")
        for field in group.get("fields", []):
            _check_field(field, key, seen_fields)
    taken = (AcfField.select(AcfField.key, AcfFieldGroup.key.alias("group_key")).join(AcfFieldGroup)
             .where(AcfField.key.in_(sorted(seen_fields)) if seen_fields else AcfField.id.is_null(),
                    AcfFieldGroup.key.not_in(sorted(seen_groups))).dicts())
    for row in taken:
        raise ExportError(f"field key {row['key']} already belongs to field group {row['group_key']}")


def _field_row(field, group_id, parent_id, order):
    rules = field.get("validation_rules")
    return AcfField.create(
        key=field["key"], group=group_id, parent=parent_id, name=str(field.get("name") or ""),
        label=str(field.get("label") or ""), type=field["type"], required=_flag(field.get("required")),
        settings={name: value for name, value in field.items() if name not in COLUMNS},
        validation_rules=rules or None, is_phi=_flag(field.get("is_phi")),
        medical_significance=str(field.get("medical_significance") or "none"),
        requires_validation=_flag(field.get("requires_validation")), menu_order=order)


def _create_fields(fields, group_id, parent_id=None):
    for order, field in enumerate(fields):
        row = _field_row(field, group_id, parent_id, order)
        _create_fields(field.get("sub_fields") or [], group_id, row.id)


def _save_group(group):
    row = AcfFieldGroup.get_or_none(AcfFieldGroup.key == group["key"])
    created = row is None
    if created:
        row = AcfFieldGroup(key=group["key"])
    else:
        row.updated_at = utcnow()
    row.title = str(group.get("title") or "")
    row.location = group.get("location") or []
    row.active = _flag(group.get("active", True))
    row.show_in_rest = _flag(group.get("show_in_rest", False))
    row.menu_order = int(group.get("menu_order") or 0)
    row.source = group
    row.save(force_insert=created)
    _create_fields(group.get("fields") or [], row.id)
    return created


def import_groups(document):
    """Load every group of an export into the current tenant: (created, replaced) group counts."""
    groups = groups_of(document)
    validate(groups)
    replaced = AcfFieldGroup.select(AcfFieldGroup.id).where(AcfFieldGroup.key.in_([group["key"] for group in groups]))
    AcfField.delete().where(AcfField.group.in_(replaced)).execute()   # first: a field may move between groups
    created = sum(1 for group in groups if _save_group(group))
    return created, len(groups) - created
