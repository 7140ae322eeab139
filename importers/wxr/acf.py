"""ACF values in post meta: `name` = value beside `_name` = `field_…` (the field's key).

When the tenant has field groups (`wpcompat acf import-groups`), a value whose reference
names one of its fields lands typed in the field's group, through the ACF writing code's own
encoding (`types.encode`) and row columns (`writing._columns`: type, group, order, PHI flag,
significance, definition). The `_name` reference rows themselves are ACF's bookkeeping and
are not stored (the field definition is copied on the row instead). Ids in relational fields
(relationship, post_object, image, file…) are source ids: remapped at the end of the import.
Without field groups, or for an unknown key, the meta is stored like any other.
"""

from wpcompat.acf import definitions, types, writing

from importers.wxr import meta

RELATIONAL = set(types.POST_TYPES) | set(types.ATTACHMENT_TYPES)


def _walk(fields, top, out):
    for field in fields:
        out[field.key] = (field, top or field)
        _walk(field.sub_fields, top or field, out)


class Acf:
    def __init__(self):
        registry = definitions.load()
        self.fields = {}
        for group in registry.groups:
            _walk(group.fields, None, self.fields)
        self.relational = []                       # (post uuid, meta key) whose ids are source ids

    def reference(self, key, grouped):
        """The (field, top field) `_key` names, or None."""
        if not self.fields:
            return None
        values = grouped.get(f"_{key}")
        if not values or len(values) != 1:
            return None
        return self.fields.get(values[0].strip())

    def is_reference(self, key, grouped):
        if not self.fields or not key.startswith("_"):
            return False
        values = grouped.get(key)
        return bool(values) and len(values) == 1 and values[0].strip() in self.fields and key[1:] in grouped

    def field_row(self, post_id, key, text, meta_type, grouped, position):
        found = self.reference(key, grouped)
        if found is None or len(grouped[key]) != 1:
            return {"post": post_id, "meta_key": key, "meta_value": text, "meta_type": meta_type,
                    "medical_significance": "none", "requires_validation": False, "validation_rules": None,
                    "is_phi": False, "field_group": None, "field_order": position, "is_required": False}
        field, top = found
        value = meta.python_value(grouped[key][0])
        if field.type in ("repeater", "group"):
            stored = str(value) if field.type == "repeater" else ""
        else:
            stored = types.encode(field, value)
        if field.type in RELATIONAL:
            self.relational.append((post_id, key))
        return {"post": post_id, "meta_key": key, **writing._columns(field, stored, top, field.has_phi())}
