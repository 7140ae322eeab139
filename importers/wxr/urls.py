"""Rewriting attachment URLs in post content (wxr.md §7 step 7); links to the old site: site_links.py.

`url_remap` maps each old file URL (and its guid) to the new one; for images also the URL
without its extension (the "stub"), so resized copies such as `canola2-300x200.jpg` follow
the original. Replacement is plain substring replacement, longest key first, as WordPress
does it; rewriting twice is harmless because new URLs do not contain old ones.
"""

import posixpath
from urllib.parse import urlsplit

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp"}


def add(remap, old_url, new_url):
    old_url, new_url = (old_url or "").strip(), (new_url or "").strip()
    if not old_url or not new_url or old_url == new_url or not names_a_file(old_url):
        return
    remap[old_url] = new_url
    old_stub, old_ext = posixpath.splitext(old_url)
    new_stub, new_ext = posixpath.splitext(new_url)
    if old_ext.lower() in IMAGE_EXTENSIONS and new_ext.lower() in IMAGE_EXTENSIONS and old_stub != new_stub:
        remap[old_stub + "-"] = new_stub + "-"          # name-300x200.jpg → new-name-300x200.jpg


def names_a_file(url):
    """An http(s) URL with a host and a path: only such a URL may be replaced wherever it appears (a
    guid of `https://`, or a bare host, would otherwise rewrite every link of every post)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and bool(parts.path.strip("/"))


def rewrite(text, remap):
    if not text or not remap:
        return text
    for old in sorted(remap, key=len, reverse=True):
        if old in text:
            text = text.replace(old, remap[old])
    return text


def prefixes(remap):
    """Distinct scheme://host parts of the old URLs (to find posts that may need rewriting)."""
    out = set()
    for old in remap:
        parts = old.split("/", 3)
        if len(parts) >= 3 and parts[0].endswith(":"):
            out.add("/".join(parts[:3]))
    return out
