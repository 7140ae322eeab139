"""The `acf` field of /wp/v2 posts, pages, categories, tags, users and media (spec/acf.md §2; Format A).

A tenant with no field group is a site without ACF: its answers carry no `acf` at all, as
WordPress's without the plugin (the golden site's). Once a tenant has field groups, every
item of these routes carries `acf` in view, edit and embed context: `[]` when no
show_in_rest group applies, else `{name: value}`.

Controllers call:
- `attach(ctx, kind, sub_type, objects, items)` on prepared items: adds `acf` before `_links`
  and the acf:* links of relational values — one value query for the whole list;
- `check_input(request, kind, sub_type, owner)` before saving: the body's `acf` (Format A) and
  `fields` (Format B) checked; WPError raised before anything is written;
- `.save(owner)` on what check_input returned, once the object is saved;
- `schema_for(get_item_schema, kind, sub_type)` as the route's OPTIONS schema.
"""

from wpcompat.acf import definitions, reading, types, writing
from wpcompat.acf.location import Target, groups_for
from wpcompat.rest.validation import ParamError

DESCRIPTION = "ACF field data"


def attach(ctx, kind, sub_type, objects, items):
    """Add `acf` to prepared `items` (in the order of `objects`); returns items."""
    wanted = ctx.included("acf")
    if not items or not (wanted or "_links" in items[0]) or not definitions.for_request(ctx.request):
        return items
    for item, (value, links) in zip(items, reading.read(ctx.request, kind, sub_type, objects)):
        item_links = item.pop("_links", None)
        if wanted:
            item["acf"] = value
        if item_links is not None:                       # acf:* links serve _embed even when only _links is asked
            item_links.update(links)
            item["_links"] = item_links
    return items


def check_input(request, kind, sub_type, owner):
    """The body's `acf` (names or keys, validated) and `fields` (names, unvalidated as the plugin takes
    them), as one Pending write. Nothing is read from the database when neither is given."""
    native = request.get("acf")
    if native is not None and not isinstance(native, dict) and native not in ("", []):
        error = ParamError("rest_invalid_type", "acf is not of type object.", {"param": "acf"})
        raise writing.invalid("acf", error)
    checked = writing.check(request, kind, sub_type, owner, native, True, "acf")
    plugin = request.get("fields")
    if isinstance(plugin, dict):
        checked.items += writing.check(request, kind, sub_type, owner, plugin, False, "fields").items
    return checked


def schema_for(get_item_schema, kind, sub_type):
    """The route's OPTIONS schema: the item schema plus, on a site with ACF, `acf` listing the field
    schemas of the show_in_rest groups of this object type (ACF's get_schema for a collection)."""

    def schema():
        base = get_item_schema()
        registry = definitions.load()
        if not registry:
            return base
        fields = reading.fields_of(groups_for(registry, Target(kind, sub_type), rest_only=True))
        acf = {"description": DESCRIPTION, "type": "object", "properties": types.properties(fields)}
        return {**base, "properties": {**base.get("properties", {}), "acf": acf}}

    return schema
