"""ApplicationPasswordsController: /wp/v2/users/<id|me>/application-passwords (WP_REST_Application_Passwords_Controller).

Every action needs `edit_user` on the owner (yourself, or `edit_users`), as WordPress's
*_app_password meta capabilities map. The plain password is shown once, in the 201
of the create, in WordPress's groups of four; only its hash is kept (wpcompat.passwords).
`/introspect` names the password that authenticated this very request
(Authenticate keeps its hash in req.context.app_password_hash).
"""

import uuid

from wpcompat import passwords
from wpcompat.auth import can
from wpcompat.editing import users as editing
from wpcompat.errors import WPError
from wpcompat.models import AppPassword
from wpcompat.queries import users as user_queries
from wpcompat.responses.users import application_password_links, prepare_application_password
from wpcompat.rest.server import CREATABLE, DELETABLE, EDITABLE, READABLE, Endpoint, RestResponse
from wpcompat.routes.base import Controller, PrepareContext, context_param
from wpcompat.schemas.users import application_password_args, application_password_schema

REST_BASE = r"users/(?P<user_id>(?:[\d]+|me))/application-passwords"
NOT_FOUND = "Application password not found."


class ApplicationPasswordsController(Controller):
    rest_base = REST_BASE
    audit_tag = "app_password"

    def __init__(self):
        self._schema = application_password_schema()

    def get_item_schema(self):
        return self._schema

    def register_routes(self, server):
        base, schema = f"/{self.rest_base}", self.get_item_schema
        context = {"context": context_param()}
        server.register(self.namespace, base, [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, context),
            Endpoint(CREATABLE, self.create_item, self.create_item_permissions_check,
                     application_password_args(creating=True)),
            Endpoint(DELETABLE, self.delete_items, self.delete_items_permissions_check),
        ], schema=schema, controller=self)
        server.register(self.namespace, f"{base}/introspect", [
            Endpoint(READABLE, self.get_current_item, self.get_current_item_permissions_check, context),
        ], schema=schema, controller=self)
        server.register(self.namespace, base + r"/(?P<uuid>[\w\-]+)", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, context),
            Endpoint(EDITABLE, self.update_item, self.update_item_permissions_check,
                     application_password_args(creating=False)),
            Endpoint(DELETABLE, self.delete_item, self.delete_item_permissions_check),
        ], schema=schema, controller=self)

    # --- whose passwords, and which one ---------------------------------------------
    def get_user(self, request):
        if "owner" not in request.memo:
            user_id = request.url_params["user_id"]
            if user_id == "me":
                if not request.user.is_authenticated:
                    raise WPError("rest_not_logged_in", "You are not currently logged in.", 401)
                owner = user_queries.find_by_uuid(request.user.id)
            else:
                owner = user_queries.find(int(user_id)) if user_id.isdigit() else None
            if owner is None:
                raise WPError("rest_user_invalid_id", "Invalid user ID.", 404)
            request.memo["owner"] = owner
        return request.memo["owner"]

    def get_application_password(self, request):
        owner = self.get_user(request)
        try:
            wanted = uuid.UUID(request.url_params["uuid"])
        except ValueError:
            raise WPError("rest_application_password_not_found", NOT_FOUND, 404) from None
        item = AppPassword.select().where(AppPassword.user == owner.id, AppPassword.uuid == wanted).first()
        if item is None:
            raise WPError("rest_application_password_not_found", NOT_FOUND, 404)
        return item

    def _check(self, request, code, message):
        """edit_user on the owner (what every *_app_password meta capability maps to)."""
        owner, actor = self.get_user(request), request.user
        if not (actor.is_authenticated and (actor.id == owner.id or can(actor, "edit_users"))):
            raise WPError.not_allowed(code, actor, message)

    def prepare_item_for_response(self, request, item, new_password=None, links=True):
        data = prepare_application_password(item, new_password)
        data = self.filter_by_context(data, request.context)
        if links:
            data["_links"] = application_password_links(self.get_user(request), item,
                                                        PrepareContext(self, request).rest_root)
        return data

    # --- permissions -------------------------------------------------------------------
    def get_items_permissions_check(self, request):
        self._check(request, "rest_cannot_list_application_passwords",
                    "Sorry, you are not allowed to list application passwords for this user.")

    def get_item_permissions_check(self, request):
        self._check(request, "rest_cannot_read_application_password",
                    "Sorry, you are not allowed to read this application password.")

    def create_item_permissions_check(self, request):
        self._check(request, "rest_cannot_create_application_passwords",
                    "Sorry, you are not allowed to create application passwords for this user.")

    def update_item_permissions_check(self, request):
        self._check(request, "rest_cannot_edit_application_password",
                    "Sorry, you are not allowed to edit this application password.")

    def delete_items_permissions_check(self, request):
        self._check(request, "rest_cannot_delete_application_passwords",
                    "Sorry, you are not allowed to delete application passwords for this user.")

    def delete_item_permissions_check(self, request):
        self._check(request, "rest_cannot_delete_application_password",
                    "Sorry, you are not allowed to delete this application password.")

    def get_current_item_permissions_check(self, request):
        owner, actor = self.get_user(request), request.user
        if not (actor.is_authenticated and actor.id == owner.id):
            raise WPError.not_allowed("rest_cannot_introspect_app_password_for_non_authenticated_user", actor,
                                      "The authenticated Application Password can only be introspected for "
                                      "the current user.")

    # --- actions ---------------------------------------------------------------------------
    def get_items(self, request):
        owner = self.get_user(request)
        items = list(AppPassword.select().where(AppPassword.user == owner.id)
                     .order_by(AppPassword.created_at, AppPassword.id))
        self.audit(request, "app_password:list", owner.id, user=owner.wp_id, ids=[str(item.uuid) for item in items])
        return [self.prepare_item_for_response(request, item) for item in items]

    def get_item(self, request):
        item = self.get_application_password(request)
        self.audit(request, "app_password:read", item.id, uuid=str(item.uuid))
        return self.prepare_item_for_response(request, item)

    def create_item(self, request):
        owner = self.get_user(request)
        item, plain = editing.create_application_password(owner, request.args["name"], request.args.get("app_id"))
        self.audit(request, "app_password:create", item.id, user=owner.wp_id, uuid=str(item.uuid))
        request.args["context"] = "edit"
        data = self.prepare_item_for_response(request, item, passwords.chunked(plain))
        return self.created(data, data["_links"]["self"][0]["href"])

    def update_item(self, request):
        item = self.get_application_password(request)
        editing.rename_application_password(item, request.args.get("name"))
        self.audit(request, "app_password:update", item.id, uuid=str(item.uuid))
        request.args["context"] = "edit"
        return self.prepare_item_for_response(request, item)

    def delete_items(self, request):
        owner = self.get_user(request)
        count = editing.delete_application_passwords(owner)
        self.audit(request, "app_password:delete", owner.id, user=owner.wp_id, all=True, count=count)
        return {"deleted": True, "count": count}

    def delete_item(self, request):
        item = self.get_application_password(request)
        request.args["context"] = "edit"
        previous = self.prepare_item_for_response(request, item, links=False)
        editing.delete_application_password(item)
        self.audit(request, "app_password:delete", item.id, uuid=str(item.uuid))
        return {"deleted": True, "previous": previous}

    def get_current_item(self, request):
        owner = self.get_user(request)
        hashed = getattr(request.http.context, "app_password_hash", None) if request.http is not None else None
        if not hashed:
            raise WPError("rest_no_authenticated_app_password", "Cannot introspect Application Password.", 404)
        item = AppPassword.select().where(AppPassword.user == owner.id,
                                          AppPassword.password_hash == hashed).first()
        if item is None:
            raise WPError("rest_application_password_not_found", NOT_FOUND, 500)
        self.audit(request, "app_password:read", item.id, uuid=str(item.uuid), introspect=True)
        return RestResponse(self.prepare_item_for_response(request, item))
