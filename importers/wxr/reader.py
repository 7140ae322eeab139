"""Streaming, entity-safe WXR reader: a file → plain records, one at a time (spec/wxr.md §1–6).

lxml's iterparse with entities unresolved, no DTD loading, no network and huge_tree off
(a text node over libxml2's 10 MB limit is an error). A DOCTYPE is refused outright, so
billion laughs and XXE never get a chance. Each channel child is freed once read, together
with its preceding siblings, so memory stays flat whatever the file size; the file is
read once. Control characters XML 1.0 forbids are dropped from the bytes as they stream
by (WordPress writes them; a strict parser would reject the file) and counted.

Records (dicts, WordPress parser shape): ("site", {...}) once, then ("author", {...}),
("term", {...}) and ("item", {...}) in file order. Elements are matched on namespace URI
(http/https × 1.0/1.1/1.2), never on the prefix.
"""

import re

from lxml import etree

WP_URIS = {f"{scheme}://wordpress.org/export/{version}/" for scheme in ("http", "https")
           for version in ("1.0", "1.1", "1.2")}
EXCERPT_URIS = {uri + "excerpt/" for uri in WP_URIS}
CONTENT_URI = "http://purl.org/rss/1.0/modules/content/"
DC_URI = "http://purl.org/dc/elements/1.1/"
VERSION_RE = re.compile(r"^\d+\.\d+$")
NOT_WXR = "This does not appear to be a WXR file, missing/invalid WXR version number"
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
CHUNK = 1 << 16
MAX_HELD_BYTES = 32 << 20      # XML read and not yet freed: one item of a real export is far smaller


class WxrError(Exception):
    """The file cannot be imported; str() is one line naming the file and the reason."""


class _CleanStream:
    """A binary file whose reads drop XML-forbidden control bytes (counted in `dropped`), and that refuses
    to go on once MAX_HELD_BYTES were read since the reader last freed what it had read (`freed_at`):
    elements a WXR file does not have, after the last record or around the channel, are freed only with a
    later record, so without this bound memory would grow with them."""

    def __init__(self, raw, progress=None, name=""):
        self.raw = raw
        self.progress = progress
        self.name = name
        self.dropped = 0
        self.bytes_read = 0
        self.freed_at = 0

    def read(self, size=CHUNK):
        if self.bytes_read - self.freed_at > MAX_HELD_BYTES:
            raise WxrError(f"{self.name}: over {MAX_HELD_BYTES >> 20} MB of XML without a WXR record (an item "
                           "that large, or elements a WXR file does not have): refused")
        data = self.raw.read(size if size and size > 0 else CHUNK)
        self.bytes_read += len(data)
        if self.progress is not None:
            self.progress(len(data))
        clean = data.translate(None, CONTROL_BYTES)
        self.dropped += len(data) - len(clean)
        return clean


_SPLIT = {}
_SPLIT_LIMIT = 4096            # a file with more distinct element names is split each time, not remembered


def _split(tag):
    found = _SPLIT.get(tag)
    if found is not None:
        return found
    if not isinstance(tag, str):
        return None, None
    if tag.startswith("{"):
        found = tuple(tag[1:].split("}", 1))
    else:
        found = ("", tag)
    if len(_SPLIT) < _SPLIT_LIMIT:
        _SPLIT[tag] = found
    return found


def _text(elem):
    return elem.text or "" if len(elem) == 0 else "".join(elem.itertext())


def _wp_fields(elem):
    """{local name: text} of the WordPress-namespaced children (later duplicates win)."""
    out = {}
    for child in elem:
        uri, local = _split(child.tag)
        if uri in WP_URIS:
            out[local] = _text(child)
    return out


def _meta_list(elem, tag):
    rows = []
    for child in elem:
        uri, local = _split(child.tag)
        if uri in WP_URIS and local == tag:
            fields = _wp_fields(child)
            rows.append({"key": fields.get("meta_key", ""), "value": fields.get("meta_value", "")})
    return rows


def author_record(elem):
    fields = _wp_fields(elem)
    record = {name: fields.get(name, "").strip() if name in ("author_login", "author_id") else fields.get(name, "")
              for name in ("author_id", "author_login", "author_email", "author_display_name",
                           "author_first_name", "author_last_name")}
    return record


def term_record(elem, kind):
    fields = _wp_fields(elem)
    meta = _meta_list(elem, "termmeta")
    if kind == "category":
        return {"taxonomy": "category", "term_id": fields.get("term_id", "").strip(),
                "slug": fields.get("category_nicename", "").strip(), "parent": fields.get("category_parent", "").strip(),
                "name": fields.get("cat_name", ""), "description": fields.get("category_description", ""),
                "termmeta": meta}
    if kind == "tag":
        return {"taxonomy": "post_tag", "term_id": fields.get("term_id", "").strip(),
                "slug": fields.get("tag_slug", "").strip(), "parent": "", "name": fields.get("tag_name", ""),
                "description": fields.get("tag_description", ""), "termmeta": meta}
    return {"taxonomy": fields.get("term_taxonomy", "").strip(), "term_id": fields.get("term_id", "").strip(),
            "slug": fields.get("term_slug", "").strip(), "parent": fields.get("term_parent", "").strip(),
            "name": fields.get("term_name", ""), "description": fields.get("term_description", ""),
            "termmeta": meta}


def _comment(elem):
    fields = _wp_fields(elem)
    fields["commentmeta"] = _meta_list(elem, "commentmeta")
    return fields


ITEM_INTS = ("post_id", "post_parent", "menu_order", "is_sticky")
# What item_record does with a child of <item>, by the child's tag (namespace URI and local name, as _split).
WP, POSTMETA, COMMENT, PLAIN, CATEGORY, CONTENT, EXCERPT, CREATOR, OTHER = range(9)
_ITEM_TAGS = {}


def _item_tag(tag):
    """(what to do, local name) for a child of <item> with this tag; remembered as _split does."""
    found = _ITEM_TAGS.get(tag)
    if found is not None:
        return found
    uri, local = _split(tag)
    if uri in WP_URIS:
        code = POSTMETA if local == "postmeta" else COMMENT if local == "comment" else WP
    elif uri == "" and local in ("title", "guid", "link"):
        code = PLAIN
    elif uri == "" and local == "category":
        code = CATEGORY
    elif uri == CONTENT_URI and local == "encoded":
        code = CONTENT
    elif uri in EXCERPT_URIS and local == "encoded":
        code = EXCERPT
    elif uri == DC_URI and local == "creator":
        code = CREATOR
    else:
        code = OTHER
    found = (code, local)
    if len(_ITEM_TAGS) < _SPLIT_LIMIT:
        _ITEM_TAGS[tag] = found
    return found


def _meta_row(elem):
    """{"key", "value"} of a <wp:postmeta> (later duplicates win, as _wp_fields)."""
    key = value = ""
    for child in elem:
        uri, local = _split(child.tag)
        if uri in WP_URIS:
            if local == "meta_key":
                key = _text(child)
            elif local == "meta_value":
                value = _text(child)
    return {"key": key, "value": value}


def item_record(elem):
    postmeta, comments, terms = [], [], []
    item = {"title": "", "guid": "", "creator": "", "content": "", "excerpt": "", "terms": terms,
            "postmeta": postmeta, "comments": comments}
    wp = {}
    item_tags = _ITEM_TAGS
    for child in elem:
        code, local = item_tags.get(child.tag) or _item_tag(child.tag)
        if code == WP:
            wp[local] = (child.text or "") if len(child) == 0 else "".join(child.itertext())     # _text
        elif code == POSTMETA:
            postmeta.append(_meta_row(child))
        elif code == CATEGORY:
            domain, nicename = child.get("domain"), child.get("nicename")
            if nicename is not None and domain:
                terms.append({"domain": "post_tag" if domain == "tag" else domain, "slug": nicename,
                              "name": _text(child)})
        elif code == PLAIN:
            item[local] = _text(child)
        elif code == CONTENT:
            item["content"] = _text(child)
        elif code == EXCERPT:
            item["excerpt"] = _text(child)
        elif code == CREATOR:
            item["creator"] = _text(child)
        elif code == COMMENT:
            comments.append(_comment(child))
    for name in ITEM_INTS:
        item[name] = _int(wp.pop(name, ""))
    item["post_type"] = wp.pop("post_type", "").strip()
    item["status"] = wp.pop("status", "").strip()
    item["post_name"] = wp.pop("post_name", "").strip()
    item["attachment_url"] = wp.pop("attachment_url", "").strip()
    for name, value in wp.items():
        item[name] = value
    return item


def _int(value):
    value = (value or "").strip()
    try:
        return int(value)
    except ValueError:
        return 0 if not value else None


CHANNEL_SITE = {"wxr_version", "base_site_url", "base_blog_url"}


def read(path_or_file, name=None, progress=None):
    """Yield the file's records. Raises WxrError (one line) on anything that is not a sound WXR file."""
    name = name or str(path_or_file)
    try:
        raw = open(path_or_file, "rb") if isinstance(path_or_file, (str, bytes)) or hasattr(
            path_or_file, "__fspath__") else path_or_file
    except OSError as error:
        raise WxrError(f"{name}: cannot read: {error.strerror or error}") from None
    stream = _CleanStream(raw, progress, name)
    try:
        yield from _records(stream, name)
    except etree.XMLSyntaxError as error:
        raise WxrError(f"{name}: not well-formed XML (line {error.lineno}): {_reason(error)}") from None
    finally:
        if raw is not path_or_file:
            raw.close()


def _reason(error):
    return _one_line(re.sub(r",? line \d+, column \d+.*$", "", str(error.msg or error).strip()))


def _one_line(message, limit=200):
    """libxml2's message, first line only: after it libxml2 may quote the document's text (which can hold
    patient data and newlines); never echoed. Cut to `limit` characters."""
    lines = (message or "").strip().splitlines()
    message = " ".join(lines[0].split()) if lines else "parse error"
    return message if len(message) <= limit else message[:limit - 1] + "…"


# libxml2 reports a namespace URI that is not a valid URI (`http://ëxämplë.com/`) as an error, yet the
# document is well-formed XML: those are tolerated. The parser runs in recover mode only so that they do not
# stop it; every other error stops the import at once, before the damaged element is used.
TOLERATED = {"WAR_NS_URI", "WAR_NS_URI_RELATIVE"}


def _check_errors(events, seen, name):
    log = events.error_log
    if len(log) == seen:
        return seen
    for entry in list(log)[seen:]:
        if entry.type_name not in TOLERATED and entry.level_name in ("ERROR", "FATAL"):
            message = _one_line(entry.message)
            raise WxrError(f"{name}: not well-formed XML (line {entry.line}): {message}")
    return len(log)


# The elements whose end the reader acts on (channel children it reads, and the channel itself): asking
# iterparse for these only spares a Python step for every other element of the file (each item has dozens).
# The others are freed with their following sibling, as before.
WATCHED = (["item", "title", "link", "channel"]
           + [f"{{{uri}}}{local}" for uri in sorted(WP_URIS)
              for local in ("wxr_version", "base_site_url", "base_blog_url", "author", "wp_author", "category", "tag",
                            "term")])


def _check_doctype(root, name):
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise WxrError(f"{name}: a DOCTYPE is not allowed in a WXR file (entities are never expanded)")


def _records(stream, name):
    events = etree.iterparse(stream, events=("end",), tag=WATCHED, resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True, recover=True)
    seen_errors = 0
    site = {"wxr_version": None, "base_site_url": "", "base_blog_url": "", "title": "", "link": ""}
    checked = announced = False
    for _event, elem in events:
        seen_errors = _check_errors(events, seen_errors, name)
        if not checked:
            checked = True
            _check_doctype(elem, name)
        parent = elem.getparent()
        if parent is None or parent.tag != "channel":
            if elem.tag == "channel" or parent is None:
                elem.clear()
                stream.freed_at = stream.bytes_read
            continue
        uri, local = _split(elem.tag)
        record = None
        if uri in WP_URIS:
            if local in CHANNEL_SITE:
                site[local] = (elem.text or "").strip()
                if local == "wxr_version" and not VERSION_RE.match(site[local]):
                    raise WxrError(f"{name}: {NOT_WXR}")
            elif local in ("author", "wp_author"):
                record = ("author", author_record(elem))
            elif local in ("category", "tag", "term"):
                record = ("term", term_record(elem, local))
        elif uri == "" and local == "item":
            record = ("item", item_record(elem))
        elif uri == "" and local in ("title", "link"):
            site[local] = elem.text or ""
        if record is not None:
            if not announced:
                if site["wxr_version"] is None:
                    raise WxrError(f"{name}: {NOT_WXR}")
                announced = True
                yield "site", dict(site, control_chars_dropped=0)
            yield record
        elem.clear()
        while elem.getprevious() is not None:
            del parent[0]
        stream.freed_at = stream.bytes_read
    _check_errors(events, seen_errors, name)
    if not checked and events.root is not None:
        _check_doctype(events.root, name)
    if site["wxr_version"] is None:
        raise WxrError(f"{name}: {NOT_WXR}")
    if not announced:
        yield "site", dict(site, control_chars_dropped=stream.dropped)
    yield "end", {"control_chars_dropped": stream.dropped, "bytes_read": stream.bytes_read}
