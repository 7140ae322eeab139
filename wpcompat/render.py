"""WordPress 6.1 text rendering: what the REST API returns as ``title.rendered``,
``content.rendered`` and ``excerpt.rendered`` for stored post text.

A port, in our own Python, of the behaviour of WordPress core's
``wp-includes/formatting.php`` (wptexturize, wpautop, convert_chars,
wp_trim_words, wp_strip_all_tags, shortcode_unautop), ``blocks.php`` and
``class-wp-block-parser.php`` (parse_blocks, do_blocks, excerpt_remove_blocks),
``post-template.php`` (the teaser cut at ``<!--more-->``), ``media.php``
(the loading/decoding attributes of wp_filter_content_tags) and the filter
chains of ``default-filters.php``:

* ``the_title``:   wptexturize, convert_chars, trim, capital_P_dangit (title form)
* ``the_content``: do_blocks (9), wptexturize, wpautop (only without blocks),
  shortcode_unautop, wp_filter_content_tags, capital_P_dangit (11)
* ``get_the_excerpt``: wp_trim_excerpt (generated excerpt: teaser before
  ``<!--more-->``, strip_shortcodes, excerpt_remove_blocks, ``the_content``,
  55 words + ``" [&hellip;]"``)
* ``the_excerpt``: wptexturize, convert_chars, wpautop, shortcode_unautop,
  wp_filter_content_tags

Every function is pure (no I/O, no global state) and regexes are compiled at
import. PHP runs these regexes on bytes without the ``u`` flag, so the Python
patterns use ``re.ASCII`` (``\\d``, ``\\s``, ``\\b``, ``\\w`` are ASCII only,
as in PCRE without UTF mode). PCRE's ``\\Z`` (end, or before a final
newline) is Python's ``$``; PCRE look-behinds with alternatives of different
widths are split into several Python look-behinds.

What is deliberately **not** reproduced (documented limits):

* Dynamic blocks: a block whose output comes from a PHP ``render_callback``
  (core/latest-posts, archives, categories, calendar, rss, search, tag-cloud,
  page-list, navigation, query and post-* blocks, site-*, template-part,
  core/block (reusable blocks), social-links, loginout, avatar, comments*,
  core/gallery's unique ``wp-block-gallery-N`` class) renders as its saved
  HTML (empty for self-closing ones). Only ``core/shortcode`` (wpautop of its
  content) is rendered. Block-supports output added by ``render_block``
  filters (layout ``wp-container-N``/``is-layout-*`` classes on group,
  columns, buttons…, ``wp-elements-N``, duotone) is not added.
* Shortcodes are not executed (``do_shortcode``): ``[caption]``,
  ``[gallery]``, ``[audio]``… stay as text in ``content.rendered``; they are
  however recognised where WordPress recognises them (wptexturize leaves them
  alone, shortcode_unautop unwraps them, strip_shortcodes removes them from
  generated excerpts). Shortcodes inside HTML attributes are not stripped.
* convert_smilies (``:)`` → emoji ``<img>``), oEmbed auto-embeds,
  wp_replace_insecure_home_url and prepend_attachment (attachments) are
  skipped.
* wp_filter_content_tags: ``loading="lazy"`` and ``decoding="async"`` are
  added as WordPress does outside the main loop (always the case in REST).
  ``width``/``height``/``srcset``/``sizes`` need attachment metadata: pass
  ``filter_image(img_tag, attachment_id) -> img_tag`` to add them
  (wpcompat.content_tags.ContentImages is that hook).
* force_balance_tags on the teaser of a generated excerpt is skipped (its
  closing tags never change the words that end up in the excerpt).
"""

from __future__ import annotations

import functools
import json
import re
import sys
from typing import Callable, Optional


def require_sound_re(version=sys.version_info):
    """Refuse CPython 3.11.0–3.11.4, whose re matches possessive quantifiers wrongly (gh-100061,
    gh-106052): the block parser below would miss block comments, and kses the HTML in their attributes."""
    if tuple(version[:3]) < (3, 11, 5):
        raise RuntimeError(f"wpcompat needs CPython 3.11.5 or newer (this is {'.'.join(map(str, version[:3]))}): "
                           "older re modules match possessive quantifiers wrongly (README, Which Python)")


require_sound_re()

__all__ = [
    "texturize",
    "autop",
    "convert_chars",
    "capital_p_dangit",
    "parse_blocks",
    "render_block",
    "do_blocks",
    "has_blocks",
    "excerpt_remove_blocks",
    "strip_shortcodes",
    "shortcode_unautop",
    "strip_tags",
    "strip_all_tags",
    "trim_words",
    "filter_content_tags",
    "the_content",
    "render_title",
    "render_content",
    "render_excerpt",
    "EXCERPT_LENGTH",
    "EXCERPT_MORE",
]

_A = re.ASCII
EXCERPT_LENGTH = 55
EXCERPT_MORE = " [&hellip;]"

# PHP's trim() default character list.
_PHP_WS = " \t\n\r\0\x0b"


def _php_trim(text: str) -> str:
    return text.strip(_PHP_WS)


# Shortcodes WordPress 6.1 registers by default (media.php, class-wp-embed.php).
DEFAULT_SHORTCODES = ("wp_caption", "caption", "gallery", "playlist", "audio", "video", "embed")

# ---------------------------------------------------------------------------
# wptexturize
# ---------------------------------------------------------------------------

# wp_spaces_regexp(): '[\r\n\t ]|\xC2\xA0|&nbsp;'
_SP = r"(?:[\r\n\t \u00a0]|&nbsp;)"

_OPEN_Q_FLAG = "<!--oq-->"
_OPEN_SQ_FLAG = "<!--osq-->"
_APOS_FLAG = "<!--apos-->"
_PRIME_FLAG = "<!--wp-prime-or-quote-->"

_APOS = "&#8217;"
_CLOSE_SQ = "&#8217;"
_OPEN_SQ = "&#8216;"
_OPEN_Q = "&#8220;"
_CLOSE_Q = "&#8221;"
_PRIME = "&#8242;"
_DOUBLE_PRIME = "&#8243;"
_EN_DASH = "&#8211;"
_EM_DASH = "&#8212;"

_NO_TEXTURIZE_TAGS = ("pre", "code", "kbd", "style", "script", "tt")
_NO_TEXTURIZE_SHORTCODES = ("code",)

_COCKNEY = ("'tain't", "'twere", "'twas", "'tis", "'twill", "'til", "'bout", "'nuff", "'round", "'cause", "'em")
_STATIC = (
    ("...", "&#8230;"),
    ("``", _OPEN_Q),
    ("''", _CLOSE_Q),
    (" (tm)", " &#8482;"),
)
_STATIC_COCKNEY = tuple((word, word.replace("'", _APOS)) for word in _COCKNEY)

_QUOTE_END = r"(?=$|[.,:;!?)}\-\]]|&gt;|" + _SP + ")"


def _c(pattern: str, flags: int = 0) -> re.Pattern:
    return re.compile(pattern, flags | _A)


def _preceded(literal: str, chars: str, *strings: str) -> str:
    """``literal`` preceded by the start, one of ``chars`` or one of ``strings``.

    Written as PCRE's ``(?<=\\A|[chars]|string…)literal`` but with the literal
    first, so that Python's regex engine can jump from candidate to candidate
    (same matches, several times faster than a leading look-behind)."""
    lit = re.escape(literal)
    alternatives = [r"(?<=\A" + lit + ")", "(?<=[" + chars + "]" + lit + ")"]
    alternatives += ["(?<=" + re.escape(s) + lit + ")" for s in strings]
    return lit + "(?:" + "|".join(alternatives) + ")"


_SP_CHARS = r"\r\n\t \u00a0"

_APOS_RULES = (
    # '99' and '99" are ambiguous: assume an abbreviated year at the end of a quotation.
    (_c(r"'(\d\d)'" + _QUOTE_END), _APOS_FLAG + r"\1" + _CLOSE_SQ),
    (_c(r"'(\d\d)\"" + _QUOTE_END), _APOS_FLAG + r"\1" + _CLOSE_Q),
    # '99 '99s '99's (apostrophe), but never '9 or '99% or '999 or '99.0.
    (_c(r"'(?=\d\d(?:$|(?![%\d]|[.,]\d)))"), _APOS_FLAG),
    # Quoted numbers like '0.42'.
    (_c(_preceded("'", _SP_CHARS, "&nbsp;") + r"(\d[.,\d]*)'"), _OPEN_SQ_FLAG + r"\1" + _CLOSE_SQ),
    # Single quote at start, or preceded by (, {, <, [, ", -, or spaces.
    (_c(_preceded("'", r"(\[{\"\-" + _SP_CHARS, "&lt;", "&nbsp;")), _OPEN_SQ_FLAG),
    # Apostrophe in a word: not after spaces, not before punctuation or spaces.
    (_c(r"'(?<![" + _SP_CHARS + r"]')(?<!&nbsp;')(?!$|[.,:;!?\"'(){}\[\]\-]|&[lg]t;|" + _SP + ")"), _APOS_FLAG),
)
_QUOTE_RULES = (
    # Quoted numbers like "42".
    (_c(_preceded('"', _SP_CHARS, "&nbsp;") + r"(\d[.,\d]*)\""), _OPEN_Q_FLAG + r"\1" + _CLOSE_Q),
    # Double quote at start, or preceded by (, {, <, [, -, or spaces, and not followed by spaces.
    (_c(_preceded('"', r"(\[{\-" + _SP_CHARS, "&lt;", "&nbsp;") + "(?!" + _SP + ")"), _OPEN_Q_FLAG),
)
_DASH_RULES = (   # PCRE's ^ here is the start of the text, like \A.
    (_c(r"---"), _EM_DASH),
    (_c(_preceded("--", _SP_CHARS, "&nbsp;") + "(?=$|" + _SP + ")"), _EM_DASH),
    (_c(r"(?<!xn)--"), _EN_DASH),
    (_c(_preceded("-", _SP_CHARS, "&nbsp;") + "(?=$|" + _SP + ")"), _EN_DASH),
)
_PRIME_PATTERNS = {
    needle: (
        _c(re.escape(needle) + _QUOTE_END),          # closing-quote candidates
        _c(r"(?<=\d)" + re.escape(needle)),          # primes
    )
    for needle in ("'", '"')
}
_FLAG_AFTER_DIGIT = _c(r"(?<=\d)" + re.escape(_PRIME_FLAG))
_FLAG_NO_DIGIT = _c(r"(?<!\d)" + re.escape(_PRIME_FLAG))

_TIMES_CHECK = _c(r"(?<=\d)x\d")
# \b(\d(?(?<=0)[\d\.,]+|[\d\.,]*))x(\d[\d\.,]*)\b  -- 9x9, never 0x9999
_TIMES = _c(r"\b(0[\d.,]+|[1-9][\d.,]*)x(\d[\d.,]*)\b")
_AMP = re.compile(r"&(?!#(?:\d+|x[a-f0-9]+);|[a-z1-4]{1,8};)", re.I | _A)

_HTML_TOKEN = (
    r"<(?:(?=!--)!(?:-(?!->)[^\-]*+)*+(?:-->)?"   # a comment, to --> or the end
    r"|(?!!--)[^>]*>?)"                          # an element, to > or the end
)
_SHORTCODE_NAMES = re.compile(r"\[/?([^<>&/\[\]\x00-\x20=]++)")


@functools.lru_cache(maxsize=64)
def _texturize_split(tagnames: tuple) -> tuple:
    if not tagnames:
        return re.compile("(" + _HTML_TOKEN + ")", _A), None
    tagregexp = "(?:" + "|".join(re.escape(t) for t in tagnames) + r")(?=[\s\]/])"
    shortcode = r"\[[/\[]?" + tagregexp + r"(?:[^\[\]<>]+|<[^\[\]>]*>)*+\]\]?"
    return (re.compile("(" + _HTML_TOKEN + "|" + shortcode + ")", _A),
            re.compile("(?:" + shortcode + ")$", _A))


def _pushpop(text: str, stack: list, disabled: tuple) -> None:
    """_wptexturize_pushpop_element: track opening/closing no-texturize elements."""
    if len(text) > 1 and text[1] != "/":
        opening, offset = True, 1
    elif not stack:
        return
    else:
        opening, offset = False, 2
    space = text.find(" ")
    tag = text[offset:-1] if space == -1 else text[offset:space]
    if tag in disabled:
        if opening:
            stack.append(tag)
        elif stack and stack[-1] == tag:
            stack.pop()


def _primes(haystack: str, needle: str, prime: str, open_quote: str, close_quote: str) -> str:
    """wptexturize_primes: decide between primes and closing quotes."""
    quote_pattern, prime_pattern = _PRIME_PATTERNS[needle]
    sentences = haystack.split(open_quote)
    for key, sentence in enumerate(sentences):
        if needle not in sentence:
            continue
        if key != 0 and close_quote not in sentence:
            sentence, count = quote_pattern.subn(_PRIME_FLAG, sentence)
            if count > 1:
                # Several closing-quote candidates: "Vulcan logic".
                sentence, count2 = _FLAG_NO_DIGIT.subn(close_quote, sentence)
                if count2 == 0:
                    if _PRIME_FLAG + "." in sentence:
                        pos = sentence.rfind(_PRIME_FLAG + ".")
                    else:
                        pos = sentence.rfind(_PRIME_FLAG)
                    sentence = sentence[:pos] + close_quote + sentence[pos + len(_PRIME_FLAG):]
                sentence = prime_pattern.sub(prime, sentence)
                sentence = _FLAG_AFTER_DIGIT.sub(prime, sentence)
                sentence = sentence.replace(_PRIME_FLAG, close_quote)
            elif count == 1:
                sentence = sentence.replace(_PRIME_FLAG, close_quote)
                sentence = prime_pattern.sub(prime, sentence)
            else:
                sentence = prime_pattern.sub(prime, sentence)
        else:
            sentence = prime_pattern.sub(prime, sentence)
            sentence = quote_pattern.sub(close_quote, sentence)
        if needle == '"' and '"' in sentence:
            sentence = sentence.replace('"', close_quote)
        sentences[key] = sentence
    return open_quote.join(sentences)


def _times(match: re.Match) -> str:
    return match.group(1) + "&#215;" + match.group(2)


_TRIGGERS = re.compile(r"[-'\"`.(x&]")
_QUOTE_DIGIT = {"'": _c(r"'\d"), '"': _c(r'"\d')}


def _texturize_text(curl: str) -> str:
    # Cheap guards skip the regex passes that cannot match; the passes that
    # run are WordPress's, in WordPress's order.
    if not _TRIGGERS.search(curl):
        return curl
    for search, replace in _STATIC:
        if search in curl:
            curl = curl.replace(search, replace)
    if "'" in curl:
        for search, replace in _STATIC_COCKNEY:
            if search in curl:
                curl = curl.replace(search, replace)
    if "'" in curl:
        rules = _APOS_RULES if _QUOTE_DIGIT["'"].search(curl) else _APOS_RULES[4:]
        for pattern, replace in rules:
            curl = pattern.sub(replace, curl)
        if "'" in curl:
            curl = _primes(curl, "'", _PRIME, _OPEN_SQ_FLAG, _CLOSE_SQ)
        curl = curl.replace(_APOS_FLAG, _APOS).replace(_OPEN_SQ_FLAG, _OPEN_SQ)
    if '"' in curl:
        rules = _QUOTE_RULES if _QUOTE_DIGIT['"'].search(curl) else _QUOTE_RULES[1:]
        for pattern, replace in rules:
            curl = pattern.sub(replace, curl)
        if '"' in curl:
            curl = _primes(curl, '"', _DOUBLE_PRIME, _OPEN_Q_FLAG, _CLOSE_Q)
        curl = curl.replace(_OPEN_Q_FLAG, _OPEN_Q)
    if "-" in curl:
        rules = _DASH_RULES if "--" in curl else _DASH_RULES[3:]
        for pattern, replace in rules:
            curl = pattern.sub(replace, curl)
    if "x" in curl and _TIMES_CHECK.search(curl):
        curl = _TIMES.sub(_times, curl)
    if "&" in curl:
        curl = _AMP.sub("&#038;", curl)
    return curl


def texturize(text: str) -> str:
    """wptexturize() with WordPress's default (English) settings.

    Curly quotes, apostrophes and primes as the numeric entities WordPress
    emits (&#8216; &#8217; &#8220; &#8221; &#8242; &#8243;), ``...`` →
    &#8230;, ``---``/spaced ``--`` → &#8212;, ``--`` and spaced ``-`` →
    &#8211;, `` (tm)`` → &#8482; (``(c)``/``(r)`` are not converted by
    default), the cockney words ('tis, 'twas, 'em…), ``9x9`` → &#215;, lone
    ``&`` → &#038;. HTML comments are untouched; inside tags only ``&`` is
    fixed; text inside pre, code, kbd, style, script and tt elements and the
    default registered shortcodes' tags are left alone.
    """
    if not text or text == "0":
        return text
    if "[" in text:
        names = set(_SHORTCODE_NAMES.findall(text))
        tagnames = tuple(t for t in DEFAULT_SHORTCODES if t in names)
    else:
        tagnames = ()
    split, shortcode_full = _texturize_split(tagnames)

    tags_stack: list = []
    shortcodes_stack: list = []
    out = []
    for curl in split.split(text):
        if not curl:
            continue
        first = curl[0]
        if first == "<":
            if not curl.startswith("<!--"):
                if "&" in curl:
                    curl = _AMP.sub("&#038;", curl)
                if tags_stack or (len(curl) > 1 and curl[1] in "ckpst"):
                    _pushpop(curl, tags_stack, _NO_TEXTURIZE_TAGS)
        elif not curl.strip(_PHP_WS):
            pass
        elif first == "[" and shortcode_full is not None and shortcode_full.match(curl):
            if not curl.startswith("[[") and not curl.endswith("]]"):
                _pushpop(curl, shortcodes_stack, _NO_TEXTURIZE_SHORTCODES)
        elif not shortcodes_stack and not tags_stack:
            curl = _texturize_text(curl)
        out.append(curl)
    return "".join(out)


# ---------------------------------------------------------------------------
# wpautop
# ---------------------------------------------------------------------------

# wpautop's $allblocks (table|thead|…|summary, with "math" as in 6.1), written
# as a prefix tree: the same matches, without trying 40 alternatives at every "<".
_ALLBLOCKS = (
    r"(?:a(?:rea|ddress|rticle|side)|blockquote|c(?:aption|ol(?:group)?)|d(?:iv|[ldt]|etails)"
    r"|f(?:orm|ieldset|ooter|ig(?:ure|caption))|h(?:[1-6r]|group|eader)|l(?:i|egend)|m(?:a(?:p|th)|enu)"
    r"|nav|ol|p(?:re)?|s(?:tyle|ection|ummary)|t(?:able|head|foot|body|[rdh])|ul)"
)
_HTML_SPLIT = _c(
    r"(<(?:(?=!--)!(?:-(?!->)[^\-]*+)*+(?:-->)?"
    r"|(?=!\[CDATA\[)!\[CDATA\[[^\]]*+(?:\](?!\]>)[^\]]*+)*+(?:\]\]>)?"
    r"|(?!!--|!\[CDATA\[)[^>]*>?))"
)
_AP_BRBR = _c(r"<br\s*/?>\s*<br\s*/?>")
_AP_OPEN = _c(r"(<" + _ALLBLOCKS + r"[\s/>])")
_AP_CLOSE = _c(r"(</" + _ALLBLOCKS + r">)")
_AP_HR = _c(r"(<hr\s*?/?>)")
_AP_OPTION_A = _c(r"\s*<option")
_AP_OPTION_B = _c(r"</option>\s*")
_AP_OBJECT_A = _c(r"(<object[^>]*>)\s*")
_AP_OBJECT_B = _c(r"\s*</object>")
_AP_OBJECT_C = _c(r"\s*(</?(?:param|embed)[^>]*>)\s*")
_AP_MEDIA_A = _c(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*")
_AP_MEDIA_B = _c(r"\s*([<\[]/(?:audio|video)[>\]])")
_AP_MEDIA_C = _c(r"\s*(<(?:source|track)[^>]*>)\s*")
_AP_FIGCAPTION_A = _c(r"\s*(<figcaption[^>]*>)")
_AP_FIGCAPTION_B = _c(r"</figcaption>\s*")
_AP_MULTI_NL = _c(r"\n\n+")
_AP_SPLIT = _c(r"\n\s*\n")
_AP_EMPTY_P = _c(r"<p>\s*</p>")
_AP_UNCLOSED = _c(r"<p>([^<]+)</(div|address|form)>")
_AP_WRAPPED_BLOCK = _c(r"<p>\s*(</?" + _ALLBLOCKS + r"[^>]*>)\s*</p>")
_AP_LI = _c(r"<p>(<li.+?)</p>")
_AP_BLOCKQUOTE = _c(r"<p><blockquote([^>]*)>", re.I)
_AP_P_BEFORE_BLOCK = _c(r"<p>\s*(</?" + _ALLBLOCKS + r"[^>]*>)")
_AP_P_AFTER_BLOCK = _c(r"(</?" + _ALLBLOCKS + r"[^>]*>)\s*</p>")
_AP_PRESERVE = _c(r"<(script|style|svg).*?</\1>", re.S)
_AP_NL_TO_BR = _c(r"(?<!<br />)\s*\n")
_AP_BR_AFTER_BLOCK = _c(r"(</?" + _ALLBLOCKS + r"[^>]*>)\s*<br />")
_AP_BR_BEFORE_BLOCK = _c(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")
_AP_LAST_NL = _c(r"\n</p>$")


def _replace_newlines_in_tags(text: str) -> str:
    """wp_replace_in_html_tags( $text, array( "\\n" => ' <!-- wpnl --> ' ) )."""
    parts = _HTML_SPLIT.split(text)
    changed = False
    for i in range(1, len(parts), 2):
        if "\n" in parts[i]:
            parts[i] = parts[i].replace("\n", " <!-- wpnl --> ")
            changed = True
    return "".join(parts) if changed else text


def autop(text: str, br: bool = True) -> str:
    """wpautop(): double line breaks become paragraphs, single ones ``<br />``."""
    if _php_trim(text) == "":
        return ""
    text = text + "\n"

    pre_tags = {}
    if "<pre" in text:
        parts = text.split("</pre>")
        last = parts.pop()
        text = ""
        i = 0
        for part in parts:
            start = part.find("<pre")
            if start == -1:          # Malformed HTML: WordPress drops the </pre>.
                text += part
                continue
            name = f"<pre wp-pre-tag-{i}></pre>"
            pre_tags[name] = part[start:] + "</pre>"
            text += part[:start] + name
            i += 1
        text += last

    if "<br" in text:
        text = _AP_BRBR.sub("\n\n", text)
    text = _AP_OPEN.sub("\n\n\\1", text)
    text = _AP_CLOSE.sub("\\1\n\n", text)
    if "<hr" in text:
        text = _AP_HR.sub("\\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _replace_newlines_in_tags(text)

    if "<option" in text:
        text = _AP_OPTION_A.sub("<option", text)
        text = _AP_OPTION_B.sub("</option>", text)
    if "</object>" in text:
        text = _AP_OBJECT_A.sub("\\1", text)
        text = _AP_OBJECT_B.sub("</object>", text)
        text = _AP_OBJECT_C.sub("\\1", text)
    if "<source" in text or "<track" in text:
        text = _AP_MEDIA_A.sub("\\1", text)
        text = _AP_MEDIA_B.sub("\\1", text)
        text = _AP_MEDIA_C.sub("\\1", text)
    if "<figcaption" in text:
        text = _AP_FIGCAPTION_A.sub("\\1", text)
        text = _AP_FIGCAPTION_B.sub("</figcaption>", text)

    text = _AP_MULTI_NL.sub("\n\n", text)
    paragraphs = [p for p in _AP_SPLIT.split(text) if p]
    text = "".join("<p>" + p.strip("\n") + "</p>\n" for p in paragraphs)

    text = _AP_EMPTY_P.sub("", text)
    text = _AP_UNCLOSED.sub("<p>\\1</p></\\2>", text)
    text = _AP_WRAPPED_BLOCK.sub("\\1", text)
    if "<p><li" in text:
        text = _AP_LI.sub("\\1", text)
    if "><" in text:
        text = _AP_BLOCKQUOTE.sub("<blockquote\\1><p>", text)
    if "</blockquote></p>" in text:
        text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = _AP_P_BEFORE_BLOCK.sub("\\1", text)
    text = _AP_P_AFTER_BLOCK.sub("\\1", text)

    if br:
        if "<s" in text:
            text = _AP_PRESERVE.sub(lambda m: m.group(0).replace("\n", "<WPPreserveNewline />"), text)
        text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
        text = _AP_NL_TO_BR.sub("<br />\n", text)
        text = text.replace("<WPPreserveNewline />", "\n")

    if "<br />" in text:
        text = _AP_BR_AFTER_BLOCK.sub("\\1", text)
        text = _AP_BR_BEFORE_BLOCK.sub("\\1", text)
    text = _AP_LAST_NL.sub("</p>", text)

    for name, original in pre_tags.items():
        text = text.replace(name, original)
    if "<!-- wpnl -->" in text:
        text = text.replace(" <!-- wpnl --> ", "\n").replace("<!-- wpnl -->", "\n")
    return text


# ---------------------------------------------------------------------------
# Small filters
# ---------------------------------------------------------------------------

_CONVERT_CHARS = re.compile(r"&([^#])(?![a-z1-4]{1,8};)", re.I | _A)


def convert_chars(content: str) -> str:
    """convert_chars(): lone ``&`` → ``&#038;`` (``&#…`` and named entities kept)."""
    if "&" in content:
        content = _CONVERT_CHARS.sub(r"&#038;\1", content)
    return content


_DANGIT = (
    (" Wordpress", " WordPress"),
    ("&#8216;Wordpress", "&#8216;WordPress"),
    ("&#8220;Wordpress", "&#8220;WordPress"),
    (">Wordpress", ">WordPress"),
    ("(Wordpress", "(WordPress"),
)


def capital_p_dangit(text: str, title: bool = False) -> str:
    """capital_P_dangit(): "Wordpress" → "WordPress" (every one in titles,
    only after a space, quote, ``>`` or ``(`` in content)."""
    if "Wordpress" not in text:
        return text
    if title:
        return text.replace("Wordpress", "WordPress")
    for search, replace in _DANGIT:
        text = text.replace(search, replace)
    return text


# ---------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------

BLOCK_TOKEN = _c(
    r"<!--\s+(?P<closer>/)?wp:(?P<namespace>[a-z][a-z0-9_-]*/)?(?P<name>[a-z][a-z0-9_-]*)\s+"
    r"(?P<attrs>\{(?:(?:[^}]+|\}+(?=\})|(?!\}\s+/?-->).)*+)?\}\s+)?(?P<void>/)?-->",
    re.S,
)


def _php_empty_str(html: str) -> bool:
    return html == "" or html == "0"


def _new_block(name, attrs, inner_html="", inner_content=None) -> dict:
    return {
        "blockName": name,
        "attrs": attrs,
        "innerBlocks": [],
        "innerHTML": inner_html,
        "innerContent": inner_content if inner_content is not None else [],
    }


def _freeform(html: str) -> dict:
    return _new_block(None, {}, html, [html])


def _decode_attrs(raw: str):
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value


def _wp_string(value):
    inner = json.dumps(value, ensure_ascii=False)[1:-1]
    return '"' + (inner.replace('\\"', "\\u0022").replace("--", "\\u002d\\u002d").replace("<", "\\u003c")
                  .replace(">", "\\u003e").replace("&", "\\u0026")) + '"'


def serialize_block_attributes(value) -> str:
    """serialize_block_attributes(): compact JSON, slashes and Unicode unescaped, `--`, `<`, `>`, `&`
    and `\\"` as \\u escapes so the comment stays one comment."""
    if isinstance(value, dict):
        return "{" + ",".join(_wp_string(key) + ":" + serialize_block_attributes(item)
                              for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(serialize_block_attributes(item) for item in value) + "]"
    if isinstance(value, str):
        return _wp_string(value)
    return json.dumps(value)


def parse_blocks(document: str) -> list:
    """WP_Block_Parser::parse(): a list of block dicts (blockName, attrs,
    innerBlocks, innerHTML, innerContent) with freeform HTML between blocks
    as blocks whose blockName is None. Best effort on invalid nesting, as
    WordPress does."""
    output: list = []
    stack: list = []          # frames: [block, token_start, token_length, prev_offset, leading_html_start]
    offset = 0
    length = len(document)

    def add_freeform(size=None):
        size = size or (length - offset)
        if size == 0:
            return
        output.append(_freeform(document[offset:offset + size]))

    def add_inner_block(block, token_start, token_length, last_offset=None):
        parent = stack[-1]
        parent[0]["innerBlocks"].append(block)
        html = document[parent[3]:token_start]
        if not _php_empty_str(html):
            parent[0]["innerHTML"] += html
            parent[0]["innerContent"].append(html)
        parent[0]["innerContent"].append(None)
        parent[3] = last_offset if last_offset else token_start + token_length

    def add_block_from_stack(end_offset=None):
        block, token_start, _token_length, prev_offset, leading = stack.pop()
        html = document[prev_offset:end_offset] if end_offset is not None else document[prev_offset:]
        if not _php_empty_str(html):
            block["innerHTML"] += html
            block["innerContent"].append(html)
        if leading is not None:
            output.append(_freeform(document[leading:token_start]))
        output.append(block)

    while True:
        match = BLOCK_TOKEN.search(document, offset)
        depth = len(stack)
        if match is None:
            if depth == 0:
                add_freeform()
            else:
                while stack:
                    add_block_from_stack()
            return output

        start = match.start()
        token_length = match.end() - start
        is_closer = match.group("closer") is not None
        is_void = match.group("void") is not None
        namespace = match.group("namespace") or "core/"
        name = namespace + match.group("name")
        raw_attrs = match.group("attrs")
        attrs = _decode_attrs(raw_attrs) if raw_attrs is not None else {}
        leading_html_start = offset if start > offset else None

        if is_void:
            if depth == 0:
                if leading_html_start is not None:
                    output.append(_freeform(document[leading_html_start:start]))
                output.append(_new_block(name, attrs))
            else:
                add_inner_block(_new_block(name, attrs), start, token_length)
            offset = start + token_length
        elif is_closer:
            if depth == 0:
                add_freeform()
                return output
            if depth == 1:
                add_block_from_stack(start)
                offset = start + token_length
                continue
            top = stack.pop()
            html = document[top[3]:start]
            top[0]["innerHTML"] += html
            top[0]["innerContent"].append(html)
            top[3] = start + token_length
            add_inner_block(top[0], top[1], top[2], start + token_length)
            offset = start + token_length
        else:
            stack.append([_new_block(name, attrs), start, token_length, start + token_length, leading_html_start])
            offset = start + token_length


def _render_core_shortcode(attrs, content):
    return autop(content)


# Dynamic blocks this port can render without a database.
_DYNAMIC_RENDERERS: dict = {
    "core/shortcode": _render_core_shortcode,
}


def render_block(block: dict) -> str:
    """render_block() for static blocks: the saved HTML with inner blocks
    rendered in place. See the module docstring for dynamic blocks."""
    parts = []
    index = 0
    inner = block.get("innerBlocks") or []
    for chunk in block.get("innerContent") or []:
        if isinstance(chunk, str):
            parts.append(chunk)
        else:
            parts.append(render_block(inner[index]))
            index += 1
    content = "".join(parts)
    renderer = _DYNAMIC_RENDERERS.get(block.get("blockName"))
    if renderer is not None:
        attrs = block.get("attrs")
        content = renderer(attrs if isinstance(attrs, dict) else {}, content)
    return content


def has_blocks(content: str) -> bool:
    """has_blocks(): whether the text holds a block delimiter."""
    return "<!-- wp:" in content


def do_blocks(content: str) -> str:
    """do_blocks(): parse and render; block comment delimiters disappear."""
    if "<!--" not in content:
        return content
    return "".join(render_block(block) for block in parse_blocks(content))


_EXCERPT_INNER_BLOCKS = (
    None, "core/freeform", "core/heading", "core/html", "core/list", "core/media-text", "core/paragraph",
    "core/preformatted", "core/pullquote", "core/quote", "core/table", "core/verse",
)
_EXCERPT_WRAPPER_BLOCKS = ("core/columns", "core/column", "core/group")
_EXCERPT_ALLOWED = _EXCERPT_INNER_BLOCKS + _EXCERPT_WRAPPER_BLOCKS


def _excerpt_render_inner_blocks(block: dict) -> str:
    output = []
    for inner in block["innerBlocks"]:
        if inner["blockName"] not in _EXCERPT_ALLOWED:
            continue
        if not inner["innerBlocks"]:
            output.append(render_block(inner))
        else:
            output.append(_excerpt_render_inner_blocks(inner))
    return "".join(output)


def excerpt_remove_blocks(content: str) -> str:
    """excerpt_remove_blocks(): render only the blocks likely to hold text
    (paragraph, heading, list, quote, table, …; columns/column/group are
    unwrapped); images, code, more, embeds and dynamic blocks are dropped."""
    output = []
    for block in parse_blocks(content):
        name = block["blockName"]
        if name not in _EXCERPT_ALLOWED:
            continue
        if block["innerBlocks"]:
            if name in _EXCERPT_WRAPPER_BLOCKS:
                output.append(_excerpt_render_inner_blocks(block))
                continue
            if any(inner["blockName"] not in _EXCERPT_INNER_BLOCKS or inner["innerBlocks"]
                   for inner in block["innerBlocks"]):
                continue
        output.append(render_block(block))
    return "".join(output)


# ---------------------------------------------------------------------------
# Shortcodes (recognised, not executed)
# ---------------------------------------------------------------------------

_SC_TAGREGEXP = "|".join(re.escape(t) for t in DEFAULT_SHORTCODES)
_SHORTCODE_UNAUTOP = _c(
    r"<p>(?:" + _SP + r")*+"
    r"(\[(" + _SC_TAGREGEXP + r")(?![\w-])"
    r"[^\]/]*(?:/(?!\])[^\]/]*)*?"
    r"(?:/\]|\](?:[^\[]*+(?:\[(?!/\2\])[^\[]*+)*+\[/\2\])?))"
    r"(?:" + _SP + r")*+</p>"
)


@functools.lru_cache(maxsize=64)
def _shortcode_regex(tagnames: tuple) -> re.Pattern:
    tagregexp = "|".join(re.escape(t) for t in tagnames)
    return _c(
        r"\[(\[?)(" + tagregexp + r")(?![\w-])"
        r"([^\]/]*(?:/(?!\])[^\]/]*)*?)"
        r"(?:(/)\]|\](?:([^\[]*+(?:\[(?!/\2\])[^\[]*+)*+)\[/\2\])?)"
        r"(\]?)"
    )


def _strip_shortcode_tag(match: re.Match) -> str:
    if match.group(1) == "[" and match.group(6) == "]":
        return match.group(0)[1:-1]
    return ""


def strip_shortcodes(content: str) -> str:
    """strip_shortcodes() for WordPress's default shortcodes (``[[x]]``
    escapes become ``[x]``). Shortcodes inside HTML attributes are kept."""
    if "[" not in content:
        return content
    names = set(_SHORTCODE_NAMES.findall(content))
    tagnames = tuple(t for t in DEFAULT_SHORTCODES if t in names)
    if not tagnames:
        return content
    return _shortcode_regex(tagnames).sub(_strip_shortcode_tag, content)


def shortcode_unautop(text: str) -> str:
    """shortcode_unautop(): unwrap ``<p>[shortcode]</p>`` paragraphs."""
    if "[" not in text or "<p>" not in text:
        return text
    return _SHORTCODE_UNAUTOP.sub(r"\1", text)


# ---------------------------------------------------------------------------
# Tag stripping and word trimming
# ---------------------------------------------------------------------------

_TAG_STATE1 = re.compile(r"[<>\"'!?]")
_TAG_STATE2 = re.compile(r"[()>\"'lL]")
_TAG_STATE3 = re.compile(r"[>\"'\-eE]")
_C_SPACE = " \t\n\r\x0b\x0c"


def strip_tags(text: str) -> str:
    """PHP's strip_tags() (no allowed tags): its state machine for tags,
    quoted attribute values, ``<!-- -->`` comments, ``<!…>`` declarations and
    ``<?…?>``; ``<`` followed by whitespace is text; an unclosed tag removes
    the rest of the string."""
    if "<" not in text and ">" not in text:
        return text.replace("\0", "") if "\0" in text else text
    out = []
    n = len(text)
    i = 0
    while i < n:
        # State 0: plain text up to the next '<'.
        j = text.find("<", i)
        if j == -1:
            out.append(text[i:])
            break
        out.append(text[i:j])
        if j + 1 < n and text[j + 1] in _C_SPACE:
            out.append("<")
            i = j + 1
            continue
        # State 1: inside a tag.
        p = j + 1
        depth = 0
        in_q = ""
        state = 1
        done = False
        while p < n and not done:
            if state == 1:
                m = _TAG_STATE1.search(text, p)
                if m is None:
                    p = n
                    break
                p = m.start()
                c = text[p]
                if c == "<":
                    if not in_q and not (p + 1 < n and text[p + 1] in _C_SPACE):
                        depth += 1
                elif c == ">":
                    if depth:
                        depth -= 1
                    elif not in_q:
                        done = True
                elif c in "\"'":
                    if not in_q:
                        in_q = c
                    elif c == in_q:
                        in_q = ""
                elif c == "!":
                    if text[p - 1] == "<":
                        state = 3
                elif c == "?":
                    if text[p - 1] == "<":
                        state = 2
                        br = 0
                        lc = ""
                p += 1
            elif state == 2:
                m = _TAG_STATE2.search(text, p)
                if m is None:
                    p = n
                    break
                p = m.start()
                c = text[p]
                if c == "(":
                    if lc not in ("\"", "'"):
                        lc, br = "(", br + 1
                elif c == ")":
                    if lc not in ("\"", "'"):
                        lc, br = ")", br - 1
                elif c == ">":
                    if depth:
                        depth -= 1
                    elif not in_q and not br and lc != '"' and text[p - 1] == "?":
                        done = True
                elif c in "\"'":
                    if text[p - 1] != "\\":
                        if lc == c:
                            lc = ""
                        elif lc != "\\":
                            lc = c
                    if not in_q:
                        in_q = c
                    elif c == in_q:
                        in_q = ""
                elif c in "lL":
                    if p > j + 4 and text[p - 1] in "mM" and text[p - 2] in "xX" and text[p - 3] == "?" \
                            and text[p - 4] == "<":
                        state = 1
                p += 1
            elif state == 3:
                m = _TAG_STATE3.search(text, p)
                if m is None:
                    p = n
                    break
                p = m.start()
                c = text[p]
                if c == ">":
                    if depth:
                        depth -= 1
                    elif not in_q:
                        done = True
                elif c in "\"'":
                    if text[p - 1] != "\\" and (not in_q or c == in_q):
                        in_q = "" if in_q else c
                elif c == "-":
                    if p >= 2 and text[p - 1] == "-" and text[p - 2] == "!":
                        state = 4
                elif c in "eE":
                    if p > 6 and text[p - 6:p].lower() == "doctyp":
                        state = 1
                p += 1
            else:  # State 4: inside <!-- comment -->, ends at the first "-->".
                k = text.find("-->", max(p - 2, 0))
                if k == -1:
                    p = n
                    break
                p = k + 3
                done = True
        i = p
    result = "".join(out)
    return result.replace("\0", "") if "\0" in result else result


_SCRIPT_STYLE = re.compile(r"<(script|style)[^>]*?>.*?</\1>", re.S | re.I | _A)
_BREAKS = re.compile(r"[\r\n\t ]+")


def strip_all_tags(text: str, remove_breaks: bool = False) -> str:
    """wp_strip_all_tags(): drop script/style with their content, then tags; trim."""
    if "<" in text:
        text = _SCRIPT_STYLE.sub("", text)
    text = strip_tags(text)
    if remove_breaks:
        text = _BREAKS.sub(" ", text)
    return _php_trim(text)


_WORD = re.compile(r"[^\n\r\t ]+")


def trim_words(text: str, num_words: int = EXCERPT_LENGTH, more: Optional[str] = None) -> str:
    """wp_trim_words() for word-counting locales: strip all tags, keep the
    first ``num_words`` whitespace-separated words joined by single spaces,
    and append ``more`` (default ``&hellip;``) when words were dropped."""
    if more is None:
        more = "&hellip;"
    text = strip_all_tags(text)
    num_words = int(num_words)
    words = []
    for match in _WORD.finditer(text):
        words.append(match.group(0))
        if len(words) > num_words:
            break
    if len(words) > num_words:
        return " ".join(words[:max(num_words, 0)]) + more
    return " ".join(words)


# ---------------------------------------------------------------------------
# wp_filter_content_tags (loading / decoding; metadata-based attributes by hook)
# ---------------------------------------------------------------------------

_CONTENT_TAGS = re.compile(r"<(img|iframe)\s[^>]+>", _A)
_WP_IMAGE_ID = re.compile(r"wp-image-([0-9]+)", re.I | _A)


def _img_add_loading(image: str) -> str:
    if ' src="' not in image or ' width="' not in image or ' height="' not in image:
        return image
    return image.replace("<img", '<img loading="lazy"')


def _img_add_decoding(image: str) -> str:
    if ' src="' not in image:
        return image
    return image.replace("<img ", '<img decoding="async" ')


def _iframe_add_loading(iframe: str) -> str:
    if ' data-secret="' in iframe:
        return iframe
    if ' src="' not in iframe or ' width="' not in iframe or ' height="' not in iframe:
        return iframe
    return iframe.replace("<iframe", '<iframe loading="lazy"')


PHP_INT_MAX = 2 ** 63 - 1


def php_intval(digits: str) -> int:
    """PHP's (int) of a string of ASCII digits: saturated at PHP_INT_MAX, where Python's int() would take
    any length (and refuse past 4,300 digits)."""
    digits = digits.lstrip("0")
    return PHP_INT_MAX if len(digits) > 19 else min(int(digits or "0"), PHP_INT_MAX)


def filter_content_tags(content: str, filter_image: Optional[Callable[[str, int], str]] = None) -> str:
    """wp_filter_content_tags() outside the main loop (REST): ``loading="lazy"``
    on images/iframes that have src, width and height, ``decoding="async"``
    on images with a src. ``filter_image(tag, attachment_id)`` is called
    first for ``wp-image-N`` images so the caller can add width/height and
    srcset/sizes from the attachment metadata, as WordPress does."""
    if "<img" not in content and "<iframe" not in content:
        return content
    matches = list(_CONTENT_TAGS.finditer(content))
    if not matches:
        return content
    images: dict = {}
    iframes: dict = {}
    for match in matches:
        tag, name = match.group(0), match.group(1)
        if name == "img":
            found = _WP_IMAGE_ID.search(tag)
            images[tag] = php_intval(found.group(1)) if found else 0
        else:
            iframes[tag] = 0
    for match in matches:
        tag = match.group(0)
        if tag in images:
            filtered = tag
            attachment_id = images.pop(tag)
            if attachment_id > 0 and filter_image is not None:
                filtered = filter_image(filtered, attachment_id)
            if " loading=" not in filtered:
                filtered = _img_add_loading(filtered)
            if " decoding=" not in filtered:
                filtered = _img_add_decoding(filtered)
            if filtered != tag:
                content = content.replace(tag, filtered)
        if tag in iframes:
            del iframes[tag]
            filtered = tag
            if " loading=" not in filtered:
                filtered = _iframe_add_loading(filtered)
            if filtered != tag:
                content = content.replace(tag, filtered)
    return content


# ---------------------------------------------------------------------------
# The REST fields
# ---------------------------------------------------------------------------


def the_content(raw: str, filter_image: Optional[Callable[[str, int], str]] = None) -> str:
    """The 6.1 ``the_content`` filter chain (see the module docstring)."""
    if raw is None:
        return ""
    blocks = has_blocks(raw)
    text = do_blocks(raw)
    text = texturize(text)
    if not blocks:
        text = autop(text)
    text = shortcode_unautop(text)
    text = filter_content_tags(text, filter_image)
    text = capital_p_dangit(text)
    return text


def render_title(raw: str) -> str:
    """title.rendered: the_title filters (wptexturize, convert_chars, trim,
    capital_P_dangit). No "Private:"/"Protected:" prefix (REST removes it)."""
    if not raw:
        return ""
    text = texturize(raw)
    text = convert_chars(text)
    text = _php_trim(text)
    return capital_p_dangit(text, title=True)


def render_content(raw: str, filter_image: Optional[Callable[[str, int], str]] = None) -> str:
    """content.rendered for stored post_content (``apply_filters('the_content')``):
    blocks rendered (delimiters removed; see the module docstring for dynamic
    blocks), texturized, wpautop only when there are no blocks, ``<img>``/
    ``<iframe>`` loading/decoding attributes, "Wordpress" → "WordPress".
    Smilies, shortcodes and oEmbeds are not processed."""
    return the_content(raw or "", filter_image)


_MORE_TAG = re.compile(r"<!--more(.*?)?-->")
_MORE_BLOCK_DELIMS = re.compile(r"<!-- /?wp:more(.*?) -->")


def _teaser(content: str) -> str:
    """get_the_content('', false, $post) with ``$more = 0`` as in REST: the
    first page (``<!--nextpage-->``) up to ``<!--more-->``, without a link."""
    if "<!--nextpage-->" in content:
        content = content.replace("\n<!--nextpage-->\n", "<!--nextpage-->")
        content = content.replace("\n<!--nextpage-->", "<!--nextpage-->")
        content = content.replace("<!--nextpage-->\n", "<!--nextpage-->")
        content = content.replace("<!-- wp:nextpage -->", "").replace("<!-- /wp:nextpage -->", "")
        if content.startswith("<!--nextpage-->"):
            content = content[15:]
        content = content.split("<!--nextpage-->", 1)[0]
    match = _MORE_TAG.search(content)
    if match is None:
        return content
    if has_blocks(content) and ("<!-- wp:core/more " in content or "<!-- wp:more " in content):
        content = _MORE_BLOCK_DELIMS.sub("", content)
    return content.split(match.group(0), 1)[0]


def render_excerpt(raw_excerpt: str, raw_content: str, excerpt_length: int = EXCERPT_LENGTH,
                   filter_image: Optional[Callable[[str, int], str]] = None) -> str:
    """excerpt.rendered (get_the_excerpt then the_excerpt filters).

    A manual excerpt (anything but whitespace) is texturized, ``&`` fixed and
    wpautop'd. Otherwise it is generated from the content: the teaser before
    ``<!--more-->`` (first page only), default shortcodes stripped,
    excerpt_remove_blocks, the ``the_content`` chain, tags stripped, the
    first ``excerpt_length`` (55) words and ``" [&hellip;]"`` when cut, then
    the same the_excerpt filters. Empty content gives ``""``.
    """
    text = raw_excerpt or ""
    if _php_trim(text) == "":
        content = _teaser(raw_content or "")
        content = strip_shortcodes(content)
        content = excerpt_remove_blocks(content)
        content = the_content(content, filter_image)
        content = content.replace("]]>", "]]&gt;")
        text = trim_words(content, excerpt_length, EXCERPT_MORE)
    text = texturize(text)
    text = convert_chars(text)
    text = autop(text)
    text = shortcode_unautop(text)
    text = filter_content_tags(text, filter_image)
    return text
