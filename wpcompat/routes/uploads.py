"""GET /wp-content/uploads/{yyyy}/{mm}/{name}: the request's tenant's uploaded files, from either store.

The Host picks the tenant (TenantFromHost), hence its folder `{slug}/{yyyy}/{mm}`. A file
is served only if a media row of this tenant owns it (the original or one of its
intermediate sizes), so another tenant's files and stray files are 404. The bytes are
streamed from the store (local file or S3 object): the S3 bucket stays private and every
file goes through the same tenant check, no redirect to a bucket URL. Media with
`contains_phi` are 404 here: their bytes leave only through the authenticated, audited
GET /wp-json/wpcompat/v1/media/<id>/file (routes/media.py). So are files attached to a post the
caller may not see (its compliance level, as GET /wp/v2/media/<id>) and files attached to a
`phi` post (a post classified `phi` after the file was attached): patient data is never at a
public URL, whoever asks.
"""

import mimetypes
import posixpath
import re

import falcon

from wpcompat import uploads
from wpcompat.errors import WPError
from wpcompat.models import Media
from wpcompat.queries import media as media_queries
from wpcompat.routes.media import MediaController

UPLOADS_ROUTE = "/wp-content/uploads/{year}/{month}/{name}"
SIZE_SUFFIX = re.compile(r"^(?P<stem>.+)-\d+x\d+(?P<ext>\.[A-Za-z0-9]+)$")
SAFE_PART = re.compile(r"^[A-Za-z0-9._-]+$")


def _owner(key):
    """The media row whose file or intermediate size `key` is, or None."""
    media = Media.get_or_none(Media.filename == key)
    if media is not None:
        return media
    match = SIZE_SUFFIX.match(key.rsplit("/", 1)[1])
    if match is None:
        return None
    name = posixpath.basename(key)
    for candidate in Media.select().where(Media.filename.startswith(key.rsplit("/", 1)[0] + "/"
                                                                     + match["stem"])):
        sizes = (candidate.metadata or {}).get("sizes") if isinstance(candidate.metadata, dict) else None
        if any(isinstance(size, dict) and size.get("file") == name for size in (sizes or {}).values()):
            return candidate
    return None


def _public(user, media):
    """Whether `user` may fetch the item's file at its public URL: never PHI (flagged, sealed, or
    attached to a `phi` post), nor a file of a post whose compliance level the user may not see."""
    if media.contains_phi or media.encryption_status == uploads.AT_REST:
        return False
    parent = media_queries.parent_of(media)
    return not uploads.attached_to_phi(parent) and MediaController.exists_for(user, media, parent)


class UploadedFiles:
    audit_tag = "media"

    def __init__(self, store):
        self.store = store

    def on_get(self, req, resp, year, month, name):
        if not (re.fullmatch(r"\d{4}", year) and re.fullmatch(r"\d{2}", month) and SAFE_PART.match(name)) \
                or name.startswith("."):
            raise WPError("rest_no_route", "No route was found matching the URL and request method.", 404)
        key = f"{req.context.site.slug}/{year}/{month}/{name}"
        media = _owner(key)
        if media is None or not _public(req.context.user, media):
            raise WPError("rest_no_route", "No route was found matching the URL and request method.", 404)
        try:
            stream, length = self.store.open(key)
        except FileNotFoundError:
            raise WPError("rest_no_route", "No route was found matching the URL and request method.", 404) from None
        resp.content_type = (media.mime_type if media.filename == key
                             else mimetypes.guess_type(name)[0]) or "application/octet-stream"
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.set_stream(stream, length)
        resp.status = falcon.HTTP_200
