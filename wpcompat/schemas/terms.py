"""The item schema and arguments of categories and tags, as WordPress 6.1 publishes them.

One schema per taxonomy: categories are hierarchical (`parent`, and the seed's
healthcare columns of the `categories` table); tags are flat (and take `offset`).
No term meta is registered, so `meta` is PHP's empty array — `[]` in JSON.
"""

from wpcompat.routes.base import pagination_params

VEM = ["view", "embed", "edit"]
VE = ["view", "edit"]
TITLES = {"category": "category", "post_tag": "tag"}
ORDERBY = ["id", "include", "name", "slug", "include_slugs", "term_group", "description", "count"]


class NoProperties(list):
    """PHP's empty `properties` array: JSON `[]`, as WordPress shows it, yet read like an empty mapping."""

    def items(self):
        return iter(())

    def get(self, key, default=None):
        return default


def is_hierarchical(taxonomy):
    return taxonomy == "category"


def _meta():
    return {"description": "Meta fields.", "type": "object", "context": VE, "properties": NoProperties()}


def _healthcare():
    """The seed's columns of `categories` (spec/healthcare-schema.md), under the seed's names."""
    return {
        "medical_specialty": {"description": "Medical specialty the category belongs to.",
                              "type": ["string", "null"], "maxLength": 50, "context": VE},
        "compliance_required": {"description": "Whether content in the category needs compliance review.",
                                "type": "boolean", "context": VE},
        "crm_validation_required": {"description": "Whether content in the category needs CRM validation.",
                                    "type": "boolean", "context": VE},
    }


def term_schema(taxonomy):
    properties = {
        "id": {"description": "Unique identifier for the term.", "type": "integer", "context": VEM,
               "readonly": True},
        "count": {"description": "Number of published posts for the term.", "type": "integer", "context": VE,
                  "readonly": True},
        "description": {"description": "HTML description of the term.", "type": "string", "context": VE},
        "link": {"description": "URL of the term.", "type": "string", "format": "uri", "context": VEM,
                 "readonly": True},
        "name": {"description": "HTML title for the term.", "type": "string", "context": VEM, "required": True},
        "slug": {"description": "An alphanumeric identifier for the term unique to its type.", "type": "string",
                 "context": VEM},
        "taxonomy": {"description": "Type attribution for the term.", "type": "string", "enum": [taxonomy],
                     "context": VEM, "readonly": True},
    }
    if is_hierarchical(taxonomy):
        properties["parent"] = {"description": "The parent term ID.", "type": "integer", "context": VE}
    properties["meta"] = _meta()
    if taxonomy == "category":
        properties.update(_healthcare())
    return {"$schema": "http://json-schema.org/draft-04/schema#", "title": TITLES.get(taxonomy, taxonomy),
            "type": "object", "properties": properties}


def writable_args(schema, creating):
    """get_endpoint_args_for_item_schema: writable properties; `name` is required only on create."""
    args = {}
    for name, prop in schema["properties"].items():
        if prop.get("readonly"):
            continue
        arg = {key: value for key, value in prop.items() if key not in ("context", "readonly", "required")}
        if creating and prop.get("required"):
            arg["required"] = True
        args[name] = arg
    return args


def collection_params(taxonomy):
    """get_collection_params, in WordPress's order (offset for flat taxonomies, parent for hierarchical)."""
    params = pagination_params()
    ids = {"type": "array", "items": {"type": "integer"}, "default": []}
    params["exclude"] = {"description": "Ensure result set excludes specific IDs.", **ids}
    params["include"] = {"description": "Limit result set to specific IDs.", **ids}
    if not is_hierarchical(taxonomy):
        params["offset"] = {"description": "Offset the result set by a specific number of items.",
                            "type": "integer"}
    params["order"] = {"description": "Order sort attribute ascending or descending.", "type": "string",
                       "default": "asc", "enum": ["asc", "desc"]}
    params["orderby"] = {"description": "Sort collection by term attribute.", "type": "string", "default": "name",
                         "enum": list(ORDERBY)}
    params["hide_empty"] = {"description": "Whether to hide terms not assigned to any posts.", "type": "boolean",
                            "default": False}
    if is_hierarchical(taxonomy):
        params["parent"] = {"description": "Limit result set to terms assigned to a specific parent.",
                            "type": "integer"}
    params["post"] = {"description": "Limit result set to terms assigned to a specific post.", "type": "integer",
                      "default": None}
    params["slug"] = {"description": "Limit result set to terms with one or more specific slugs.",
                      "type": "array", "items": {"type": "string"}}
    return params
