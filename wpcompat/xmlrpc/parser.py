"""Reading a methodCall safely and writing a methodResponse (spec/xmlrpc.md §1.2-1.4).

Untrusted XML is parsed by defusedxml's hardened expat parser: a DOCTYPE of any kind,
entity declarations and external references are refused, so a billion-laughs or XXE
body is a -32700 fault before any entity could be expanded or fetched. The body is
read up to MAX_BODY_BYTES (one byte more tells it is too long), and a message with
more than MAX_ELEMENTS elements (WordPress's `xmlrpc_element_limit`) is refused twice:
by counting `<` before parsing, as IXR_Message does, and by counting start tags while
parsing. Memory and time are therefore bounded by the size limits, whatever the body.
"""

import datetime
import re
import xmlrpc.client
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.xmlrpc import DefusedExpatParser

from wpcompat.xmlrpc.faults import INVALID_REQUEST, NOT_METHOD_CALL, Fault

MAX_BODY_BYTES = 16 * 1024 * 1024     # base64 uploads ride in the body; WordPress has PHP's post_max_size
MAX_ELEMENTS = 30_000                 # WordPress: apply_filters('xmlrpc_element_limit', 30000)
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
ZERO_DATE = xmlrpc.client.DateTime("00000000T00:00:00Z")
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_ISO = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")


class TooManyElements(Exception):
    pass


class CallReader(xmlrpc.client.Unmarshaller):
    """xmlrpc.client's Unmarshaller with WordPress's value rules and an element budget."""

    dispatch = dict(xmlrpc.client.Unmarshaller.dispatch)

    def __init__(self, max_elements):
        super().__init__(use_builtin_types=True)
        self.elements = 0
        self.max_elements = max_elements
        self.root = None

    def start(self, tag, attrs):
        self.elements += 1
        if self.elements > self.max_elements:
            raise TooManyElements()
        if self.root is None:
            self.root = tag
        super().start(tag, attrs)

    def end_string(self, data):          # IXR: <string> values are trimmed
        self.append(data.strip())
        self._value = 0
    dispatch["string"] = end_string

    def end_name(self, data):            # member names are trimmed
        self.append(data.strip())
        self._value = 0
    dispatch["name"] = end_name

    def end_value(self, data):           # an untyped value is a string, not trimmed
        if self._value:
            self.append(data)
            self._value = 0
    dispatch["value"] = end_value

    def end_boolean(self, data):         # PHP truthiness: "0" and "" are false
        self.append(data.strip() not in ("0", ""))
        self._value = 0
    dispatch["boolean"] = end_boolean

    def end_int(self, data):
        try:
            self.append(int(data.strip()))
        except ValueError:
            self.append(0)
        self._value = 0
    for _tag in ("int", "i4", "i8", "i1", "i2", "biginteger"):
        dispatch[_tag] = end_int

    def end_double(self, data):
        try:
            self.append(float(data.strip()))
        except ValueError:
            self.append(0.0)
        self._value = 0
    dispatch["double"] = end_double

    def end_dateTime(self, data):
        self.append(parse_iso_date(data))
        self._value = 0
    dispatch["dateTime.iso8601"] = end_dateTime


def parse_iso_date(text):
    """A dateTime.iso8601 value: naive (no zone given) or aware datetime; None when unreadable."""
    match = _ISO.match(text or "")
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return None
    if zone:
        if zone == "Z":
            value = value.replace(tzinfo=datetime.timezone.utc)
        else:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            value = value.replace(tzinfo=datetime.timezone(sign * offset))
    return value


def read_body(stream, limit=MAX_BODY_BYTES):
    """At most limit + 1 bytes of the request body: more than `limit` is refused, never buffered."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise Fault.parse_error()
    return data


def parse_call(body, max_elements=MAX_ELEMENTS):
    """(method name, params list) of a methodCall body, or Fault -32700 / -32600."""
    body = body.strip()
    if not body or _DOCTYPE.search(body):
        raise Fault.parse_error()
    if body.count(b"<") > 2 * max_elements:
        raise Fault.parse_error()
    reader = CallReader(max_elements)
    parser = DefusedExpatParser(reader, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(body)
        parser.close()
        if reader.root != "methodCall":
            raise Fault(INVALID_REQUEST, NOT_METHOD_CALL) if reader.root in ("methodResponse", "fault") \
                else Fault.parse_error()
        params = reader.close()
    except (DefusedXmlException, TooManyElements, expat.ExpatError, xmlrpc.client.ResponseError,
            ValueError, TypeError, IndexError, KeyError, UnicodeError):
        raise Fault.parse_error() from None
    name = reader.getmethodname()
    if not isinstance(name, str):
        raise Fault.parse_error()
    return name.strip(), list(params)


# --- writing -----------------------------------------------------------------------------------

def _plain(value):
    """Python values as IXR_Value writes them: None → "", empty dict → empty array."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if not value:
            return []
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _marshal(value):
    marshaller = xmlrpc.client.Marshaller("utf-8", allow_none=False)
    return marshaller.dumps([_plain(value)]) if not isinstance(value, xmlrpc.client.Fault) \
        else marshaller.dumps(value)


def response_body(value):
    """The methodResponse carrying `value`."""
    return f"{DECLARATION}<methodResponse>\n{_marshal(value)}</methodResponse>\n".encode("utf-8")


def fault_body(fault):
    """The methodResponse carrying `fault` (a faults.Fault)."""
    wire = xmlrpc.client.Fault(fault.code, fault.message)
    return f"{DECLARATION}<methodResponse>\n{_marshal(wire)}</methodResponse>\n".encode("utf-8")
