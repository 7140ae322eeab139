"""UsersController: /wp/v2/users, /users/<id> and /users/me (WP_REST_Users_Controller).

Who sees whom (queries/users.py): callers without `list_users` see only users with
published content they could read, and only in view/embed context — anonymous
callers cannot enumerate accounts. Another tenant's user, and a deleted one, is the
same 404 as a missing id. Writes follow WordPress's rules: `create_users` to create,
`edit_user` (self, or `edit_users`) to edit, `promote_users` for roles, `delete_users`
to delete; deleting keeps the row soft-deleted for the audit (editing/users.py).
"""

from wpcompat import acf, kses
from wpcompat.auth import can
from wpcompat.editing import users as editing
from wpcompat.errors import WPError
from wpcompat.queries import users as user_queries
from wpcompat.responses.users import finish_meta, prepare_user, user_links
from wpcompat.rest.server import CREATABLE, DELETABLE, EDITABLE, READABLE, Endpoint, RestResponse
from wpcompat.rest.validation import PublishedArg
from wpcompat.routes.base import Controller, PrepareContext, bounded_offset, context_param, pagination_params
from wpcompat.schemas.users import collection_params, delete_args, user_schema, writable_args

ID_PATTERN = r"/(?P<id>[\d]+)"
CANNOT_LIST = "Sorry, you are not allowed to list users."

ARG_HOOKS = {
    "username": {"sanitize": editing.check_username},
    "name": {"sanitize": kses.sanitize_text_field},
    "first_name": {"sanitize": kses.sanitize_text_field},
    "last_name": {"sanitize": kses.sanitize_text_field},
    "nickname": {"sanitize": kses.sanitize_text_field},
    "url": {"sanitize": editing.sanitize_url},
    "slug": {"sanitize": editing.sanitize_slug},
    "roles": {"validate": editing.check_roles},
    "password": {"sanitize": editing.check_user_password},
}


def can_edit_user(actor, user):
    """map_meta_cap('edit_user'): yourself always, anyone else with edit_users."""
    return actor.is_authenticated and (actor.id == user.id or can(actor, "edit_users"))


class UsersController(Controller):
    rest_base = "users"
    audit_tag = "user"

    def __init__(self):
        self._schema = user_schema()

    def get_item_schema(self):
        return self._schema

    # --- routes -----------------------------------------------------------------
    def register_routes(self, server):
        schema, base = acf.schema_for(self.get_item_schema, "user", "user"), f"/{self.rest_base}"
        id_arg = {"id": {"description": "Unique identifier for the user.", "type": "integer"}}
        server.register(self.namespace, base, [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, self.get_collection_params()),
            Endpoint(CREATABLE, self.create_item, self.create_item_permissions_check, self._writable(True)),
        ], schema=schema, controller=self)
        server.register(self.namespace, base + ID_PATTERN, [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, {**id_arg,
                                                                                "context": context_param()}),
            Endpoint(EDITABLE, self.update_item, self.update_item_permissions_check,
                     {**id_arg, **self._writable(False)}),
            Endpoint(DELETABLE, self.delete_item, self.delete_item_permissions_check, self._delete_args(True)),
        ], schema=schema, controller=self)
        server.register(self.namespace, f"{base}/me", [
            Endpoint(READABLE, self.get_current_item, None, {"context": context_param()}),
            Endpoint(EDITABLE, self.update_item, self.update_item_permissions_check, self._writable(False)),
            Endpoint(DELETABLE, self.delete_item, self.delete_item_permissions_check, self._delete_args(False)),
        ], schema=schema, controller=self)

    def _writable(self, creating):
        return writable_args(self._schema, creating, ARG_HOOKS)

    @staticmethod
    def _delete_args(with_id):
        args = delete_args(with_id)
        args["reassign"] = PublishedArg({      # check_reassign takes false, 'false', '' or an id
            "type": "integer", "required": True, "sanitize": editing.check_reassign,
            "description": "Reassign the deleted user's posts and links to this user ID."})
        return args

    def get_collection_params(self):
        return collection_params(pagination_params())

    # --- the user a request is about --------------------------------------------------
    def get_user(self, request):
        """The URL's user (or the caller, on /users/me); 404 rest_user_invalid_id otherwise."""
        if "user" not in request.memo:
            if "id" in request.url_params:
                user = user_queries.find(int(request.url_params["id"]))
            else:
                user = user_queries.find_by_uuid(request.user.id) if request.user.is_authenticated else None
            if user is None:
                raise WPError("rest_user_invalid_id", "Invalid user ID.", 404)
            request.memo["user"] = user
        return request.memo["user"]

    def prepare_item_for_response(self, user, ctx, links=True):
        data = finish_meta(self.filter_by_context(prepare_user(user, ctx), ctx.context))
        if links and (ctx.fields is None or ctx.included("_links") or ctx.included("_embedded")):
            data["_links"] = user_links(user, ctx)
        return data

    def _edit_view(self, request, user, links=True):
        request.args["context"] = "edit"
        ctx = PrepareContext(self, request)
        return acf.attach(ctx, "user", "user", [user], [self.prepare_item_for_response(user, ctx, links)])[0]

    # --- reading ----------------------------------------------------------------
    def get_items_permissions_check(self, request):
        args, user = request.args, request.user
        may_list = can(user, "list_users")
        if args.get("roles") and not may_list:
            raise WPError.not_allowed("rest_user_cannot_view", user,
                                      "Sorry, you are not allowed to filter users by role.")
        if args.get("capabilities") and not may_list:
            raise WPError.not_allowed("rest_user_cannot_view", user,
                                      "Sorry, you are not allowed to filter users by capability.")
        if request.context == "edit" and not may_list:
            raise WPError.not_allowed("rest_forbidden_context", user, CANNOT_LIST)
        if args.get("orderby") in ("email", "registered_date") and not may_list:
            raise WPError.not_allowed("rest_forbidden_orderby", user,
                                      "Sorry, you are not allowed to order users by this parameter.")
        if args.get("who") == "authors" and not (can(user, "edit_posts") or can(user, "edit_pages")):
            raise WPError.not_allowed("rest_forbidden_who", user,
                                      "Sorry, you are not allowed to query users by this parameter.")

    def get_items(self, request):
        args, viewer = request.args, request.user
        may_list = can(viewer, "list_users")
        published_only = None
        if args.get("who") != "authors" and not may_list:
            published_only = user_queries.PUBLISHED_TYPES          # no enumeration without list_users
        wanted = args.get("has_published_posts")
        if wanted:
            published_only = wanted if isinstance(wanted, list) else user_queries.PUBLISHED_TYPES
        per_page = args["per_page"]
        offset = bounded_offset(args["offset"] if args.get("offset") else (args["page"] - 1) * per_page)
        total, users = user_queries.collection(viewer, args, published_only, may_list, offset, per_page)
        ctx = PrepareContext(self, request)
        data = acf.attach(ctx, "user", "user", users, [self.prepare_item_for_response(user, ctx) for user in users])
        self.audit(request, "user:list", None, ids=[user.wp_id for user in users], total=total)
        return RestResponse(data, 200, self.paginate(request, total, per_page, -(-offset // per_page) + 1))

    def get_item_permissions_check(self, request):
        user, viewer = self.get_user(request), request.user
        if viewer.is_authenticated and viewer.id == user.id:
            return
        may_list = can(viewer, "list_users")
        if request.context == "edit" and not may_list:
            raise WPError.not_allowed("rest_user_cannot_view", viewer, CANNOT_LIST)
        if not may_list and not can_edit_user(viewer, user) and \
                not user_queries.has_published_posts(user, viewer):
            raise WPError.not_allowed("rest_user_cannot_view", viewer, CANNOT_LIST)

    def get_item(self, request):
        user = self.get_user(request)
        self.audit(request, "user:read", user.id, wp_id=user.wp_id)
        ctx = PrepareContext(self, request)
        return acf.attach(ctx, "user", "user", [user], [self.prepare_item_for_response(user, ctx)])[0]

    def get_current_item(self, request):
        if not request.user.is_authenticated:
            raise WPError("rest_not_logged_in", "You are not currently logged in.", 401)
        return self.get_item(request)

    # --- writing ------------------------------------------------------------------
    def create_item_permissions_check(self, request):
        if not can(request.user, "create_users"):
            raise WPError.not_allowed("rest_cannot_create_user", request.user,
                                      "Sorry, you are not allowed to create new users.")

    def create_item(self, request):
        if request.get("id"):
            raise WPError("rest_user_exists", "Cannot create existing user.", 400)
        if request.args.get("roles"):
            editing.check_role_update(request.user, None, request.args["roles"])
        fields = acf.check_input(request, "user", "user", None)
        user = editing.create(request.args)
        fields.save(user)
        self.audit(request, "user:create", user.id, wp_id=user.wp_id)
        return self.created(self._edit_view(request, user), self.rest_url(request, f"wp/v2/users/{user.wp_id}"))

    def update_item_permissions_check(self, request):
        user, actor = self.get_user(request), request.user
        if request.args.get("roles"):
            if not can(actor, "promote_users"):
                raise WPError.not_allowed("rest_cannot_edit_roles", actor,
                                          "Sorry, you are not allowed to edit roles of this user.")
            if set(request.args) - {"id"} == {"roles"}:
                return                             # only a role change: promote_user is enough
        if not can_edit_user(actor, user):
            raise WPError.not_allowed("rest_cannot_edit", actor, "Sorry, you are not allowed to edit this user.")

    def update_item(self, request):
        user = self.get_user(request)
        editing.check_update(user, request.args, request.user)
        fields = acf.check_input(request, "user", "user", user)
        editing.update(user, request.args)
        fields.save(user)
        self.audit(request, "user:update", user.id, wp_id=user.wp_id,
                   fields=sorted(name for name in request.args if name not in ("id", "password")))
        return self._edit_view(request, user)

    def delete_item_permissions_check(self, request):
        self.get_user(request)
        if not can(request.user, "delete_users"):
            raise WPError.not_allowed("rest_user_cannot_delete", request.user,
                                      "Sorry, you are not allowed to delete this user.")

    def delete_item(self, request):
        user, args = self.get_user(request), request.args
        if not args.get("force"):
            raise WPError("rest_trash_not_supported",
                          "Users do not support trashing. Set 'force=true' to delete.", 501)
        reassign_to = None
        if args.get("reassign"):
            reassign_to = user_queries.find(args["reassign"])
            if reassign_to is None or reassign_to.id == user.id:
                raise WPError("rest_user_invalid_reassign", "Invalid user ID for reassignment.", 400)
        previous = self._edit_view(request, user, links=False)
        editing.delete(user, reassign_to, request.user)
        request.memo.pop("user", None)      # gone: no method is allowed on it any more (no Allow header)
        self.audit(request, "user:delete", user.id, wp_id=user.wp_id, login=user.login, email=user.email,
                   reassign=reassign_to.wp_id if reassign_to else None)
        return {"deleted": True, "previous": previous}
