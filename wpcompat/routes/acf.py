"""AcfController: the "ACF to REST API" plugin's routes (spec/acf.md §4; Format B), namespace acf/v3.

- GET /acf/v3/{base}: the matching /wp/v2 collection (same query args, plugin defaults page=1,
  per_page=10, orderby=id) as [{"id", "acf"}], without pagination headers;
- GET /acf/v3/{base}/{id}[/{field}]: {"acf": {...}} or {field: value}; an id that does not exist
  for the caller, id 0, or no group: {"acf": []} (200, never 404);
- POST/PUT/PATCH the same with {"fields": {...}}: edit_posts (401/403 rest_forbidden), names only,
  no schema validation (healthcare validation_rules do apply); failure: 500 cant_update_item;
- /acf/v3/options/{id}[/{field}] likewise for options pages;
- GET /acf/v3/field-groups: the tenant's field groups in ACF's export format (manage_options).
Values are ACF's standard format; every group whose location matches counts (no show_in_rest).
"""

from wpcompat.acf import definitions, location, owners, reading, writing
from wpcompat.auth import can
from wpcompat.errors import WPError
from wpcompat.models import AcfFieldGroup
from wpcompat.rest.request import RestRequest
from wpcompat.rest.server import EDITABLE, READABLE, Endpoint
from wpcompat.routes.base import Controller

ITEM = r"/(?P<id>[\d]+)/?(?P<field>[\w\-\_]+)?"
OPTIONS_ITEM = r"/options/(?P<id>[\w\-\_]+)/?(?P<field>[\w\-\_]+)?"
DEFAULT_PARAMS = {"page": 1, "per_page": 10, "orderby": "id"}
FORBIDDEN = "Sorry, you are not allowed to do that."
GLOBAL = ("_envelope", "_embed", "_jsonp", "_fields", "_method")


class AcfController(Controller):
    namespace = "acf/v3"
    audit_tag = "acf"

    def register_routes(self, server):
        self.server = server
        for base, (kind, sub_type) in owners.KINDS.items():
            server.register(self.namespace, f"/{base}", [
                Endpoint(READABLE, self._collection(base, kind, sub_type))], controller=self)
            server.register(self.namespace, f"/{base}{ITEM}", self._item_endpoints(kind, sub_type), controller=self)
        server.register(self.namespace, OPTIONS_ITEM, self._item_endpoints("option", None), controller=self)
        server.register(self.namespace, "/field-groups", [
            Endpoint(READABLE, self.get_field_groups, self.get_field_groups_permissions_check)], controller=self)

    def _item_endpoints(self, kind, sub_type):
        return [Endpoint(READABLE, lambda request: self.get_item(request, kind, sub_type)),
                Endpoint(EDITABLE, lambda request: self.update_item(request, kind, sub_type),
                         self.update_item_permissions_check)]

    # --- reading ----------------------------------------------------------------------------
    def _collection(self, base, kind, sub_type):
        return lambda request: self.get_items(request, base, kind, sub_type)

    def get_items(self, request, base, kind, sub_type):
        """The plugin runs the /wp/v2 collection and keeps each item's id and acf."""
        params = {key: value for key, value in {**DEFAULT_PARAMS, **request.query}.items() if key not in GLOBAL}
        params["_fields"] = "id"
        inner = RestRequest.internal(request, "GET", f"/wp/v2/{base}", params=params)
        listed = self.server.dispatch(inner).data
        objects = owners.by_ids(kind, sub_type, [item["id"] for item in listed], request.user)
        found = reading.read(request, kind, sub_type, objects, rest_only=False, standard=True)
        self.audit(request, "acf:list", None, object=kind, ids=[obj.wp_id for obj in objects])
        return [{"id": obj.wp_id, "acf": value} for obj, (value, _links) in zip(objects, found)]

    def get_item(self, request, kind, sub_type):
        owner = self._owner(request, kind, sub_type)
        if owner is not None:
            self.audit(request, "acf:read", _uuid(kind, owner), object=kind, wp_id=_wp_id(kind, owner))
        return self._answer(request, kind, sub_type, owner)

    def _owner(self, request, kind, sub_type):
        if not _has_id(kind, request):
            return None
        return owners.find(kind, sub_type, request.url_params.get("id"), request.user)

    def _answer(self, request, kind, sub_type, owner):
        """{"acf": values} or, for /{field}, {field: value} (null when unknown) — the plugin's shapes."""
        field = request.url_params.get("field")
        if owner is None:
            return {field: None} if field and _has_id(kind, request) else {"acf": []}
        value, _links = reading.read(request, kind, sub_type, [owner], rest_only=False, standard=True)[0]
        if field:
            return {field: value.get(field) if isinstance(value, dict) else None}
        return {"acf": value}

    # --- writing ----------------------------------------------------------------------------
    def update_item_permissions_check(self, request):
        if not can(request.user, "edit_posts"):
            raise WPError.not_allowed("rest_forbidden", request.user, FORBIDDEN)

    def update_item(self, request, kind, sub_type):
        owner = self._owner(request, kind, sub_type)
        fields = request.get("fields")
        if owner is None or not isinstance(fields, dict) or not self._has_groups(request, kind, sub_type, owner):
            raise WPError("cant_update_item", "Cannot update item", 500)
        if not owners.may_edit(kind, owner, request.user):
            raise WPError.not_allowed("rest_forbidden", request.user, FORBIDDEN)
        field = request.url_params.get("field")
        if field and field in fields:
            fields = {field: fields[field]}
        pending = writing.check(request, kind, sub_type, owner, fields, False, "fields")
        pending.save(owner)
        self.audit(request, "acf:update", _uuid(kind, owner), object=kind, wp_id=_wp_id(kind, owner),
                   fields=[item.name for item, _value in pending.items])
        return self._answer(request, kind, sub_type, owner)

    @staticmethod
    def _has_groups(request, kind, sub_type, owner):
        registry = definitions.for_request(request)
        target = reading.targets(kind, sub_type, [owner], registry)[0]
        return bool(reading.fields_of(location.groups_for(registry, target, rest_only=False)))

    # --- field groups -------------------------------------------------------------------------
    def get_field_groups_permissions_check(self, request):
        if not can(request.user, "manage_options"):
            raise WPError.not_allowed("rest_forbidden", request.user, FORBIDDEN)

    def get_field_groups(self, request):
        groups = list(AcfFieldGroup.select().order_by(AcfFieldGroup.menu_order, AcfFieldGroup.title,
                                                      AcfFieldGroup.key))
        self.audit(request, "acf:list", None, object="field_group", keys=[group.key for group in groups])
        return [group.source or {"key": group.key, "title": group.title, "fields": [], "location": group.location}
                for group in groups]


def _has_id(kind, request):
    """Options ids are names; other ids are positive integers (the plugin's get_id)."""
    return kind == "option" or int(request.url_params.get("id") or 0) > 0


def _uuid(kind, owner):
    return None if kind == "option" else owner.id


def _wp_id(kind, owner):
    return owner if kind == "option" else owner.wp_id
