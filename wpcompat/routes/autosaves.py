"""AutosavesController: /wp/v2/{posts,pages}/{id}/autosaves and /{parent}/autosaves/{id}
(WP_REST_Autosaves_Controller).

POST (edit_post on the post, the update's arguments) answers 200 in edit context: a draft or
auto-draft by the caller is saved in place (title, content, excerpt; no revision, as during
DOING_AUTOSAVE); otherwise the caller's one autosave of the post is created or replaced. GET
lists the post's autosaves (every user's, no pagination headers); GET …/autosaves/{id} is the
newest autosave of the post (WordPress ignores the id) or 404 `rest_post_no_autosave`.
Post locks (`_edit_lock`) are not kept: the in-place rule does not wait for one.
"""

from wpcompat import kses
from wpcompat.editing import posts as post_editing
from wpcompat.editing import revisions as editing
from wpcompat.errors import WPError
from wpcompat.queries import posts as post_queries
from wpcompat.queries import revisions as revision_queries
from wpcompat.responses.revisions import RevisionView, prepare_revision, revision_links
from wpcompat.rest.server import CREATABLE, READABLE, Endpoint, RestResponse
from wpcompat.routes.base import PrepareContext, context_param
from wpcompat.routes.revisions import RevisionsController
from wpcompat.schemas.posts import writable_args
from wpcompat.schemas.revisions import autosave_schema

PARENT_ARG = {"parent": {"description": "The ID for the parent of the autosave.", "type": "integer"}}


class AutosavesController(RevisionsController):
    audit_tag = "autosave"
    schema_builder = staticmethod(autosave_schema)

    def register_routes(self, server):
        server.register(self.namespace, f"/{self.parent_base}/(?P<id>[\\d]+)/autosaves", [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check,
                     {**PARENT_ARG, "context": context_param()}),
            Endpoint(CREATABLE, self.create_item, self.create_item_permissions_check,
                     {**PARENT_ARG, **writable_args(self.parent_controller.get_item_schema())}),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, f"/{self.parent_base}/(?P<parent>[\\d]+)/autosaves/(?P<id>[\\d]+)", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, {
                **PARENT_ARG, "id": {"description": "The ID for the autosave.", "type": "integer"},
                "context": context_param()}),
        ], schema=self.get_item_schema, controller=self)

    def prepare_item_for_response(self, view, ctx):
        data = self.filter_by_context(prepare_revision(view, ctx, preview=True), ctx.context)
        if ctx.included("_links") or ctx.fields is None:
            data["_links"] = revision_links(view, ctx)
        return data

    # --- reading ----------------------------------------------------------------------------
    def get_items_permissions_check(self, request, name="id", noun="autosaves"):
        super().get_items_permissions_check(request, name, noun)

    def get_items(self, request):
        parent = self.get_parent(request, "id")
        ctx = PrepareContext(self, request)
        autosaves = revision_queries.autosaves_of(parent)
        self.audit(request, "autosave:list", parent.id, parent_wp_id=parent.wp_id,
                   ids=[row.wp_id for row in autosaves])
        return [self.prepare_item_for_response(RevisionView.of_revision(row, parent), ctx) for row in autosaves]

    def get_item_permissions_check(self, request):
        RevisionsController.get_items_permissions_check(self, request, "parent", "revisions")

    def get_item(self, request):
        parent = self.get_parent(request)
        autosave = revision_queries.latest_autosave(parent)
        if autosave is None:
            raise WPError("rest_post_no_autosave", "There is no autosave revision for this post.", 404)
        self.audit(request, "autosave:read", autosave.id, wp_id=autosave.wp_id, parent_wp_id=parent.wp_id)
        return self.prepare_item_for_response(RevisionView.of_revision(autosave, parent),
                                              PrepareContext(self, request))

    # --- writing ----------------------------------------------------------------------------
    def create_item_permissions_check(self, request):
        self.parent_controller.update_item_permissions_check(request)

    def create_item(self, request):
        parent, user = self.get_parent(request, "id"), request.user
        fields = {name: editing.field_text(request.args[name])
                  for name in editing.REVISION_FIELDS if name in request.args}
        request.args["context"] = "edit"
        ctx = PrepareContext(self, request)
        if editing.is_saved_in_place(parent, user):
            post_editing.apply_fields(parent, fields, user, ctx.zone, creating=False, home=ctx.home)
            post_editing.save_existing(parent)
            self.audit(request, "autosave:update", parent.id, wp_id=parent.wp_id, in_place=True)
            view = RevisionView.of_post(post_queries.find(parent.wp_id))
        else:
            autosave = editing.autosave(parent, user, kses.for_user(fields, user, ctx.home))
            self.audit(request, "autosave:create", autosave.id, wp_id=autosave.wp_id, parent_wp_id=parent.wp_id)
            autosave.author_wp_id = user.wp_id
            view = RevisionView.of_revision(autosave, parent)
        return RestResponse(self.prepare_item_for_response(view, ctx), 200)
