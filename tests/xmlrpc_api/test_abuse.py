"""Abuse resistance of /xmlrpc.php: hostile XML, oversized bodies, brute force through logins and multicall.

Every bound is asserted by construction — bytes read, elements seen, passwords checked,
memory allocated — never by wall-clock time. Each attack also leaves the data unchanged.
"""

import io
import re
import socket
import tracemalloc
import xmlrpc.client

import pytest

from clinic import make_clinic
from conftest import count_rows
from wpcompat.accounts import create_user
from wpcompat.db import tenant_scope
from wpcompat import passwords
from wpcompat.models import Post, Tenant, Term, User
from wpcompat.xmlrpc import auth as xmlrpc_auth
from wpcompat.xmlrpc import parser
from wpcompat.xmlrpc.faults import Fault

from .helpers import Rpc, decode, fresh_login_counters, rpc  # noqa: F401

PARSE_ERROR = (-32700, "parse error. not well formed")
BAD_LOGIN = (403, "Incorrect username or password.")
CALL = ("<methodCall><methodName>demo.sayHello</methodName><params><param><value>{}</value></param></params>"
        "</methodCall>")
BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
                            for n in range(1, 10))
                  + "]>" + CALL.format("<string>&lol9;</string>")).encode()


def xxe(target):
    return (f'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "{target}">]>'
            + CALL.format("<string>&xxe;</string>")).encode()


@pytest.fixture
def clinic(engine):
    return make_clinic(engine, "abuse")


@pytest.fixture
def snapshot(clinic):
    """What an attack must leave unchanged: the tenant's posts and terms."""
    return lambda: (count_rows(clinic, Post), count_rows(clinic, Term))


def creds(clinic, role):
    return 1, clinic.users[role].login, clinic.passwords[role]


# --- hostile XML ---------------------------------------------------------------------------------

def test_billion_laughs_is_a_parse_fault_with_flat_memory(rpc, snapshot):
    before = snapshot()
    assert decode(rpc.post(BILLION_LAUGHS)) == (None, PARSE_ERROR)
    tracemalloc.start()
    try:
        with pytest.raises(Fault) as caught:
            parser.parse_call(BILLION_LAUGHS)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == -32700
    assert peak < 256 * 1024                   # 10^9 "lol"s would be 3 GB; nothing was expanded
    assert snapshot() == before


@pytest.mark.parametrize("body", [BILLION_LAUGHS, xxe("file:///etc/passwd"), xxe("http://127.0.0.1:9/x"),
                                  b'<!DOCTYPE methodCall>' + CALL.format("<string>x</string>").encode()])
def test_the_hardened_parser_refuses_a_dtd_even_without_the_doctype_precheck(monkeypatch, body):
    """Defence in depth: with the DOCTYPE pre-check disabled, defusedxml still refuses the DTD."""
    monkeypatch.setattr(parser, "_DOCTYPE", re.compile(rb"(?!)"))
    with pytest.raises(Fault) as caught:
        parser.parse_call(body)
    assert (caught.value.code, caught.value.message) == PARSE_ERROR


def test_xxe_reads_no_file(rpc, snapshot):
    before = snapshot()
    result = rpc.post(xxe("file:///etc/passwd"))
    assert decode(result) == (None, PARSE_ERROR) and b"root:" not in result.content
    assert snapshot() == before


def test_xxe_opens_no_connection():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        for body in (xxe(f"http://127.0.0.1:{port}/secret"),
                     (f'<?xml version="1.0"?><!DOCTYPE m SYSTEM "http://127.0.0.1:{port}/dtd">'
                      + CALL.format("<string>x</string>")).encode()):
            with pytest.raises(Fault):
                parser.parse_call(body)
        with pytest.raises(BlockingIOError):
            listener.accept()                       # nobody connected


def test_any_doctype_is_refused(rpc):
    plain = b'<?xml version="1.0"?><!DOCTYPE methodCall>' + CALL.format("<string>x</string>").encode()
    assert decode(rpc.post(plain)) == (None, PARSE_ERROR)
    assert decode(rpc.post(CALL.format("<string>x</string>").encode()))[0] == "Hello!"


# --- size limits ---------------------------------------------------------------------------------

class CountingStream(io.RawIOBase):
    """An endless body that counts what is read from it."""

    def __init__(self):
        self.consumed = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        size = len(buffer)
        buffer[:size] = b"<" * size
        self.consumed += size
        return size


def test_an_oversized_body_is_refused_after_reading_one_byte_past_the_limit(rpc, snapshot):
    stream = CountingStream()
    with pytest.raises(Fault) as caught:
        parser.read_body(io.BufferedReader(stream, buffer_size=65536), limit=1024 * 1024)
    assert caught.value.code == -32700
    assert stream.consumed <= 1024 * 1024 + 65536 + 1            # never the whole (endless) body
    before = snapshot()
    padding = b" " * (parser.MAX_BODY_BYTES + 1 - len(CALL) - 10)
    body = CALL.format("<string>x</string>").encode() + padding
    assert len(body) > parser.MAX_BODY_BYTES
    assert decode(rpc.post(body)) == (None, PARSE_ERROR)
    assert snapshot() == before


def elements_body(count):
    """A methodCall of exactly `count` elements (7 of structure, the rest `<value/>` in an array)."""
    values = "<value/>" * (count - 7)
    return (f"<methodCall><methodName>demo.sayHello</methodName><params><param><value><array><data>{values}"
            f"</data></array></value></param></params></methodCall>").encode()


def test_the_element_cap_is_wordpress_30000(rpc, monkeypatch):
    assert decode(rpc.post(elements_body(30_000)))[0] == "Hello!"
    seen = []
    original = parser.CallReader.start

    def counting_start(self, tag, attrs):
        seen.append(tag)
        return original(self, tag, attrs)

    monkeypatch.setattr(parser.CallReader, "start", counting_start)
    assert decode(rpc.post(elements_body(30_001))) == (None, PARSE_ERROR)
    assert len(seen) == 30_001                     # parsing stopped at the first element over the cap
    seen.clear()
    assert decode(rpc.post(b"<value><int>1</int></value>" * 20_001)) == (None, PARSE_ERROR)
    assert seen == []                              # more than 60,000 '<': refused before parsing, as IXR does


# --- brute force ---------------------------------------------------------------------------------

def test_failed_logins_are_403_and_audited(rpc, clinic, audit_rows):
    for username, password in (("editor", "wrong"), ("nobody", "x"), ("", "")):
        assert rpc.fault("wp.getPosts", 1, username, password) == BAD_LOGIN
    rows = [row for row in audit_rows(clinic, policy_decision="deny")
            if row.metadata.get("event") == "auth:login:failure"]
    assert sorted(row.metadata["login"] for row in rows) == ["", "editor", "nobody"]
    assert all(row.operation == "login" and row.metadata["reason"] == "bad credentials" for row in rows)
    assert [row.metadata["xmlrpc_method"] for row in rows] == ["wp.getPosts"] * 3


def test_login_by_email_with_the_login_password(rpc, clinic):
    with tenant_scope(clinic.id):
        create_user("nurse", "nurse@clinic.test", "author", password="a long login password")
    assert rpc.call("wp.getProfile", 1, "nurse@clinic.test", "a long login password", ["username"]) == {
        "user_id": rpc.call("wp.getProfile", 1, "nurse", "a long login password")["user_id"], "username": "nurse"}
    assert rpc.fault("wp.getProfile", 1, "nurse@clinic.test", "a wrong login password") == BAD_LOGIN


def test_a_good_login_password_is_checked_by_argon2_once_then_remembered(rpc, clinic, monkeypatch):
    with tenant_scope(clinic.id):
        nurse = create_user("nurse2", "nurse2@clinic.test", "author", password="first login password")
    checks = []
    original = xmlrpc_auth.passwords.verify_password
    monkeypatch.setattr(xmlrpc_auth.passwords, "verify_password",
                        lambda stored, password: checks.append(password) or original(stored, password))
    for _ in range(3):
        assert rpc.call("wp.getProfile", 1, "nurse2", "first login password", ["username"])["username"] == "nurse2"
    assert checks == ["first login password"]
    with tenant_scope(clinic.id):                  # a new password: the remembered one no longer opens
        User.update(password_hash=passwords.hash_password("second login password")).where(
            User.id == nurse.id).execute()
    assert rpc.fault("wp.getProfile", 1, "nurse2", "first login password") == BAD_LOGIN
    assert rpc.call("wp.getProfile", 1, "nurse2", "second login password", ["username"])["username"] == "nurse2"


def test_multicall_stops_checking_passwords_after_the_first_failure(rpc, clinic, snapshot, monkeypatch, audit_rows):
    checked = []
    original = xmlrpc_auth.verify
    monkeypatch.setattr(xmlrpc_auth, "verify", lambda *args: checked.append(args[1]) or original(*args))
    login, password = clinic.users["editor"].login, clinic.passwords["editor"]
    guesses = [{"methodName": "wp.getPosts", "params": [1, login, f"guess-{n}"]} for n in range(60)]
    correct = {"methodName": "wp.newPost", "params": [1, login, password, {"post_title": "brute"}]}
    before = snapshot()
    results = rpc.call("system.multicall", guesses + [correct])
    assert all(result == {"faultCode": 403, "faultString": BAD_LOGIN[1]} for result in results)
    assert checked == [login]                      # one password checked, whatever the number of entries
    assert snapshot() == before
    reasons = [row.metadata["reason"] for row in audit_rows(clinic)
               if row.metadata.get("event") == "auth:login:failure"]
    assert sorted(reasons) == ["bad credentials"] + ["locked: an earlier login in this request failed"] * 60


def test_failed_logins_are_rate_limited_per_login_and_per_ip(rpc, clinic, monkeypatch):
    editor, author = creds(clinic, "editor"), creds(clinic, "author")
    for _ in range(xmlrpc_auth.MAX_FAILURES_PER_LOGIN):
        assert rpc.fault("wp.getProfile", 1, editor[1], "wrong") == BAD_LOGIN
    checked = []
    original = xmlrpc_auth.verify
    monkeypatch.setattr(xmlrpc_auth, "verify", lambda *args: checked.append(args[1]) or original(*args))
    assert rpc.fault("wp.getProfile", *editor) == (429, xmlrpc_auth.RATE_LIMITED)     # even the right password
    assert checked == []                                                              # not even checked
    assert rpc.call("wp.getProfile", *author, ["username"])["username"] == author[1]   # other logins still work
    for n in range(xmlrpc_auth.MAX_FAILURES_PER_IP - xmlrpc_auth.MAX_FAILURES_PER_LOGIN):
        rpc.fault("wp.getProfile", 1, f"guess-{n}", "wrong")
    assert rpc.fault("wp.getProfile", *author) == (429, xmlrpc_auth.RATE_LIMITED)     # this IP is now blocked


def test_the_failure_counter_is_bounded():
    counter = xmlrpc_auth.FailureCounter(window=60, max_keys=100, clock=lambda: 0.0)
    for n in range(10_000):
        counter.add(("t", "ip", str(n)), cap=5)
    assert len(counter._failures) == 100
    for _ in range(50):
        counter.add(("t", "login", "x"), cap=5)
    assert counter.count(("t", "login", "x")) == 6                   # at most cap + 1 times kept per key


def test_switched_off_xmlrpc_refuses_logins_with_405(client, clinic, engine):
    with tenant_scope(clinic.id):             # the tenant_settings policy: only the current tenant's row
        assert Tenant.update(options={"xmlrpc_enabled": False}).where(Tenant.id == clinic.id).execute() == 1
    rpc = Rpc(client, clinic.host)
    result = rpc.post(xmlrpc.client.dumps(creds(clinic, "administrator"), "wp.getPosts"))
    assert result.status_code == 405 and decode(result)[1] == (405, "XML-RPC services are disabled on this site.")
    assert rpc.call("demo.sayHello") == "Hello!"
