"""TypesController: /wp/v2/types and /wp/v2/types/{type} (WP_REST_Post_Types_Controller, WordPress 6.1).

Read-only views of wpcompat.registry. The collection is a JSON object keyed by type
slug, never an array. It lists the types wpcompat serves (post, page, attachment,
wp_block): the other types of a stock WordPress 6.1 (nav_menu_item, wp_template,
wp_template_part, wp_navigation) have no routes here, so they are unknown (404).
"""

from wpcompat import registry
from wpcompat.auth import can
from wpcompat.errors import WPError
from wpcompat.rest.server import READABLE, Endpoint
from wpcompat.routes.base import Controller, context_param

VEM = ["view", "edit", "embed"]
VE = ["view", "edit"]
E = ["edit"]
CURIES = [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}]
EDIT_MESSAGE = "Sorry, you are not allowed to edit posts in this post type."


def _prop(description, type_, context, **extra):
    return {"description": description, "type": type_, "context": context, "readonly": True, **extra}


TYPE_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "type",
    "type": "object",
    "properties": {
        "capabilities": _prop("All capabilities used by the post type.", "object", E),
        "description": _prop("A human-readable description of the post type.", "string", VE),
        "hierarchical": _prop("Whether or not the post type should have children.", "boolean", VE),
        "viewable": _prop("Whether or not the post type can be viewed.", "boolean", E),
        "labels": _prop("Human-readable labels for the post type for various contexts.", "object", E),
        "name": _prop("The title for the post type.", "string", VEM),
        "slug": _prop("An alphanumeric identifier for the post type.", "string", VEM),
        "supports": _prop("All features, supported by the post type.", "object", E),
        "has_archive": _prop("If the value is a string, the value will be used as the archive slug. If the value "
                             "is false the post type has no archive.", ["string", "boolean"], VE),
        "taxonomies": _prop("Taxonomies associated with post type.", "array", VE, items={"type": "string"}),
        "rest_base": _prop("REST base route for the post type.", "string", VEM),
        "rest_namespace": _prop("REST route's namespace for the post type.", "string", VEM),
        "visibility": _prop("The visibility settings for the post type.", "object", E, properties={
            "show_ui": {"description": "Whether to generate a default UI for managing this post type.",
                        "type": "boolean"},
            "show_in_nav_menus": {"description": "Whether to make the post type available for selection in "
                                                 "navigation menus.", "type": "boolean"},
        }),
        "icon": _prop("The icon for the post type.", ["string", "null"], VEM),
    },
}


def can_edit_some_type(user):
    """Whether the user may edit posts of at least one REST post type (WordPress's edit-context gate)."""
    return any(can(user, post_type.capabilities["edit_posts"]) for post_type in registry.rest_post_types())


class TypesController(Controller):
    rest_base = "types"
    audit_tag = "type"

    def get_item_schema(self):
        return TYPE_SCHEMA

    def get_collection_params(self):
        return {"context": context_param()}

    def register_routes(self, server):
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, self.get_collection_params()),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, f"/{self.rest_base}" + r"/(?P<type>[\w-]+)", [
            Endpoint(READABLE, self.get_item, None, {
                "type": {"description": "An alphanumeric identifier for the post type.", "type": "string"},
                "context": context_param()}),
        ], schema=self.get_item_schema, controller=self)

    # --- reading ------------------------------------------------------------------------
    def get_items_permissions_check(self, request):
        if request.context == "edit" and not can_edit_some_type(request.user):
            raise WPError.not_allowed("rest_cannot_view", request.user, EDIT_MESSAGE)

    def get_items(self, request):
        data = {}
        for post_type in registry.rest_post_types():
            if request.context == "edit" and not can(request.user, post_type.capabilities["edit_posts"]):
                continue
            data[post_type.name] = self.prepare_item_for_response(post_type, request, CURIES)
        self.audit(request, "type:list", None, ids=list(data))
        return data

    def get_item(self, request):
        post_type = registry.post_type(request.url_params["type"])
        if post_type is None or not post_type.show_in_rest:
            raise WPError("rest_type_invalid", "Invalid post type.", 404)
        if request.context == "edit" and not can(request.user, post_type.capabilities["edit_posts"]):
            raise WPError.not_allowed("rest_forbidden_context", request.user, EDIT_MESSAGE)
        self.audit(request, "type:read", None, slug=post_type.name)
        return self.prepare_item_for_response(post_type, request)

    def prepare_item_for_response(self, post_type, request, curies=None):
        """The type in WordPress's field order, filtered by context, with its links."""
        data = {
            "capabilities": dict(post_type.capabilities),
            "description": post_type.description,
            "hierarchical": post_type.hierarchical,
            "has_archive": post_type.has_archive,
            "visibility": {"show_in_nav_menus": post_type.show_in_nav_menus, "show_ui": post_type.show_ui},
            "viewable": post_type.viewable,
            "labels": dict(post_type.labels),
            "name": post_type.label,
            "slug": post_type.name,
            "icon": post_type.icon,
            "supports": {feature: True for feature in post_type.supports},
            "taxonomies": [tax.name for tax in registry.rest_taxonomies(post_type.name)],
            "rest_base": post_type.rest_base,
            "rest_namespace": post_type.rest_namespace,
        }
        data = self.filter_by_context(data, request.context)
        data["_links"] = {
            "collection": [{"href": self.rest_url(request, f"{self.namespace}/{self.rest_base}")}],
            "wp:items": [{"href": self.rest_url(request, f"{post_type.rest_namespace}/{post_type.rest_base}")}],
        }
        if curies:                      # items of the keyed collection: the server only compacts top-level links
            data["_links"]["curies"] = curies
        return data
