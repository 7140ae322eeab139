"""kses: the HTML a user without `unfiltered_html` may store, as WordPress 6.1 allows it.

WordPress runs its kses filters on what authors, contributors and subscribers save (editors and
administrators have `unfiltered_html` and are trusted):
- `filter_post` is wp_filter_post_kses with `$allowedposttags` — post and page content and excerpts,
  media captions and descriptions;
- `filter_small` is wp_filter_kses with the small `$allowedtags` — post titles, comments, term and user
  descriptions, ACF text.

The HTML is parsed by nh3 (ammonia, an HTML5 parser) rather than by WordPress's regular expressions:
what a browser would read as a tag or an attribute is what gets checked, so there is no
parse-differential to slip a script through. Against WordPress's output it differs only in form:
tags left open are closed, attributes are double-quoted and named entities become characters. As in
WordPress, a tag that is not allowed goes and its text stays (`<script>alert(1)</script>` leaves
`alert(1)`, as text). Block comments (`<!-- wp:paragraph -->`) are kept, as Gutenberg needs them.

HTML that needs no cleaning is stored exactly as sent (Gutenberg's `<img …/>` included): the cleaned
text is compared with the original, the original's self-closing slashes and the cleaned text's empty
boolean attributes (`download=""`) aside, and the original is kept when they are the same. Any other
difference keeps the cleaned text, so this can only keep what the cleaner would have written itself.
"""

import html
import json
import re

import nh3

from wpcompat.auth import can
from wpcompat.render import BLOCK_TOKEN, serialize_block_attributes, strip_all_tags

# wp_allowed_protocols()
PROTOCOLS = frozenset({"http", "https", "ftp", "ftps", "mailto", "news", "irc", "irc6", "ircs", "gopher", "nntp",
                       "feed", "telnet", "mms", "rtsp", "sms", "svn", "tel", "fax", "xmpp", "webcal", "urn"})

# _wp_add_global_attributes() as of 6.1 (`data-*` is a prefix, below)
GLOBAL_ATTRIBUTES = frozenset({"aria-describedby", "aria-details", "aria-label", "aria-labelledby", "aria-hidden",
                               "class", "dir", "id", "lang", "style", "title", "role", "xml:lang"})

_ALIGN = frozenset({"align"})
_CELL = frozenset({"align", "char", "charoff", "valign"})
_HEADER_CELL = frozenset({"abbr", "align", "axis", "bgcolor", "char", "charoff", "colspan", "headers", "height",
                          "nowrap", "rowspan", "scope", "valign", "width"})
_COLUMN = frozenset({"align", "char", "charoff", "span", "valign", "width"})
_NONE = frozenset()

# $allowedposttags (WordPress 6.1), each with the global attributes added below.
POST_TAGS = {
    "address": _NONE, "a": frozenset({"href", "rel", "rev", "name", "target", "download"}), "abbr": _NONE,
    "acronym": _NONE, "area": frozenset({"alt", "coords", "href", "nohref", "shape", "target"}),
    "article": _ALIGN, "aside": _ALIGN,
    "audio": frozenset({"autoplay", "controls", "loop", "muted", "preload", "src"}),
    "b": _NONE, "bdo": _NONE, "big": _NONE, "blockquote": frozenset({"cite"}), "br": _NONE,
    "button": frozenset({"disabled", "name", "type", "value"}), "caption": _ALIGN, "cite": _NONE, "code": _NONE,
    "col": _COLUMN, "colgroup": _COLUMN, "del": frozenset({"datetime"}), "dd": _NONE, "dfn": _NONE,
    "details": frozenset({"align", "open"}), "div": _ALIGN, "dl": _NONE, "dt": _NONE, "em": _NONE,
    "fieldset": _NONE, "figure": _ALIGN, "figcaption": _ALIGN, "font": frozenset({"color", "face", "size"}),
    "footer": _ALIGN, "h1": _ALIGN, "h2": _ALIGN, "h3": _ALIGN, "h4": _ALIGN, "h5": _ALIGN, "h6": _ALIGN,
    "header": _ALIGN, "hgroup": _ALIGN, "hr": frozenset({"align", "noshade", "size", "width"}), "i": _NONE,
    "img": frozenset({"alt", "align", "border", "height", "hspace", "loading", "longdesc", "vspace", "src",
                      "usemap", "width"}),
    "ins": frozenset({"datetime", "cite"}), "kbd": _NONE, "label": frozenset({"for"}), "legend": _ALIGN,
    "li": frozenset({"align", "value"}), "main": _ALIGN, "map": frozenset({"name"}), "mark": _NONE,
    "menu": frozenset({"type"}), "nav": _ALIGN, "object": frozenset({"data", "type"}), "p": _ALIGN,
    "pre": frozenset({"width"}), "q": frozenset({"cite"}), "rb": _NONE, "rp": _NONE, "rt": _NONE, "rtc": _NONE,
    "ruby": _NONE, "s": _NONE, "samp": _NONE, "span": _ALIGN, "section": _ALIGN, "small": _NONE,
    "strike": _NONE, "strong": _NONE, "sub": _NONE, "summary": _ALIGN, "sup": _NONE,
    "table": frozenset({"align", "bgcolor", "border", "cellpadding", "cellspacing", "rules", "summary", "width"}),
    "tbody": _CELL, "td": _HEADER_CELL, "th": _HEADER_CELL, "tfoot": _CELL, "thead": _CELL,
    "textarea": frozenset({"cols", "rows", "disabled", "name", "readonly"}), "title": _NONE,
    "tr": frozenset({"align", "bgcolor", "char", "charoff", "valign"}),
    "track": frozenset({"default", "kind", "label", "src", "srclang"}), "tt": _NONE, "u": _NONE,
    "ul": frozenset({"type"}), "ol": frozenset({"start", "type", "reversed"}), "var": _NONE,
    "video": frozenset({"autoplay", "controls", "height", "loop", "muted", "playsinline", "poster", "preload",
                        "src", "width"}),
}

# wp_kses_uri_attributes() that the allowlists hold; nh3 checks href, src, data and poster itself, not these.
URI_ATTRIBUTES = frozenset({"cite", "longdesc", "usemap"})

# $allowedtags
SMALL_TAGS = {
    "a": frozenset({"href", "title"}), "abbr": frozenset({"title"}), "acronym": frozenset({"title"}), "b": _NONE,
    "blockquote": frozenset({"cite"}), "cite": _NONE, "code": _NONE, "del": frozenset({"datetime"}), "em": _NONE,
    "i": _NONE, "q": frozenset({"cite"}), "s": _NONE, "strike": _NONE, "strong": _NONE,
}

# safecss_filter_attr()'s safe_style_css (6.1), and the properties whose url() values are checked.
SAFE_CSS = frozenset("""
    background background-color background-image background-position background-size background-attachment
    background-blend-mode border border-radius border-width border-color border-style border-right
    border-right-color border-right-style border-right-width border-bottom border-bottom-color
    border-bottom-left-radius border-bottom-right-radius border-bottom-style border-bottom-width border-left
    border-left-color border-left-style border-left-width border-top border-top-color border-top-left-radius
    border-top-right-radius border-top-style border-top-width border-spacing border-collapse caption-side
    columns column-count column-fill column-gap column-rule column-span column-width color filter font
    font-family font-size font-style font-variant font-weight letter-spacing line-height text-align
    text-decoration text-indent text-transform height min-height max-height width min-width max-width margin
    margin-right margin-bottom margin-left margin-top margin-block-start margin-block-end margin-inline-start
    margin-inline-end padding padding-right padding-bottom padding-left padding-top padding-block-start
    padding-block-end padding-inline-start padding-inline-end flex flex-basis flex-direction flex-flow flex-grow
    flex-shrink flex-wrap gap row-gap grid-template-columns grid-auto-columns grid-column-start grid-column-end
    grid-column-gap grid-template-rows grid-auto-rows grid-row-start grid-row-end grid-row-gap grid-gap
    justify-content justify-items justify-self align-content align-items align-self clear cursor direction float
    list-style-type object-fit object-position overflow vertical-align
""".split())
CSS_URL_PROPERTIES = frozenset({"background", "background-image", "cursor", "filter", "list-style",
                                "list-style-image"})
CSS_GRADIENT_PROPERTIES = frozenset({"background", "background-image"})
_CUSTOM_PROPERTY = re.compile(r"^--[a-zA-Z0-9-_]+$")
_CSS_URL = re.compile(r"url\([^)]+\)")
_CSS_URL_PARTS = re.compile(r"^url\(\s*(['\"]?)(.*)\1\s*\)$", re.S)
_GRADIENT = re.compile(r"^(repeating-)?(linear|radial|conic)-gradient\(([^()]|rgba?\([^()]*\))*\)$")
_CSS_FUNCTION = re.compile(r"\b(?:var|calc|min|max|minmax|clamp)\(")
_UNSAFE_CSS = re.compile(r"[\\(&=}]|/\*")
_URL_SCHEME = re.compile(r"^([^:/?#]+):")
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SELF_CLOSING = re.compile(r"[\t\n\f\r ]*/>")           # HTML's whitespace only: `</a\x0b/>` is no end tag
_EMPTY_BOOLEAN = re.compile(r' (download|controls|autoplay|loop|muted|playsinline|open|disabled|readonly|reversed|'
                            r'nohref|noshade|nowrap|default)=""')
_LONE_LT = re.compile(r"<[^>]*?(?:(?=<)|>|$)")
_OCTET = re.compile(r"%[a-f0-9]{2}", re.I)


def filter_post(text, home=None):
    """wp_filter_post_kses: post HTML without scripts, handlers or unsafe URLs and styles. `home` is the
    site's address; a PDF `<object>` must come from its host, as _wp_kses_allow_pdf_objects requires."""
    return _POST.clean(text, home)


def filter_small(text):
    """wp_filter_kses: only $allowedtags (links, emphasis, quotes, code)."""
    return _SMALL.clean(text, None)


def sanitize_text_field(text, request=None):
    """sanitize_text_field(): no tags, no line breaks or runs of white space, no %-octets. (`request`:
    it is also a REST argument's sanitize callback.)"""
    text = str(text)
    if "<" in text:
        text = _LONE_LT.sub(lambda m: m.group(0) if ">" in m.group(0) else html.escape(m.group(0), False), text)
        text = strip_all_tags(text)
    text = re.sub(r"[\r\n\t ]+", " ", text).strip()
    found = False
    while (match := _OCTET.search(text)) is not None:
        text = text.replace(match.group(0), "")
        found = True
    if found:
        text = re.sub(r" +", " ", text).strip()
    return text


def safe_css(css):
    """safecss_filter_attr: the declarations of an inline style that WordPress keeps."""
    kept = []
    for item in css.replace("\n", "").replace("\r", "").replace("\t", "").split(";"):
        item = item.strip()
        if item and _safe_declaration(item):
            kept.append(item)
    return ";".join(kept)


def _safe_declaration(item):
    if ":" not in item:
        return False
    name, value = (part.strip() for part in item.split(":", 1))
    custom = _CUSTOM_PROPERTY.match(name) is not None
    if name not in SAFE_CSS and not custom:
        return False
    tested = item
    if name in CSS_URL_PROPERTIES or (custom and value.startswith("url(")):
        for match in _CSS_URL.findall(value):
            parts = _CSS_URL_PARTS.match(match)
            url = parts.group(2).strip() if parts else ""
            if not url or "\\" in url or not _safe_url(url):          # `java\73 cript:` is an escape
                return False
            tested = tested.replace(match, "")
    if (name in CSS_GRADIENT_PROPERTIES or (custom and "-gradient(" in value)) and _GRADIENT.match(value):
        tested = tested.replace(value, "")
    return _UNSAFE_CSS.search(_without_functions(tested)) is None


def _without_functions(css):
    """The CSS with var(), calc(), min(), max(), minmax() and clamp() calls (balanced) taken out."""
    while (match := _CSS_FUNCTION.search(css)) is not None:
        depth, end = 0, None
        for index in range(match.end() - 1, len(css)):
            depth += {"(": 1, ")": -1}.get(css[index], 0)
            if depth == 0:
                end = index + 1
                break
        if end is None:
            return css                  # unbalanced: left in, and its "(" refuses the declaration
        css = css[:match.start()] + css[end:]
    return css


def _safe_url(url):
    """A relative URL, or one whose scheme is in PROTOCOLS once the white space and control characters
    a browser skips (`java\tscript:`) are out."""
    scheme = _URL_SCHEME.match(_URL_IGNORED.sub("", url))
    return scheme is None or scheme.group(1).lower() in PROTOCOLS


def _pdf_object(value, home):
    """_wp_kses_allow_pdf_objects: a .pdf with no query or fragment on this site's host."""
    if home is None or "?" in value or "#" in value or not value.endswith(".pdf"):
        return False
    host = home.split("://", 1)[-1].split("/", 1)[0]
    return value.startswith((f"http://{host}/", f"https://{host}/"))


class _Kses:
    def __init__(self, tags, global_attributes=frozenset()):
        self.tags = set(tags)
        self.attributes = {name: set(allowed) for name, allowed in tags.items()}
        if global_attributes:
            self.attributes["*"] = set(global_attributes)
        self.prefixes = {"data-"} if global_attributes else None

    def clean(self, text, home):
        def attribute(tag, name, value):
            if name in URI_ATTRIBUTES and not _safe_url(html.unescape(value)):
                return None
            if name == "style":
                return safe_css(value) or None
            if tag == "object" and name == "data":
                return value if _pdf_object(value, home) else None
            if tag == "object" and name == "type":
                return value if value == "application/pdf" else None
            return value

        text = _filtered_block_attributes(_encodable(str(text or "")), lambda value: self.clean(value, home))
        cleaned = nh3.clean(text, tags=self.tags, attributes=self.attributes, attribute_filter=attribute,
                            strip_comments=False, link_rel=None, clean_content_tags=set(),
                            generic_attribute_prefixes=self.prefixes, url_schemes=set(PROTOCOLS))
        if _SELF_CLOSING.sub(">", text) == _EMPTY_BOOLEAN.sub(r" \1", cleaned):
            return text
        return cleaned


def _filtered_block_attributes(text, clean):
    """filter_block_content's half on attributes: string values holding HTML in block comments
    (`<!-- wp:x {"caption":"\\u003cimg onerror=…\\u003e"} -->`) go through the same kses, since editors
    may render them as HTML. The comment is rewritten only when a value changed (values without `<`,
    URLs included, are left as they are: kses would only normalise their entities)."""
    if "wp:" not in text:
        return text

    def one(match):
        raw = (match.group("attrs") or "").strip()
        if not raw or ("<" not in raw and "\\u003c" not in raw.lower()):
            return match.group(0)
        try:
            attributes = json.loads(raw, parse_constant=_refuse_constant)
            filtered = _clean_strings(attributes, clean)
        except (ValueError, RecursionError):            # not JSON PHP reads, or nested past Python's stack
            return ""                                   # a comment kses cannot read is dropped
        if filtered == attributes:
            return match.group(0)
        serialized = serialize_block_attributes(filtered).encode("utf-8", "backslashreplace").decode("utf-8")
        return match.group(0).replace(raw, serialized, 1)   # (a lone surrogate stays its JSON escape)

    return BLOCK_TOKEN.sub(one, text)


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _clean_strings(value, clean):
    """Every key and string value holding HTML, through `clean` (filter_block_kses_value)."""
    if isinstance(value, dict):
        return {_clean_strings(key, clean): _clean_strings(item, clean) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean_strings(item, clean) for item in value]
    if isinstance(value, str) and "<" in value:
        return clean(value)
    return value


def _encodable(text):
    """`text` with lone surrogates (a JSON body may carry them) as U+FFFD: nh3 takes UTF-8 only."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


_POST = _Kses(POST_TAGS, GLOBAL_ATTRIBUTES)
_SMALL = _Kses(SMALL_TAGS)


# What each text field of a post or an attachment goes through (title_save_pre, content_save_pre,
# excerpt_save_pre; an attachment's caption is its excerpt and its description its content).
_FIELD_FILTERS = {"title": "small", "content": "post", "excerpt": "post", "caption": "post", "description": "post"}


def for_user(values, user, home=None):
    """`values` ({field: text}) as `user` may save them: unchanged with unfiltered_html (editors,
    administrators), else each field through its kses filter."""
    if can(user, "unfiltered_html"):
        return values
    filtered = dict(values)
    for name, text in values.items():
        kind = _FIELD_FILTERS.get(name)
        if kind == "small":
            filtered[name] = filter_small(text)
        elif kind == "post":
            filtered[name] = filter_post(text, home)
    return filtered
