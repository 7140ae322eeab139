"""Post meta as XML-RPC's `custom_fields`: [{id, key, value}] out, add/update/delete in.

Storage: the seed's custom_fields table keeps one row per (post, meta_key) (its unique
index). WordPress allows several values under one key; such a row holds them as a JSON
list in meta_value with meta_type "multiple", and XML-RPC lists each value on its own,
as WordPress does. A value's id is a stable 31-bit number derived from the row's uuid and
the value's position, so clients can send it back to update or delete that value (ids of
later values of a multi-valued key shift when an earlier one is deleted).

Hidden, as WordPress hides them: protected keys (leading underscore) — never listed,
never written. Hidden by the healthcare rules: rows flagged is_phi exist only for users
who may read PHI (DESIGN.md §8).
"""

import hashlib
import json

from wpcompat import kses, permissions
from wpcompat.acf import definitions as acf_definitions
from wpcompat.auth import can
from wpcompat.models import CustomField
from wpcompat.workflow.state import XMLRPC_KEYS
from wpcompat.xmlrpc.call import php_int, struct, text

MULTIPLE = "multiple"


def field_id(row, index):
    digest = hashlib.blake2b(f"{row.id}:{index}".encode(), digest_size=4).digest()
    return (int.from_bytes(digest, "big") & 0x7FFFFFFF) or 1


def values_of(row):
    if row.meta_type == MULTIPLE:
        try:
            values = json.loads(row.meta_value or "[]")
        except ValueError:
            return [row.meta_value or ""]
        return [text(value) for value in values] if isinstance(values, list) else [text(values)]
    return [row.meta_value if row.meta_value is not None else ""]


def is_protected(key):
    return key.startswith("_")


class Visibility:
    """Which field rows are PHI, and whether `user` may see them: PHI values exist only for who may read
    PHI (DESIGN.md §8). A value is PHI when its row is flagged is_phi or it lies under an ACF field
    defined as PHI (a row written without the flag, by XML-RPC or before the field was marked,
    included). The ACF definitions are read at most once, and only when a question needs them."""

    def __init__(self, user):
        self.reads_phi = "phi" in permissions.compliance_levels(user)
        self.filters_html = not can(user, "unfiltered_html")
        self._acf_fields = None

    @property
    def acf_fields(self):
        """The tenant's top-level ACF fields (one query, at most once)."""
        if self._acf_fields is None:
            self._acf_fields = [field for group in acf_definitions.load().groups for field in group.fields]
        return self._acf_fields

    @property
    def acf_phi_names(self):
        """Names of the top-level ACF fields that are PHI or hold PHI below them."""
        return tuple(field.name for field in self.acf_fields if field.has_phi())

    def saved_value(self, key, value):
        """A value as this user may write it: under an ACF field, through kses (the small set) unless the
        user has unfiltered_html, as ACF values written over REST are (wpcompat/acf/writing.py)."""
        if self.filters_html and "<" in value and under_acf_field(key, [field.name for field in self.acf_fields]):
            return kses.filter_small(value)
        return value

    def is_phi_key(self, key):
        return under_acf_field(key, self.acf_phi_names)

    def is_phi(self, row):
        return bool(row.is_phi) or self.is_phi_key(row.meta_key)

    def may_see(self, row):
        return self.reads_phi or not self.is_phi(row)


def under_acf_field(key, names):
    """Whether a meta key is one of these ACF fields' values or a sub-field value below one (`name_…`)."""
    return any(key == name or key.startswith(name + "_") for name in names)


def rows_by_post(post_ids):
    """{post uuid: [CustomField rows ordered by key]} in one query."""
    result = {}
    if not post_ids:
        return result
    query = CustomField.select().where(CustomField.post.in_(list(post_ids))).order_by(CustomField.meta_key)
    for row in query:
        result.setdefault(row.post_id, []).append(row)
    return result


def as_structs(rows, visibility):
    """get_custom_fields: every visible (a Visibility), unprotected value, ordered by key."""
    out = []
    for row in rows or ():
        if is_protected(row.meta_key) or not visibility.may_see(row):
            continue
        for index, value in enumerate(values_of(row)):
            out.append({"id": str(field_id(row, index)), "key": row.meta_key, "value": value})
    return out


def first_value(rows, key):
    for row in rows or ():
        if row.meta_key == key:
            values = values_of(row)
            return values[0] if values else None
    return None


# --- writing (set_custom_fields) -------------------------------------------------------------

def _locate(rows, wanted_id):
    for row in rows:
        for index, _value in enumerate(values_of(row)):
            if field_id(row, index) == wanted_id:
                return row, index
    return None, None


def _store(row, values):
    if not values:
        row.delete_instance()
        return
    if len(values) == 1:
        row.meta_value = values[0]
        if row.meta_type == MULTIPLE:
            row.meta_type = "text"
    else:
        row.meta_value = json.dumps(values, ensure_ascii=False)
        row.meta_type = MULTIPLE
    row.save()


def apply(post, fields, user):
    """WordPress's set_custom_fields for `post` (saved): returns True when anything changed."""
    if not isinstance(fields, (list, tuple)):
        return False
    rows = list(CustomField.select().where(CustomField.post == post.id))
    visibility = Visibility(user)
    changed = False
    for meta in fields:
        meta = struct(meta)
        if "id" in meta:
            changed |= _update_or_delete(rows, meta, visibility)
        elif "key" in meta:
            changed |= _add(post, rows, text(meta.get("key")), text(meta.get("value")), visibility)
    return changed


def _update_or_delete(rows, meta, visibility):
    row, index = _locate(rows, php_int(meta["id"]))
    if row is None or is_protected(row.meta_key) or not visibility.may_see(row):
        return False
    values = values_of(row)
    if "key" in meta:
        if text(meta["key"]) != row.meta_key:
            return False
        values[index] = visibility.saved_value(row.meta_key, text(meta.get("value")))
    else:
        del values[index]
        if not values:
            rows.remove(row)
    _store(row, values)
    return True


def _add(post, rows, key, value, visibility):
    if not key or is_protected(key) or len(key) > 100 or key in XMLRPC_KEYS:   # workflow fields: read-only
        return False
    value = visibility.saved_value(key, value)
    row = next((row for row in rows if row.meta_key == key), None)
    if row is None:
        phi = visibility.is_phi_key(key)
        if phi and not visibility.reads_phi:
            return False                    # under an ACF field defined as PHI: for PHI readers only
        row = CustomField.create(post=post.id, meta_key=key, meta_value=value, meta_type="text", is_phi=phi)
        rows.append(row)
        return True
    if not visibility.may_see(row):
        return False
    _store(row, values_of(row) + [value])
    return True


def set_single(post, key, value):
    """Replace every value of `key` with one value (enclosures)."""
    row = CustomField.select().where(CustomField.post == post.id, CustomField.meta_key == key).first()
    if row is None:
        CustomField.create(post=post.id, meta_key=key, meta_value=value, meta_type="text")
    else:
        _store(row, [value])
