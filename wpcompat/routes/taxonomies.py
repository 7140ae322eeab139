"""TaxonomiesController: /wp/v2/taxonomies and /wp/v2/taxonomies/{taxonomy} (WordPress 6.1).

Read-only views of wpcompat.registry: category and post_tag. The collection is a JSON
object keyed by slug (`{}` when nothing matches, e.g. `?type=page`). `context=edit` needs
the taxonomy's assign_terms capability (edit_posts for both).
"""

from wpcompat import registry
from wpcompat.auth import can
from wpcompat.errors import WPError
from wpcompat.rest.server import READABLE, Endpoint
from wpcompat.routes.base import Controller, context_param
from wpcompat.routes.types import CURIES

VEM = ["view", "edit", "embed"]
VE = ["view", "edit"]
E = ["edit"]
MANAGE_MESSAGE = "Sorry, you are not allowed to manage terms in this taxonomy."


def _prop(description, type_, context, **extra):
    return {"description": description, "type": type_, "context": context, "readonly": True, **extra}


def _flag(description):
    return {"description": description, "type": "boolean"}


TAXONOMY_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "taxonomy",
    "type": "object",
    "properties": {
        "capabilities": _prop("All capabilities used by the taxonomy.", "object", E),
        "description": _prop("A human-readable description of the taxonomy.", "string", VE),
        "hierarchical": _prop("Whether or not the taxonomy should have children.", "boolean", VE),
        "labels": _prop("Human-readable labels for the taxonomy for various contexts.", "object", E),
        "name": _prop("The title for the taxonomy.", "string", VEM),
        "slug": _prop("An alphanumeric identifier for the taxonomy.", "string", VEM),
        "show_cloud": _prop("Whether or not the term cloud should be displayed.", "boolean", E),
        "types": _prop("Types associated with the taxonomy.", "array", VE, items={"type": "string"}),
        "rest_base": _prop("REST base route for the taxonomy.", "string", VEM),
        "rest_namespace": _prop("REST namespace route for the taxonomy.", "string", VEM),
        "visibility": _prop("The visibility settings for the taxonomy.", "object", E, properties={
            "public": _flag("Whether a taxonomy is intended for use publicly either via the admin interface or "
                            "by front-end users."),
            "publicly_queryable": _flag("Whether the taxonomy is publicly queryable."),
            "show_ui": _flag("Whether to generate a default UI for managing this taxonomy."),
            "show_admin_column": _flag("Whether to allow automatic creation of taxonomy columns on associated "
                                       "post-types table."),
            "show_in_nav_menus": _flag("Whether to make the taxonomy available for selection in navigation menus."),
            "show_in_quick_edit": _flag("Whether to show the taxonomy in the quick/bulk edit panel."),
        }),
    },
}


def can_assign(user, taxonomy):
    return can(user, taxonomy.primitive("assign_terms"))


class TaxonomiesController(Controller):
    rest_base = "taxonomies"
    audit_tag = "taxonomy"

    def get_item_schema(self):
        return TAXONOMY_SCHEMA

    def get_collection_params(self):
        return {"context": context_param(),
                "type": {"description": "Limit results to taxonomies associated with a specific post type.",
                         "type": "string"}}

    def register_routes(self, server):
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, self.get_collection_params()),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, f"/{self.rest_base}" + r"/(?P<taxonomy>[\w-]+)", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, {
                "taxonomy": {"description": "An alphanumeric identifier for the taxonomy.", "type": "string"},
                "context": context_param()}),
        ], schema=self.get_item_schema, controller=self)

    # --- reading ------------------------------------------------------------------------
    @staticmethod
    def _candidates(request):
        """get_object_taxonomies(type) when `type` is given, else every taxonomy; REST ones only."""
        return registry.rest_taxonomies(request.args.get("type") or None)

    def get_items_permissions_check(self, request):
        if request.context == "edit" and not any(can_assign(request.user, tax) for tax in self._candidates(request)):
            raise WPError.not_allowed("rest_cannot_view", request.user, MANAGE_MESSAGE)

    def get_items(self, request):
        data = {}
        for taxonomy in self._candidates(request):
            if request.context == "edit" and not can_assign(request.user, taxonomy):
                continue
            data[taxonomy.name] = self.prepare_item_for_response(taxonomy, request, CURIES)
        self.audit(request, "taxonomy:list", None, ids=list(data))
        return data

    def get_item_permissions_check(self, request):
        taxonomy = registry.taxonomy(request.url_params["taxonomy"])
        if taxonomy is None:
            return                                   # get_item answers 404
        if not taxonomy.show_in_rest:
            raise WPError.not_allowed("rest_forbidden", request.user, "Sorry, you are not allowed to do that.")
        if request.context == "edit" and not can_assign(request.user, taxonomy):
            raise WPError.not_allowed("rest_forbidden_context", request.user, MANAGE_MESSAGE)

    def get_item(self, request):
        taxonomy = registry.taxonomy(request.url_params["taxonomy"])
        if taxonomy is None:
            raise WPError("rest_taxonomy_invalid", "Invalid taxonomy.", 404)
        self.audit(request, "taxonomy:read", None, slug=taxonomy.name)
        return self.prepare_item_for_response(taxonomy, request)

    def prepare_item_for_response(self, taxonomy, request, curies=None):
        """The taxonomy in WordPress's field order, filtered by context, with its links."""
        data = {
            "name": taxonomy.label,
            "slug": taxonomy.name,
            "capabilities": dict(taxonomy.capabilities),
            "description": taxonomy.description,
            "labels": dict(taxonomy.labels),
            "types": list(taxonomy.object_types),
            "show_cloud": taxonomy.show_tagcloud,
            "hierarchical": taxonomy.hierarchical,
            "rest_base": taxonomy.rest_base,
            "rest_namespace": taxonomy.rest_namespace,
            "visibility": {
                "public": taxonomy.public,
                "publicly_queryable": taxonomy.publicly_queryable,
                "show_admin_column": taxonomy.show_admin_column,
                "show_in_nav_menus": taxonomy.show_in_nav_menus,
                "show_in_quick_edit": taxonomy.show_in_quick_edit,
                "show_ui": taxonomy.show_ui,
            },
        }
        data = self.filter_by_context(data, request.context)
        data["_links"] = {
            "collection": [{"href": self.rest_url(request, f"{self.namespace}/{self.rest_base}")}],
            "wp:items": [{"href": self.rest_url(request, f"{taxonomy.rest_namespace}/{taxonomy.rest_base}")}],
        }
        if curies:
            data["_links"]["curies"] = curies
        return data
