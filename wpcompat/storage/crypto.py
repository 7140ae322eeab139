"""PHI at rest: AES-256-GCM (authenticated) with a per-tenant key, from the `cryptography` package.

Keys: one master secret — WPCOMPAT_MEDIA_KEY, or WPCOMPAT_SECRET_KEY when that is unset — and
per tenant `HKDF-SHA256(master, salt="wpcompat-media-v1", info="tenant:<tenant uuid>")`, so
no tenant's key opens another tenant's files and no key is stored anywhere.

A sealed file is `WPCM` + version (1) + key fingerprint (4 bytes) + nonce (12) + ciphertext
and GCM tag. The associated data binds it to its tenant and store key: a sealed file copied
to another name or tenant does not open. The fingerprint names the master key a file was
sealed with, so a rotation (re-sealing every PHI file with a new WPCOMPAT_MEDIA_KEY; not
automated yet) can tell old files from new ones; a file sealed with another key is refused,
never decrypted to garbage.
"""

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"WPCM\x01"
SALT = b"wpcompat-media-v1"
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + 4 + NONCE_BYTES


class SealError(ValueError):
    """The bytes are not a file sealed for this tenant and key with this master secret."""


_master = None


def configure(master_secret):
    """Set the master secret (storage.configure calls this with the settings')."""
    global _master
    _master = master_secret.encode("utf-8") if isinstance(master_secret, str) else bytes(master_secret)


def tenant_key(tenant_id, master=None):
    """The tenant's 256-bit key."""
    secret = master if master is not None else _master
    if not secret:
        raise SealError("no media key configured")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT,
                info=f"tenant:{tenant_id}".encode()).derive(secret)


def _fingerprint(key):
    return hmac.new(key, b"wpcompat-media-key-fingerprint", hashlib.sha256).digest()[:4]


def _associated(tenant_id, store_key):
    return f"{tenant_id}|{store_key}".encode()


def is_sealed(blob):
    return blob[:len(MAGIC)] == MAGIC


def seal(tenant_id, store_key, data):
    """`data` encrypted for the tenant, bound to `store_key`."""
    key = tenant_key(tenant_id)
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + _fingerprint(key) + nonce + AESGCM(key).encrypt(nonce, data, _associated(tenant_id, store_key))


def unseal(tenant_id, store_key, blob, master=None):
    """The plaintext of a sealed file; SealError when it is not one this tenant's key opens."""
    key = tenant_key(tenant_id, master)
    if not is_sealed(blob) or len(blob) < HEADER_BYTES + 16:
        raise SealError("not a sealed media file")
    if blob[len(MAGIC):len(MAGIC) + 4] != _fingerprint(key):
        raise SealError("sealed with another media key")
    nonce = blob[len(MAGIC) + 4:HEADER_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[HEADER_BYTES:], _associated(tenant_id, store_key))
    except InvalidTag:
        raise SealError("the sealed file was altered or belongs elsewhere") from None
