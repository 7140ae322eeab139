"""Password hashing: argon2id for login passwords, WordPress's fast hash for application passwords.

Login passwords are low-entropy, so they get a slow, memory-hard hash from
argon2-cffi. Application passwords are 24 random characters (~142 bits); like
WordPress 6.8+ (wp_fast_hash) they are hashed with keyed BLAKE2b, which is safe for
secrets of that entropy and keeps per-request authentication cheap.
"""

import hashlib
import hmac
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

UNUSABLE_PASSWORD = "!"           # users imported or created without a password
APP_PASSWORD_LENGTH = 24
APP_PASSWORD_ALPHABET = string.ascii_letters + string.digits
_FAST_HASH_PREFIX = "$generic$"
_FAST_HASH_KEY = b"wp_fast_hash_6.8+"

_hasher = PasswordHasher()


def hash_password(password):
    return _hasher.hash(password)


def verify_password(stored_hash, password):
    if not stored_hash or stored_hash == UNUSABLE_PASSWORD:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_app_password():
    return "".join(secrets.choice(APP_PASSWORD_ALPHABET) for _ in range(APP_PASSWORD_LENGTH))


def chunked(password):
    """How WordPress shows a new application password: groups of four."""
    return " ".join(password[i:i + 4] for i in range(0, len(password), 4))


def normalize_app_password(password):
    """WordPress ignores everything but letters and digits (so the spaces of `chunked`)."""
    return "".join(ch for ch in password if ch.isascii() and ch.isalnum())


def hash_app_password(password):
    digest = hashlib.blake2b(normalize_app_password(password).encode(), key=_FAST_HASH_KEY,
                             digest_size=30).hexdigest()
    return _FAST_HASH_PREFIX + digest


def verify_app_password(stored_hash, password):
    return hmac.compare_digest(stored_hash, hash_app_password(password))
