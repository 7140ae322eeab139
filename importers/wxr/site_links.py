"""Links to the old site (`wp:base_site_url`) moved to the tenant in post content and excerpts.

The markup is read as WordPress's importer reads it (importer-expectations.md §5): text, HTML
attributes, CSS `url()` in `style` attributes and block-comment attributes, each with its own escaping.
"""

import html
import json
import re
from bisect import bisect_right
from urllib.parse import unquote, urlsplit

from wpcompat.render import serialize_block_attributes


def site_rewriter(old_base, new_base, keep_uploads):
    """A function rewriting links under the old site (`old_base`, its path included) to the new site.

    The old site is recognised by host (Unicode or punycode, any case, http or https, same port) and
    path (compared segment by segment after percent-decoding), so `https://old/path-not-taken` is not
    under `https://old/path` and `https://old.example.comcast` or `super-old.example.com` are not
    `old.example.com`. Where it is looked for:

    - text: absolute URLs (`https://…`, `//…`) and bare `host/path`, after HTML character references;
    - attributes: URL attributes (`href`, `src`, …) hold one URL, which may also be root-relative
      (`/path/x` → `/x`); other attributes are read as text; `style` is CSS: each `url(…)` under the
      old site is rewritten and written back quoted (`url(&quot;…&quot;)`), `data:` URIs and strings
      left alone;
    - block comments (`<!-- wp:name {…} -->`): JSON string values (after `\\u` escapes) are read as
      text, and URL keys (`url`, `href`, `src`, …) may hold a root-relative URL; a changed block is
      written back as WordPress serializes attributes (valid JSON, self-closing kept).

    Everything not rewritten stays byte for byte. With `keep_uploads` (attachments left where they are:
    link mode), `…/wp-content/uploads/…` URLs and links to media files (by extension) are not touched.
    """
    old_base, new_base = (old_base or "").strip().rstrip("/"), (new_base or "").strip().rstrip("/")
    if not old_base or not new_base or old_base == new_base or "://" not in old_base:
        return None
    try:
        site = _SiteRewriter(old_base, new_base, keep_uploads)
    except ValueError:
        return None

    def rewrite_text(text):
        return site.rewrite(text) if text and site.worth(text) else text
    return rewrite_text


# --- recognising the old site ----------------------------------------------------------------------

# a character of a host name: anything but ASCII punctuation (except - . _), controls and spaces
HOSTCHAR = r"[^\x00-\x2c\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\s]"
HOSTCHAR_NOT_DOT = r"[^\x00-\x2c\x2e\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\s]"
SEGMENT = re.compile(r"[^/?#\s\"'<>\\^`{|}]*")
URL_TAIL = re.compile(r"[^\s\"'<>()?#]*")
TRAILING = ".,;:!?)]}’”»…"
MEDIA_EXTENSIONS = (".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".svg", ".pdf", ".mp3", ".mp4", ".m4v",
                    ".mov", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".dcm")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "poster", "background", "longdesc", "usemap",
                  "data", "codebase", "manifest", "icon", "lowsrc", "highsrc"}
URL_BLOCK_KEYS = {"url", "href", "src", "mediaUrl", "mediaLink", "fullUrl", "feedURL", "textLinkHref",
                  "poster", "link"}


def _unicode_host(host):
    labels = []
    for label in host.lower().split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode").lower()
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


def _ascii_host(host):
    return ".".join(label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
                    for label in host.split("."))


class _SiteRewriter:
    def __init__(self, old_base, new_base, keep_uploads):
        old, new = urlsplit(old_base), urlsplit(new_base)
        if not old.hostname or old.scheme.lower() not in ("http", "https") or not new.netloc:
            raise ValueError(old_base)
        self.host = _unicode_host(old.hostname)
        self.port = old.port
        self.segments = [unquote(part) for part in old.path.strip("/").split("/") if part]
        hosts = sorted({self.host, _ascii_host(self.host)}, key=len, reverse=True)
        self.candidate = re.compile(
            rf"(?<!{HOSTCHAR})(?<![@:/\\])(?:(?P<scheme>https?):(?=//))?(?P<slashes>//)?"
            rf"(?P<host>{'|'.join(map(re.escape, hosts))})(?!{HOSTCHAR_NOT_DOT})(?!\.{HOSTCHAR})"
            r"(?::(?P<port>[0-9]+))?",
            re.IGNORECASE)
        new_path = new.path.rstrip("/")
        self.forms = {"full": new_base, "slashes": f"//{new.netloc}{new_path}", "bare": f"{new.netloc}{new_path}",
                      "relative": new_path}
        self.relative_changes = [unquote(part) for part in new_path.strip("/").split("/") if part] != self.segments
        self.keep_uploads = keep_uploads
        self.probe = [self.host, _ascii_host(self.host)]
        # a root-relative URL starting with the old path: in an attribute, url(…), a srcset or JSON
        self.relative_probe = (re.compile(r"(?:^|[\s\"'(=,])/" + re.escape(self.segments[0].lower()))
                               if self.segments else None)

    # -- which posts need it: a cheap look for the host (or the path) in every spelling

    def worth(self, text):
        if self.relative_changes and not self.segments:
            return True                                 # every root-relative URL moves under the new path
        low = text.lower()
        views = [low]
        if "&" in low:
            views.append(html.unescape(low))
        if "\\u" in low:
            views.append(_json_unescape(low))
        views += [unquote(view) for view in views if "%" in view]
        if any(word in view for view in views for word in self.probe):
            return True
        return self.relative_changes and any(self.relative_probe.search(view) for view in views)

    # -- one URL

    def _path_end(self, s, pos, text_mode):
        """Where the old base path ends in `s` from `pos` (after the host), or None."""
        last = len(self.segments) - 1
        for index, wanted in enumerate(self.segments):
            if not s.startswith("/", pos):
                return None
            end = SEGMENT.match(s, pos + 1).end()
            raw = s[pos + 1:end]
            if unquote(raw) == wanted:
                pos = end
                continue
            if text_mode and index == last:             # "…/path." at the end of a sentence
                stripped = raw.rstrip(TRAILING)
                if stripped != raw and unquote(stripped) == wanted and (end >= len(s) or s[end] not in "/?#"):
                    return pos + 1 + len(stripped)
            return None
        return pos

    def _kept(self, s, end):
        if not self.keep_uploads:
            return False
        tail = unquote(URL_TAIL.match(s, end).group())
        return (tail.startswith("/wp-content/uploads/")
                or tail.rstrip(TRAILING).lower().endswith(MEDIA_EXTENSIONS))

    def _absolute(self, match, s, text_mode):
        """(end, replacement) for a candidate match, or None."""
        port = match.group("port")
        if (int(port) if port else None) != self.port:
            return None
        if match.group("scheme") and not match.group("slashes"):
            return None
        if not text_mode and not match.group("slashes"):
            return None                                 # a URL attribute's `host/path` is a relative path
        end = self._path_end(s, match.end(), text_mode)
        if end is None or self._kept(s, end):
            return None
        if not (match.group("slashes") or self.segments or s.startswith("/", end)):
            return None                                 # a bare `example.com` in prose is a name, not a link
        form = "full" if match.group("scheme") else "slashes" if match.group("slashes") else "bare"
        return end, self.forms[form]

    def scan(self, s):
        """(start, end, replacement) of each old-site URL in a piece of text."""
        found = []
        for match in self.candidate.finditer(s):
            hit = self._absolute(match, s, True)
            if hit is not None:
                found.append((match.start(), hit[0], hit[1]))
        return found

    def whole(self, s, relative=True):
        """(start, end, replacement) when the value `s` (one URL) is under the old site, else None."""
        start = len(s) - len(s.lstrip())
        match = self.candidate.match(s, start)
        if match is not None:
            hit = self._absolute(match, s, False)
            return None if hit is None else (start, hit[0], hit[1])
        if relative and self.relative_changes and s.startswith("/", start) and not s.startswith("//", start):
            end = self._path_end(s, start, False)
            if end is None or self._kept(s, end):
                return None
            replacement = self.forms["relative"]
            if not replacement and not s[end:end + 1] == "/":
                replacement = "/"                       # `/path` → `/`, not an empty URL
            return start, end, replacement
        return None

    # -- markup

    def rewrite(self, text):
        out, pos, start, size, gt = [], 0, 0, len(text), -1
        while True:
            lt = text.find("<", pos)
            if lt < 0:
                break
            if gt < lt:
                gt = text.find(">", lt)
                if gt < 0:
                    break                               # no tag can end: the rest is text
            if text.startswith("<!--", lt):
                end = text.find("-->", lt + 4)
                out.append(self._text(text[start:lt]))
                if end < 0:                             # an unclosed comment runs to the end
                    out.append(text[lt:])
                    return "".join(out)
                out.append(self._comment(text[lt:end + 3]))
                pos = start = end + 3
                continue
            tag = TAG.match(text, lt)
            if tag is not None:
                out.append(self._text(text[start:lt]))
                out.append(self._tag(tag))
                pos = start = tag.end()
                name = tag.group(1).lower()
                if name in ("script", "style") and not tag.group(0).endswith("/>"):
                    close = re.compile(rf"</{name}[\s/>]", re.IGNORECASE).search(text, pos)
                    stop = close.start() if close else size
                    out.append(_splice(text[pos:stop], self.scan(text[pos:stop])))
                    pos = start = stop
                continue
            if text.startswith(("</", "<!", "<?"), lt):
                out.append(self._text(text[start:lt]))
                out.append(text[lt:gt + 1])
                pos = start = gt + 1
                continue
            pos = lt + 1
        out.append(self._text(text[start:]))
        return "".join(out)

    def _text(self, raw):
        if not raw:
            return raw
        decoded = _Decoded(raw)
        return decoded.splice(self.scan(decoded.text))

    def _tag(self, match):
        source, base = match.group(0), match.start(2) - match.start(0)
        edits = []
        for attribute in ATTRIBUTE.finditer(match.group(2)):
            span = next((attribute.span(group) for group in (2, 3, 4) if attribute.group(group) is not None), None)
            if span is None:
                continue
            name, raw = attribute.group(1).lower(), source[base + span[0]:base + span[1]]
            if name == "style":
                css = self._css(html.unescape(raw))
                if css is not None:
                    quoted = span if attribute.group(4) is not None else (span[0] - 1, span[1] + 1)
                    edits.append((base + quoted[0], base + quoted[1], '"' + _attribute_escape(css) + '"'))
                continue
            decoded = _Decoded(raw)
            if name in URL_ATTRIBUTES:
                hit = self.whole(decoded.text)
                hits = [] if hit is None else [hit]
            elif name == "srcset":
                hits = []
                for at in _list_starts(decoded.text):
                    hit = self.whole(decoded.text[at:])
                    if hit is not None:
                        hits.append((at + hit[0], at + hit[1], hit[2]))
            else:
                hits = self.scan(decoded.text)
            if hits:
                new = decoded.splice(hits, _attribute_escape)
                if new != raw:
                    edits.append((base + span[0], base + span[1], new))
        return _splice(source, edits) if edits else source

    def _css(self, css):
        """The style with its old-site `url(…)`s rewritten (quoted), or None when nothing changes."""
        edits = []
        for start, end, value in _css_urls(css):
            if value.strip()[:5].lower() == "data:":
                continue
            hit = self.whole(value)
            if hit is None:
                continue
            new = _splice(value, [hit]).strip()
            edits.append((start, end, '"' + new.replace("\\", "\\\\").replace('"', '\\"')
                          .replace("\n", "\\a ").replace("\r", "\\d ").replace("\f", "\\c ") + '"'))
        return _splice(css, edits) if edits else None

    def _comment(self, comment):
        block = BLOCK.fullmatch(comment)
        if block is None:
            return comment
        try:
            attributes = json.loads(block.group(1), parse_constant=_refuse)
        except ValueError:
            return comment
        changed = [False]
        attributes = self._json(attributes, None, changed)
        if not changed[0]:
            return comment
        serialized = serialize_block_attributes(attributes)
        try:
            serialized.encode("utf-8")
        except UnicodeEncodeError:                      # a lone surrogate: keep the block as it was
            return comment
        return comment[:block.start(1)] + serialized + comment[block.end(1):]

    def _json(self, value, key, changed):
        if isinstance(value, dict):
            return {name: self._json(item, name, changed) for name, item in value.items()}
        if isinstance(value, list):
            return [self._json(item, None, changed) for item in value]
        if not isinstance(value, str):
            return value
        hit = self.whole(value) if key in URL_BLOCK_KEYS else None
        new = _splice(value, [hit] if hit is not None else self.scan(value))
        if new != value:
            changed[0] = True
        return new


# --- markup helpers -------------------------------------------------------------------------------

TAG = re.compile(r"<([a-zA-Z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
ATTRIBUTE = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
BLOCK = re.compile(r"<!--\s+wp:[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?\s+(\{.*\})\s+/?-->", re.DOTALL)
REFERENCE = re.compile(r"&(?:#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z][A-Za-z0-9]*;)")
CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\n\r\f])?|(\r\n|[\n\r\f])|(.))", re.DOTALL)


def _refuse(constant):
    raise ValueError(constant)


def _splice(text, edits):
    if not edits:
        return text
    out, pos = [], 0
    for start, end, replacement in sorted(edits):
        out += [text[pos:start], replacement]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _attribute_escape(value):
    return value.replace("&", "&amp;").replace('"', "&quot;")


def _list_starts(text):
    """Where each candidate of a srcset starts."""
    starts = [0]
    for match in re.finditer(r",\s*", text):
        starts.append(match.end())
    return starts


def _json_unescape(text):
    decoded = re.sub(r"\\u([0-9a-f]{4})", lambda match: chr(int(match.group(1), 16)), text)
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class _Decoded:
    """A text with its character references decoded, mapping decoded offsets back to the raw text."""

    def __init__(self, raw):
        self.raw = raw
        if "&" not in raw:
            self.text, self.pieces = raw, None
            return
        parts, pieces, pos, at = [], [], 0, 0   # pieces: (decoded start, raw start, decoded len, raw len, ref)
        for match in REFERENCE.finditer(raw):
            value = html.unescape(match.group())
            if value == match.group():
                continue
            if match.start() > pos:
                pieces.append((at, pos, match.start() - pos, match.start() - pos, False))
                parts.append(raw[pos:match.start()])
                at += match.start() - pos
            pieces.append((at, match.start(), len(value), len(match.group()), True))
            parts.append(value)
            at += len(value)
            pos = match.end()
        if pos < len(raw):
            pieces.append((at, pos, len(raw) - pos, len(raw) - pos, False))
            parts.append(raw[pos:])
        self.text, self.pieces = "".join(parts), pieces
        self.starts = [piece[0] for piece in pieces]

    def _raw(self, offset, end):
        if self.pieces is None:
            return offset
        index = bisect_right(self.starts, offset - 1 if end else offset) - 1
        start, raw_start, length, raw_length, ref = self.pieces[index]
        if not ref:
            return raw_start + offset - start
        if offset == start:
            return raw_start
        if offset == start + length:
            return raw_start + raw_length
        return None                                     # inside one reference's expansion

    def splice(self, hits, escape=lambda text: html.escape(text, quote=False)):
        edits = []
        for start, end, replacement in hits:
            raw_start = self._raw(start, False)
            raw_end = raw_start if end == start else self._raw(end, True)
            if raw_start is not None and raw_end is not None:
                edits.append((raw_start, raw_end, escape(replacement)))
        return _splice(self.raw, edits)


def _css_escape_decode(text):
    def one(match):
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return "" if match.group(2) else match.group(3)
    return CSS_ESCAPE.sub(one, text)


def _css_urls(css):
    """(start, end, value) of each `url(…)` of a declaration list, outside comments and strings; the span
    is the inside of the parentheses."""
    pos, size = 0, len(css)
    while pos < size:
        char = css[pos]
        if css.startswith("/*", pos):
            end = css.find("*/", pos + 2)
            pos = size if end < 0 else end + 2
            continue
        if char in "\"'":
            pos = _css_string_end(css, pos)
            continue
        if char == "\\":
            pos += 2
            continue
        if (char in "uU" and css[pos:pos + 4].lower() == "url(" and
                (pos == 0 or not (css[pos - 1].isalnum() or css[pos - 1] in "-_" or ord(css[pos - 1]) > 127))):
            found = _css_url_at(css, pos + 4)
            if found is not None:
                yield pos + 4, found[0], found[1]
                pos = found[0] + 1
                continue
        pos += 1


def _css_string_end(css, pos):
    quote, pos = css[pos], pos + 1
    while pos < len(css):
        if css[pos] == "\\":
            pos += 2
            continue
        if css[pos] == quote or css[pos] == "\n":
            return pos + 1
        pos += 1
    return pos


def _css_url_at(css, pos):
    """(index of the closing parenthesis, decoded URL) of the url( whose inside starts at `pos`."""
    inner = pos
    while inner < len(css) and css[inner] in " \t\n\r\f":
        inner += 1
    if inner < len(css) and css[inner] in "\"'":
        end = _css_string_end(css, inner)
        if css[end - 1] != css[inner]:
            return None
        value = _css_escape_decode(re.sub(r"\\(\r\n|[\n\r\f])", "", css[inner + 1:end - 1]))
        close = end
        while close < len(css) and css[close] in " \t\n\r\f":
            close += 1
        return (close, value) if close < len(css) and css[close] == ")" else None
    close = inner
    while close < len(css) and css[close] != ")":
        if css[close] == "\\":
            close += 2
            continue
        if css[close] in "\"'(":
            return None
        close += 1
    if close >= len(css):
        return None
    value = css[inner:close].rstrip(" \t\n\r\f")
    if any(char in value for char in " \t\n\r\f"):
        return None
    return close, _css_escape_decode(value)


