"""LocalStore: files under a root folder, one folder per tenant slug.

Writes go to a temporary file in the target folder, then are renamed into place, so a
reader never sees half a file.
"""

import os
import tempfile


class LocalStore:
    def __init__(self, root):
        self.root = os.path.abspath(root)

    def path(self, key):
        from wpcompat.storage import check_key          # `a/../b/x` stays under the root: refuse it anyway
        full = os.path.abspath(os.path.join(self.root, *check_key(key).split("/")))
        if not full.startswith(self.root + os.sep):
            raise ValueError(f"key outside the store: {key!r}")
        return full

    def exists(self, key):
        return os.path.exists(self.path(key))

    def put(self, key, data):
        self._write(key, data, os.replace)

    def put_new(self, key, data):
        """put, unless `key` exists (FileExistsError): a hard link appears whole or not at all, and never
        replaces a file another upload wrote meanwhile."""
        def link(temp, target):
            try:
                os.link(temp, target)
            except FileExistsError:
                raise FileExistsError(key) from None
            except OSError:                       # no hard links here: claim the name, then fill it
                try:
                    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                except FileExistsError:
                    raise FileExistsError(key) from None
                os.replace(temp, target)
                return
            os.unlink(temp)
        self._write(key, data, link)

    def _write(self, key, data, place):
        target = self.path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            place(temp, target)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise

    def read(self, key):
        with open(self.path(key), "rb") as source:
            return source.read()

    def open(self, key):
        """(open binary file, its length); the caller (Falcon's stream) closes it."""
        path = self.path(key)
        handle = open(path, "rb")
        return handle, os.fstat(handle.fileno()).st_size

    def delete(self, key):
        try:
            os.unlink(self.path(key))
        except FileNotFoundError:
            pass
