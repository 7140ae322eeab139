"""MediaController: reading /wp/v2/media (WP_REST_Attachments_Controller).

Uploads, updates and deletes come with their own issue: until then only GET routes
are registered, so `Allow` says GET to everyone.

Visibility (queries/media.py): PHI media and media attached to posts of a compliance
level the caller may not see do not exist for them (404, never counted, never
embedded — a post's wp:featuredmedia embed dispatches GET /media/<id> as the same
caller); media attached to an unreadable post are 401/403, as WordPress answers.
"""

from wpcompat import acf, permissions
from wpcompat.auth import can
from wpcompat.errors import WPError
from wpcompat.queries import media as media_queries
from wpcompat.responses.media import MediaRelations, attachment_link, media_links, prepare_media
from wpcompat.rest.server import READABLE, Endpoint, RestResponse
from wpcompat.rest.validation import ParamError
from wpcompat.routes.base import (Controller, PrepareContext, context_param, order_params, parent_params,
                                  post_collection_params)
from wpcompat.schemas.media import MEDIA_STATUSES, MEDIA_TYPES, media_schema

ID_PATTERN = r"/(?P<id>[\d]+)"
ORDERBY = ["author", "date", "id", "include", "modified", "parent", "relevance", "slug", "include_slugs", "title"]


class MediaController(Controller):
    rest_base = "media"
    audit_tag = "media"

    def __init__(self):
        self._schema = media_schema()

    def get_item_schema(self):
        return self._schema

    def register_routes(self, server):
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, self.get_collection_params()),
        ], schema=acf.schema_for(self.get_item_schema, "media", "attachment"), controller=self)
        server.register(self.namespace, f"/{self.rest_base}{ID_PATTERN}", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, {
                "id": {"description": "Unique identifier for the post.", "type": "integer"},
                "context": context_param()}),
        ], schema=acf.schema_for(self.get_item_schema, "media", "attachment"), controller=self)

    def get_collection_params(self):
        params = post_collection_params()
        params.update(order_params(ORDERBY))
        params.update(parent_params())
        params.update({
            "slug": {"description": "Limit result set to posts with one or more specific slugs.", "type": "array",
                     "items": {"type": "string"}},
            "status": {"default": "inherit", "description": "Limit result set to posts assigned one or more "
                       "statuses.", "type": "array", "items": {"enum": MEDIA_STATUSES, "type": "string"},
                       "sanitize": self._sanitize_statuses},
            # WordPress documents `"default": null` for these two; a null default means "absent".
            "media_type": {"description": "Limit result set to attachments of a particular media type or media "
                           "types.", "type": "array", "items": {"type": "string", "enum": MEDIA_TYPES}},
            "mime_type": {"description": "Limit result set to attachments of a particular MIME type or MIME "
                          "types.", "type": "array", "items": {"type": "string"}},
        })
        return params

    @staticmethod
    def _sanitize_statuses(statuses, request):
        """sanitize_post_statuses: a status other than inherit needs the right to read it."""
        for status in statuses:
            if not media_queries.may_use_status(request.user, status):
                raise ParamError("rest_forbidden_status", "Status is forbidden.",
                                 {"status": 403 if request.user.is_authenticated else 401})
        return statuses

    # --- the collection -----------------------------------------------------------------
    def get_items_permissions_check(self, request):
        if request.context == "edit" and not can(request.user, "edit_posts"):
            raise WPError.not_allowed("rest_forbidden_context", request.user,
                                      "Sorry, you are not allowed to edit posts in this post type.")

    def get_items(self, request):
        args = request.args
        if args.get("orderby") == "relevance" and not args.get("search"):
            raise WPError("rest_no_search_term_defined",
                          "You need to define a search term to order by relevance.", 400)
        if args.get("orderby") == "include" and not args.get("include"):
            raise WPError("rest_orderby_include_missing_include",
                          "You need to define an include parameter to order by include.", 400)
        ctx = PrepareContext(self, request)
        query, matching = media_queries.collection(request.user, args, ctx.zone)
        total = matching.count()
        per_page, page = args["per_page"], args["page"]
        offset = args["offset"] if args.get("offset") is not None else (page - 1) * per_page
        if total and page > -(-total // per_page):
            raise WPError("rest_post_invalid_page_number",
                          "The page number requested is larger than the number of pages available.", 400)
        items = list(query.limit(per_page).offset(offset).objects())
        if request.context == "edit":
            items = [item for item in items if self.can_edit(request.user, item)]
        relations = MediaRelations(items)
        data = acf.attach(ctx, "media", "attachment", items,
                          [self.prepare_item_for_response(item, ctx, relations) for item in items])
        self.audit(request, "media:list", None, ids=[item.wp_id for item in items], total=total)
        return RestResponse(data, 200, self.paginate(request, total, per_page, page))

    def prepare_item_for_response(self, media, ctx, relations):
        data = self.filter_by_context(prepare_media(media, ctx, relations), ctx.context)
        if ctx.fields is None or ctx.included("_links") or ctx.included("_embedded"):
            data["_links"] = media_links(media, ctx, relations)
        return data

    # --- one item -----------------------------------------------------------------------
    @staticmethod
    def can_edit(user, media):
        """edit_post on an attachment: editors edit all; uploaders with upload_files their own."""
        if not user.is_authenticated or (media.contains_phi and not media_queries.may_see_phi(user)):
            return False
        if can(user, "edit_others_posts"):
            return True
        return media.uploaded_by_id == user.id and can(user, "upload_files")

    def get_media(self, request):
        """(media, parent post) of the URL's id, or 404 — for what the caller may not know of too."""
        if "media" not in request.memo:
            media = media_queries.find(int(request.url_params["id"]))
            parent = media_queries.parent_of(media) if media is not None else None
            if media is None or not self._exists_for(request.user, media, parent):
                raise WPError("rest_post_invalid_id", "Invalid post ID.", 404)
            request.memo["media"] = (media, parent)
        return request.memo["media"]

    @staticmethod
    def _exists_for(user, media, parent):
        if media.contains_phi and not media_queries.may_see_phi(user):
            return False
        return parent is None or permissions.may_see_level(user, parent.compliance_level)

    @staticmethod
    def can_read(user, media, parent):
        """check_read_permission for `inherit`: the parent's readability; the uploader always."""
        if parent is None or (user.is_authenticated and media.uploaded_by_id == user.id):
            return True
        return permissions.can_read_post(user, parent)

    def get_item_permissions_check(self, request):
        media, parent = self.get_media(request)
        if request.context == "edit" and not self.can_edit(request.user, media):
            raise WPError.not_allowed("rest_forbidden_context", request.user,
                                      "Sorry, you are not allowed to edit this post.")
        if not self.can_read(request.user, media, parent):
            raise WPError.not_allowed("rest_forbidden", request.user, "Sorry, you are not allowed to do that.")

    def get_item(self, request):
        media, _parent = self.get_media(request)
        ctx = PrepareContext(self, request)
        relations = MediaRelations([media])
        self.audit(request, "media:read", media.id, wp_id=media.wp_id)
        link = attachment_link(media, ctx.home, relations)
        headers = {"Link": f'<{link}>; rel="alternate"; type=text/html'}
        item = self.prepare_item_for_response(media, ctx, relations)
        return RestResponse(acf.attach(ctx, "media", "attachment", [media], [item])[0], 200, headers)
