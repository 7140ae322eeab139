"""Property tests (hypothesis) on the parsers that take hostile input first.

The XML-RPC body parser, the PHP unserializer and WXR reader of the importer, slug generation,
and REST parameter parsing (JSON bodies, PHP-style query strings, argument validation against
every schema the route table declares). Each either answers or refuses in its own documented
way (Fault, WPError, ParamError, ValueError, WxrError) — never another exception, never a hang.
"""

import datetime
import io
import json
import math
import re
import string
import xmlrpc.client
from pathlib import Path

import phpserialize
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from importers.wxr import meta as wxr_meta
from importers.wxr.reader import WxrError, read
from wpcompat import slugs
from wpcompat.app import build_rest_server
from wpcompat.errors import WPError
from wpcompat.rest.request import decode_json, parse_params
from wpcompat.rest.validation import ParamError, parse_date, parse_list, validate
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.parser import parse_call

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CORPUS = Path("/work/shared/corpus/wxr/importer-tests")

# XML 1.0 can carry these characters (no surrogates, no C0 controls but tab and newline; a raw
# carriage return is read back as a newline, as XML normalises line ends).
xml_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
    chr(c) for c in range(32) if c not in (9, 10)) + "\ufffe\uffff"), max_size=40)
xmlrpc_values = st.recursive(
    st.one_of(st.integers(-2 ** 31, 2 ** 31 - 1), st.booleans(), xml_text,
              st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(xml_text.map(str.strip).filter(bool), inner, max_size=4)),
    max_leaves=12)


def trimmed(value):
    """What IXR makes of a value: <string> trimmed, member names trimmed."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [trimmed(item) for item in value]
    if isinstance(value, dict):
        return {key.strip(): trimmed(item) for key, item in value.items()}
    return value


# --- XML-RPC ---------------------------------------------------------------------------------------
@FAST
@given(name=st.from_regex(r"\A[a-zA-Z]{1,8}\.[a-zA-Z]{1,12}\Z"), params=st.lists(xmlrpc_values, min_size=2, max_size=5))
def test_xmlrpc_calls_round_trip(name, params):
    body = xmlrpc.client.dumps(tuple(params), name, allow_none=False).encode("utf-8")
    parsed_name, parsed = parse_call(body)
    assert parsed_name == name
    assert parsed == trimmed(params)


@FAST
@given(body=st.binary(max_size=400))
@example(body=b"<methodCall><methodName>a</methodName><params><param><value><int>" + b"9" * 5000
         + b"</int></value></param></params></methodCall>")
@example(body=b"<?xml version='1.0' encoding='latin-1'?><methodCall><methodName>\xe9</methodName></methodCall>")
def test_any_bytes_are_a_call_or_a_fault(body):
    try:
        name, params = parse_call(body)
    except Fault as fault:
        assert fault.code in (-32700, -32600)
        return
    assert isinstance(name, str) and isinstance(params, list)


@FAST
@given(params=st.lists(xmlrpc_values, min_size=1, max_size=3), cut=st.integers(0, 10_000),
       junk=st.sampled_from([b"", b"<", b"&", b"]]>", b"<value>", b"</struct>", b"\x00", b"<!ENTITY x 'y'>"]))
def test_damaged_calls_are_a_call_or_a_fault(params, cut, junk):
    body = xmlrpc.client.dumps(tuple(params), "wp.getPost").encode("utf-8")
    cut %= len(body) + 1
    try:
        name, parsed = parse_call(body[:cut] + junk + body[cut:])
    except Fault as fault:
        assert fault.code in (-32700, -32600)
        return
    assert isinstance(name, str) and isinstance(parsed, list)


# --- slugs -----------------------------------------------------------------------------------------
SLUG = re.compile(r"^(?:[a-z0-9_]|%[0-9a-f]{2})+(?:-(?:[a-z0-9_]|%[0-9a-f]{2})+)*$")


@FAST
@given(title=st.text(max_size=300))
@example(title="Programação & <b>Saúde</b> — 2025 😀")
@example(title="%c3%a9%zz%%")
def test_slugs_are_lower_case_url_safe_and_stable(title):
    slug = slugs.sanitize_title(title)
    if slug == "":
        return
    assert SLUG.match(slug), slug
    assert slugs.sanitize_title(slug) == slug


@FAST
@given(title=st.text(min_size=1, max_size=400), length=st.integers(10, 200))
def test_truncated_slugs_fit_and_never_split_an_octet(title, length):
    slug = slugs.sanitize_title(title)
    cut = slugs.truncate_post_slug(slug, length)
    assert len(cut.encode("utf-8")) <= length
    assert not re.search(r"%[0-9a-fA-F]?$", cut)
    assert not cut.endswith("-")
    # a kept ASCII octet (%0a) comes back as rawurlencode writes it (%0A), as in WordPress
    assert slug.lower().startswith(cut.lower()) or cut == ""


@FAST
@given(title=st.text(min_size=1, max_size=300).map(slugs.sanitize_title).filter(bool),
       taken_count=st.integers(0, 30))
def test_unique_slugs_are_free_and_short_enough(title, taken_count):
    taken = {title} | {f"{slugs.truncate_post_slug(title, 200 - len(str(n)) - 1)}-{n}" for n in range(2, taken_count)}
    result = slugs.unique_slug(title, taken.__contains__)
    assert result not in taken
    assert len(result.encode("utf-8")) <= slugs.MAX_SLUG_LENGTH + 0
    assert result == title or re.search(r"-\d+$", result)


# --- REST parameters ------------------------------------------------------------------------------
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=10)
query_values = st.one_of(json_values, st.text(max_size=30), st.from_regex(r"\A-?\d{1,30}(\.\d+)?\Z"),
                         st.sampled_from(["", "true", "false", "1,2,3", "1e400", "NaN", "-0", " 1", "0x10",
                                          "2024-02-30T10:00:00", "2024-01-01T10:00:00Z", "a@b.co", "𝟙𝟚"]))


def declared_schemas():
    """Every argument schema the route table declares, once each."""
    seen, schemas = set(), []
    for route in build_rest_server().routes:
        for endpoint in route.endpoints:
            for name, spec in endpoint.args.items():
                plain = {key: value for key, value in spec.items() if not callable(value)}
                key = json.dumps(plain, sort_keys=True, default=str)
                if key not in seen:
                    seen.add(key)
                    schemas.append((f"{route.pattern} {name}", plain))
    return schemas


SCHEMAS = declared_schemas()


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(SCHEMAS) - 1), value=query_values)
def test_every_declared_argument_validates_or_refuses_in_wordpress_words(which, value):
    label, schema = SCHEMAS[which]
    try:
        result = validate(value, schema, "arg")
    except ParamError as error:
        assert error.code.startswith("rest_") and error.message
        return
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if types == ["integer"]:
        assert isinstance(result, int) and not isinstance(result, bool), label
    if types == ["boolean"]:
        assert isinstance(result, bool), label
    if types == ["array"]:
        assert isinstance(result, list), label
    if "enum" in schema and types and "array" not in types and result is not None:
        assert result in schema["enum"], label
    if types == ["integer"] and "minimum" in schema:
        assert result >= schema["minimum"], label
    json.dumps(result, default=str)                     # what validation returns can always be answered


@FAST
@given(number=st.integers(-10 ** 30, 10 ** 30))
@example(number=2 ** 53 + 1)                      # regression: float() rounded it to 2**53
@example(number=2 ** 63)                          # past PHP_INT_MAX: saturates, as PHP reads it
def test_integers_arrive_as_integers_from_any_source(number):
    expected = max(-2 ** 63, min(number, 2 ** 63 - 1))     # exact within PHP's integers, saturated past them
    assert validate(str(number), {"type": "integer"}, "n") == expected
    assert validate(number, {"type": "integer"}, "n") == expected
    assert validate(f"{number},{number}", {"type": "array", "items": {"type": "integer"}}, "l") == [expected, expected]


@pytest.mark.parametrize("text", ["1_000", "nan", "NaN", "inf", "-Infinity", "1e400", " 1", "1 ", "0x10", "1\n"])
def test_what_php_does_not_call_numeric_is_not_a_number(text):
    """Regression: Python's float() read "1_000" as 1000, "nan"/"inf" as numbers (JSON has no NaN)."""
    for schema in ({"type": "integer"}, {"type": "number"}):
        with pytest.raises(ParamError) as caught:
            validate(text, schema, "n")
        assert caught.value.code == "rest_invalid_type"


@FAST
@given(text=st.text(max_size=60))
def test_lists_and_dates_parse_or_refuse(text):
    assert all(part != "" for part in parse_list(text))
    parsed = parse_date(text)
    assert parsed is None or isinstance(parsed, datetime.datetime)


@FAST
@given(query=st.text(max_size=200), key=st.text(max_size=3))
@example(query="a[b][c][d][][e]=1&a[b]=2&a[]=3&%E0%80=4&" + "x[" * 300 + "=5", key="")
@example(query="a[0]=2", key="¹")                 # regression: "¹".isdigit() but int("¹") fails (a 500)
@example(query="0=a&1=b", key="")
def test_php_query_strings_always_parse(query, key):
    assert isinstance(parse_params(query), dict)       # regression: "0=a" made the query a list (a 500)
    assert isinstance(parse_params(f"{query}&a[{key}]=1&a[1]=3"), dict)


@FAST
@given(value=json_values.filter(lambda v: not _has_nan(v)))
def test_json_bodies_round_trip(value):
    assert decode_json(json.dumps(value).encode()) == value


@FAST
@given(body=st.binary(max_size=300))
@example(body=b"[" * 100_000)
@example(body=b'{"a":' * 70 + b"1" + b"}" * 70)
def test_any_body_is_json_or_rest_invalid_json(body):
    try:
        decode_json(body)
    except WPError as error:
        assert (error.code, error.status) == ("rest_invalid_json", 400)


def _has_nan(value):
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, list):
        return any(_has_nan(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nan(item) for item in value.values())
    return False


# --- the importer: PHP unserializer and WXR reader ---------------------------------------------------
php_keys = st.text(string.ascii_letters + "_", min_size=1, max_size=8)
php_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2 ** 62, 2 ** 62), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=4),
                            st.dictionaries(php_keys, inner, min_size=1, max_size=4)),
    max_leaves=10)


@FAST
@given(value=php_values)
def test_php_serialized_values_round_trip(value):
    text = phpserialize.dumps(value).decode("utf-8")
    assert wxr_meta.looks_serialized(text)
    assert wxr_meta.unserialize(text) == value
    meta_type, stored, broken = wxr_meta.decode(text)
    assert (meta_type, broken) == ("json", False) and json.loads(stored) == value


@FAST
@given(text=st.text(max_size=200))
@example(text='s:999999999:"x";')
@example(text="a:999999999:{}")
@example(text='O:8:"stdClass":1:{s:1:"a";O:8:"Evil\\x00":0:{}}')
@example(text="a:1:{i:0;" * 200 + "N;" + "}" * 200)
def test_any_meta_value_decodes_or_is_kept_as_text(text):
    meta_type, stored, broken = wxr_meta.decode(text)
    assert meta_type in ("json", "text")
    if meta_type == "text":
        assert stored == text
    else:
        json.loads(stored)
    try:
        wxr_meta.unserialize(text)
    except ValueError:
        pass


def _corpus_samples():
    if not CORPUS.exists():
        return [b"<rss/>"]
    return [path.read_bytes() for path in sorted(CORPUS.glob("*.xml")) if path.stat().st_size < 20_000][:12]


SAMPLES = _corpus_samples()


def _read_all(data):
    try:
        return list(read(io.BytesIO(data), name="fuzzed.xml"))
    except WxrError as error:
        assert str(error).startswith("fuzzed.xml: ")
        return None


@FAST
@given(which=st.integers(0, len(SAMPLES) - 1), cut=st.integers(0, 10 ** 6), size=st.integers(0, 40),
       junk=st.binary(max_size=12))
def test_damaged_wxr_files_are_read_or_refused_in_one_line(which, cut, size, junk):
    data = SAMPLES[which]
    cut %= len(data) + 1
    _read_all(data[:cut] + junk + data[cut + size:])


def test_a_broken_cdata_section_is_refused_in_one_line():
    document = (b'<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
                b"<wp:wxr_version>1.2</wp:wxr_version><item><title>x</title><description><![CDATA[ab"
                b"\n]></description>\n</item>\n</channel>\n</rss>")
    with pytest.raises(WxrError) as caught:
        list(read(io.BytesIO(document), name="broken.xml"))
    assert "\n" not in str(caught.value)


@FAST
@given(title=xml_text, content=xml_text, meta=php_values)
def test_wxr_items_keep_their_text_and_meta(title, content, meta):
    assume("]]>" not in content)
    serialized = phpserialize.dumps(meta).decode("utf-8")
    assume("]]>" not in serialized)
    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>t</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>{xml_escape(title)}</title><content:encoded><![CDATA[{content}]]></content:encoded>
<wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<wp:postmeta><wp:meta_key>k</wp:meta_key><wp:meta_value><![CDATA[{serialized}]]></wp:meta_value></wp:postmeta>
</item></channel></rss>""".encode("utf-8")
    records = _read_all(document)
    assert records is not None
    items = [record for kind, record in records if kind == "item"]
    assert len(items) == 1
    item = items[0]
    flat = json.dumps(item, default=str, ensure_ascii=False)
    assert json.dumps(title.strip(), ensure_ascii=False)[1:-1] in flat or title.strip() == ""
    assert wxr_meta.python_value(serialized) == meta


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
