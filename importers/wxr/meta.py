"""Post meta values: PHP-serialized → JSON with a real unserializer (never eval), and which keys to drop.

`phpserialize` decodes into Python values; objects become plain maps (no class is ever
instantiated, as WordPress rewrites every `O:n:"Class":` to stdClass); arrays with keys 0..n-1
become lists. A value that looks serialized but does not parse (lengths broken by hand edits
or re-encoding) is kept as text and reported.
"""

import functools
import json
import re

import phpserialize

# WordPress's is_serialized(), strict form.
SERIALIZED = re.compile(r'^(?:N;|b:[01];|i:-?\d+;|d:-?[0-9.eE+-]+;|s:\d+:".*";|[aO]:\d+:.*[;}])$', re.S)
# Kept out of custom_fields: locks, caches and data rebuilt or mapped elsewhere (wxr.md §8.5).
SKIP_KEYS = {"_edit_lock", "_edit_last", "_wp_attached_file", "_wp_attachment_metadata", "_encloseme",
             "_pingme", "_wp_old_slug", "_wp_old_date", "_thumbnail_id", "_wp_trash_meta_status",
             "_wp_trash_meta_time", "_wp_desired_post_slug"}
SKIP_PREFIXES = ("_menu_item_", "_oembed_", "_publicize_", "_wpas_")
MAX_KEY = 100


def skipped(key):
    return key in SKIP_KEYS or key.startswith(SKIP_PREFIXES)


def looks_serialized(value):
    return bool(value) and SERIALIZED.match(value.strip()) is not None


def _plain(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        items = {(_plain(key) if isinstance(key, bytes) else key): _plain(item) for key, item in value.items()}
        if list(items) == list(range(len(items))):
            return list(items.values())
        return {str(key): item for key, item in items.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def unserialize(value):
    """The decoded value, or raise ValueError."""
    try:
        decoded = phpserialize.loads(value.strip().encode("utf-8"), decode_strings=False,
                                     object_hook=lambda _name, data: dict(data))
    except Exception as error:                   # phpserialize raises ValueError and friends on bad input
        raise ValueError(str(error)) from None
    return _plain(decoded)


def decode(value):
    """(meta_type, stored text, broken?) for one raw meta value."""
    if len(value) <= CACHED_LENGTH:
        return _decode_short(value)
    return _decode(value)


CACHED_LENGTH = 512            # short values repeat across posts (flags, counters, small arrays): decoded once


@functools.lru_cache(maxsize=4096)
def _decode_short(value):
    return _decode(value)


def _decode(value):
    if looks_serialized(value):
        try:
            return "json", json.dumps(unserialize(value), ensure_ascii=False), False
        except ValueError:
            return "text", value, True
    return "text", value, False


def python_value(value):
    """The value as WordPress holds it after import: unserialized when it was serialized."""
    if looks_serialized(value):
        try:
            return unserialize(value)
        except ValueError:
            return value
    return value
