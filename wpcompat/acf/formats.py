"""Stored texts → the values ACF returns: "light" (Format A's default) or "standard" (acf_format=standard
and every Format B answer), per field type (spec/acf.md §3), with the `acf:*` links of §2.2.

A value is read from the owner's rows `{meta_key: meta_value}`; a field with no row reads as
its default_value (else null). Repeaters read `{name}` as the row count and rows from
`{name}_{i}_{sub}`; groups read their subs from `{name}_{sub}`. PHI fields (and PHI sub
fields) are left out for viewers who may not read PHI — absent, not null.
"""

import datetime
import json

from wpcompat.acf import types
from wpcompat.acf.objects import KIND_OF_TYPE

REST_BASES = {"post": "posts", "page": "pages", "category": "categories", "post_tag": "tags"}
LINK_RELS = {"post": "acf:post", "media": "acf:attachment", "term": "acf:term", "user": "acf:user"}
DEFAULT_RETURN = {"image": "array", "file": "array", "relationship": "object", "post_object": "object",
                  "taxonomy": "id", "user": "array", "select": "value", "checkbox": "value", "radio": "value",
                  "button_group": "value", "date_picker": "d/m/Y", "date_time_picker": "d/m/Y g:i a"}


def visible(field, phi_ok):
    return phi_ok or not field.is_phi


def default_text(field):
    """The field's default_value as stored text, or None when it has none."""
    default = field.setting("default_value")
    if field.type == "true_false" and default is not None and default != "":
        return types.encode(field, default)
    if default is None or default is False or default == [] or field.type in ("group", "repeater"):
        return None
    return types.encode(field, default)


def text_of(field, stored, key):
    return stored[key] if key in stored else default_text(field)


def row_count(text):
    try:
        return max(int(text or 0), 0)
    except (TypeError, ValueError):
        return 0


# --- pass 1: which objects a response names ------------------------------------------------------------

def collect(fields, stored, prefix, refs, phi_ok):
    for field in fields:
        if not visible(field, phi_ok):
            continue
        key = prefix + field.name
        if field.type == "repeater":
            for index in range(row_count(stored.get(key))):
                collect(field.sub_fields, stored, f"{key}_{index}_", refs, phi_ok)
        elif field.type == "group":
            collect(field.sub_fields, stored, f"{key}_", refs, phi_ok)
        elif field.type in KIND_OF_TYPE:
            refs.want(field.type, types.referenced_ids(field, text_of(field, stored, key)))


# --- pass 2: the values ---------------------------------------------------------------------------

class Reader:
    """Formats the fields of one owner. `links` collects the acf:* links its values call for."""

    def __init__(self, view, refs, phi_ok):
        self.view, self.refs, self.phi_ok = view, refs, phi_ok
        self.links = {}

    def fields(self, fields, stored, prefix=""):
        return {field.name: self.value(field, stored, prefix + field.name)
                for field in fields if visible(field, self.phi_ok)}

    def value(self, field, stored, key):
        if field.type == "repeater":
            count = row_count(stored.get(key))
            if not count:
                return False if self.view.standard else None
            return [self.fields(field.sub_fields, stored, f"{key}_{index}_") for index in range(count)]
        if field.type == "group":
            if not field.sub_fields and self.view.standard:
                return False
            return self.fields(field.sub_fields, stored, f"{key}_")
        text = text_of(field, stored, key)
        if field.type in KIND_OF_TYPE:
            return self.relational(field, text)
        return standard(field, text) if self.view.standard else light(field, text)

    # relational values: only what the viewer may see exists
    def relational(self, field, text):
        ids = [wp_id for wp_id in types.referenced_ids(field, text) if self.refs.get(field.type, wp_id) is not None]
        for wp_id in ids:
            self._link(field.type, self.refs.get(field.type, wp_id))
        multiple = types.is_multiple(field)
        if not ids:                                      # ACF's format_value: no value → false
            return False if self.view.standard else None
        if not self.view.standard or _return_format(field) == "id":
            return ids if multiple else ids[0]
        shaped = [self._shape(field, self.refs.get(field.type, wp_id)) for wp_id in ids]
        return shaped if multiple else shaped[0]

    def _shape(self, field, item):
        refs, form = self.refs, _return_format(field)
        if field.type in types.ATTACHMENT_TYPES:
            attachment = refs.attachment(item)
            return attachment["url"] if form == "url" else attachment
        if field.type in types.POST_TYPES:
            return refs.post_object(item)
        if field.type == "taxonomy":
            return refs.term_object(item)
        return refs.user_array(item)

    def _link(self, field_type, item):
        kind, root = KIND_OF_TYPE[field_type], self.view.rest_root
        if kind == "post":
            link = {"embeddable": True, "href": f"{root}wp/v2/{REST_BASES.get(item.post_type, 'posts')}/{item.wp_id}"}
        elif kind == "media":
            link = {"embeddable": True, "href": f"{root}wp/v2/media/{item.wp_id}"}
        elif kind == "term":
            link = {"taxonomy": item.taxonomy, "embeddable": True,
                    "href": f"{root}wp/v2/{REST_BASES.get(item.taxonomy, item.taxonomy)}/{item.wp_id}"}
        else:
            link = {"embeddable": True, "href": f"{root}wp/v2/users/{item.wp_id}"}
        entries = self.links.setdefault(LINK_RELS[kind], [])
        if link not in entries:
            entries.append(link)


def _return_format(field):
    return field.setting("return_format", DEFAULT_RETURN.get(field.type)) or DEFAULT_RETURN.get(field.type)


# --- scalar types -----------------------------------------------------------------------------------

def _number(text):
    try:
        number = float(text)
    except (TypeError, ValueError):
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _choices(field, text):
    if text is None:
        return None
    values = _json_list(text)
    if types.is_multiple(field):
        return values
    return values[0] if values else ""


def _json_list(text):
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return [text]
        return [str(item) for item in parsed] if isinstance(parsed, list) else [str(parsed)]
    return [text] if text else []


def light(field, text):
    """Format A's default: raw-ish values, numbers as numbers, dates as stored."""
    kind = field.type
    if kind == "true_false":
        return text == "1" or str(text).lower() == "true"
    if text is None:
        return None
    if kind in ("number", "range"):
        return "" if text == "" else _number(text)
    if kind in types.CHOICE_TYPES:
        return _choices(field, text)
    if kind in ("date_picker", "date_time_picker"):
        return text or None
    return text


def standard(field, text):
    """ACF's formatted values (return_format), as get_field() gives them."""
    kind = field.type
    if kind == "true_false":
        return light(field, text)
    if text is None:
        return None
    if kind in types.CHOICE_TYPES:
        return _labelled(field, _choices(field, text))
    if kind == "date_picker":
        return php_date(_parse(text, "%Y%m%d"), _return_format(field)) or text
    if kind == "date_time_picker":
        return php_date(_parse(text, "%Y-%m-%d %H:%M:%S"), _return_format(field)) or text
    return text                                         # text-like, number (the stored string)


def _labelled(field, values):
    form = _return_format(field)
    if form == "value" or values is None:
        return values

    def shape(value):
        label = types.choice_label(field, value)
        return label if form == "label" else {"value": value, "label": label}

    if isinstance(values, list):
        return [shape(value) for value in values]
    return shape(values) if values != "" else values


def _parse(text, pattern):
    try:
        return datetime.datetime.strptime(text, pattern)
    except (TypeError, ValueError):
        return None


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _suffix(day):
    return "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


PHP_CODES = {
    "d": lambda v: f"{v.day:02d}", "j": lambda v: str(v.day), "D": lambda v: DAYS[v.weekday()][:3],
    "l": lambda v: DAYS[v.weekday()], "N": lambda v: str(v.isoweekday()), "S": lambda v: _suffix(v.day),
    "m": lambda v: f"{v.month:02d}", "n": lambda v: str(v.month), "F": lambda v: MONTHS[v.month - 1],
    "M": lambda v: MONTHS[v.month - 1][:3], "Y": lambda v: str(v.year), "y": lambda v: f"{v.year % 100:02d}",
    "a": lambda v: "am" if v.hour < 12 else "pm", "A": lambda v: "AM" if v.hour < 12 else "PM",
    "g": lambda v: str(v.hour % 12 or 12), "h": lambda v: f"{v.hour % 12 or 12:02d}",
    "G": lambda v: str(v.hour), "H": lambda v: f"{v.hour:02d}", "i": lambda v: f"{v.minute:02d}",
    "s": lambda v: f"{v.second:02d}",
}


def php_date(value, pattern):
    """PHP's date() for the format characters ACF's date fields offer; None when there is no date."""
    if value is None:
        return None
    out, escaped = [], False
    for char in pattern or "":
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(PHP_CODES[char](value) if char in PHP_CODES else char)
    return "".join(out)
