"""Replays the golden WordPress 6.1 XML-RPC requests (../shared/golden, path /xmlrpc.php) against wpcompat.

The site is tests/golden_site.py's mirror of the golden WordPress (same users, ids, terms, posts,
pages, images; login passwords `<login>-pass-123`). Each answer is compared by structure, as
the issue asks: the HTTP status and Content-Type, then the XML-RPC value recursively — the XML
type of every value (<string>, <int>, <boolean>, <dateTime.iso8601>, <array>, <struct>...), the
member names of every struct in WordPress's order, and fault codes exactly. Values are not
compared (listMethods lists only what is served; dates of writes are the replay's).

Reads (files before 193) share one mirror per engine. The XML-RPC writes (229-245) ran one after
another on the golden site: they are replayed in that order on a fresh mirror, the ids they
created mapped to ours (WordPress gave 68, 27, 72; the mirror gives its own).
"""

import shutil
import tempfile
import xmlrpc.client

import pytest
from defusedxml import ElementTree
from falcon import testing

from golden_site import FIRST_WRITE, app_password, build_site, load_cases
from wpcompat.app import create_app
from wpcompat.db import bind, open_database

from .helpers import fresh_login_counters  # noqa: F401

CASES = [case for case in load_cases() if case.is_xmlrpc]
READS = [case for case in CASES if case.number < FIRST_WRITE]
WRITES = [case for case in CASES if case.number >= FIRST_WRITE]
SCALARS = {"i4": "int", "int": "int", "string": "string", "boolean": "boolean", "double": "double",
           "dateTime.iso8601": "dateTime.iso8601", "base64": "base64"}
KNOWN_DIFFERENCES = {          # file → why wpcompat's answer differs from WordPress's
}
CREATED = {"229-wp.newPost.json": 68, "238-wp.newTerm.json": 27, "242-metaWeblog.newPost.json": 72}


def value_tree(value):
    """(xml type, children) of a <value> element: children are [(name, tree)] or [tree]."""
    child = next(iter(value), None)
    if child is None:
        return ("string", None)
    if child.tag == "struct":
        return ("struct", [(member.findtext("name").strip(), value_tree(member.find("value")))
                           for member in child.findall("member")])
    if child.tag == "array":
        return ("array", [value_tree(item) for item in child.findall("data/value")])
    return (SCALARS.get(child.tag, child.tag), None)


def answer_tree(content):
    root = ElementTree.fromstring(content.strip())
    fault = root.find("fault/value")
    if fault is not None:
        return "fault", _fault_code(content)
    return "value", value_tree(root.find("params/param/value"))


def _fault_code(content):
    try:
        xmlrpc.client.loads(content)
    except xmlrpc.client.Fault as fault:
        return fault.faultCode
    return None


def structure_differences(golden, ours, path="value"):
    kind, children = golden
    our_kind, our_children = ours
    if kind != our_kind:
        return [f"{path}: <{our_kind}>, WordPress has <{kind}>"]
    if kind == "struct":
        names, our_names = [name for name, _ in children], [name for name, _ in our_children]
        if names != our_names:
            return [f"{path}: members {our_names}, WordPress has {names}"]
        return [difference for (name, tree), (_n, our_tree) in zip(children, our_children)
                for difference in structure_differences(tree, our_tree, f"{path}.{name}")]
    if kind == "array":
        if bool(children) != bool(our_children):
            return [f"{path}: {len(our_children)} items, WordPress has {len(children)}"]
        return [difference for index, (tree, our_tree) in enumerate(zip(children, our_children))
                for difference in structure_differences(tree, our_tree, f"{path}[{index}]")]
    return []


def compare(case, result):
    differences = []
    if result.status_code != case.status:
        differences.append(f"status {result.status_code}, WordPress has {case.status}")
    golden_type = case.headers.get("Content-Type", "").replace(" ", "").lower()
    if result.headers.get("Content-Type", "").replace(" ", "").lower() != golden_type:
        differences.append(f"Content-Type {result.headers.get('Content-Type')!r}, WordPress has {golden_type!r}")
    if case.request["method"] != "POST":
        return differences
    golden, ours = answer_tree(case.body.encode()), answer_tree(result.content)
    if golden[0] != ours[0]:
        return differences + [f"{ours[0]} {ours[1]!r}, WordPress answered a {golden[0]} {golden[1]!r}"]
    if golden[0] == "fault":
        return differences + ([f"fault {ours[1]}, WordPress has {golden[1]}"] if golden[1] != ours[1] else [])
    return differences + structure_differences(golden[1], ours[1])


class Mirror:
    def __init__(self, engine, label):
        bind(engine.database)
        self.engine, self.site = engine, build_site(engine, label)
        self.database = open_database(engine.url, pool_size=2)
        self.media_root = tempfile.mkdtemp(prefix="wpcompat-golden-media-")      # wp.uploadFile writes here
        self.client = testing.TestClient(create_app(engine.settings(media_root=self.media_root), self.database))
        self.ids = {}

    def body(self, case):
        body = case.request.get("body") or ""
        if case.name == "143-wp.getUsersBlogs-app-password.json":
            params, name = xmlrpc.client.loads(body)
            body = xmlrpc.client.dumps((params[0], app_password(params[0])), name)
        for golden_id, ours in self.ids.items():
            body = body.replace(f"<int>{golden_id}</int>", f"<int>{ours}</int>")
            body = body.replace(f"<string>{golden_id}</string>", f"<string>{ours}</string>")
        return body.encode()

    def send(self, case):
        request = case.request
        return self.client.simulate_request(request["method"], request["path"], body=self.body(case),
                                            headers={**(request.get("headers") or {}), "Host": self.site.host})

    def close(self):
        if hasattr(self.database, "close_all"):
            self.database.close_all()
        bind(self.engine.database)
        shutil.rmtree(self.media_root, ignore_errors=True)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def mirror(request):
    site = Mirror(request.getfixturevalue(f"{request.param}_engine"), "xmlrpc-golden")
    yield site
    site.close()


def _marks(case):
    if case.name in KNOWN_DIFFERENCES:
        return [pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[case.name])]
    return []


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name[:-5], marks=_marks(case)) for case in READS])
def test_golden_xmlrpc_read(mirror, case):
    differences = compare(case, mirror.send(case))
    assert not differences, f"{case.name} differs from WordPress:\n  " + "\n  ".join(differences)


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
def test_golden_xmlrpc_writes_in_order(request, engine_name):
    site = Mirror(request.getfixturevalue(f"{engine_name}_engine"), "xmlrpc-golden-writes")
    try:
        failures = {}
        for case in WRITES:
            result = site.send(case)
            if case.name in CREATED:
                value, _method = xmlrpc.client.loads(result.content)
                site.ids[CREATED[case.name]] = int(value[0])
            differences = compare(case, result)
            if differences and case.name not in KNOWN_DIFFERENCES:
                failures[case.name] = differences
            if not differences and case.name in KNOWN_DIFFERENCES:
                failures[case.name] = ["matches now: remove it from KNOWN_DIFFERENCES"]
        assert not failures, "\n".join(f"{name}: {'; '.join(items)}" for name, items in failures.items())
    finally:
        site.close()
