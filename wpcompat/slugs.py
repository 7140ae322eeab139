"""WordPress 6.1 slugs: sanitize_title() and the ``-N`` uniqueness rule.

A port, in our own Python, of the behaviour of ``remove_accents()``,
``sanitize_title()``, ``sanitize_title_with_dashes()`` (the ``save``
context), ``utf8_uri_encode()`` and ``_truncate_post_slug()`` from
WordPress's ``wp-includes/formatting.php`` / ``post.php``, and of the suffix
loops of ``wp_unique_post_slug()`` / ``wp_unique_term_slug()``.

python-slugify is not used: it transliterates everything (emoji and CJK
vanish, "ß" becomes "ss"), while WordPress only removes the accents of its
own table and percent-encodes whatever non-ASCII is left, in lower-case hex.

Limits: the site locale is assumed to be one without locale rules (en_US,
pt_BR…); pass ``locale=`` to remove_accents/sanitize_title for the German,
Danish, Catalan and Serbian/Bosnian variants. Text is NFC-normalised first,
as 6.1 does when PHP's intl extension is present. Uniqueness special cases
that need the site (numeric slugs clashing with date archives, attachment
slugs shared across post types) are left to the ``taken``/``is_bad``
callables.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, Iterable, Optional, Union
from urllib.parse import unquote_to_bytes

from wpcompat.render import strip_tags

__all__ = [
    "remove_accents",
    "utf8_uri_encode",
    "sanitize_title_with_dashes",
    "sanitize_title",
    "truncate_post_slug",
    "unique_slug",
    "is_bad_post_slug",
    "FEED_SLUGS",
    "MAX_SLUG_LENGTH",
]

MAX_SLUG_LENGTH = 200
FEED_SLUGS = ("feed", "rdf", "rss", "rss2", "atom")

# remove_accents(): character → replacement, as data ("char replacement" pairs;
# "-" stands for an empty replacement).
_ACCENT_TABLE = """
ª a º o À A Á A Â A Ã A Ä A Å A Æ AE Ç C È E É E Ê E Ë E Ì I Í I Î I Ï I Ð D Ñ N Ò O Ó O Ô O Õ O Ö O
Ù U Ú U Û U Ü U Ý Y Þ TH ß s à a á a â a ã a ä a å a æ ae ç c è e é e ê e ë e ì i í i î i ï i ð d ñ n
ò o ó o ô o õ o ö o ø o ù u ú u û u ü u ý y þ th ÿ y Ø O
Ā A ā a Ă A ă a Ą A ą a Ć C ć c Ĉ C ĉ c Ċ C ċ c Č C č c Ď D ď d Đ D đ d Ē E ē e Ĕ E ĕ e Ė E ė e
Ę E ę e Ě E ě e Ĝ G ĝ g Ğ G ğ g Ġ G ġ g Ģ G ģ g Ĥ H ĥ h Ħ H ħ h Ĩ I ĩ i Ī I ī i Ĭ I ĭ i Į I į i
İ I ı i Ĳ IJ ĳ ij Ĵ J ĵ j Ķ K ķ k ĸ k Ĺ L ĺ l Ļ L ļ l Ľ L ľ l Ŀ L ŀ l Ł L ł l Ń N ń n Ņ N ņ n
Ň N ň n ŉ n Ŋ N ŋ n Ō O ō o Ŏ O ŏ o Ő O ő o Œ OE œ oe Ŕ R ŕ r Ŗ R ŗ r Ř R ř r Ś S ś s Ŝ S ŝ s
Ş S ş s Š S š s Ţ T ţ t Ť T ť t Ŧ T ŧ t Ũ U ũ u Ū U ū u Ŭ U ŭ u Ů U ů u Ű U ű u Ų U ų u Ŵ W ŵ w
Ŷ Y ŷ y Ÿ Y Ź Z ź z Ż Z ż z Ž Z ž z ſ s
Ș S ș s Ț T ț t
€ E £ -
Ơ O ơ o Ư U ư u
Ầ A ầ a Ằ A ằ a Ề E ề e Ồ O ồ o Ờ O ờ o Ừ U ừ u Ỳ Y ỳ y
Ả A ả a Ẩ A ẩ a Ẳ A ẳ a Ẻ E ẻ e Ể E ể e Ỉ I ỉ i Ỏ O ỏ o Ổ O ổ o Ở O ở o Ủ U ủ u Ử U ử u Ỷ Y ỷ y
Ẫ A ẫ a Ẵ A ẵ a Ẽ E ẽ e Ễ E ễ e Ỗ O ỗ o Ỡ O ỡ o Ữ U ữ u Ỹ Y ỹ y
Ấ A ấ a Ắ A ắ a Ế E ế e Ố O ố o Ớ O ớ o Ứ U ứ u
Ạ A ạ a Ậ A ậ a Ặ A ặ a Ẹ E ẹ e Ệ E ệ e Ị I ị i Ọ O ọ o Ộ O ộ o Ợ O ợ o Ụ U ụ u Ự U ự u Ỵ Y ỵ y
ɑ a Ǖ U ǖ u Ǘ U ǘ u Ǎ A ǎ a Ǐ I ǐ i Ǒ O ǒ o Ǔ U ǔ u Ǚ U ǚ u Ǜ U ǜ u
"""


def _table(spec: str) -> dict:
    tokens = spec.split()
    pairs = zip(tokens[0::2], tokens[1::2])
    return {ord(char): ("" if repl == "-" else repl) for char, repl in pairs}


_ACCENTS = _table(_ACCENT_TABLE)
_LOCALE_ACCENTS = {
    "de": _table("Ä Ae ä ae Ö Oe ö oe Ü Ue ü ue ß ss"),
    "da_DK": _table("Æ Ae æ ae Ø Oe ø oe Å Aa å aa"),
    "sr": _table("Đ DJ đ dj"),
}
_GERMAN_LOCALES = ("de_DE", "de_DE_formal", "de_CH", "de_CH_informal", "de_AT")


def _is_ascii(text: str) -> bool:
    return text.isascii()


def remove_accents(text: str, locale: str = "") -> str:
    """remove_accents(): WordPress's table of accented Latin letters (plus
    € → E, £ removed) to ASCII. Everything else (emoji, CJK, Greek, "ẞ"…)
    is kept. "ß" → "s", "Æ" → "AE", "Ø" → "O", "Đ" → "D" by default; the
    de_*, da_DK, ca and sr_RS/bs_BA locales have WordPress's variants."""
    if _is_ascii(text):
        return text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    table = _ACCENTS
    if locale in _GERMAN_LOCALES:
        table = {**_ACCENTS, **_LOCALE_ACCENTS["de"]}
    elif locale == "da_DK":
        table = {**_ACCENTS, **_LOCALE_ACCENTS["da_DK"]}
    elif locale in ("sr_RS", "bs_BA"):
        table = {**_ACCENTS, **_LOCALE_ACCENTS["sr"]}
    elif locale == "ca":
        text = text.replace("l·l", "ll")
    return text.translate(table)


def _rawurlencode_char(byte: int) -> str:
    char = chr(byte)
    if char.isalnum() or char in "-_.~":
        return char
    return "%%%02X" % byte


def utf8_uri_encode(text: Union[str, bytes], length: int = 0, encode_ascii_characters: bool = False) -> str:
    """utf8_uri_encode(): percent-encode every non-ASCII byte in lower-case
    hex; with ``length``, stop before the first character (an ASCII char
    counts 1, a multibyte one 3 per byte) that would pass that length."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    out = []
    values = []
    num_octets = 1
    unicode_length = 0
    for value in data:
        if value < 128:
            encoded = _rawurlencode_char(value) if encode_ascii_characters else chr(value)
            if length and unicode_length + len(encoded) > length:
                break
            out.append(encoded)
            unicode_length += len(encoded)
        else:
            if not values:
                if value < 224:
                    num_octets = 2
                elif value < 240:
                    num_octets = 3
                else:
                    num_octets = 4
            values.append(value)
            if length and unicode_length + num_octets * 3 > length:
                break
            if len(values) == num_octets:
                out.extend("%" + format(v, "x") for v in values)
                unicode_length += num_octets * 3
                values = []
                num_octets = 1
    return "".join(out)


_OCTET_PRESERVE = re.compile(r"%([a-fA-F0-9][a-fA-F0-9])")
_OCTET_RESTORE = re.compile(r"---([a-fA-F0-9][a-fA-F0-9])---")
_ENTITY = re.compile(r"&.+?;")
_DISALLOWED = re.compile(r"[^%a-z0-9 _-]")
_SPACES = re.compile(r"\s+", re.ASCII)
_DASHES = re.compile(r"-+")

_SAVE_TO_DASH = ("%c2%a0", "%e2%80%93", "%e2%80%94")
_SAVE_ENTITIES_TO_DASH = ("&nbsp;", "&#160;", "&ndash;", "&#8211;", "&mdash;", "&#8212;")
_SAVE_STRIP = (
    "%c2%ad",                                                   # soft hyphen
    "%c2%a1", "%c2%bf",                                         # ¡ ¿
    "%c2%ab", "%c2%bb", "%e2%80%b9", "%e2%80%ba",               # angle quotes
    "%e2%80%98", "%e2%80%99", "%e2%80%9c", "%e2%80%9d",         # curly quotes
    "%e2%80%9a", "%e2%80%9b", "%e2%80%9e", "%e2%80%9f",
    "%e2%80%a2",                                                # bullet
    "%c2%a9", "%c2%ae", "%c2%b0", "%e2%80%a6", "%e2%84%a2",     # © ® ° … ™
    "%c2%b4", "%cb%8a", "%cc%81", "%cd%81",                     # acute accents
    "%cc%80", "%cc%84", "%cc%8c",                               # grave, macron, caron
    # Non-visible characters that display without a width.
    "%e2%80%8b", "%e2%80%8c", "%e2%80%8d", "%e2%80%8e", "%e2%80%8f",
    "%e2%80%aa", "%e2%80%ab", "%e2%80%ac", "%e2%80%ad", "%e2%80%ae",
    "%ef%bb%bf", "%ef%bf%bc",
)
# Non-visible characters that display with a width become hyphens.
_SAVE_WIDE_TO_DASH = (
    "%e2%80%80", "%e2%80%81", "%e2%80%82", "%e2%80%83", "%e2%80%84", "%e2%80%85", "%e2%80%86",
    "%e2%80%87", "%e2%80%88", "%e2%80%89", "%e2%80%8a", "%e2%80%a8", "%e2%80%a9", "%e2%80%af",
)


def _mb_strtolower(text: str) -> str:
    # PHP 8.2's mb_strtolower maps every capital sigma to σ (no final-sigma rule).
    if "Σ" in text:
        text = text.replace("Σ", "σ")
    return text.lower()


def sanitize_title_with_dashes(title: str, context: str = "display") -> str:
    """sanitize_title_with_dashes(): tags stripped, existing %XX octets kept,
    lower-cased, non-ASCII percent-encoded (lower-case hex) within 200
    encoded characters, in the ``save`` context nbsp/en/em dashes and
    ``/`` → ``-`` and quotes, ©, ®, …, zero-width characters dropped;
    entities and anything but ``%a-z0-9 _-`` removed, ``.`` and whitespace →
    ``-``, dashes collapsed and trimmed."""
    title = strip_tags(title)
    if "%" in title:
        title = _OCTET_PRESERVE.sub(r"---\1---", title)
        title = title.replace("%", "")
        title = _OCTET_RESTORE.sub(r"%\1", title)
    title = utf8_uri_encode(_mb_strtolower(title), MAX_SLUG_LENGTH)
    title = title.lower()

    if context == "save":
        if "%" in title:
            for search in _SAVE_TO_DASH:
                title = title.replace(search, "-")
        if "&" in title:
            for search in _SAVE_ENTITIES_TO_DASH:
                title = title.replace(search, "-")
        title = title.replace("/", "-")
        if "%" in title:
            for search in _SAVE_STRIP:
                title = title.replace(search, "")
            for search in _SAVE_WIDE_TO_DASH:
                title = title.replace(search, "-")
            title = title.replace("%c3%97", "x")

    if "&" in title:
        title = _ENTITY.sub("", title)
    title = title.replace(".", "-")
    title = _DISALLOWED.sub("", title)
    title = _SPACES.sub("-", title)
    title = _DASHES.sub("-", title)
    return title.strip("-")


def sanitize_title(title: str, fallback_title: str = "", context: str = "save", locale: str = "") -> str:
    """sanitize_title(): WordPress's slug for a title ("Programação" →
    "programacao", "Emoji no título 😀👍" → "emoji-no-titulo-%f0%9f%98%80%f0%9f%91%8d").
    In the ``save`` context accents are removed first; an empty result gives
    ``fallback_title``."""
    raw = "" if title is None else str(title)
    if context == "save":
        raw = remove_accents(raw, locale)
    slug = sanitize_title_with_dashes(raw, context)
    if slug == "":
        return fallback_title
    return slug


def truncate_post_slug(slug: str, length: int = MAX_SLUG_LENGTH) -> str:
    """_truncate_post_slug(): cut a slug to ``length`` bytes without splitting
    a percent-encoded character, then drop trailing dashes."""
    if len(slug.encode("utf-8")) > length:
        decoded = unquote_to_bytes(slug.replace("+", " "))
        if decoded == slug.encode("utf-8"):
            slug = slug.encode("utf-8")[:length].decode("utf-8", "ignore")
        else:
            slug = utf8_uri_encode(decoded, length, True)
    return slug.rstrip("-")


_NUMERIC_PAGE_SLUG = re.compile(r"^(page)?\d+$", re.ASCII)


def is_bad_post_slug(slug: str, hierarchical: bool = False) -> bool:
    """Slugs wp_unique_post_slug() refuses even when free: feed names and
    "embed"; for hierarchical types (pages) also numbers and "pageN"."""
    if slug in FEED_SLUGS or slug == "embed":
        return True
    return hierarchical and bool(_NUMERIC_PAGE_SLUG.match(slug))


def unique_slug(slug: str, taken: Callable[[str], bool], *, is_bad: Optional[Callable[[str], bool]] = None,
                reserved: Iterable[str] = (), truncate: bool = True,
                max_length: int = MAX_SLUG_LENGTH) -> str:
    """The ``-2``, ``-3``… suffix loop of wp_unique_post_slug().

    If ``taken(slug)`` is true (or the slug is in ``reserved`` or
    ``is_bad(slug)``), try ``slug-2``, ``slug-3``… until ``taken`` says it is
    free. With ``truncate`` (posts), the base is first cut so that base,
    dash and number fit in ``max_length`` (200) bytes, as WordPress does;
    ``truncate=False`` gives wp_unique_term_slug()'s plain ``slug-N``.
    Only ``taken`` is asked about the suffixed candidates, as in WordPress.
    """
    reserved = frozenset(reserved)
    if not (taken(slug) or slug in reserved or (is_bad is not None and is_bad(slug))):
        return slug
    suffix = 2
    while True:
        if truncate:
            candidate = truncate_post_slug(slug, max_length - (len(str(suffix)) + 1)) + f"-{suffix}"
        else:
            candidate = f"{slug}-{suffix}"
        if not taken(candidate):
            return candidate
        suffix += 1
