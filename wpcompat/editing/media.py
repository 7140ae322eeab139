"""Writing media over REST: reading the upload out of the request, updates, forced deletes.

The file checks and storing are wpcompat/uploads.py's (shared with XML-RPC). Here:
- a raw body (Content-Disposition: attachment; filename=…) as upload_from_data reads it;
- multipart/form-data with a `file` part (and form fields) through Falcon's multipart
  handler, as upload_from_file reads $_FILES.

The fields attachments share with posts, on upload and update alike (WordPress's
prepare_item_for_database, then wp_insert_attachment / wp_update_post):
- slug: sanitize_title, then wp_unique_post_slug for attachments (uploads.media_slug: unique among
  the tenant's posts and media, -2, -3…); an empty slug is made from the title.
- date / date_gmt: parsed as posts parse them (editing/posts.requested_dates) into media.date_local,
  which the response's date and date_gmt read; null resets the date to now, as WordPress does.
- author: media.uploaded_by; another user than the caller needs edit_others_posts (403
  rest_cannot_edit_others, checked with the permissions), an unknown one is 400 rest_invalid_author.
- status: handle_status_param (publish/future need publish_posts, 403 rest_cannot_publish); then, as
  wp_insert_post does for attachments, draft/pending/publish/future are saved as `inherit`, which
  every attachment answers.
- meta: no meta is registered for attachments, so WordPress ignores every key, and so do we
  (the answer stays `[]`).
Fields no media column holds are refused rather than dropped (400 rest_invalid_param, nothing
changed): `private` status (no status column: every attachment is `inherit`); comment_status other
than `open` and ping_status other than `closed` (what every attachment answers, FIXED_FIELDS); a
non-empty template, with WordPress's own check_template error, since no theme template is offered
for attachments.
"""

import io
import re

import falcon
import falcon.media

from wpcompat import dates, kses, permissions, uploads
from wpcompat.editing.posts import check_publishing, requested_dates, resolve_author
from wpcompat.errors import WPError
from wpcompat.kses import sanitize_text_field
from wpcompat.models.base import utcnow
from wpcompat.responses.media import FIXED_FIELDS
from wpcompat.rest.validation import ParamError, check_args
from wpcompat.slugs import sanitize_title

DISPOSITION_FILENAME = re.compile(r"filename\*?=(?:UTF-8''|\")?([^\";]+)\"?", re.I)
TEXT_FIELDS = ("title", "alt_text", "caption", "description")
# The writable fields attachments share with posts (besides title), as a multipart form may send them too.
POST_FIELDS = ("slug", "date", "date_gmt", "author", "status", "comment_status", "ping_status", "template")


def is_multipart(request):
    return (request.header("content-type") or "").lower().startswith("multipart/form-data")


def multipart_parts(request):
    """{"file": (name, bytes) or None, "fields": {name: text}} of a multipart body, parsed once."""
    if "multipart" in request.memo:
        return request.memo["multipart"]
    handler = falcon.media.MultipartFormHandler()
    handler.parse_options.max_body_part_buffer_size = len(request.body) + 1
    parsed = {"file": None, "fields": {}}
    try:
        form = handler.deserialize(io.BytesIO(request.body), request.header("content-type"), len(request.body))
        for part in form:
            if part.name == "file" and part.filename is not None:
                parsed["file"] = (part.filename, part.get_data())
            elif part.name:
                parsed["fields"][part.name] = part.get_text() or ""
    except (falcon.HTTPError, ValueError):
        parsed = {"file": None, "fields": {}}
    request.memo["multipart"] = parsed
    return parsed


def disposition_filename(value):
    """get_filename_from_disposition: the file name of `attachment; filename="x.png"`, or None."""
    match = DISPOSITION_FILENAME.search(value or "")
    name = match.group(1).strip() if match else ""
    return name or None


def raw_upload(request):
    """(name, bytes) of a raw body, with WordPress's upload_from_data errors."""
    if not request.body:
        raise WPError("rest_upload_no_data", "No data supplied.", 400)
    if not request.header("content-type"):
        raise WPError("rest_upload_no_content_type", "No Content-Type supplied.", 400)
    disposition = request.header("content-disposition")
    if not disposition:
        raise WPError("rest_upload_no_content_disposition", "No Content-Disposition supplied.", 400)
    name = disposition_filename(disposition)
    if name is None:
        raise WPError("rest_upload_invalid_disposition", "Invalid Content-Disposition supplied. "
                      "Content-Disposition needs to be formatted as `attachment; filename=\"image.png\"` "
                      "or similar.", 400)
    return name, request.body


def upload_input(request, home):
    """(name, bytes, fields) of the request, raw or multipart; text fields as `saved_texts` leaves them."""
    if is_multipart(request):
        parts = multipart_parts(request)
        if parts["file"] is None:
            raise WPError("rest_upload_no_data", "No data supplied.", 400)
        name, data = parts["file"]
        if not data:
            raise WPError("rest_upload_no_data", "No data supplied.", 400)
        fields = dict(parts["fields"])
    else:
        name, data = raw_upload(request)
        fields = {}
    for field in (*TEXT_FIELDS, "post"):                 # validated args (query/JSON/form) win
        if request.args.get(field) is not None:
            fields[field] = request.args[field]
    uploads.check_md5(request.header("content-md5"), data)
    texts = saved_texts({key: value for key, value in fields.items() if key in TEXT_FIELDS}, request.user, home)
    return name, data, {**fields, **texts}


def requested_parent_id(request):
    value = request.args.get("post")
    if value is None and is_multipart(request):
        value = multipart_parts(request)["fields"].get("post")
    try:
        return int(value) if value not in (None, "") else 0
    except (TypeError, ValueError):
        return 0


def raw_text(value):
    """A text field given as a string or as {"raw": ...}."""
    if isinstance(value, dict):
        value = value.get("raw", "")
    return "" if value is None else str(value)


def saved_texts(values, user, home):
    """title, alt_text, caption and description (strings or {"raw": ...}) as WordPress saves them: alt
    text through sanitize_text_field (the attachments schema's sanitize_callback, for everyone), the
    others through kses unless `user` has unfiltered_html."""
    texts = {field: raw_text(value) for field, value in values.items() if value is not None}
    if "alt_text" in texts:
        texts["alt_text"] = sanitize_text_field(texts["alt_text"])
    return kses.for_user(texts, user, home)


def update_media(media, args, parent, user, home, changes):
    """Apply title, alt_text, caption, description (see `saved_texts`), post, and the post fields
    (`changes` from prepare_post_fields, and the slug); save."""
    texts = saved_texts({field: args.get(field) for field in TEXT_FIELDS}, user, home)
    for field, text in texts.items():
        setattr(media, field, text)
    if args.get("post") is not None:
        media.post = parent.id if parent is not None else None
    set_post_fields(media, args, changes)
    media.save()


# --- the fields attachments share with posts (see the module docstring) ------------------------------

def fixed_field_check(name):
    """The validate hook of a field no media column holds: only the value every attachment answers."""
    fixed = FIXED_FIELDS[name]

    def validate(value, request):
        if name == "template":
            if value:                           # check_template: the theme offers none for attachments
                raise ParamError("rest_invalid_param", "template is not one of .")
        elif value != fixed:
            raise ParamError("rest_not_in_enum", f"{name} is not one of {fixed}: media here always keep {fixed}.")
    return validate


def check_status(value, request):
    """The status hook: an attachment is `inherit` or `private` in WordPress; only `inherit` is stored here."""
    if value == "private":
        raise ParamError("rest_not_in_enum", "status is not one of publish, future, draft, pending: "
                                             "media here cannot be private.")


def multipart_args(request, args):
    """The post fields of a multipart upload's form (body parameters to WordPress), checked against the
    endpoint's `args` and added to request.args where the query or body did not give them."""
    if not is_multipart(request):
        return
    form = multipart_parts(request)["fields"]
    wanted = {name: args[name] for name in POST_FIELDS if name in form and name not in request.args}
    request.args.update(check_args(wanted, form, request))


def check_author_permission(request, message):
    """The permission check's part of `author` (WordPress compares it with the caller, not the item)."""
    author, user = request.args.get("author"), request.user
    if author and author != user.wp_id and not permissions.can_edit_others(user, "attachment"):
        raise WPError.not_allowed("rest_cannot_edit_others", user, message)


def prepare_post_fields(args, user, zone):
    """prepare_item_for_database for the author, the dates and the status: {column: value} to save, after
    WordPress's checks. Nothing is written here, so a refusal changes nothing."""
    changes = {}
    if args.get("status"):
        check_publishing(user, "attachment", args["status"])      # then saved as inherit
    if args.get("author"):
        changes["uploaded_by"] = resolve_author(user, "attachment", args["author"]).id
    given = requested_dates(args, zone)
    if given is not None:
        changes["date_local"] = given[0]
    elif any(name in args and args[name] is None for name in ("date", "date_gmt")):
        changes["date_local"] = dates.to_local(utcnow(), zone).replace(microsecond=0)
    return changes


def set_post_fields(media, args, changes):
    """Set `changes` and the requested slug (unique, see uploads.media_slug) on `media` (unsaved);
    whether anything was set."""
    for column, value in changes.items():
        setattr(media, column, value)
    if "slug" in args:
        media.slug = uploads.media_slug(sanitize_title(args["slug"] or "") or media.title, media)
    return bool(changes) or "slug" in args


def applied_fields(args):
    """The post fields a request set, for its audit row."""
    return [name for name in (*POST_FIELDS, "meta") if name in args]
