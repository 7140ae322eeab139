"""The item schemas of revisions and autosaves (WP_REST_Revisions_Controller, WP_REST_Autosaves_Controller).

Base properties, then the parent type's title, content, excerpt and guid, as WordPress derives them.
"""

VEM = ["view", "edit", "embed"]
VE = ["view", "edit"]


def _date(description, context):
    return {"description": description, "type": "string", "format": "date-time", "context": context}


def revision_schema(parent_schema, post_type):
    properties = {
        "author": {"description": "The ID for the author of the revision.", "type": "integer", "context": VEM},
        "date": _date("The date the revision was published, in the site's timezone.", VEM),
        "date_gmt": _date("The date the revision was published, as GMT.", VE),
        "guid": {"description": "GUID for the revision, as it exists in the database.", "type": "string",
                 "context": VE},
        "id": {"description": "Unique identifier for the revision.", "type": "integer", "context": VEM},
        "modified": _date("The date the revision was last modified, in the site's timezone.", VE),
        "modified_gmt": _date("The date the revision was last modified, as GMT.", VE),
        "parent": {"description": "The ID for the parent of the revision.", "type": "integer", "context": VEM},
        "slug": {"description": "An alphanumeric identifier for the revision unique to its type.",
                 "type": "string", "context": VEM},
    }
    parent_properties = parent_schema.get("properties", {})
    for name in ("title", "content", "excerpt", "guid"):
        if name in parent_properties:
            properties[name] = parent_properties[name]
    properties["meta"] = {"description": "Meta fields.", "type": "object", "context": VE, "properties": {}}
    return {"$schema": "http://json-schema.org/draft-04/schema#", "title": f"{post_type}-revision",
            "type": "object", "properties": properties}


def autosave_schema(parent_schema, post_type):
    schema = revision_schema(parent_schema, post_type)
    schema["properties"]["preview_link"] = {"description": "Preview link for the post.", "type": "string",
                                            "format": "uri", "context": ["edit"], "readonly": True}
    return schema
