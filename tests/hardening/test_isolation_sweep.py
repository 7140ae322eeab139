"""Tenant-isolation sweep: every REST route and every XML-RPC method, probed from tenant A for tenant B's data.

The routes come from the app's RestServer route table and the methods from the XML-RPC method
table, so a route or method added tomorrow is swept tomorrow. A route with URL captures needs
to be told what to put in them (ROUTE_CAPTURES), a method how to be called (XMLRPC_PROBES):
one the sweep does not know fails the test with a message saying where to add its probe.

As A's administrator (the most a caller of A can be) each probe tries to read, list, search,
embed, update and delete B's objects — by id, slug, `_embed`, `include`, `parent`, `post`,
`author`, `categories`/`tags`, batch sub-requests, ACF relational fields, media URLs and
multicall — and asserts 404 / an empty answer / a fault, an audit row denying every refusal,
no trace of B (marker, host, UUIDs) in any answer, and every row of B unchanged at the end.
Each "not found" probe is first shown to find the object as B's administrator on B's host,
so no probe can pass by aiming at nothing.
"""

import collections
import json
import xmlrpc.client

import pytest
from falcon import testing

from wpcompat.app import build_rest_server, create_app
from wpcompat.db import tenant_scope
from wpcompat.models import AuditTrail, Post
from wpcompat.xmlrpc import auth as xmlrpc_auth
from wpcompat.xmlrpc import table

from .isolation import build_world, fingerprint, png_bytes

ADD_PROBE = "add it to {where} in tests/hardening/test_isolation_sweep.py"

# URL captures → which of B's objects goes in them ("=value": a fixed, non-tenant value).
ROUTE_CAPTURES = {
    r"/wp/v2/posts/(?P<id>[\d]+)": {"id": "post"},
    r"/wp/v2/pages/(?P<id>[\d]+)": {"id": "page"},
    r"/wp/v2/posts/(?P<parent>[\d]+)/revisions": {"parent": "post"},
    r"/wp/v2/posts/(?P<parent>[\d]+)/revisions/(?P<id>[\d]+)": {"parent": "post", "id": "revision"},
    r"/wp/v2/posts/(?P<id>[\d]+)/autosaves": {"id": "post"},
    r"/wp/v2/posts/(?P<parent>[\d]+)/autosaves/(?P<id>[\d]+)": {"parent": "post", "id": "autosave"},
    r"/wp/v2/pages/(?P<parent>[\d]+)/revisions": {"parent": "page"},
    r"/wp/v2/pages/(?P<parent>[\d]+)/revisions/(?P<id>[\d]+)": {"parent": "page", "id": "page_revision"},
    r"/wp/v2/pages/(?P<id>[\d]+)/autosaves": {"id": "page"},
    r"/wp/v2/pages/(?P<parent>[\d]+)/autosaves/(?P<id>[\d]+)": {"parent": "page", "id": "page_autosave"},
    r"/wp/v2/blocks/(?P<id>[\d]+)": {"id": "block"},
    r"/wp/v2/blocks/(?P<parent>[\d]+)/revisions": {"parent": "block"},
    r"/wp/v2/blocks/(?P<parent>[\d]+)/revisions/(?P<id>[\d]+)": {"parent": "block", "id": "block_revision"},
    r"/wp/v2/blocks/(?P<id>[\d]+)/autosaves": {"id": "block"},
    r"/wp/v2/blocks/(?P<parent>[\d]+)/autosaves/(?P<id>[\d]+)": {"parent": "block", "id": "block_autosave"},
    r"/wp/v2/comments/(?P<id>[\d]+)": {"id": "comment"},
    r"/healthcare/v1/workflow/(?P<id>[\d]+)": {"id": "post"},
    r"/healthcare/v1/workflow/(?P<id>[\d]+)/run": {"id": "post"},
    r"/healthcare/v1/workflow/(?P<id>[\d]+)/override": {"id": "post"},
    r"/wp/v2/types/(?P<type>[\w-]+)": {"type": "=post"},
    r"/wp/v2/statuses/(?P<status>[\w-]+)": {"status": "=publish"},
    r"/wp/v2/taxonomies/(?P<taxonomy>[\w-]+)": {"taxonomy": "=category"},
    r"/wp/v2/categories/(?P<id>[\d]+)": {"id": "category"},
    r"/wp/v2/tags/(?P<id>[\d]+)": {"id": "tag"},
    r"/wp/v2/media/(?P<id>[\d]+)": {"id": "media"},
    r"/wp/v2/users/(?P<id>[\d]+)": {"id": "user"},
    r"/wp/v2/users/(?P<user_id>(?:[\d]+|me))/application-passwords": {"user_id": "user"},
    r"/wp/v2/users/(?P<user_id>(?:[\d]+|me))/application-passwords/introspect": {"user_id": "user"},
    r"/wp/v2/users/(?P<user_id>(?:[\d]+|me))/application-passwords/(?P<uuid>[\w\-]+)":
        [{"user_id": "=me", "uuid": "app_password"}, {"user_id": "user", "uuid": "app_password"}],
    r"/wpcompat/v1/media/(?P<id>[\d]+)/file": {"id": "media"},
    r"/acf/v3/posts/(?P<id>[\d]+)/?(?P<field>[\w\-\_]+)?": [{"id": "post"}, {"id": "post", "field": "=summary"}],
    r"/acf/v3/pages/(?P<id>[\d]+)/?(?P<field>[\w\-\_]+)?": [{"id": "page"}, {"id": "page", "field": "=summary"}],
    r"/acf/v3/media/(?P<id>[\d]+)/?(?P<field>[\w\-\_]+)?": [{"id": "media"}, {"id": "media", "field": "=modality"}],
    r"/acf/v3/categories/(?P<id>[\d]+)/?(?P<field>[\w\-\_]+)?": [{"id": "category"}],
    r"/acf/v3/tags/(?P<id>[\d]+)/?(?P<field>[\w\-\_]+)?": [{"id": "tag"}],
    r"/acf/v3/users/(?P<id>[\d]+)/?(?P<field>[\w\-\_]+)?": [{"id": "user"}, {"id": "user", "field": "=crm_number"}],
}
# acf/v3 answers a missing object as the ACF to REST API plugin does: {"acf": []}, {field: null}, and
# 500 cant_update_item for a write (README, ACF) — no 404 there.
ACF_EMPTY = {"acf": []}
ACF_CANT_UPDATE = {"code": "cant_update_item", "message": "Cannot update item", "data": {"status": 500}}
# Probes whose object B's administrator cannot reach either (another user's application password,
# introspection of a password that is not the caller's; tags have no ACF group): no sanity check.
NO_SANITY = {"/wp/v2/users/me/application-passwords/{uuid}", "/wp/v2/users/{user}/application-passwords/introspect",
             "/acf/v3/tags/{tag}"}
# Routes that name a tenant-wide resource rather than an object: their probes check the answer only.
SHARED_CAPTURES = {
    r"/wp/v2/block-types/(?P<namespace>[a-zA-Z0-9_-]+)": [{"namespace": "=core"}],
    r"/wp/v2/block-types/(?P<namespace>[a-zA-Z0-9_-]+)/(?P<name>[a-zA-Z0-9_-]+)":
        [{"namespace": "=core", "name": "=paragraph"}],r"/acf/v3/options/(?P<id>[\w\-\_]+)/?(?P<field>[\w\-\_]+)?":
                   [{"id": "=acf-options-clinic"}, {"id": "=acf-options-clinic", "field": "=clinic_phone"}]}

# Collection arguments that name B's objects; each is tried alone on every GET that declares it.
def filter_values(world):
    ids = world.ids
    return {
        "include": list(ids.values()),
        "search": world.marker,
        "slug": list(world.slugs.values()),
        "author": [ids["user"]],
        "parent": [ids["post"], ids["page"], ids["category"]],
        "post": ids["post"],
        "categories": [ids["category"]],
        "tags": [ids["tag"]],
        "include_children": True,
    }


def reference_body(world):
    """A create/update body pointing at B's objects wherever an argument can point."""
    ids = world.ids
    return {"parent": ids["page"], "author": ids["user"], "featured_media": ids["media"], "post": ids["post"],
            "categories": [ids["category"]], "tags": [ids["tag"]], "title": "probe", "name": "probe",
            "content": "probe", "description": "probe", "reassign": ids["user"], "reason": "probe",
            "acf": {"main_guideline": ids["post"], "primary_author": ids["user"], "topics": [ids["category"]],
                    "hero_image": ids["media"], "reviewer": [ids["page"]]},
            "fields": {"main_guideline": ids["post"], "primary_author": ids["user"]}}


def text(result):
    return result.content.decode("utf-8", "replace")


def payload(result):
    """The JSON answer, or None for another kind of body (a media file)."""
    if "json" not in (result.headers.get("Content-Type") or ""):
        return None
    try:
        return json.loads(result.content)
    except ValueError:
        return None


class Sweep:
    """Runs probes as A's administrator and keeps every finding (one report at the end)."""

    def __init__(self, world, client, engine):
        self.world, self.client, self.engine = world, client, engine
        self.findings = []
        self.denials = {}          # request id → what was denied
        self.requests = {}         # request id → probe, every A probe
        self.count = 0
        self.sanity_checks = 0     # probes shown to reach B's object from B itself

    def fail(self, probe, problem):
        self.findings.append(f"{probe}: {problem}")

    def rest(self, method, path, probe, params=None, body=None, headers=None):
        self.count += 1
        result = self.client.simulate_request(
            method, f"/wp-json{path}", host=self.world.a.host, params=params,
            headers={**self.world.admin_a(), **({"Content-Type": "application/json"} if body is not None else {}),
                     **(headers or {})},
            body=json.dumps(body) if body is not None else None)
        request_id = result.headers.get("X-Request-ID")
        self.requests[request_id] = probe
        leaks = self.world.leaks(text(result))
        if leaks:
            self.fail(probe, f"answer shows tenant B's {leaks}: {text(result)[:300]}")
        if result.status_code >= 500 and payload(result) != ACF_CANT_UPDATE:
            self.fail(probe, f"{result.status_code}: {text(result)[:300]}")
        if result.status_code >= 400 and request_id:
            self.denials[request_id] = probe
        return result

    def sanity(self, method, path, probe, params=None, template=None):
        """The same request as B's administrator on B's host finds the object (the probe aims at something)."""
        if template in NO_SANITY:
            return
        self.sanity_checks += 1
        result = self.client.simulate_request(method, f"/wp-json{path}", host=self.world.b.host, params=params,
                                              headers=self.world.admin_b())
        if result.status_code != 200 or payload(result) in ([], {}, ACF_EMPTY):
            self.fail(probe, f"sanity: B's own administrator gets {result.status_code} {text(result)[:200]}")

    def expect_missing(self, result, probe, acf=False):
        body = payload(result)
        if acf and (body == ACF_CANT_UPDATE or (result.status_code == 200 and (
                body == ACF_EMPTY or (isinstance(body, dict) and len(body) == 1 and None in body.values())))):
            return
        if result.status_code != 404:
            self.fail(probe, f"expected 404, got {result.status_code}: {text(result)[:300]}")

    def expect_empty(self, result, probe):
        body = payload(result)
        if result.status_code == 200 and isinstance(body, list) and body:
            self.fail(probe, f"expected an empty list, got {len(body)} items: {text(result)[:300]}")
        elif result.status_code not in (200, 400):
            self.fail(probe, f"expected 200 [] or 400, got {result.status_code}: {text(result)[:300]}")

    def check_audit(self):
        """Every denial has a deny row; no row of A's probes landed in B."""
        with tenant_scope(self.world.a.id, self.engine.database):
            rows = list(AuditTrail.select(AuditTrail.metadata, AuditTrail.policy_decision))
        decisions = collections.defaultdict(list)
        for row in rows:
            decisions[row.metadata.get("request_id")].append(row.policy_decision)
        for request_id, probe in self.denials.items():
            if "deny" not in decisions.get(request_id, []):
                self.fail(probe, f"denied without a deny audit row (request {request_id})")
        for request_id, probe in self.requests.items():
            if not decisions.get(request_id):
                self.fail(probe, f"no audit row at all (request {request_id})")
        with tenant_scope(self.world.b.id, self.engine.database):
            leaked = [row.metadata.get("request_id") for row in AuditTrail.select(AuditTrail.metadata)
                      if row.metadata.get("request_id") in self.requests]
        if leaked:
            self.findings.append(f"A's requests wrote audit rows into B: {leaked[:5]}")

    def report(self, what):
        print(f"\nisolation sweep ({what}, {self.engine.name}): {self.count} probes "
              f"({self.sanity_checks} shown to reach B's object from B), {len(self.findings)} findings")
        assert not self.findings, "\n".join(self.findings[:80])
        assert self.sanity_checks, "no probe was shown to aim at a real object"


@pytest.fixture
def client(engine, app_database, tmp_path):
    """The app over the whole middleware chain, its media under this test's folder."""
    return testing.TestClient(create_app(engine.settings(media_root=tmp_path / "uploads"), app_database))


@pytest.fixture
def world(engine, client):
    return build_world(engine, client)


def expand(pattern, captures, world):
    """The concrete path for a route regex with its captures filled from B's objects."""
    import re

    from wpcompat.openapi import path_templates

    names = set(captures)
    for template, params in path_templates(pattern):
        if set(params) == names:
            path = template
            for name, source in captures.items():
                value = source[1:] if source.startswith("=") else {"app_password": world.app_password_uuid}.get(
                    source, world.ids.get(source))
                path = path.replace("{" + name + "}", str(value))
            assert re.match("^" + pattern + "$", path, re.I), (pattern, path)
            return path
    raise AssertionError(f"no path of {pattern} takes exactly {sorted(names)}")


def template_of(path, world):
    """The probe's path with B's values named back (for NO_SANITY)."""
    names = {str(value): "{" + key.split("_")[0] + "}" for key, value in world.ids.items() if key in ("user", "tag")}
    names[world.app_password_uuid] = "{uuid}"
    return "/".join(names.get(part, part) for part in path.split("/"))


def route_probes(route):
    """[(captures, shared)] for the route; fails for a route with captures the sweep does not know."""
    if "(?P<" not in route.pattern:
        return [({}, True)]
    if route.pattern in SHARED_CAPTURES:
        return [(captures, True) for captures in SHARED_CAPTURES[route.pattern]]
    known = ROUTE_CAPTURES.get(route.pattern)
    if known is None:
        pytest.fail(f"route {route.pattern} has no isolation probe: "
                    + ADD_PROBE.format(where="ROUTE_CAPTURES (or SHARED_CAPTURES)"))
    known = known if isinstance(known, list) else [known]
    return [(captures, all(source.startswith("=") for source in captures.values())) for captures in known]


def test_every_rest_route_refuses_tenant_b(world, client, engine):
    sweep = Sweep(world, client, engine)
    before = fingerprint(engine, world.b)
    server = build_rest_server()
    values = filter_values(world)
    batch = []
    for route in server.routes:
        acf = route.namespace == "acf/v3"
        for captures, shared in route_probes(route):
            path = expand(route.pattern, captures, world)
            for endpoint in route.endpoints:
                methods = endpoint.methods
                label = f"{'/'.join(methods)} {path}"
                if "GET" in methods:
                    if shared:
                        sweep.rest("GET", path, f"GET {path}", params={"context": "edit"})
                        sweep.rest("GET", path, f"GET {path} _embed", params={"_embed": "1", "per_page": 100})
                        for name, value in values.items():
                            if name in endpoint.args and name != "include_children":
                                result = sweep.rest("GET", path, f"GET {path} ?{name}=B", params={name: value})
                                sweep.expect_empty(result, f"GET {path} ?{name}=B")
                    else:
                        sweep.sanity("GET", path, f"GET {path}", params={"context": "edit"},
                                     template=template_of(path, world))
                        result = sweep.rest("GET", path, f"GET {path}", params={"context": "edit", "_embed": "1"})
                        sweep.expect_missing(result, f"GET {path}", acf)
                if any(m in methods for m in ("POST", "PUT", "PATCH")):
                    method = next(m for m in methods if m in ("POST", "PUT", "PATCH"))
                    body = reference_body(world)
                    result = sweep.rest(method, path, f"{method} {path} (B references)", body=body)
                    if shared:
                        check_created(sweep, result, f"{method} {path}", world)
                    else:
                        sweep.expect_missing(result, f"{method} {path}", acf)
                        if endpoint.allow_batch:
                            batch.append({"method": method, "path": f"{path}", "body": {"title": "probe"}})
                if "DELETE" in methods:
                    result = sweep.rest("DELETE", path, f"DELETE {path}", params={"force": "true", "reassign":
                                                                                   world.ids["user"]})
                    if not shared:
                        sweep.expect_missing(result, f"DELETE {path}", acf)
                        if endpoint.allow_batch:
                            batch.append({"method": "DELETE", "path": f"{path}?force=true"})
                _ = label
    # the poisoned post: B's rows linked from one of A's own posts
    for params in ({"_embed": "1"}, {"_embed": "1", "context": "edit"}, {"acf_format": "standard", "_embed": "1"}):
        sweep.rest("GET", f"/wp/v2/posts/{world.poisoned}", f"poisoned post {params}", params=params)
    sweep.rest("GET", "/wp/v2/posts", "poisoned post in a list", params={"include": [world.poisoned], "_embed": "1"})
    sweep.rest("GET", f"/acf/v3/posts/{world.poisoned}", "poisoned post via acf/v3")
    # ACF relational fields written on A's own post with B's ids, read back every way
    article = world.a_article
    sweep.rest("POST", f"/wp/v2/posts/{article}", "ACF references to B", body={"acf": reference_body(world)["acf"]})
    sweep.rest("POST", f"/acf/v3/posts/{article}", "acf/v3 references to B",
               body={"fields": reference_body(world)["acf"]})
    for params in ({"acf_format": "standard", "_embed": "1"}, {"context": "edit", "_embed": "1"}):
        sweep.rest("GET", f"/wp/v2/posts/{article}", f"ACF read back {params}", params=params)
    sweep.rest("GET", f"/acf/v3/posts/{article}", "acf/v3 read back")
    # batch sub-requests aimed at B's objects, 25 at a time
    assert batch, "no batchable route was probed"
    for start in range(0, len(batch), 25):
        chunk = batch[start:start + 25]
        result = sweep.rest("POST", "/batch/v1", f"batch of {len(chunk)}", body={"requests": chunk})
        for request, answer in zip(chunk, (payload(result) or {}).get("responses", [])):
            if answer.get("status") != 404:
                sweep.fail(f"batch {request['method']} {request['path']}", f"sub-request answered {answer}")
    # media URLs of B's file on A's host (and it is really there on B's)
    b_file = client.simulate_get(world.media_path, host=world.b.host, headers=world.admin_b())
    if b_file.status_code != 200:
        sweep.fail("media URL", f"sanity: B's own file answers {b_file.status_code}")
    sweep.count += 1
    a_file = client.simulate_get(world.media_path, host=world.a.host, headers=world.admin_a())
    if a_file.status_code != 404 or png_bytes()[:8] in a_file.content:
        sweep.fail("media URL", f"B's file on A's host answers {a_file.status_code}")
    else:
        sweep.denials[a_file.headers.get("X-Request-ID")] = "media URL"
    sweep.check_audit()
    assert_a_has_no_new_reference_to_b(engine, world, sweep)
    if fingerprint(engine, world.b) != before:
        sweep.findings.append("tenant B's rows changed during the sweep")
    sweep.report("REST")


def check_created(sweep, result, probe, world):
    """A create with B's ids in every reference: refused, or created without pointing at B."""
    body = payload(result)
    if result.status_code >= 300 or not isinstance(body, dict):
        return
    b_ids = set(world.ids.values())
    for key in ("parent", "author", "featured_media", "post", "categories", "tags"):
        value = body.get(key)
        values = value if isinstance(value, list) else [value]
        if b_ids & {v for v in values if isinstance(v, int)}:
            sweep.fail(probe, f"created with {key}={value}, an id of tenant B's")


def assert_a_has_no_new_reference_to_b(engine, world, sweep):
    with tenant_scope(world.a.id, engine.database):
        for post in Post.select().where(Post.wp_id != world.poisoned):
            for column in ("author_id", "parent_id", "category_id", "featured_media_id"):
                if str(getattr(post, column, "")) in world.uuids:
                    sweep.findings.append(f"A's post {post.wp_id} now has {column} of tenant B's")


# --- XML-RPC -----------------------------------------------------------------------------------------
def xmlrpc_probes(world, login, password):
    """method → [(params, expectation)]; expectation: "fault", "empty" or "any" (answer checked for leaks)."""
    ids, u, p, m = world.ids, login, password, world.marker
    upload = {"name": "probe.png", "type": "image/png", "bits": xmlrpc.client.Binary(png_bytes()),
              "post_id": ids["post"]}
    refs = {"post_title": "probe", "post_parent": ids["page"], "post_author": ids["user"],
            "post_thumbnail": ids["media"], "terms": {"category": [ids["category"]], "post_tag": [ids["tag"]]}}
    return {
        "wp.getUsersBlogs": [([u, p], "any")],
        "wp.newPost": [([1, u, p, refs], "any")],
        "wp.editPost": [([1, u, p, ids["post"], {"post_title": "hacked"}], "fault")],
        "wp.deletePost": [([1, u, p, ids["post"]], "fault")],
        "wp.getPost": [([1, u, p, ids["post"]], "fault"), ([1, u, p, ids["draft"]], "fault")],
        "wp.getPosts": [([1, u, p, {"s": m}], "empty"), ([1, u, p, {"number": 100}], "any")],
        "wp.newTerm": [([1, u, p, {"name": "probe", "taxonomy": "category", "parent": ids["category"]}], "any")],
        "wp.editTerm": [([1, u, p, ids["category"], {"taxonomy": "category", "name": "hacked"}], "fault")],
        "wp.deleteTerm": [([1, u, p, "category", ids["category"]], "fault")],
        "wp.getTerm": [([1, u, p, "category", ids["category"]], "fault"), ([1, u, p, "post_tag", ids["tag"]], "fault")],
        "wp.getTerms": [([1, u, p, "category", {"search": m}], "empty"), ([1, u, p, "post_tag"], "any")],
        "wp.getTaxonomy": [([1, u, p, "category"], "any")],
        "wp.getTaxonomies": [([1, u, p], "any")],
        "wp.getUser": [([1, u, p, ids["user"]], "fault")],
        "wp.getUsers": [([1, u, p, {"number": 100}], "any")],
        "wp.getProfile": [([1, u, p], "any")],
        "wp.editProfile": [([1, u, p, {"first_name": "Probe"}], "any")],
        "wp.getPage": [([1, ids["page"], u, p], "fault")],
        "wp.getPages": [([1, u, p, 100], "any")],
        "wp.newPage": [([1, u, p, {"title": "probe", "wp_page_parent_id": ids["page"], "wp_author_id": ids["user"]}],
                        "any")],
        "wp.deletePage": [([1, u, p, ids["page"]], "fault")],
        "wp.editPage": [([1, ids["page"], u, p, {"title": "hacked"}], "fault")],
        "wp.getPageList": [([1, u, p], "any")],
        "wp.getAuthors": [([1, u, p], "any")],
        "wp.getCategories": [([1, u, p], "any")],
        "wp.getTags": [([1, u, p], "any")],
        "wp.newCategory": [([1, u, p, {"name": "probe-cat", "parent_id": ids["category"]}], "any")],
        "wp.deleteCategory": [([1, u, p, ids["category"]], "fault")],
        "wp.suggestCategories": [([1, u, p, m], "empty")],
        "wp.uploadFile": [([1, u, p, upload], "any")],
        "wp.deleteFile": [([1, u, p, ids["media"]], "fault")],
        "wp.getCommentCount": [([1, u, p, ids["post"]], "fault")],
        "wp.getPostStatusList": [([1, u, p], "any")],
        "wp.getPageStatusList": [([1, u, p], "any")],
        "wp.getPageTemplates": [([1, u, p], "any")],
        "wp.getOptions": [([1, u, p], "any")],
        "wp.setOptions": [([1, u, p, {"blog_tagline": "probe"}], "any")],
        "wp.getComment": [([1, u, p, ids["comment"]], "fault")],
        "wp.getComments": [([1, u, p, {"post_id": ids["post"]}], "empty"), ([1, u, p, {"number": 100}], "any")],
        "wp.deleteComment": [([1, u, p, ids["comment"]], "fault")],
        "wp.editComment": [([1, u, p, ids["comment"], {"content": "hacked"}], "fault")],
        "wp.newComment": [([1, u, p, ids["post"], {"content": "probe"}], "fault")],
        "wp.getCommentStatusList": [([1, u, p], "any")],
        "wp.getMediaItem": [([1, u, p, ids["media"]], "fault")],
        "wp.getMediaLibrary": [([1, u, p, {"parent_id": ids["post"]}], "empty"), ([1, u, p, {"number": 100}], "any")],
        "wp.getPostFormats": [([1, u, p], "any")],
        "wp.getPostType": [([1, u, p, "post"], "any")],
        "wp.getPostTypes": [([1, u, p], "any")],
        "wp.getRevisions": [([1, u, p, ids["post"]], "fault")],
        "wp.restoreRevision": [([1, u, p, ids["revision"]], "fault")],
        "blogger.getUsersBlogs": [(["key", u, p], "any")],
        "blogger.getUserInfo": [(["key", u, p], "any")],
        "blogger.getPost": [(["key", ids["post"], u, p], "fault")],
        "blogger.getRecentPosts": [(["key", 1, u, p, 100], "any")],
        "blogger.newPost": [(["key", 1, u, p, "<title>probe</title>probe", False], "any")],
        "blogger.editPost": [(["key", ids["post"], u, p, "hacked", False], "fault")],
        "blogger.deletePost": [(["key", ids["post"], u, p, True], "fault")],
        "metaWeblog.newPost": [([1, u, p, {"title": "probe", "wp_page_parent_id": ids["page"],
                                            "wp_author_id": ids["user"], "wp_post_thumbnail": ids["media"]}, False],
                                "any")],
        "metaWeblog.editPost": [([ids["post"], u, p, {"title": "hacked"}, False], "fault")],
        "metaWeblog.getPost": [([ids["post"], u, p], "fault")],
        "metaWeblog.getRecentPosts": [([1, u, p, 100], "any")],
        "metaWeblog.getCategories": [([1, u, p], "any")],
        "metaWeblog.newMediaObject": [([1, u, p, upload], "any")],
        "metaWeblog.deletePost": [(["key", ids["post"], u, p, True], "fault")],
        "metaWeblog.getUsersBlogs": [(["key", u, p], "any")],
        "mt.getCategoryList": [([1, u, p], "any")],
        "mt.getRecentPostTitles": [([1, u, p, 100], "any")],
        "mt.getPostCategories": [([ids["post"], u, p], "fault")],
        "mt.setPostCategories": [([ids["post"], u, p, [{"categoryId": ids["category"]}]], "fault")],
        "mt.supportedMethods": [([], "any")],
        "mt.supportedTextFilters": [([], "any")],
        "mt.getTrackbackPings": [([ids["post"]], "fault")],
        "mt.publishPost": [([ids["post"], u, p], "fault")],
        "pingback.ping": [([f"http://{world.a.host}/", f"http://{world.b.host}/?p={ids['post']}"], "fault")],
        "pingback.extensions.getPingbacks": [([f"http://{world.b.host}/?p={ids['post']}"], "fault")],
        "demo.sayHello": [([], "any")],
        "demo.addTwoNumbers": [([1, 2], "any")],
        "system.getCapabilities": [([], "any")],
        "system.listMethods": [([], "any")],
        "system.multicall": [([[{"methodName": "wp.getPost", "params": [1, u, p, ids["post"]]},
                                {"methodName": "metaWeblog.getPost", "params": [ids["post"], u, p]},
                                {"methodName": "wp.deletePost", "params": [1, u, p, ids["post"]]},
                                {"methodName": "wp.getUser", "params": [1, u, p, ids["user"]]},
                                {"methodName": "wp.getMediaItem", "params": [1, u, p, ids["media"]]}]],
                              "multicall")],
    }


# Faults that mean "no such object for you"; anything else (500, 429, parse errors) is a finding.
DENIAL_FAULTS = {400, 401, 403, 404}
# Methods answering B's ids as WordPress answers a missing one without a fault.
WORDPRESS_ANSWERS_EMPTY = {"mt.getTrackbackPings"}


def call_xmlrpc(sweep, method, params, host=None, headers=None):
    body = xmlrpc.client.dumps(tuple(params), method, allow_none=True)
    result = sweep.client.simulate_post("/xmlrpc.php", body=body, headers={
        "Host": host or sweep.world.a.host, "Content-Type": "text/xml", **(headers or {})})
    try:
        return result, xmlrpc.client.loads(result.content, use_builtin_types=True)[0][0], None
    except xmlrpc.client.Fault as fault:
        return result, None, fault.faultCode


def test_every_xmlrpc_method_refuses_tenant_b(world, client, engine):
    xmlrpc_auth.failures.reset()
    xmlrpc_auth._verified.clear()
    sweep = Sweep(world, client, engine)
    before = fingerprint(engine, world.b)
    admin = world.a.users["administrator"]
    b_admin = world.b.users["administrator"]
    probes = xmlrpc_probes(world, admin.login, world.a.passwords["administrator"])
    b_probes = xmlrpc_probes(world, b_admin.login, world.b.passwords["administrator"])
    for name in table.registered_names():
        if name not in probes:
            pytest.fail(f"XML-RPC method {name} has no isolation probe: " + ADD_PROBE.format(where="xmlrpc_probes"))
        for index, (params, expectation) in enumerate(probes[name]):
            probe = f"xmlrpc {name} #{index}"
            sweep.count += 1
            result, value, fault = call_xmlrpc(sweep, name, params)
            request_id = result.headers.get("X-Request-ID")
            sweep.requests[request_id] = probe
            leaks = world.leaks(text(result))
            if leaks:
                sweep.fail(probe, f"answer shows tenant B's {leaks}: {text(result)[:300]}")
            if result.status_code >= 500 or (fault is not None and fault not in DENIAL_FAULTS):
                sweep.fail(probe, f"HTTP {result.status_code}, fault {fault}: {text(result)[:300]}")
            if fault is not None:
                sweep.denials[request_id] = probe
            if expectation == "fault" and name not in WORDPRESS_ANSWERS_EMPTY:
                if fault is None:
                    sweep.fail(probe, f"expected a fault, got {value!r}"[:300])
                elif name.split(".")[1].startswith("get") and b_probes[name][index][1] == "fault":
                    _r, b_value, b_fault = call_xmlrpc(sweep, name, b_probes[name][index][0], host=world.b.host)
                    sweep.sanity_checks += 1
                    if b_fault is not None:
                        sweep.fail(probe, f"sanity: B's own administrator gets fault {b_fault}")
            elif expectation == "fault" and value:
                sweep.fail(probe, f"expected nothing, got {value!r}"[:300])
            elif expectation == "empty" and fault is None and value:
                sweep.fail(probe, f"expected an empty answer, got {value!r}"[:300])
            elif expectation == "multicall":
                answers = value or []
                if len(answers) != len(params[0]) or not all(isinstance(a, dict) and "faultCode" in a
                                                             for a in answers):
                    sweep.fail(probe, f"every entry should fault: {answers!r}"[:300])
                elif request_id:
                    sweep.denials[request_id] = probe
    sweep.check_audit()
    assert_a_has_no_new_reference_to_b(engine, world, sweep)
    if fingerprint(engine, world.b) != before:
        sweep.findings.append("tenant B's rows changed during the sweep")
    sweep.report("XML-RPC")


def test_an_unknown_route_fails_the_sweep_with_instructions(world):
    from wpcompat.rest.server import READABLE, Endpoint, Route

    route = Route(r"/healthcare/v1/charts/(?P<chart>[\d]+)", "healthcare/v1", [Endpoint(READABLE, None)])
    with pytest.raises(pytest.fail.Exception, match="add it to ROUTE_CAPTURES"):
        route_probes(route)
