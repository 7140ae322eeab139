"""/xmlrpc.php as a protocol: HTTP answers, RSD, parse faults, system.* and demo.*, multicall, rollback."""

import xmlrpc.client

import pytest

from clinic import make_clinic
from conftest import count_rows
from wpcompat.db import tenant_scope
from wpcompat.models import Post, Term
from wpcompat.xmlrpc.methods_system import MAX_MULTICALL

from .helpers import decode, fresh_login_counters, rpc  # noqa: F401

PARSE_ERROR = (-32700, "parse error. not well formed")


@pytest.fixture
def clinic(engine):
    return make_clinic(engine, "protocol")


@pytest.fixture
def admin(clinic):
    return 1, clinic.users["administrator"].login, clinic.passwords["administrator"]


def test_get_and_other_methods_are_405_and_rsd_is_served(client, clinic):
    for method in ("GET", "PUT", "DELETE", "HEAD"):
        result = client.simulate_request(method, "/xmlrpc.php", host=clinic.host)
        assert result.status_code == 405 and result.headers["Allow"] == "POST"
        assert result.headers["Content-Type"] == "text/plain;charset=UTF-8"
        if method != "HEAD":
            assert result.text == "XML-RPC server accepts POST requests only."
    rsd = client.simulate_get("/xmlrpc.php", query_string="rsd", host=clinic.host)
    assert rsd.status_code == 200 and rsd.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert f'<api name="WordPress" blogID="1" preferred="true" apiLink="http://{clinic.host}/xmlrpc.php" />' in rsd.text
    front = client.simulate_get("/", host=clinic.host)
    assert f'<link rel="EditURI" type="application/rsd+xml" title="RSD" href="http://{clinic.host}/xmlrpc.php?rsd"' \
           in front.text


@pytest.mark.parametrize("body", [b"", b"this is not xml at all",
                                  b'<?xml version="1.0"?><methodCall><methodName>demo.sayHello</methodName><params>'])
def test_broken_bodies_are_parse_faults_over_http_200(rpc, body):
    result = rpc.post(body)
    assert result.status_code == 200 and result.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert result.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse>')
    assert decode(result) == (None, PARSE_ERROR)


def test_request_faults(rpc):
    response = rpc.post(b"<methodResponse><params/></methodResponse>")
    assert decode(response)[1] == (-32600, "server error. invalid xml-rpc. not conforming to spec. Request must be "
                                           "a methodCall")
    assert rpc.fault("no.such.method", 1) == (-32601, "server error. requested method no.such.method does not exist.")
    assert rpc.fault("system.methodHelp", "demo.sayHello")[0] == -32601
    assert rpc.fault("demo.addTwoNumbers", 1, "2") == (
        400, "Invalid arguments passed to this XML-RPC method. Requires two integers.")
    text_plain = rpc.post(xmlrpc.client.dumps((3, 4), "demo.addTwoNumbers"), headers={"Content-Type": "text/plain"})
    assert decode(text_plain)[0] == 7                                  # the Content-Type is not checked


def test_system_and_demo_methods(rpc):
    names = rpc.call("system.listMethods")
    assert names[:3] == ["system.multicall", "system.listMethods", "system.getCapabilities"]
    assert names[-1] == "wp.getUsersBlogs"
    supported = rpc.call("mt.supportedMethods")
    assert supported == [name for name in reversed(names) if not name.startswith("system.")]
    assert rpc.call("system.getCapabilities")["faults_interop"]["specVersion"] == 20010516
    assert rpc.call("demo.sayHello") == "Hello!" and rpc.call("demo.addTwoNumbers", 3, 4) == 7
    assert rpc.call("mt.supportedTextFilters") == []


def test_multicall_wraps_results_and_faults_per_entry(rpc, admin, clinic):
    post = clinic.post("Como medir a pressão arterial em casa")
    results = rpc.call("system.multicall", [
        {"methodName": "demo.sayHello", "params": []},
        {"methodName": "wp.getPost", "params": [*admin, post.wp_id, ["post_title"]]},
        {"methodName": "wp.getPost", "params": [*admin, 999999]},
        {"methodName": "no.such.method", "params": []},
        {"methodName": "system.multicall", "params": [[]]},
        "not a struct",
    ])
    assert results == [
        ["Hello!"], [{"post_id": str(post.wp_id), "post_title": "Como medir a pressão arterial em casa"}],
        {"faultCode": 404, "faultString": "Invalid post ID."},
        {"faultCode": -32601, "faultString": "server error. requested method no.such.method does not exist."},
        {"faultCode": -32600, "faultString": "Recursive calls to system.multicall are forbidden"},
        {"faultCode": -32600, "faultString": "server error. invalid xml-rpc. Each multicall entry must be a struct "
                                             "with a string methodName"}]
    too_many = [{"methodName": "demo.sayHello", "params": []}] * (MAX_MULTICALL + 1)
    assert rpc.fault("system.multicall", too_many)[0] == -32600


def test_a_fault_undoes_its_own_writes_only(rpc, admin, clinic):
    """A single call that faults rolls the request back; in a multicall only the faulting entry is undone."""
    posts, terms = count_rows(clinic, Post), count_rows(clinic, Term)
    half_done = {"post_title": "x", "terms_names": {"post_tag": ["tag-of-a-failed-call"]}, "post_parent": 999999}
    assert rpc.fault("wp.newPost", *admin, half_done)[0] == 400            # the tag was created, then undone
    assert (count_rows(clinic, Post), count_rows(clinic, Term)) == (posts, terms)
    results = rpc.call("system.multicall", [
        {"methodName": "wp.newPost", "params": [*admin, {"post_title": "kept", "terms_names": {"post_tag": ["kept"]}}]},
        {"methodName": "wp.newPost", "params": [*admin, half_done]},
    ])
    assert isinstance(results[0][0], str) and results[1]["faultCode"] == 400
    assert (count_rows(clinic, Post), count_rows(clinic, Term)) == (posts + 1, terms + 1)
    with tenant_scope(clinic.id):
        assert not Term.select().where(Term.name == "tag-of-a-failed-call").exists()


def test_single_array_parameter_is_unwrapped_as_wordpress_does(rpc, admin, clinic):
    post = clinic.post("Como medir a pressão arterial em casa")
    body = xmlrpc.client.dumps(([*admin, post.wp_id, ["post_title"]],), "wp.getPost")
    assert decode(rpc.post(body))[0]["post_title"] == "Como medir a pressão arterial em casa"
