"""The item schema of posts and pages, as WordPress 6.1 publishes it (with our healthcare fields).

Each property lists its contexts (view, edit, embed); `readonly` ones cannot be
written. Hierarchical types (pages) have parent/menu_order; posts have sticky,
format and the two taxonomies. The same dict drives context filtering, input
validation and OPTIONS.
"""

from wpcompat.registry import POST_TYPES, rest_taxonomies
from wpcompat.routes.base import endpoint_args_for_item_schema

VEM = ["view", "edit", "embed"]
VE = ["view", "edit"]
E = ["edit"]
STATUSES = ["publish", "future", "draft", "pending", "private"]
FORMATS = ["standard", "aside", "chat", "gallery", "link", "image", "quote", "status", "video", "audio"]
COMPLIANCE_LEVELS = ["public", "professional", "restricted", "phi"]


TEXT_INPUT = {"type": ["string", "object"], "properties": {"raw": {"type": "string"}}}   # a string or {"raw": ...}


def rendered_field(description, subject, contexts, raw_contexts, rendered_contexts, extra=None):
    """A {raw, rendered} property (title, content, excerpt, caption...); `subject`: "title for the post"."""
    properties = {
        "raw": {"description": f"{subject[0].upper()}{subject[1:]}, as it exists in the database.",
                "type": "string", "context": raw_contexts},
        "rendered": {"description": f"HTML {subject}, transformed for display.", "type": "string",
                     "context": rendered_contexts, "readonly": True},
    }
    properties.update(extra or {})
    return {"description": description, "type": "object", "context": contexts, "properties": properties}


def post_schema(post_type="post"):
    registered = POST_TYPES[post_type]
    hierarchical = registered.hierarchical
    properties = {
        "date": {"description": "The date the post was published, in the site's timezone.",
                 "type": ["string", "null"], "format": "date-time", "context": VEM},
        "date_gmt": {"description": "The date the post was published, as GMT.", "type": ["string", "null"],
                     "format": "date-time", "context": VE},
        "guid": {"description": "The globally unique identifier for the post.", "type": "object",
                 "context": VE, "readonly": True, "properties": {
                     "raw": {"description": "GUID for the post, as it exists in the database.", "type": "string",
                             "context": E, "readonly": True},
                     "rendered": {"description": "GUID for the post, transformed for display.", "type": "string",
                                  "context": VE, "readonly": True}}},
        "id": {"description": "Unique identifier for the post.", "type": "integer", "context": VEM,
               "readonly": True},
        "link": {"description": "URL to the post.", "type": "string", "format": "uri", "context": VEM,
                 "readonly": True},
        "modified": {"description": "The date the post was last modified, in the site's timezone.",
                     "type": "string", "format": "date-time", "context": VE, "readonly": True},
        "modified_gmt": {"description": "The date the post was last modified, as GMT.", "type": "string",
                         "format": "date-time", "context": VE, "readonly": True},
        "slug": {"description": "An alphanumeric identifier for the post unique to its type.",
                 "type": "string", "context": VEM},
        "status": {"description": "A named status for the post.", "type": "string", "enum": STATUSES,
                   "context": VE},
        "type": {"description": "Type of post.", "type": "string", "context": VEM, "readonly": True},
        "password": {"description": "A password to protect access to the content and excerpt.",
                     "type": "string", "context": E},
        "permalink_template": {"description": "Permalink template for the post.", "type": "string",
                               "context": E, "readonly": True},
        "generated_slug": {"description": "Slug automatically generated from the post title.",
                           "type": "string", "context": E, "readonly": True},
        "title": rendered_field("The title for the post.", "title for the post", VEM, E, VEM),
        "content": rendered_field("The content for the post.", "content for the post", VE, E, VE, {
            "block_version": {"description": "Version of the content block format used by the post.",
                              "type": "integer", "context": E, "readonly": True},
            "protected": {"description": "Whether the content is protected with a password.",
                          "type": "boolean", "context": VEM, "readonly": True}}),
        "author": {"description": "The ID for the author of the post.", "type": "integer", "context": VEM},
        "excerpt": rendered_field("The excerpt for the post.", "excerpt for the post", VEM, E, VEM, {
            "protected": {"description": "Whether the excerpt is protected with a password.",
                          "type": "boolean", "context": VEM, "readonly": True}}),
        "featured_media": {"description": "The ID of the featured media for the post.", "type": "integer",
                           "context": VEM},
        "comment_status": {"description": "Whether or not comments are open on the post.", "type": "string",
                           "enum": ["open", "closed"], "context": VE},
        "ping_status": {"description": "Whether or not the post can be pinged.", "type": "string",
                        "enum": ["open", "closed"], "context": VE},
        "template": {"description": "The theme file to use to display the post.", "type": "string",
                     "context": VE},
        "meta": {"description": "Meta fields.", "type": "object", "context": VE, "properties": {}},
        # Healthcare fields (spec/healthcare-schema.md), under the seed's names.
        "medical_category": {"description": "Medical category of the content.", "type": ["string", "null"],
                             "maxLength": 30, "context": VE},
        "compliance_level": {"description": "Who may see the content: public, professional, restricted, phi.",
                             "type": "string", "enum": COMPLIANCE_LEVELS, "context": VE},
        "requires_crm_validation": {"description": "Set when the content has a medical category.",
                                    "type": "boolean", "context": VE, "readonly": True},
        "medical_disclaimer": {"description": "Disclaimer required for professional and restricted content.",
                               "type": ["string", "null"], "context": VE},
    }
    if post_type in ("post", "page"):
        properties["workflow"] = {"description": "The healthcare workflow's summary (healthcare/v1/workflow).",
                                  "type": "object", "context": E, "readonly": True}
    if hierarchical:
        properties["parent"] = {"description": "The ID for the parent of the post.", "type": "integer",
                                "context": VE}
        properties["menu_order"] = {"description": "The order of the post in relation to other posts.",
                                    "type": "integer", "context": VE}
    if not registered.supports_feature("custom-fields"):
        del properties["meta"]
    if post_type == "post":
        properties["sticky"] = {"description": "Whether or not the post should be treated as sticky.",
                                "type": "boolean", "context": VE}
    if registered.supports_feature("post-formats"):
        properties["format"] = {"description": "The format for the post.", "type": "string", "enum": FORMATS,
                                "context": VE}
    for taxonomy in rest_taxonomies(post_type):
        properties[taxonomy.rest_base] = {"description": f"The terms assigned to the post in the {taxonomy.name} "
                                                         "taxonomy.", "type": "array", "items": {"type": "integer"},
                                          "context": VE}
    return {"$schema": "http://json-schema.org/draft-04/schema#", "title": post_type, "type": "object",
            "properties": properties}


def writable_args(schema):
    """Endpoint args for create/update: every writable property, validated by its schema (title, content and
    excerpt are published as objects and taken as a string or {"raw": ...})."""
    return endpoint_args_for_item_schema(schema, enforced={name: TEXT_INPUT for name in ("title", "content",
                                                                                        "excerpt")})


def schema_links(post_type, href):
    """get_schema_links: the `wp:action-*` relations of the item route `href` ({id} templated), each with the
    fields its action writes (an item's _links list the actions its user may take)."""
    registered = POST_TYPES[post_type]

    def link(rel, title, **properties):
        return {"rel": f"https://api.w.org/action-{rel}", "title": title, "href": href,
                "targetSchema": {"type": "object", "properties": properties}}

    links = []
    if post_type != "attachment":
        links.append(link("publish", "The current user can publish this post.",
                          status={"type": "string", "enum": ["publish", "future"]}))
    links.append(link("unfiltered-html", "The current user can post unfiltered HTML markup and JavaScript.",
                      content={"raw": {"type": "string"}}))
    if post_type == "post":
        links.append(link("sticky", "The current user can sticky this post.", sticky={"type": "boolean"}))
    if registered.supports_feature("author"):
        links.append(link("assign-author", "The current user can change the author on this post.",
                          author={"type": "integer"}))
    for taxonomy in rest_taxonomies(post_type):
        ids = {taxonomy.rest_base: {"type": "array", "items": {"type": "integer"}}}
        for action in ("assign", "create"):
            links.append(link(f"{action}-{taxonomy.rest_base}", f"The current user can {action} terms in the "
                                                                 f"{taxonomy.name} taxonomy.", **ids))
    return links
