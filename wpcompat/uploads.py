"""The one upload path: REST (POST /wp/v2/media) and XML-RPC (wp.uploadFile) both call `upload()`.

- The MIME type comes from the bytes (magic numbers), never from the client, and must be
  on ALLOWED; the extension is corrected to the real type (wp_check_filetype_and_ext).
- The tenant's quota (tenants.upload_quota_bytes) bounds the sum of media.file_size.
- Images get their width/height and WordPress's default intermediate sizes (files
  `name-WxH.ext`, listed in media.metadata["sizes"]), decoded with Pillow.
- Files are written only after every check passed, and removed again if anything after
  that fails, so a refused or failed upload leaves nothing behind.
"""

import hashlib
import io
import math
import posixpath
import zipfile

import peewee
from PIL import Image

from wpcompat import permissions, slugs, storage
from wpcompat.db import after_commit, after_rollback
from wpcompat.errors import WPError
from wpcompat.models import Media, Post, Tenant
from wpcompat.models.base import utcnow
from wpcompat.responses.media import constrain
from wpcompat.wp_ids import next_wp_id

Image.MAX_IMAGE_PIXELS = 50_000_000          # above this Pillow raises DecompressionBombError

# MIME type → the extensions it may carry (the first is used when the client's is wrong).
ALLOWED = {
    "image/jpeg": ("jpg", "jpeg", "jpe"), "image/png": ("png",), "image/gif": ("gif",), "image/webp": ("webp",),
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "audio/mpeg": ("mp3",), "video/mp4": ("mp4", "m4v"), "application/dicom": ("dcm",),
}
OFFICE_FOLDERS = (("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                  ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                  ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"))
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
# WordPress's default sub-sizes made on upload: (name, width, height, crop).
SUB_SIZES = (("thumbnail", 150, 150, True), ("medium", 300, 300, False), ("medium_large", 768, 0, False),
             ("large", 1024, 1024, False))
EMPTY_IMAGE_META = {"aperture": "0", "credit": "", "camera": "", "caption": "", "created_timestamp": "0",
                    "copyright": "", "focal_length": "0", "iso": "0", "shutter_speed": "0", "title": "",
                    "orientation": "0", "keywords": []}
TYPE_REFUSED = "Sorry, you are not allowed to upload this file type."


# --- what the bytes are -------------------------------------------------------------------------

def _office_type(data):
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for folder, mime in OFFICE_FOLDERS:
        if any(name.startswith(folder) for name in names):
            return mime
    return None


def sniff(data):
    """The MIME type the bytes' magic numbers say, or None."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_type(data)
    if len(data) >= 132 and data[128:132] == b"DICM":
        return "application/dicom"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def checked_type(name, data):
    """(mime, safe file name with the right extension), or WordPress's refusal."""
    mime = sniff(data)
    if mime not in ALLOWED:
        raise WPError("rest_upload_sideload_error", TYPE_REFUSED, 500)
    safe = storage.sanitize_file_name(name)
    stem, ext = posixpath.splitext(safe)
    if ext.lstrip(".") not in ALLOWED[mime]:
        safe = f"{stem}.{ALLOWED[mime][0]}"
    return mime, safe


# --- limits ---------------------------------------------------------------------------------------

def check_quota(site, size):
    """rest_upload_limited_space when the tenant's quota cannot hold `size` more bytes."""
    quota = Tenant.get_by_id(site.id).upload_quota_bytes
    if quota is None:
        return
    used = Media.select(peewee.fn.COALESCE(peewee.fn.SUM(Media.file_size), 0)).scalar() or 0
    left = quota - used
    if size > left:
        needed = max(size - max(left, 0), 0) / 1024
        raise WPError("rest_upload_limited_space", f"Not enough space to upload. {needed:,.0f} KB needed.", 400)


def check_md5(expected, data):
    if expected is not None and expected.strip().lower() != hashlib.md5(data).hexdigest():
        raise WPError("rest_upload_hash_mismatch", "Content hash did not match expected.", 412)


# --- images -----------------------------------------------------------------------------------

def _crop_box(width, height, new_width, new_height):
    """image_resize_dimensions with crop: the centred source box scaled to the new size."""
    ratio = max(new_width / width, new_height / height)
    crop_width, crop_height = round(new_width / ratio), round(new_height / ratio)
    left, top = math.floor((width - crop_width) / 2), math.floor((height - crop_height) / 2)
    return left, top, left + crop_width, top + crop_height


def _size_plan(width, height, target_width, target_height, crop):
    """(new width, new height, crop box or None), or None when the size would not be smaller."""
    if crop:
        new_width, new_height = min(target_width, width), min(target_height, height)
        box = _crop_box(width, height, new_width, new_height)
    else:
        new_width, new_height = constrain(width, height, target_width, target_height)
        box = None
    if new_width >= width and new_height >= height:
        return None
    return new_width, new_height, box


def _encode(image, mime):
    out = io.BytesIO()
    if mime == "image/jpeg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(out, PIL_FORMATS[mime], **({"quality": 82} if mime in ("image/jpeg", "image/webp") else {}))
    return out.getvalue()


def open_image(data):
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        return image
    except (OSError, Image.DecompressionBombError, ValueError):
        raise WPError("rest_upload_sideload_error", TYPE_REFUSED, 500) from None


def size_names(image, name):
    """The file names sub_sizes() would give `name` (none for files that are not images)."""
    if image is None:
        return []
    stem, ext = posixpath.splitext(name)
    plans = (_size_plan(image.width, image.height, width, height, crop) for _size, width, height, crop in SUB_SIZES)
    return [f"{stem}-{plan[0]}x{plan[1]}{ext}" for plan in plans if plan is not None]


def sub_sizes(image, mime, name):
    """{size name: (file name, bytes, width, height)} for the default sizes smaller than the image."""
    stem, ext = posixpath.splitext(name)
    made = {}
    for size, target_width, target_height, crop in SUB_SIZES:
        plan = _size_plan(image.width, image.height, target_width, target_height, crop)
        if plan is None:
            continue
        new_width, new_height, box = plan
        resized = image.resize((new_width, new_height), Image.LANCZOS, box=box)
        made[size] = (f"{stem}-{new_width}x{new_height}{ext}", _encode(resized, mime), new_width, new_height)
    return made


# --- the upload ------------------------------------------------------------------------------------

def _slug_for(title):
    base = slugs.sanitize_title(title) or "attachment"

    def taken(slug):
        return (Media.select().where(Media.slug == slug).exists()
                or Post.select().where(Post.slug == slug).exists())
    return slugs.unique_slug(base, taken)


def _key_taken(key):
    return Media.select().where(Media.filename == key).exists()


def upload(site, user, name, data, *, parent=None, fields=None, store=None):
    """Check, store and record one file; the new Media row. Raises WPError (nothing left behind)."""
    store = store or storage.current()
    if not data:
        raise WPError("rest_upload_no_data", "No data supplied.", 400)
    mime, safe_name = checked_type(name, data)
    check_quota(site, len(data))
    image = open_image(data) if mime in PIL_FORMATS else None
    now = utcnow()
    key = storage.unique_key(store, storage.folder_key(site.slug, now), safe_name, _key_taken,
                             lambda candidate: size_names(image, candidate))
    written = []

    def remove_written():
        for path in written:
            store.delete(path)

    try:
        meta = _store_files(store, key, data, mime, image, written)
        media = _create_row(site, user, name, key, data, mime, image, meta, parent, fields or {})
    except BaseException:
        remove_written()
        raise
    after_rollback(remove_written)          # a later failure in the request leaves no file behind
    return media


def _store_files(store, key, data, mime, image, written):
    folder, name = key.rsplit("/", 1)
    store.put(key, data)
    written.append(key)
    relative = key.split("/", 1)[1]
    if image is None:
        return {"filesize": len(data)}
    sizes = {}
    for size, (file_name, blob, width, height) in sub_sizes(image, mime, name).items():
        if f"{folder}/{file_name}" not in written:
            store.put(f"{folder}/{file_name}", blob)
            written.append(f"{folder}/{file_name}")
        sizes[size] = {"file": file_name, "width": width, "height": height, "mime-type": mime,
                       "filesize": len(blob)}
    return {"width": image.width, "height": image.height, "file": relative, "filesize": len(data),
            "sizes": sizes, "image_meta": dict(EMPTY_IMAGE_META)}


def _create_row(site, user, original_name, key, data, mime, image, meta, parent, fields):
    title = fields.get("title") or posixpath.splitext(key.rsplit("/", 1)[1])[0]
    return Media.create(
        wp_id=next_wp_id("post"), title=title, slug=_slug_for(title), filename=key,
        original_filename=posixpath.basename(str(original_name))[:255] or key.rsplit("/", 1)[1],
        mime_type=mime, file_size=len(data), file_path=key,
        width=image.width if image is not None else None, height=image.height if image is not None else None,
        alt_text=fields.get("alt_text") or None, caption=fields.get("caption") or None,
        description=fields.get("description") or None,
        attachment_type="image" if image is not None else "file", uploaded_by=user.id,
        post=parent.id if parent is not None else None, metadata=meta)


def all_keys(media):
    """The stored keys of a media item: its file and its intermediate sizes."""
    keys = [media.filename]
    meta = media.metadata if isinstance(media.metadata, dict) else {}
    folder = media.filename.rsplit("/", 1)[0]
    for size in (meta.get("sizes") or {}).values():
        if isinstance(size, dict) and size.get("file"):
            keys.append(f"{folder}/{posixpath.basename(size['file'])}")
    return keys


def delete_files(media, store=None):
    """Remove the item's files once the request commits (a rolled-back delete keeps them)."""
    store = store or storage.current()
    keys = all_keys(media)

    def remove():
        for key in keys:
            store.delete(key)

    after_commit(remove)


def find_parent(user, wp_id):
    """The post an upload is attached to, if the user may edit it; else None (the caller refuses)."""
    post = Post.get_or_none(Post.wp_id == wp_id)
    if post is None or not permissions.can_edit_post(user, post):
        return None
    return post
