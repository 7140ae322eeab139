"""wpcompat.slugs against WordPress 6.1: slugs of the golden site and WordPress's rules.

Title → slug pairs come from shared/golden (REST edit answers, XML-RPC post
and term answers); without it, from tests/data/render_cases.json.
"""

import json
from pathlib import Path

import pytest

from wpcompat.slugs import (
    is_bad_post_slug,
    remove_accents,
    sanitize_title,
    sanitize_title_with_dashes,
    truncate_post_slug,
    unique_slug,
    utf8_uri_encode,
)

GOLDEN = Path(__file__).resolve().parents[2] / "shared" / "golden"
FIXTURE = Path(__file__).resolve().parent / "data" / "render_cases.json"

# Slugs given explicitly when the golden site was seeded (not derived from the name).
EXPLICIT_TERM_SLUGS = {("Categoria Vazia", "vazia")}


def _walk(node, found):
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def load_golden_slugs(golden=GOLDEN):
    """(post titles → slugs, term names → slugs) seen in the golden answers.

    A post is used only when a single raw title was seen for it (a post whose
    title changed during the capture is skipped)."""
    titles, slugs, terms = {}, {}, []
    for path in sorted(golden.glob("[0-9]*.json")):
        answer = json.loads(path.read_text(encoding="utf-8"))
        found = []
        _walk(answer.get("body"), found)
        _walk(answer.get("xmlrpc"), found)
        for obj in found:
            title = obj.get("title")
            if "id" in obj and isinstance(title, dict):
                if "raw" in title:
                    titles.setdefault(int(obj["id"]), set()).add(title["raw"])
                if isinstance(obj.get("slug"), str):
                    slugs.setdefault(int(obj["id"]), set()).add(obj["slug"])
            if "post_id" in obj and "post_title" in obj:
                titles.setdefault(int(obj["post_id"]), set()).add(obj["post_title"])
                if "post_name" in obj:
                    slugs.setdefault(int(obj["post_id"]), set()).add(obj["post_name"])
            if "postid" in obj and isinstance(title, str):
                titles.setdefault(int(obj["postid"]), set()).add(title)
                if "wp_slug" in obj:
                    slugs.setdefault(int(obj["postid"]), set()).add(obj["wp_slug"])
            if isinstance(obj.get("taxonomy"), str) and isinstance(obj.get("name"), str) \
                    and isinstance(obj.get("slug"), str):
                term = {"name": obj["name"], "slug": obj["slug"], "taxonomy": obj["taxonomy"]}
                if term not in terms:
                    terms.append(term)
    pairs = []
    for post_id, seen in sorted(titles.items()):
        if len(seen) != 1:
            continue
        title = next(iter(seen))
        for slug in sorted(slugs.get(post_id, ())):
            pairs.append({"id": post_id, "title": title, "slug": slug})
    return pairs, terms


def _fixture():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


if GOLDEN.is_dir():
    POST_SLUGS, TERM_SLUGS = load_golden_slugs()
else:
    POST_SLUGS, TERM_SLUGS = _fixture()["slugs"], _fixture()["terms"]


@pytest.mark.parametrize("pair", POST_SLUGS, ids=lambda p: f"{p['id']}-{p['slug'] or 'draft'}")
def test_golden_post_slug(pair):
    slug = pair["slug"]
    if slug == "":
        return  # Drafts and pending posts keep an empty slug: nothing to derive.
    if slug.endswith("__trashed"):
        slug = slug[: -len("__trashed")]  # wp_trash_post() appends the suffix.
        if slug == "":
            return  # A trashed draft that never had a slug.
    assert sanitize_title(pair["title"]) == slug


@pytest.mark.parametrize("term", TERM_SLUGS, ids=lambda t: t["slug"])
def test_golden_term_slug(term):
    if (term["name"], term["slug"]) in EXPLICIT_TERM_SLUGS:
        assert sanitize_title(term["slug"]) == term["slug"]
    else:
        assert sanitize_title(term["name"]) == term["slug"]


def test_golden_slugs_found():
    assert len([p for p in POST_SLUGS if p["slug"]]) >= 15
    assert len(TERM_SLUGS) >= 15


def test_fixture_slugs_match():
    data = _fixture()
    for pair in data["slugs"]:
        if pair["slug"].replace("__trashed", ""):
            assert sanitize_title(pair["title"]) == pair["slug"].replace("__trashed", "")
    for term in data["terms"]:
        if (term["name"], term["slug"]) not in EXPLICIT_TERM_SLUGS:
            assert sanitize_title(term["name"]) == term["slug"]
    for post in data["reconstructed"]["posts"]:
        if post["slug"]:
            assert sanitize_title(post["title_raw"]) == post["slug"]


# ---------------------------------------------------------------------------
# sanitize_title rules
# ---------------------------------------------------------------------------

SLUG_CASES = [
    # Accents (remove_accents table) and case.
    ("Programação", "programacao"),
    ("São Paulo", "sao-paulo"),
    ("Ação & reação", "acao-reacao"),
    ("Coração, pão, maçã e ação", "coracao-pao-maca-e-acao"),
    ("Ñandú ÀÉÎÕÜ ÿ", "nandu-aeiou-y"),
    ("Straße", "strase"),                    # ß → s by default (ss only for German locales)
    ("Æsir Øl Œuvre Þór", "aesir-ol-oeuvre-thor"),
    ("Đorđe Łódź Ħal", "dorde-lodz-hal"),
    ("ĲSSEL ĳs", "ijssel-ijs"),
    ("Việt Nam Tiếng", "viet-nam-tieng"),
    ("Ș ț ǜ ɑ", "s-t-u-a"),
    ("€100 £5", "e100-5"),
    ("Cafe\u0301 decomposed", "cafe-decomposed"),     # NFC first: é
    ("Pa\u0303o", "pao"),
    # Non-ASCII left after remove_accents is percent-encoded, lower-case hex.
    ("Emoji no título 😀👍", "emoji-no-titulo-%f0%9f%98%80%f0%9f%91%8d"),
    ("Contato ✉️", "contato-%e2%9c%89%ef%b8%8f"),
    ("Привет мир", "%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82-%d0%bc%d0%b8%d1%80"),
    ("ΣΊΣΥΦΟΣ", "%cf%83%ce%af%cf%83%cf%85%cf%86%ce%bf%cf%83"),   # PHP 8.2: no final sigma
    ("日本語", "%e6%97%a5%e6%9c%ac%e8%aa%9e"),
    # Punctuation, spaces and dashes.
    ("It's \"quoted\" -- texturize test", "its-quoted-texturize-test"),
    ("Hello, World!", "hello-world"),
    ("  lots   of space\n", "lots-of-space"),
    ("tab\tis removed", "tabis-removed"),     # [^%a-z0-9 _-] runs before \s+ → "-"
    ("--leading and trailing--", "leading-and-trailing"),
    ("PHP 8.2 — novidades", "php-8-2-novidades"),
    ("a – b — c", "a-b-c"),
    ("a&nbsp;b&ndash;c&#8212;d", "a-b-c-d"),
    ("a\u00a0b", "a-b"),
    ("songs by Lennon/McCartney", "songs-by-lennon-mccartney"),
    ("under_score kept", "under_score-kept"),
    ("“curly” ‘quotes’ «angle» ¿¡", "curly-quotes-angle"),
    ("© ® ° … ™ •", ""),
    ("3×4", "3x4"),
    ("zero\u200bwidth\u200djoin", "zerowidthjoin"),
    ("en\u2002space", "en-space"),
    ("a.b.c", "a-b-c"),
    ("Tom &amp; Jerry &copy;", "tom-jerry"),
    # Tags and octets.
    ("Sobre <código> & HTML no título", "sobre-html-no-titulo"),
    ("<b>Bold</b> title", "bold-title"),
    ("100% pure", "100-pure"),
    ("already %e2%9c%85 encoded", "already-%e2%9c%85-encoded"),
    ("%C3%A9t%C3%A9", "%c3%a9t%c3%a9"),
    ("", ""),
]


@pytest.mark.parametrize("title,slug", SLUG_CASES)
def test_sanitize_title(title, slug):
    assert sanitize_title(title) == slug


def test_sanitize_title_fallback_and_locales():
    assert sanitize_title("!!!", "fallback") == "fallback"
    assert sanitize_title("", "untitled") == "untitled"
    assert sanitize_title("Größe Ärger", locale="de_DE") == "groesse-aerger"
    assert sanitize_title("Størrelse Åben", locale="da_DK") == "stoerrelse-aaben"
    assert sanitize_title("Đorđe", locale="sr_RS") == "djordje"
    assert sanitize_title("col·lecció", locale="ca") == "colleccio"


def test_display_context_keeps_accents_encoded():
    assert sanitize_title("Programação", context="display") == "programa%c3%a7%c3%a3o"
    assert sanitize_title_with_dashes("a – b") == "a-%e2%80%93-b"
    assert sanitize_title_with_dashes("a – b", context="save") == "a-b"


def test_remove_accents():
    assert remove_accents("Programação") == "Programacao"
    assert remove_accents("ASCII only") == "ASCII only"
    assert remove_accents("😀 çà") == "😀 ca"
    assert remove_accents("ß Æ Ø Đ ÿ ſ") == "s AE O D y s"


def test_length_is_200_encoded_characters():
    assert len(sanitize_title("a" * 300)) == 200
    # A 3-byte character takes 9 encoded characters: 22 fill 198, the 23rd is left out.
    slug = sanitize_title("✅" * 80)
    assert slug == "%e2%9c%85" * 22
    # A 4-byte character that does not fit is not cut in half.
    slug = sanitize_title("a" * 190 + "😀😀")
    assert slug == "a" * 190
    # Truncation happens before punctuation is removed.
    assert sanitize_title("a, " * 100) == "-".join(["a"] * 67)


def test_utf8_uri_encode():
    assert utf8_uri_encode("ação") == "a%c3%a7%c3%a3o"
    assert utf8_uri_encode("ação", 4) == "a"
    assert utf8_uri_encode("ação", 7) == "a%c3%a7"
    assert utf8_uri_encode("a b/c", 0, True) == "a%20b%2Fc"


# ---------------------------------------------------------------------------
# Uniqueness
# ---------------------------------------------------------------------------


def test_unique_slug_suffixes():
    taken = {"hello", "hello-2", "hello-3"}
    assert unique_slug("hello", taken.__contains__) == "hello-4"
    assert unique_slug("fresh", taken.__contains__) == "fresh"
    assert unique_slug("hello-2", taken.__contains__) == "hello-2-2"


def test_unique_slug_asks_only_what_it_needs():
    asked = []

    def taken(slug):
        asked.append(slug)
        return slug in {"post", "post-2"}

    assert unique_slug("post", taken) == "post-3"
    assert asked == ["post", "post-2", "post-3"]


def test_unique_slug_reserved_and_bad_slugs():
    never = lambda slug: False  # noqa: E731
    assert unique_slug("feed", never, is_bad=is_bad_post_slug) == "feed-2"
    assert unique_slug("embed", never, is_bad=is_bad_post_slug) == "embed-2"
    assert unique_slug("2024", never, is_bad=lambda s: is_bad_post_slug(s, hierarchical=True)) == "2024-2"
    assert unique_slug("page3", never, is_bad=lambda s: is_bad_post_slug(s, hierarchical=True)) == "page3-2"
    assert unique_slug("2024", never, is_bad=is_bad_post_slug) == "2024"
    assert unique_slug("admin", never, reserved={"admin"}) == "admin-2"


def test_unique_slug_truncates_to_fit_200():
    base = "a" * 200
    taken = {base, "a" * 198 + "-2"}.__contains__
    result = unique_slug(base, taken)
    assert result == "a" * 198 + "-3"
    assert len(result) == 200
    ten = unique_slug(base, lambda s: not s.endswith("-10"))
    assert ten == "a" * 197 + "-10"


def test_unique_slug_keeps_encoded_characters_whole():
    slug = sanitize_title("✅" * 80)            # 198 characters of %e2%9c%85
    assert unique_slug(slug, {slug}.__contains__) == slug + "-2"
    result = unique_slug(slug, lambda s: not s.endswith("-10"))
    assert result == "%e2%9c%85" * 21 + "-10"


def test_unique_term_slug_has_no_truncation():
    base = "b" * 200
    assert unique_slug(base, {base}.__contains__, truncate=False) == base + "-2"


def test_truncate_post_slug():
    assert truncate_post_slug("short-slug-") == "short-slug"
    assert truncate_post_slug("abc-def", 4) == "abc"
    assert truncate_post_slug("%e2%9c%85%e2%9c%85", 12) == "%e2%9c%85"
    assert truncate_post_slug("caf%c3%a9-au-lait", 10) == "caf%c3%a9"
