"""The one upload path: REST (POST /wp/v2/media), XML-RPC (wp.uploadFile) and importers call `upload()`.

- The MIME type comes from the bytes (magic numbers), never from the client, and must be
  on ALLOWED; the extension is corrected to the real type (wp_check_filetype_and_ext).
- The tenant's quota (tenants.upload_quota_bytes) bounds the sum of media.file_size.
- Images get their width/height and WordPress's default intermediate sizes (files
  `name-WxH.ext`, listed in media.metadata["sizes"]), decoded with Pillow.
- DICOM files are parsed with pydicom; their tags go to media.dicom_metadata (JSON), and
  patient tags (group 0010: name, id, birth date, …) make the file PHI.
- PHI (`contains_phi`: patient tags, attached to a `phi` post, or the `contains_phi` field
  from a user who may read PHI) is sealed with the tenant's AES-256-GCM key (storage/crypto.py) before it reaches the
  store, and gets no intermediate sizes (no plaintext derivatives; the file is served whole
  through the authenticated download route). A user who may not read PHI cannot create it.
- Files are written only after every check passed, and removed again if anything after
  that fails or the request rolls back, so a refused or failed upload leaves nothing behind;
  a deleted item's files go only once the delete commits.
"""

import hashlib
import io
import json
import math
import posixpath
import warnings
import zipfile

import peewee
import pydicom
from PIL import Image

from wpcompat import permissions, slugs, storage
from wpcompat.storage import crypto
from wpcompat.db import after_commit, after_rollback, current_tenant, db, is_postgres
from wpcompat.errors import WPError
from wpcompat.models import Media, Post, Tenant
from wpcompat.models.base import utcnow
from wpcompat.queries.media import may_see_phi
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
PHI_REFUSED = "Sorry, you are not allowed to upload or flag files holding patient data (PHI)."
AT_REST = "at_rest"
# DICOM: group 0010 is the patient module; these elsewhere identify a patient or a visit too (and any
# person name, private tag or burned-in annotation: see _identifies).
DICOM_PATIENT_GROUP = 0x0010
DICOM_OTHER_PHI = {"AccessionNumber", "ReferringPhysicianName", "PerformingPhysicianName", "InstitutionName",
                   "InstitutionAddress", "OtherPatientIDs", "StudyID", "RequestingPhysician",
                   "OperatorsName", "PhysiciansOfRecord", "InstitutionalDepartmentName", "AdmissionID",
                   "ReferringPhysicianAddress", "ReferringPhysicianTelephoneNumbers", "RequestedProcedureID",
                   "ScheduledProcedureStepID", "PerformedProcedureStepID", "ServiceEpisodeID"}
DICOM_BINARY_VRS = {"OB", "OW", "OF", "OD", "OL", "OV", "UN", "SQ"}
DICOM_MAX_VALUE = 512


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
    if len(data) >= 132 and data[128:132] == b"DICM":  # first: a DICOM preamble may hold another type's magic
        return "application/dicom"                    # (a PDF or MP4 polyglot must not skip the DICOM checks)
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
    """rest_upload_file_too_big past the site's per-file cap (WordPress's `fileupload_maxk` site
    option, in KB, kept in tenants.options); rest_upload_limited_space when the tenant's quota
    cannot hold `size` more bytes."""
    tenant = Tenant.get_by_id(site.id)
    max_kb = (tenant.options or {}).get("fileupload_maxk")
    if isinstance(max_kb, int) and not isinstance(max_kb, bool) and size > max_kb * 1024:
        raise WPError("rest_upload_file_too_big",
                      f"This file is too big. Files must be less than {max_kb} KB in size.", 400)
    quota = tenant.upload_quota_bytes
    if quota is None:
        return
    if is_postgres():                  # one quota check of a tenant at a time, until its commit: two uploads
        db.execute_sql(                # summing at once could both fit, and together overrun it
            "SELECT pg_advisory_xact_lock(hashtext('wpcompat:upload_quota'), hashtext(%s))", (str(site.id),))
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


# --- DICOM ------------------------------------------------------------------------------------------

def dicom_tags(data):
    """(tags {keyword: text}, holds patient data) of a DICOM file, pixels and binary values left out.
    A file pydicom cannot read is refused like any file that is not what it claims."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")         # pydicom warns about every odd value it tolerates
            dataset = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
            valid = "SOPClassUID" in dataset and "MediaStorageSOPClassUID" in dataset.file_meta
    except Exception:                   # pydicom raises many kinds on hostile bytes  # noqa: BLE001
        valid = False
    if not valid:                       # every DICOM object names its class: anything else is not one
        raise WPError("rest_upload_sideload_error", TYPE_REFUSED, 500)
    tags = {}
    for element in [*dataset.file_meta, *dataset] if dataset.file_meta else dataset:
        if element.keyword and element.VR not in DICOM_BINARY_VRS and not _empty(element.value):
            tags[element.keyword] = _dicom_json(element.value)
    patient = any(_identifies(element) for element in dataset.iterall()) \
        or str(dataset.get("BurnedInAnnotation", "")).upper() == "YES"       # names in the pixels
    return tags, patient


def _identifies(element):
    """A DICOM element that may identify a patient (nested sequences included): the patient group, the
    identifiers above, any person name (PN: patient, physicians, operators, observers), and private
    tags (vendors keep patient data there; they cannot be checked, so they count as PHI)."""
    if _empty(element.value):
        return False
    return (element.tag.group == DICOM_PATIENT_GROUP or element.keyword in DICOM_OTHER_PHI
            or element.VR == "PN" or element.tag.is_private)


def _empty(value):
    return value is None or (isinstance(value, (str, bytes, list, pydicom.multival.MultiValue, pydicom.Sequence))
                             and len(value) == 0) or str(value) == ""


def _dicom_json(value):
    """A tag's value as JSON: numbers stay numbers, lists stay lists, the rest is text (capped)."""
    if isinstance(value, (list, pydicom.multival.MultiValue)):
        return [_dicom_json(item) for item in value][:64]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return str(value)[:DICOM_MAX_VALUE]


def attached_to_phi(post):
    """A file attached to a post of compliance level `phi` is patient data too."""
    return post is not None and post.compliance_level == "phi"


def flag_value(value):
    """A `contains_phi` field as sent (JSON boolean, or "true"/"1" in a form) → bool."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


# --- the upload ------------------------------------------------------------------------------------

def media_slug(wanted, media=None):
    """wp_unique_post_slug for an attachment: `wanted` (a title or a slug) sanitised ("attachment" when
    nothing is left), unique among the tenant's posts of every type and its other media, never a feed
    name or `embed` (-2, -3… otherwise). media: the item being renamed (its own slug is free to it)."""
    base = slugs.sanitize_title(wanted or "") or "attachment"

    def taken(slug):
        others = Media.select().where(Media.slug == slug)
        if media is not None and media.id is not None:
            others = others.where(Media.id != media.id)
        return others.exists() or Post.select().where(Post.slug == slug).exists()
    return slugs.unique_slug(base, taken, is_bad=slugs.is_bad_post_slug)


NAME_ATTEMPTS = 20             # names tried when concurrent uploads keep taking the one picked


def _key_taken(key):
    return Media.select().where(Media.filename == key).exists()


def upload(site, user, name, data, *, parent=None, fields=None, store=None, when=None):
    """Check, store and record one uploaded file; returns the new Media row.

    site: the request's Site (tenant id and slug); user: the uploading User (PHI rights are
    checked against it; upload_files is the caller's check); name: the client's file name
    (sanitised, extension corrected to the sniffed type); data: the whole file as bytes;
    parent: the Post to attach to (the caller checked edit rights) or None; fields: optional
    {"title", "alt_text", "caption", "description": str, "contains_phi": bool or "true"};
    store: a MediaStore (default: the configured one); when: the datetime whose yyyy/mm
    folder the file goes to (default: now — an importer passes the attachment's date).

    Raises WPError as WordPress answers (bad type 500 rest_upload_sideload_error, quota 400
    rest_upload_limited_space, PHI without the right 403); nothing is left behind then, and
    the files go again if the surrounding transaction rolls back.
    """
    store = store or storage.current()
    fields = fields or {}
    if not data:
        raise WPError("rest_upload_no_data", "No data supplied.", 400)
    mime, safe_name = checked_type(name, data)
    check_quota(site, len(data))
    dicom, patient = dicom_tags(data) if mime == "application/dicom" else (None, False)
    phi = patient or flag_value(fields.get("contains_phi")) or attached_to_phi(parent)
    if phi and not may_see_phi(user):
        raise WPError.not_allowed("rest_cannot_create", user, PHI_REFUSED)
    image = open_image(data) if mime in PIL_FORMATS else None
    sized = image if not phi else None           # PHI images get no plaintext-derived sizes
    now = when or utcnow()
    written, clashed = [], set()

    def remove_written():
        for path in written:
            store.delete(path)

    try:
        for _attempt in range(NAME_ATTEMPTS):
            key = storage.unique_key(store, storage.folder_key(site.slug, now), safe_name,
                                     lambda candidate: candidate in clashed or _key_taken(candidate),
                                     lambda candidate: size_names(sized, candidate))
            try:
                meta = _store_files(store, site, key, data, mime, image, phi, written)
                break
            except FileExistsError as clash:      # another upload took the name since unique_key looked
                remove_written()                  # only this upload's own files
                written.clear()
                clashed.update({key, clash.args[0] if clash.args else key})     # the file that clashed
        else:
            raise WPError("rest_upload_unknown_error", "Could not find a free file name.", 500)
        media = _create_row(site, user, name, key, data, mime, image, meta, parent, fields,
                            phi=phi, dicom=dicom)
    except BaseException:
        remove_written()
        raise
    after_rollback(remove_written)          # a later failure in the request leaves no file behind
    return media


def _store_files(store, site, key, data, mime, image, phi, written):
    """Write the file and its sizes, each only if its name is still free (FileExistsError otherwise)."""
    folder, name = key.rsplit("/", 1)
    store.put_new(key, crypto.seal(site.id, key, data) if phi else data)
    written.append(key)
    relative = key.split("/", 1)[1]
    if image is None:
        return {"filesize": len(data)}
    sizes = {}
    for size, (file_name, blob, width, height) in (sub_sizes(image, mime, name) if not phi else {}).items():
        if f"{folder}/{file_name}" not in written:
            store.put_new(f"{folder}/{file_name}", blob)
            written.append(f"{folder}/{file_name}")
        sizes[size] = {"file": file_name, "width": width, "height": height, "mime-type": mime,
                       "filesize": len(blob)}
    return {"width": image.width, "height": image.height, "file": relative, "filesize": len(data),
            "sizes": sizes, "image_meta": dict(EMPTY_IMAGE_META)}


def _create_row(site, user, original_name, key, data, mime, image, meta, parent, fields, *, phi, dicom):
    title = fields.get("title") or posixpath.splitext(key.rsplit("/", 1)[1])[0]
    return Media.create(
        wp_id=next_wp_id("post"), title=title, slug=media_slug(title), filename=key,
        original_filename=posixpath.basename(str(original_name))[:255] or key.rsplit("/", 1)[1],
        mime_type=mime, file_size=len(data), file_path=key,
        width=image.width if image is not None else None, height=image.height if image is not None else None,
        alt_text=fields.get("alt_text") or None, caption=fields.get("caption") or None,
        description=fields.get("description") or None,
        attachment_type="image" if image is not None else "file", uploaded_by=user.id,
        post=parent.id if parent is not None else None, metadata=meta,
        contains_phi=phi, encryption_status=AT_REST if phi else "none",
        medical_content=True if dicom is not None else False,
        dicom_metadata=json.dumps(dicom, ensure_ascii=False) if dicom is not None else None)


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


def read_file(site, media, store=None):
    """The item's original file as uploaded (PHI unsealed with the tenant's key); FileNotFoundError
    when the store has no such file."""
    store = store or storage.current()
    data = store.read(media.filename)
    if media.encryption_status == AT_REST:
        return crypto.unseal(site.id, media.filename, data)
    return data


def protect(site, user, media, store=None):
    """Flag an existing item `contains_phi` and seal its file, following the transaction: the sealed
    copy is written under a new unique name now (removed on rollback); the plaintext original and
    its sizes are deleted once the change commits. PHI stays PHI: there is no way back.
    user None: the system (the workflow classifying content, e.g. on an import)."""
    if user is not None and not may_see_phi(user):
        raise WPError.not_allowed("rest_cannot_edit", user, PHI_REFUSED)
    if media.contains_phi and media.encryption_status == AT_REST:
        return media
    store = store or storage.current()
    media.contains_phi = True
    meta = dict(media.metadata) if isinstance(media.metadata, dict) else {}
    try:
        data = store.read(media.filename)
    except FileNotFoundError:                    # nothing stored here (e.g. an imported URL)
        media.save()
        return media
    old_keys = all_keys(media)
    folder, name = media.filename.rsplit("/", 1)
    key = storage.unique_key(store, folder, name, _key_taken)
    store.put(key, crypto.seal(site.id, key, data))
    after_rollback(lambda: store.delete(key))
    if meta.get("file"):
        meta["file"] = key.split("/", 1)[1]
    if "sizes" in meta:
        meta["sizes"] = {}
    media.filename, media.file_path, media.encryption_status, media.metadata = key, key, AT_REST, meta
    media.save()

    def remove_plaintext():
        for old in old_keys:
            store.delete(old)

    after_commit(remove_plaintext)
    return media


def protect_post_media(post, user, store=None):
    """When `post` is `phi`, protect() every item attached to it (media.post) or featured by it that is
    not sealed yet, in the caller's transaction. Called wherever a post is saved or classified (the
    workflow's S.2.1 step runs on every save), so a post that becomes phi leaves no plaintext file."""
    if not attached_to_phi(post):
        return []
    owned = Media.post == post.id
    if post.featured_media_id is not None:
        owned = owned | (Media.id == post.featured_media_id)
    items = list(Media.select().where(owned, Media.encryption_status.is_null()
                                      | (Media.encryption_status != AT_REST)).order_by(Media.id))
    if not items:
        return []
    site = Tenant.get_by_id(current_tenant.get())
    return [protect(site, user, media, store) for media in items]


def find_parent(user, wp_id):
    """The post an upload is attached to, if the user may edit it; else None (the caller refuses)."""
    post = Post.get_or_none(Post.wp_id == wp_id)
    if post is None or not permissions.can_edit_post(user, post):
        return None
    return post
