"""Field groups and fields as the rest of wpcompat.acf reads them: plain objects, loaded once per request.

The registry of the current tenant (acf_field_groups + acf_fields) is loaded in one query
and kept on the HTTP request, so `_embed` and batch sub-requests reuse it. Groups are in
ACF's order (menu_order, then title); fields in their order inside a group; sub fields of
groups and repeaters hang under their parent. `tab`, `message` and `accordion` hold no
value and never reach REST.
"""

import dataclasses
import types

from wpcompat.db import current_tenant
from wpcompat.models import AcfField, AcfFieldGroup
from wpcompat.queries.compiled import CompiledQuery

LAYOUT_TYPES = ("tab", "message", "accordion")


@dataclasses.dataclass
class Field:
    key: str
    name: str
    label: str
    type: str
    required: bool
    settings: dict
    validation_rules: dict | None
    is_phi: bool
    medical_significance: str
    requires_validation: bool
    order: int
    group_key: str
    sub_fields: list = dataclasses.field(default_factory=list)

    def setting(self, name, default=None):
        value = self.settings.get(name, default)
        return default if value is None else value

    def has_phi(self):
        """Whether this field or anything below it is PHI (reading or writing it needs PHI rights)."""
        return self.is_phi or any(sub.has_phi() for sub in self.sub_fields)

    def find_sub(self, name_or_key):
        return next((sub for sub in self.sub_fields if name_or_key in (sub.name, sub.key)), None)


@dataclasses.dataclass
class Group:
    key: str
    title: str
    location: list
    active: bool
    show_in_rest: bool
    menu_order: int
    fields: list = dataclasses.field(default_factory=list)


class Registry:
    """The tenant's active field groups, in order, with their field trees."""

    def __init__(self, groups):
        self.groups = [group for group in groups if group.active]

    def __bool__(self):
        return bool(self.groups)


def _field(row, group_key):
    settings = row.settings if isinstance(row.settings, dict) else {}
    return Field(key=row.key, name=row.name, label=row.label, type=row.type, required=bool(row.required),
                 settings=settings, validation_rules=row.validation_rules, is_phi=bool(row.is_phi),
                 medical_significance=row.medical_significance or "none",
                 requires_validation=bool(row.requires_validation), order=row.menu_order, group_key=group_key)


def build(group_rows, field_rows):
    """Registry from rows (fields in any order)."""
    groups = {row.id: Group(row.key, row.title, row.location or [], bool(row.active), bool(row.show_in_rest),
                            row.menu_order) for row in group_rows}
    fields = {}
    for row in field_rows:
        group = groups.get(row.group_id)
        if group is not None:
            fields[row.id] = (row, _field(row, group.key))
    for row, field in sorted(fields.values(), key=lambda pair: (pair[0].menu_order, pair[0].key)):
        if field.type in LAYOUT_TYPES:
            continue
        parent = fields.get(row.parent_id)
        if row.parent_id is None:
            groups[row.group_id].fields.append(field)
        elif parent is not None:
            parent[1].sub_fields.append(field)
    ordered = sorted(groups.values(), key=lambda group: (group.menu_order, group.title.lower(), group.key))
    return Registry(ordered)


# Every request of every route asks for the registry, on sites with or without ACF: its SQL is
# compiled once per worker (a prepared statement on PostgreSQL), never built again. It is read
# anew in each request, so a group or field saved by one request is seen by the next, in any worker.
FIELD_COLUMNS = {"id": AcfField.id, "key": AcfField.key, "group_id": AcfField.group, "parent_id": AcfField.parent,
                 "name": AcfField.name, "label": AcfField.label, "type": AcfField.type, "required": AcfField.required,
                 "settings": AcfField.settings, "validation_rules": AcfField.validation_rules,
                 "is_phi": AcfField.is_phi, "medical_significance": AcfField.medical_significance,
                 "requires_validation": AcfField.requires_validation, "menu_order": AcfField.menu_order}
GROUP_COLUMNS = {"id": AcfFieldGroup.id, "key": AcfFieldGroup.key, "title": AcfFieldGroup.title,
                 "location": AcfFieldGroup.location, "active": AcfFieldGroup.active,
                 "show_in_rest": AcfFieldGroup.show_in_rest, "menu_order": AcfFieldGroup.menu_order}
_REGISTRY = CompiledQuery(lambda: (AcfField.select(*FIELD_COLUMNS.values(), *GROUP_COLUMNS.values())
                                   .join(AcfFieldGroup).tuples()))


def load():
    """The current tenant's registry: one query (fields joined to their groups)."""
    rows = _REGISTRY.rows()
    if not rows:                                         # a site without ACF: nothing to build
        return Registry(())
    width = len(FIELD_COLUMNS)
    fields = [types.SimpleNamespace(**dict(zip(FIELD_COLUMNS, row[:width]))) for row in rows]
    groups = {}                                          # a group without fields adds nothing to output
    for row in rows:
        if row[width] not in groups:
            groups[row[width]] = types.SimpleNamespace(**dict(zip(GROUP_COLUMNS, row[width:])))
    return build(list(groups.values()), fields)


def for_request(request):
    """The registry, loaded once per HTTP request (shared by its _embed and batch sub-requests)."""
    holder = getattr(request.http, "context", None) if request.http is not None else None
    if holder is None:
        if "acf_registry" not in request.memo:
            request.memo["acf_registry"] = load()
        return request.memo["acf_registry"]
    registry = getattr(holder, "acf_registry", None)
    if registry is None:
        registry = _for_generation(request.http) or load()
        holder.acf_registry = registry
    return registry


# The registry a GET read, per tenant, for the content generation its transaction began in
# (migrations/0011: a committed change to field groups or fields moves the generation): later
# reads of the same generation, in this worker, skip the query. Writes never use or fill it.
_BY_TENANT = {}                        # tenant id → (generation, Registry)


def _for_generation(http):
    generation = getattr(http.context, "content_generation", None)
    tenant = current_tenant.get()
    if generation is None or tenant is None or http.method not in ("GET", "HEAD") \
            or getattr(http.context, "acf_registry_changed", False):
        return None
    known = _BY_TENANT.get(tenant)
    if known is not None and known[0] == generation:
        return known[1]
    registry = load()
    _BY_TENANT[tenant] = (generation, registry)
    return registry


def forget(request):
    """Drop the cached registry (after definitions change within a request)."""
    if request.http is not None and getattr(request.http, "context", None) is not None:
        request.http.context.acf_registry = None
        request.http.context.acf_registry_changed = True
    request.memo.pop("acf_registry", None)
