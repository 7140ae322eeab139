"""MediaController: reading /wp/v2/media (WP_REST_Attachments_Controller).

Writes: POST /media uploads (raw body or multipart, through wpcompat/uploads.py),
POST /media/<id> takes every writable field, as WordPress does, and applies title, alt_text, caption,
description, post, contains_phi and the fields attachments share with posts (slug, date/date_gmt,
author, status; upload applies them too; meta is ignored as WordPress ignores unregistered meta;
comment_status, ping_status and template have no column and take only the value every attachment
answers: editing/media.py), DELETE needs force=true (attachments have no trash, as WordPress without
MEDIA_TRASH) and removes the files.

PHI: GET /wpcompat/v1/media/<id>/file is the only way to PHI bytes (the `source_url` of PHI
media): the same visibility as GET /media/<id> (so 404 for anyone who may not read PHI), the
file unsealed, every read audited as `access` (`media:download`, denials too). Media are
flagged PHI on upload (DICOM patient tags, `contains_phi`, attached to a `phi` post) or by an
update setting `contains_phi` or attaching to a `phi` post (it cannot be cleared).

Visibility (queries/media.py): PHI media and media attached to posts of a compliance
level the caller may not see do not exist for them (404, never counted, never
embedded — a post's wp:featuredmedia embed dispatches GET /media/<id> as the same
caller); media attached to an unreadable post are 401/403, as WordPress answers.
"""

from wpcompat import acf, permissions, uploads
from wpcompat.auth import can
from wpcompat.dates import zone_of
from wpcompat.editing import media as media_editing
from wpcompat.errors import WPError
from wpcompat.queries import media as media_queries
from wpcompat.responses.media import MediaRelations, attachment_link, media_links, prepare_media
from wpcompat.rest.http import FileBody
from wpcompat.rest.server import CREATABLE, DELETABLE, EDITABLE, READABLE, Endpoint, RestResponse
from wpcompat.rest.validation import ParamError
from wpcompat.routes.base import (Controller, PrepareContext, bounded_offset, check_orderby, context_param,
                                  endpoint_args_for_item_schema, order_params, parent_params, post_collection_params)
from wpcompat.schemas.media import MEDIA_STATUSES, MEDIA_TYPES, media_schema
from wpcompat.schemas.posts import schema_links
from wpcompat.storage import crypto, sanitize_file_name

ID_PATTERN = r"/(?P<id>[\d]+)"
DOWNLOAD_NAMESPACE = "wpcompat/v1"
DOWNLOAD_PATTERN = rf"/media{ID_PATTERN}/file"
NOT_FOUND = ("rest_post_invalid_id", "Invalid post ID.", 404)
ORDERBY = ["author", "date", "id", "include", "modified", "parent", "relevance", "slug", "include_slugs", "title"]


class MediaController(Controller):
    rest_base = "media"
    audit_tag = "media"

    def __init__(self):
        self._schema = media_schema()
        # Every writable field (WordPress); title, caption and description: a string or {"raw": ...}.
        self._writable = endpoint_args_for_item_schema(self._schema, enforced=dict.fromkeys(
            ("title", "caption", "description"), {}))
        # Fields no media column holds: only the value answered (editing/media.py's docstring).
        for name in ("comment_status", "ping_status", "template"):
            self._writable[name] = {**self._writable[name], "validate": media_editing.fixed_field_check(name)}
        self._writable["status"] = {**self._writable["status"], "validate": media_editing.check_status}

    def get_item_schema(self):
        return self._schema

    def get_schema_links(self, base_url):
        return schema_links("attachment", f"{base_url}{self.namespace}/{self.rest_base}/{{id}}")

    def register_routes(self, server):
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, self.get_collection_params()),
            Endpoint(CREATABLE, self.create_item, self.create_item_permissions_check, self._writable),
        ], schema=acf.schema_for(self.get_item_schema, "media", "attachment"), controller=self)
        server.register(self.namespace, f"/{self.rest_base}{ID_PATTERN}", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, {
                "id": {"description": "Unique identifier for the post.", "type": "integer"},
                "context": context_param()}),
            Endpoint(EDITABLE, self.update_item, self.update_item_permissions_check, {
                "id": {"description": "Unique identifier for the post.", "type": "integer"}, **self._writable}),
            Endpoint(DELETABLE, self.delete_item, self.delete_item_permissions_check, {
                "id": {"description": "Unique identifier for the post.", "type": "integer"},
                "force": {"type": "boolean", "default": False,
                          "description": "Whether to bypass Trash and force deletion."}}),
        ], schema=acf.schema_for(self.get_item_schema, "media", "attachment"), controller=self)
        server.register(DOWNLOAD_NAMESPACE, DOWNLOAD_PATTERN, [
            Endpoint(READABLE, self.get_file, self.get_file_permissions_check, {
                "id": {"description": "Unique identifier for the attachment.", "type": "integer"}}),
        ], controller=self)

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
            "media_type": {"default": None, "description": "Limit result set to attachments of a particular media "
                           "type.", "type": "string", "enum": MEDIA_TYPES},
            "mime_type": {"default": None, "description": "Limit result set to attachments of a particular MIME "
                          "type.", "type": "string"},
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
        check_orderby(args)
        ctx = PrepareContext(self, request)
        query, matching = media_queries.collection(request.user, args, ctx.zone)
        total = matching.count()
        per_page, page = args["per_page"], args["page"]
        offset = bounded_offset(args["offset"] if args.get("offset") is not None else (page - 1) * per_page)
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
            if media is None or not self.exists_for(request.user, media, parent):
                raise WPError(*NOT_FOUND)
            request.memo["media"] = (media, parent)
        return request.memo["media"]

    @staticmethod
    def exists_for(user, media, parent):
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

    # --- writes ---------------------------------------------------------------------------
    def _parent_for(self, request, wp_id):
        """The post to attach to (edit_post on it), or rest_cannot_edit."""
        parent = uploads.find_parent(request.user, wp_id)
        if parent is None:
            raise WPError.not_allowed("rest_cannot_edit", request.user,
                                      "Sorry, you are not allowed to upload media to this post.")
        return parent

    def create_item_permissions_check(self, request):
        if not can(request.user, "upload_files"):
            raise WPError.not_allowed("rest_cannot_create", request.user,
                                      "Sorry, you are not allowed to create posts as this user.")
        media_editing.multipart_args(request, self._writable)
        media_editing.check_author_permission(request, "Sorry, you are not allowed to create posts as this user.")
        parent_id = media_editing.requested_parent_id(request)
        if parent_id:
            request.memo["parent"] = self._parent_for(request, parent_id)

    def create_item(self, request):
        name, data, fields = media_editing.upload_input(request, self.home(request))
        if request.args.get("contains_phi") is not None:
            fields["contains_phi"] = request.args["contains_phi"]
        changes = media_editing.prepare_post_fields(request.args, request.user, zone_of(request.site))
        created = uploads.upload(request.site, request.user, name, data, parent=request.memo.get("parent"),
                                 fields=fields)
        if media_editing.set_post_fields(created, request.args, changes):
            created.save()
        media = media_queries.find(created.wp_id)
        self.audit(request, "media:create", media.id, wp_id=media.wp_id, mime_type=media.mime_type,
                   file_size=media.file_size, **self._fields_audited(request))
        response = self._edit_response(request, media)
        location = self.rest_url(request, f"wp/v2/media/{media.wp_id}")
        return RestResponse(response, 201, {"Location": location, "X-WP-Upload-Attachment-ID": str(media.wp_id)})

    def _edit_response(self, request, media):
        if not request.args.get("context"):
            request.args["context"] = "edit"
        ctx = PrepareContext(self, request)
        item = self.prepare_item_for_response(media, ctx, MediaRelations([media]))
        return acf.attach(ctx, "media", "attachment", [media], [item])[0]

    def update_item_permissions_check(self, request):
        media, _parent = self.get_media(request)
        if not self.can_edit(request.user, media):
            raise WPError.not_allowed("rest_cannot_edit", request.user, "Sorry, you are not allowed to edit this post.")
        media_editing.check_author_permission(request, "Sorry, you are not allowed to update posts as this user.")
        if request.args.get("post"):
            request.memo["parent"] = self._parent_for(request, request.args["post"])
        if request.args.get("contains_phi") is False and media.contains_phi:
            raise WPError("rest_invalid_param", "Invalid parameter(s): contains_phi", 400,
                          params={"contains_phi": "Media holding PHI stays PHI: upload a file without it instead."})
        if request.args.get("contains_phi") and not media_queries.may_see_phi(request.user):
            raise WPError.not_allowed("rest_cannot_edit", request.user, uploads.PHI_REFUSED)

    def update_item(self, request):
        media, _parent = self.get_media(request)
        changes = media_editing.prepare_post_fields(request.args, request.user, zone_of(request.site))
        flagged = not media.contains_phi and (bool(request.args.get("contains_phi"))
                                              or uploads.attached_to_phi(request.memo.get("parent")))
        if flagged:
            uploads.protect(request.site, request.user, media)
        media_editing.update_media(media, request.args, request.memo.get("parent"), request.user, self.home(request),
                                   changes)
        media = media_queries.find(media.wp_id)
        self.audit(request, "media:update", media.id, wp_id=media.wp_id, **self._fields_audited(request),
                   **({"flagged_phi": True} if flagged else {}))
        return RestResponse(self._edit_response(request, media), 200)

    @staticmethod
    def _fields_audited(request):
        """The post fields a write set (an author change names the new author)."""
        fields = media_editing.applied_fields(request.args)
        return {"fields": fields, **({"author": request.args["author"]} if "author" in fields else {})} \
            if fields else {}

    @classmethod
    def can_delete(cls, user, media):
        """delete_post on an attachment: edit it, and delete others' posts or it is one's own."""
        return cls.can_edit(user, media) and (can(user, "delete_others_posts") or (
            media.uploaded_by_id == user.id and can(user, "delete_posts")))

    def delete_item_permissions_check(self, request):
        media, _parent = self.get_media(request)
        user = request.user
        allowed = self.can_delete(user, media)
        if not allowed:
            raise WPError.not_allowed("rest_cannot_delete", user, "Sorry, you are not allowed to delete this post.")

    def delete_item(self, request):
        media, _parent = self.get_media(request)
        if not request.args.get("force"):
            raise WPError("rest_trash_not_supported",
                          "The post does not support trashing. Set 'force=true' to delete.", 501)
        previous = self._edit_response(request, media)
        media.delete_instance()
        uploads.delete_files(media)
        self.audit(request, "media:delete", media.id, wp_id=media.wp_id, force=True)
        return RestResponse({"deleted": True, "previous": previous}, 200)

    # --- the file (PHI's only way out) ------------------------------------------------------
    def get_file_permissions_check(self, request):
        """As GET /media/<id>; a refusal of a download (GET/HEAD) is audited as an `access` too. OPTIONS
        only asks for its Allow header: no download was attempted, so no `media:download` row."""
        try:
            self.get_item_permissions_check(request)
        except WPError:
            if request.method in ("GET", "HEAD") and not request.memo.get("download_refusal_audited"):
                request.memo["download_refusal_audited"] = True      # the Allow header asks again
                self.audit(request, "media:download", None, wp_id=int(request.url_params["id"]))
            raise

    def get_file(self, request):
        media, _parent = self.get_media(request)
        try:
            data = uploads.read_file(request.site, media)
        except FileNotFoundError:
            self.audit(request, "media:download", media.id, wp_id=media.wp_id, missing=True)
            raise WPError(*NOT_FOUND) from None
        except crypto.SealError as error:       # altered, or sealed under another WPCOMPAT_MEDIA_KEY
            self.audit(request, "media:download", media.id, wp_id=media.wp_id, unreadable=str(error))
            raise WPError("rest_media_unreadable", "The stored file could not be decrypted.", 500) from None
        self.audit(request, "media:download", media.id, wp_id=media.wp_id, contains_phi=bool(media.contains_phi),
                   file_size=len(data))
        return RestResponse(FileBody(data, media.mime_type or "application/octet-stream"), 200, {
            "Content-Disposition": f'attachment; filename="{download_name(media)}"',
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Pragma": "no-cache"})
        # (middleware.RestHeaders still overwrites Cache-Control with no-cache for signed-in callers)


def download_name(media):
    """The client's file name, made safe for a header, with the stored (true) extension."""
    stored = media.filename.rsplit("/", 1)[-1]
    stem = sanitize_file_name(media.original_filename or stored).rsplit(".", 1)[0]
    return f"{stem}.{stored.rsplit('.', 1)[1]}" if "." in stored else stem
