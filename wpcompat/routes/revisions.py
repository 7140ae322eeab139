"""RevisionsController: /wp/v2/{posts,pages}/{parent}/revisions[/{id}] (WP_REST_Revisions_Controller).

Who may see a post's revisions is who may edit the post (edit_post on the parent, 401/403
`rest_cannot_read`); a parent that does not exist for the caller — another tenant's, another
type's, or of a compliance level they may not see — is 404 `rest_post_invalid_parent`.
Revisions have no trash: DELETE needs force=true (501 `rest_trash_not_supported`) and
delete_post on the parent. The list has no default page size: every revision is returned.
"""

from wpcompat import permissions
from wpcompat.editing import revisions as editing
from wpcompat.errors import WPError
from wpcompat.queries import posts as post_queries
from wpcompat.queries import revisions as revision_queries
from wpcompat.responses.media import content_images
from wpcompat.responses.revisions import RevisionView, prepare_revision, revision_links
from wpcompat.rest.server import DELETABLE, READABLE, Endpoint, RestResponse
from wpcompat.routes.base import Controller, PrepareContext, check_orderby, context_param
from wpcompat.schemas.revisions import revision_schema

PARENT_ARG = {"parent": {"description": "The ID for the parent of the revision.", "type": "integer"}}
ORDERBY = ["date", "id", "include", "relevance", "slug", "include_slugs", "title"]


class RevisionsController(Controller):
    audit_tag = "revision"
    schema_builder = staticmethod(revision_schema)

    def __init__(self, parent_controller):
        self.parent_controller = parent_controller
        self.post_type = parent_controller.post_type
        self.parent_base = parent_controller.rest_base
        self._schema = self.schema_builder(parent_controller.get_item_schema(), self.post_type)

    def get_item_schema(self):
        return self._schema

    def register_routes(self, server):
        base = f"/{self.parent_base}/(?P<parent>[\\d]+)/revisions"
        server.register(self.namespace, base, [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check,
                     {**PARENT_ARG, **self.get_collection_params()}),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, base + r"/(?P<id>[\d]+)", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, {
                **PARENT_ARG, "id": {"description": "Unique identifier for the revision.", "type": "integer"},
                "context": context_param()}),
            Endpoint(DELETABLE, self.delete_item, self.delete_item_permissions_check, {
                **PARENT_ARG, "id": {"description": "Unique identifier for the revision.", "type": "integer"},
                "force": {"type": "boolean", "default": False,
                          "description": "Required to be true, as revisions do not support trashing."}}),
        ], schema=self.get_item_schema, controller=self)

    def get_collection_params(self):
        ids = {"type": "array", "items": {"type": "integer"}, "default": []}
        return {
            "context": context_param(),
            "page": {"description": "Current page of the collection.", "type": "integer", "default": 1,
                     "minimum": 1},
            "per_page": {"description": "Maximum number of items to be returned in result set.",
                         "type": "integer", "minimum": 1, "maximum": 100},
            "search": {"description": "Limit results to those matching a string.", "type": "string"},
            "exclude": {**ids, "description": "Ensure result set excludes specific IDs."},
            "include": {**ids, "description": "Limit result set to specific IDs."},
            "offset": {"description": "Offset the result set by a specific number of items.", "type": "integer"},
            "order": {"description": "Order sort attribute ascending or descending.", "type": "string",
                      "default": "desc", "enum": ["asc", "desc"]},
            "orderby": {"description": "Sort collection by object attribute.", "type": "string", "default": "date",
                        "enum": ORDERBY},
        }

    # --- the parent and the revision ----------------------------------------------------------
    def get_parent(self, request, name="parent"):
        """The parent post of this type, as the caller may see it, or 404 rest_post_invalid_parent."""
        key = f"parent:{name}"
        if key not in request.memo:
            wp_id = int(request.url_params.get(name) or 0)
            post = post_queries.find(wp_id, self.post_type) if wp_id > 0 else None
            if post is None or not permissions.may_see_level(request.user, post.compliance_level):
                raise WPError("rest_post_invalid_parent", "Invalid post parent ID.", 404)
            request.memo[key] = post
        return request.memo[key]

    @staticmethod
    def get_revision(request):
        revision = revision_queries.find(int(request.url_params["id"]))
        if revision is None:
            raise WPError("rest_post_invalid_id", "Invalid revision ID.", 404)
        return revision

    @staticmethod
    def check_belongs(revision, parent):
        if revision.post_id != parent.id:
            raise WPError("rest_revision_parent_id_mismatch",
                          f'The revision does not belong to the specified parent with id of "{parent.wp_id}"', 404)

    # --- reading ----------------------------------------------------------------------------
    def get_items_permissions_check(self, request, name="parent", noun="revisions"):
        parent = self.get_parent(request, name)
        if not permissions.can_edit_post(request.user, parent):
            raise WPError.not_allowed("rest_cannot_read", request.user,
                                      f"Sorry, you are not allowed to view {noun} of this post.")

    def get_item_permissions_check(self, request):
        self.get_items_permissions_check(request)

    def get_items(self, request):
        parent, args = self.get_parent(request), request.args
        check_orderby(args)
        query, matching = revision_queries.of_post(parent, args)
        total = matching.count()
        per_page, page, given_offset = args.get("per_page"), args.get("page") or 1, args.get("offset") or 0
        if per_page:
            pages = -(-total // per_page)
            query = query.limit(per_page).offset(given_offset or (page - 1) * per_page)
        else:
            pages = 1 if total else 0
            query = query.offset(given_offset) if given_offset else query
        if total:
            if given_offset >= total:
                raise WPError("rest_revision_invalid_offset_number", "The offset number requested is larger than "
                              "or equal to the number of available revisions.", 400)
            if not args.get("offset") and page > pages:
                raise WPError("rest_revision_invalid_page_number",
                              "The page number requested is larger than the number of pages available.", 400)
        ctx = PrepareContext(self, request)
        revisions = list(query.objects())
        views = [RevisionView.of_revision(row, parent) for row in revisions]
        content_images(ctx, [text for view in views for text in (view.content, view.excerpt)])   # one lookup
        data = [self.prepare_item_for_response(view, ctx) for view in views]
        self.audit(request, "revision:list", parent.id, parent_wp_id=parent.wp_id,
                   ids=[row.wp_id for row in revisions], total=total)
        headers = self.paginate(request, total, per_page or max(total, 1), page)
        headers["X-WP-TotalPages"] = str(pages)
        return RestResponse(data, 200, headers)

    def prepare_item_for_response(self, view, ctx):
        data = self.filter_by_context(prepare_revision(view, ctx), ctx.context)
        if ctx.included("_links") or ctx.fields is None:
            data["_links"] = revision_links(view, ctx)
        return data

    def get_item(self, request):
        parent = self.get_parent(request)
        revision = self.get_revision(request)
        self.check_belongs(revision, parent)
        self.audit(request, "revision:read", revision.id, wp_id=revision.wp_id, parent_wp_id=parent.wp_id)
        return self.prepare_item_for_response(RevisionView.of_revision(revision, parent),
                                              PrepareContext(self, request))

    # --- deleting ---------------------------------------------------------------------------
    def delete_item_permissions_check(self, request):
        parent = self.get_parent(request)
        if not permissions.can_delete_post(request.user, parent):
            raise WPError.not_allowed("rest_cannot_delete", request.user,
                                      "Sorry, you are not allowed to delete revisions of this post.")
        revision = self.get_revision(request)
        self.get_items_permissions_check(request)
        self.check_belongs(revision, parent)

    def delete_item(self, request):
        parent, revision = self.get_parent(request), self.get_revision(request)
        if not request.args.get("force"):
            raise WPError("rest_trash_not_supported", "Revisions do not support trashing. Set 'force=true' to "
                                                      "delete.", 501)
        previous = self.prepare_item_for_response(RevisionView.of_revision(revision, parent),
                                                  PrepareContext(self, request))
        previous.pop("_links", None)
        editing.delete(revision)
        self.audit(request, "revision:delete", revision.id, wp_id=revision.wp_id, parent_wp_id=parent.wp_id,
                   force=True)
        return RestResponse({"deleted": True, "previous": previous}, 200)
