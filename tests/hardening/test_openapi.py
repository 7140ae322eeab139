"""/wp-json/wpcompat/v1/openapi.json: an OpenAPI 3.1 document generated from the route table."""

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_spec

from wpcompat import openapi
from wpcompat.app import build_rest_server
from wpcompat.rest.server import CREATABLE, READABLE, Endpoint
from wpcompat.routes.base import Controller

DOC = "/wpcompat/v1/openapi.json"


@pytest.fixture
def document(api):
    result = api("GET", DOC)
    assert result.status_code == 200
    return result.json


def response_validator(document, path, method, status="200"):
    schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    root = {**schema, "components": document["components"]}
    return jsonschema.Draft202012Validator(root)


def test_the_document_is_valid_openapi_3_1_and_describes_every_registered_route(document, clinic):
    validate_spec(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": f"http://{clinic.host}/wp-json"}]
    server = build_rest_server()
    for route in server.routes:
        for template, _captures in openapi.path_templates(route.pattern):
            described = document["paths"][template]
            assert {method.lower() for method in route.methods} <= set(described), template
    assert "/wp/v2/posts/{id}" in document["paths"]
    assert "/acf/v3/posts/{id}/{field}" in document["paths"] and "/acf/v3/posts/{id}" in document["paths"]
    assert "/batch/v1" in document["paths"] and DOC in document["paths"]


def test_parameters_bodies_and_responses_come_from_the_controllers_schemas(document):
    listing = document["paths"]["/wp/v2/posts"]["get"]
    per_page = next(p for p in listing["parameters"] if p["name"] == "per_page")
    assert per_page["in"] == "query" and per_page["schema"]["maximum"] == 100 and per_page["schema"]["minimum"] == 1
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array", "items": {"$ref": "#/components/schemas/wp_v2_post"}}
    create = document["paths"]["/wp/v2/posts"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["status"]["enum"] == ["publish", "future", "draft", "pending", "private"]
    assert "201" in create["responses"]
    assert document["paths"]["/wp/v2/users/{user_id}/application-passwords/introspect"]["get"]["responses"]["200"][
        "content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/wp_v2_application_password"}
    assert "2XX" in document["paths"]["/healthcare/v1/workflow/{id}/run"]["post"]["responses"]   # not WordPress's
    item = document["paths"]["/wp/v2/posts/{id}"]["get"]
    assert item["parameters"][0] == {"name": "id", "in": "path", "required": True,
                                     "schema": {"type": "integer", "minimum": 0},
                                     "description": "Unique identifier for the post."}
    batch = document["paths"]["/batch/v1"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch["required"] == ["requests"] and batch["properties"]["requests"]["maxItems"] == 25
    assert batch["properties"]["requests"]["items"]["required"] == ["path"]
    for path_item in document["paths"].values():
        for op in path_item.values():
            assert op["responses"]["default"] == {"$ref": "#/components/responses/WP_Error"}
    post_schema = document["components"]["schemas"]["wp_v2_post"]
    assert "context" not in post_schema["properties"]["id"] and post_schema["properties"]["id"]["readOnly"]


def test_real_answers_match_the_document(api, document, clinic):
    posts = api("GET", "/wp/v2/posts?_embed=1", "administrator")
    assert posts.status_code == 200 and posts.json
    response_validator(document, "/wp/v2/posts", "get").validate(posts.json)
    one = api("GET", f"/wp/v2/posts/{posts.json[0]['id']}?context=edit", "administrator")
    response_validator(document, "/wp/v2/posts/{id}", "get").validate(one.json)
    for path in ("/wp/v2/types", "/wp/v2/users/me", "/wp/v2/settings", "/wp/v2/categories"):
        answer = api("GET", path, "administrator")
        assert answer.status_code == 200, path
        response_validator(document, path, "get").validate(answer.json)
    missing = api("GET", "/wp/v2/posts/987654")
    error = {"$ref": "#/components/schemas/WP_Error", "components": document["components"]}
    jsonschema.Draft202012Validator(error).validate(missing.json)
    with pytest.raises(jsonschema.ValidationError):            # the schema can fail: types are asserted
        response_validator(document, "/wp/v2/posts/{id}", "get").validate({**one.json, "id": "seven"})


def test_the_discovery_index_lists_the_namespace_and_the_route(api, audit_rows, clinic):
    index = api("GET", "/").json
    assert "wpcompat/v1" in index["namespaces"]
    assert index["routes"]["/wpcompat/v1/openapi\\.json"]["methods"] == ["GET"]
    request_id = api("GET", DOC).headers["X-Request-ID"]
    rows = [row for row in audit_rows(clinic) if row.metadata.get("request_id") == request_id]
    assert [(row.metadata["event"], row.policy_decision) for row in rows] == [("openapi:read", "allow")]


class _Widgets(Controller):
    namespace = "healthcare/v1"

    def get_item(self, request):
        return {}

    def create_item(self, request):
        return {}

    def register_routes(self, server):
        server.register(self.namespace, r"/widgets/(?P<id>[\d]+)/?(?P<part>[\w-]+)?", [
            Endpoint(READABLE, self.get_item, args={"lang": {"type": "string", "enum": ["pt", "en"]}}),
            Endpoint(CREATABLE, self.create_item, args={"size": {"type": "integer", "required": True}}),
        ], schema=lambda: {"title": "widget", "type": "object",
                           "properties": {"id": {"type": "integer", "context": ["view"], "readonly": True}}},
                        controller=self)


def test_a_route_registered_tomorrow_is_described_without_touching_the_generator():
    server = build_rest_server()
    _Widgets().register_routes(server)
    document = openapi.build_document(server, "http://example.test/wp-json/")
    validate_spec(document)
    assert "/healthcare/v1" in document["paths"]           # its namespace index too
    for path in ("/healthcare/v1/widgets/{id}", "/healthcare/v1/widgets/{id}/{part}"):
        get, post = document["paths"][path]["get"], document["paths"][path]["post"]
        assert get["parameters"][-1]["schema"] == {"type": "string", "enum": ["pt", "en"]}
        assert post["requestBody"]["content"]["application/json"]["schema"]["required"] == ["size"]
        assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/healthcare_v1_widget"}
        assert set(post["responses"]) == {"201", "200", "default"}          # create_item
    assert document["paths"]["/healthcare/v1/widgets/{id}/{part}"]["get"]["parameters"][1]["schema"] == {
        "type": "string", "pattern": "^(?:[\\w-]+)$"}


def test_a_route_the_generator_cannot_express_is_refused_loudly():
    with pytest.raises(openapi.UnsupportedRoute):
        openapi.path_templates(r"/wp/v2/things(?:/x)?")
