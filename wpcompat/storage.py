"""Where uploaded files live: the MediaStore protocol and LocalStore (the local filesystem).

A file's key is `{tenant slug}/{yyyy}/{mm}/{name}` (DESIGN.md §4); it is what
`media.filename` holds, and the file is served at /wp-content/uploads/{yyyy}/{mm}/{name}
on the tenant's hosts (routes/uploads.py). Names are made unique per tenant the way
WordPress's wp_unique_filename does (`name-1.jpg`, `name-2.jpg`, …).

Writes go to a temporary file in the target folder, then are renamed into place, so a
reader never sees half a file. The S3 store of issue 7 comes later.
"""

import os
import posixpath
import re
import tempfile
import unicodedata
from typing import Protocol

UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class MediaStore(Protocol):
    def exists(self, key: str) -> bool: ...
    def put(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def path(self, key: str) -> str: ...


def sanitize_file_name(name):
    """sanitize_file_name, simplified: ASCII letters, digits, dot, dash and underscore; spaces become dashes."""
    name = unicodedata.normalize("NFKD", posixpath.basename(str(name).replace("\\", "/")))
    name = name.encode("ascii", "ignore").decode("ascii").strip()
    name = re.sub(r"[\s]+", "-", name)
    name = UNSAFE_NAME_CHARS.sub("", name).strip(".-_")
    stem, ext = posixpath.splitext(name)
    stem = re.sub(r"-+", "-", stem).strip("-") or "unnamed-file"
    return f"{stem}{ext.lower()}"


def folder_key(tenant_slug, when):
    return f"{tenant_slug}/{when:%Y}/{when:%m}"


def unique_key(store, folder, name, taken, companions=lambda name: ()):
    """wp_unique_filename: `name.ext`, else `name-1.ext`, `name-2.ext`… — the first whose key and whose
    companion files (an image's `name-WxH.ext` sizes) are free on disk and not `taken`."""
    stem, ext = posixpath.splitext(name)
    candidate, number = name, 0
    while any(taken(f"{folder}/{each}") or store.exists(f"{folder}/{each}")
              for each in (candidate, *companions(candidate))):
        number += 1
        candidate = f"{stem}-{number}{ext}"
    return f"{folder}/{candidate}"


class LocalStore:
    """Files under `root`, one folder per tenant slug."""

    def __init__(self, root):
        self.root = os.path.abspath(root)

    def path(self, key):
        full = os.path.abspath(os.path.join(self.root, *key.split("/")))
        if not full.startswith(self.root + os.sep):
            raise ValueError(f"key outside the store: {key!r}")
        return full

    def exists(self, key):
        return os.path.exists(self.path(key))

    def put(self, key, data):
        target = self.path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temp, target)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise

    def read(self, key):
        with open(self.path(key), "rb") as source:
            return source.read()

    def delete(self, key):
        try:
            os.unlink(self.path(key))
        except FileNotFoundError:
            pass


_store = LocalStore("var/uploads")


def configure(settings):
    """The store `settings` name (create_app calls this once); also the one current() returns."""
    global _store
    _store = LocalStore(settings.media_root)
    return _store


def current():
    return _store
