"""Writing media over REST: reading the upload out of the request, updates, forced deletes.

The file checks and storing are wpcompat/uploads.py's (shared with XML-RPC). Here:
- a raw body (Content-Disposition: attachment; filename=…) as upload_from_data reads it;
- multipart/form-data with a `file` part (and form fields) through Falcon's multipart
  handler, as upload_from_file reads $_FILES.
"""

import io
import re

import falcon
import falcon.media

from wpcompat import kses, uploads
from wpcompat.kses import sanitize_text_field
from wpcompat.errors import WPError

DISPOSITION_FILENAME = re.compile(r"filename\*?=(?:UTF-8''|\")?([^\";]+)\"?", re.I)
TEXT_FIELDS = ("title", "alt_text", "caption", "description")


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


def update_media(media, args, parent, user, home):
    """Apply title, alt_text, caption, description (see `saved_texts`) and post; save."""
    texts = saved_texts({field: args.get(field) for field in TEXT_FIELDS}, user, home)
    for field, text in texts.items():
        setattr(media, field, text)
    if args.get("post") is not None:
        media.post = parent.id if parent is not None else None
    media.save()
