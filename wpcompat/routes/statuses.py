"""StatusesController: /wp/v2/statuses and /wp/v2/statuses/{status} (WP_REST_Post_Statuses_Controller).

A status is visible when it is public (publish), or — for the non-internal statuses and
trash — to users who may edit posts of some type. Anonymous callers therefore see only
`publish`; contributors and up see publish, future, draft, pending, private and trash.
The collection is a JSON object keyed by slug. As in WordPress, a single status needs no
extra right for `context=edit` beyond being visible.
"""

from wpcompat import registry
from wpcompat.errors import WPError
from wpcompat.rest.server import READABLE, Endpoint
from wpcompat.routes.base import Controller, context_param
from wpcompat.routes.types import can_edit_some_type

VEM = ["embed", "view", "edit"]
VE = ["view", "edit"]
E = ["edit"]


def _prop(description, type_, context):
    return {"description": description, "type": type_, "context": context, "readonly": True}


STATUS_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "status",
    "type": "object",
    "properties": {
        "name": _prop("The title for the status.", "string", VEM),
        "private": _prop("Whether posts with this status should be private.", "boolean", E),
        "protected": _prop("Whether posts with this status should be protected.", "boolean", E),
        "public": _prop("Whether posts of this status should be shown in the front end of the site.", "boolean", VE),
        "queryable": _prop("Whether posts with this status should be publicly-queryable.", "boolean", VE),
        "show_in_list": _prop("Whether to include posts in the edit listing for their post type.", "boolean", E),
        "slug": _prop("An alphanumeric identifier for the status.", "string", VEM),
        "date_floating": _prop("Whether posts of this status may have floating published dates.", "boolean", VE),
    },
}


def can_read_status(user, status):
    """check_read_permission: public statuses for all; the others (not internal, or trash) for editors of posts."""
    if status.public:
        return True
    if not status.internal or status.name == "trash":
        return can_edit_some_type(user)
    return False


class StatusesController(Controller):
    rest_base = "statuses"
    audit_tag = "status"

    def get_item_schema(self):
        return STATUS_SCHEMA

    def get_collection_params(self):
        return {"context": context_param()}

    def register_routes(self, server):
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, self.get_collection_params()),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, f"/{self.rest_base}" + r"/(?P<status>[\w-]+)", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, {
                "status": {"description": "An alphanumeric identifier for the status.", "type": "string"},
                "context": context_param()}),
        ], schema=self.get_item_schema, controller=self)

    # --- reading ------------------------------------------------------------------------
    def get_items_permissions_check(self, request):
        if request.context == "edit" and not can_edit_some_type(request.user):
            raise WPError.not_allowed("rest_cannot_view", request.user,
                                      "Sorry, you are not allowed to manage post statuses.")

    def get_items(self, request):
        listed = [status for status in registry.POST_STATUSES.values() if not status.internal]
        listed.append(registry.post_status("trash"))
        data = {status.name: self.prepare_item_for_response(status, request)
                for status in listed if can_read_status(request.user, status)}
        self.audit(request, "status:list", None, ids=list(data))
        return data

    def get_item_permissions_check(self, request):
        status = registry.post_status(request.url_params["status"])
        if status is None:
            raise WPError("rest_status_invalid", "Invalid status.", 404)
        if not can_read_status(request.user, status):
            raise WPError.not_allowed("rest_cannot_read_status", request.user, "Cannot view status.")

    def get_item(self, request):
        status = registry.post_status(request.url_params["status"])
        self.audit(request, "status:read", None, slug=status.name)
        return self.prepare_item_for_response(status, request)

    def prepare_item_for_response(self, status, request):
        data = {
            "name": status.label,
            "private": status.private,
            "protected": status.protected,
            "public": status.public,
            "queryable": status.publicly_queryable,
            "show_in_list": status.show_in_admin_all_list,
            "slug": status.name,
            "date_floating": status.date_floating,
        }
        data = self.filter_by_context(data, request.context)
        archives = self.rest_url(request, f"{self.namespace}/{registry.post_type('post').rest_base}")
        if status.name != "publish":
            archives += f"?status={status.name}"
        data["_links"] = {"archives": [{"href": archives}]}
        return data
