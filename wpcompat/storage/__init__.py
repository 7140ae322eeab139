"""Where uploaded files live: the MediaStore interface, its two stores, and PHI encryption.

- `local.LocalStore`: the local filesystem under WPCOMPAT_MEDIA_ROOT (the default);
- `s3.S3Store`: an S3 bucket through boto3 (WPCOMPAT_MEDIA_STORE=s3; any S3-compatible
  endpoint), every object written with server-side encryption;
- `crypto`: AES-256-GCM with a per-tenant key, for media with `contains_phi` — applied by
  wpcompat/uploads.py before `put`, on both stores, so no store ever holds plaintext PHI.

A file's key is `{tenant slug}/{yyyy}/{mm}/{name}` (DESIGN.md §4); it is what `media.filename`
holds (S3 prefixes it with WPCOMPAT_S3_PREFIX). Non-PHI files are served at
/wp-content/uploads/{yyyy}/{mm}/{name} on the tenant's hosts (routes/uploads.py). Names are made
unique per tenant the way WordPress's wp_unique_filename does (`name-1.jpg`, `name-2.jpg`, …).
"""

import posixpath
import re
import unicodedata
from typing import BinaryIO, Protocol

from wpcompat.storage import crypto
from wpcompat.storage.local import LocalStore

UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM = 120
SAFE_KEY = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


class MediaStore(Protocol):
    """What uploads.py and the routes need of a store; keys are `{tenant}/{yyyy}/{mm}/{name}`."""

    def exists(self, key: str) -> bool: ...
    def put(self, key: str, data: bytes) -> None: ...          # whole file, atomically visible
    def put_new(self, key: str, data: bytes) -> None: ...      # the same, FileExistsError if `key` exists
    def read(self, key: str) -> bytes: ...                     # FileNotFoundError when absent
    def open(self, key: str) -> tuple[BinaryIO, int]: ...      # (stream, length) for serving
    def delete(self, key: str) -> None: ...                    # absent is not an error


def check_key(key):
    """A store key made of safe names only (no `..`, no absolute path); else ValueError."""
    if not SAFE_KEY.match(key or "") or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"unsafe store key: {key!r}")
    return key


def sanitize_file_name(name):
    """sanitize_file_name, simplified: ASCII letters, digits, dot, dash and underscore; spaces become dashes."""
    name = unicodedata.normalize("NFKD", posixpath.basename(str(name).replace("\\", "/")))
    name = name.encode("ascii", "ignore").decode("ascii").strip()
    name = re.sub(r"[\s]+", "-", name)
    name = UNSAFE_NAME_CHARS.sub("", name).strip(".-_")
    stem, ext = posixpath.splitext(name)
    # capped: the store key (media.filename, 255) and the file name (255 bytes) keep room for the
    # tenant folder, a `-N` and a size's `-WxH`; a longer name was a 500 (ENAMETOOLONG)
    stem = re.sub(r"-+", "-", stem)[:MAX_STEM].strip("-.") or "unnamed-file"
    return f"{stem}{ext.lower()}"


def folder_key(tenant_slug, when):
    return f"{tenant_slug}/{when:%Y}/{when:%m}"


def unique_key(store, folder, name, taken, companions=lambda name: ()):
    """wp_unique_filename: `name.ext`, else `name-1.ext`, `name-2.ext`… — the first whose key and whose
    companion files (an image's `name-WxH.ext` sizes) are free in the store and not `taken`."""
    stem, ext = posixpath.splitext(name)
    candidate, number = name, 0
    while any(taken(f"{folder}/{each}") or store.exists(f"{folder}/{each}")
              for each in (candidate, *companions(candidate))):
        number += 1
        candidate = f"{stem}-{number}{ext}"
    return f"{folder}/{candidate}"


def build_store(settings):
    """The store `settings` name: LocalStore, or S3Store for WPCOMPAT_MEDIA_STORE=s3."""
    if settings.media_store == "s3":
        from wpcompat.storage.s3 import S3Store         # boto3 is imported only when S3 is used
        return S3Store(settings.s3_bucket, prefix=settings.s3_prefix, endpoint_url=settings.s3_endpoint_url,
                       region=settings.s3_region, kms_key_id=settings.s3_kms_key_id)
    return LocalStore(settings.media_root)


_store = LocalStore("var/uploads")


def configure(settings):
    """Set up the store and the PHI key `settings` name (create_app calls this once); returns the
    store, which current() returns from then on."""
    global _store
    crypto.configure(settings.media_key or settings.secret_key)
    _store = build_store(settings)
    return _store


def current():
    return _store


__all__ = ["LocalStore", "MediaStore", "build_store", "check_key", "configure", "crypto", "current",
           "folder_key", "sanitize_file_name", "unique_key"]
