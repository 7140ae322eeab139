"""/wp/v2/posts and /wp/v2/pages, as WordPress clients see them, on both engines."""

import json

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import Post, Term

from conftest import basic_auth

VIEW_FIELDS = ["id", "date", "date_gmt", "guid", "modified", "modified_gmt", "slug", "status", "type", "link",
               "title", "content", "excerpt", "author", "featured_media", "comment_status", "ping_status",
               "sticky", "template", "format", "meta", "categories", "tags"]
EMBED_FIELDS = ["id", "date", "slug", "type", "link", "title", "excerpt", "author", "featured_media"]




def titles(result):
    return [item["title"]["rendered"] for item in result.json]


# --- reading ----------------------------------------------------------------------------------

def test_anonymous_list_shows_published_public_posts_with_wordpress_fields(api):
    result = api("GET", "/wp/v2/posts")
    assert result.status_code == 200
    assert set(titles(result)) == {"Como medir a pressão arterial em casa", "Calendário de vacinação infantil 2026",
                                   "Café e coração: mitos e verdades"}
    assert result.headers["X-WP-Total"] == "3" and result.headers["X-WP-TotalPages"] == "1"
    assert result.headers["Allow"] == "GET"
    item = result.json[0]
    assert [key for key in item if key in VIEW_FIELDS] == VIEW_FIELDS
    assert "raw" not in item["title"] and "password" not in item
    assert item["content"]["protected"] is False
    assert item["guid"] == {"rendered": f"http://{item['link'].split('/')[2]}/?p={item['id']}"}
    assert set(item["_links"]) >= {"self", "collection", "about", "author", "version-history",
                                   "wp:attachment", "wp:term", "curies"}


def test_newest_first_and_dates_in_the_site_timezone(api):
    items = api("GET", "/wp/v2/posts").json
    assert [item["date"] for item in items] == sorted((item["date"] for item in items), reverse=True)
    for item in items:       # São Paulo is three hours behind GMT
        local, gmt = item["date"], item["date_gmt"]
        assert len(local) == 19 and local[10] == "T"
        assert int(gmt[11:13]) == (int(local[11:13]) + 3) % 24


def test_pagination_headers_and_links(api):
    result = api("GET", "/wp/v2/posts", params={"per_page": 1, "page": 2})
    assert result.headers["X-WP-Total"] == "3" and result.headers["X-WP-TotalPages"] == "3"
    host = result.headers["Link"].split("/")[2]
    assert result.headers["Link"] == (f'<http://{host}/wp-json/wp/v2/posts?per_page=1&page=1>; rel="prev", '
                                      f'<http://{host}/wp-json/wp/v2/posts?per_page=1&page=3>; rel="next"')
    past = api("GET", "/wp/v2/posts", params={"page": 9})
    assert past.status_code == 400 and past.json["code"] == "rest_post_invalid_page_number"


@pytest.mark.parametrize("per_page", [0, 1000])
def test_per_page_out_of_bounds_is_invalid_param(api, per_page):
    result = api("GET", "/wp/v2/posts", params={"per_page": per_page})
    assert result.status_code == 400
    assert result.json["data"]["params"] == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"}
    assert result.json["data"]["details"]["per_page"]["code"] == "rest_out_of_bounds"


@pytest.mark.parametrize("params, code", [({"orderby": "nonsense"}, "rest_not_in_enum"),
                                          ({"author": "abc"}, "rest_invalid_type"),
                                          ({"after": "yesterday"}, "rest_invalid_date")])
def test_bad_arguments_are_rest_invalid_param_with_details(api, params, code):
    result = api("GET", "/wp/v2/posts", params=params)
    name = next(iter(params))
    assert result.status_code == 400 and result.json["code"] == "rest_invalid_param"
    assert result.json["data"]["details"][name]["code"] == code


def test_anonymous_status_filter_is_forbidden(api):
    result = api("GET", "/wp/v2/posts", params={"status": "draft"})
    assert result.status_code == 400
    assert result.json["data"]["params"] == {"status": "Status is forbidden."}
    assert result.json["data"]["details"]["status"] == {"code": "rest_forbidden_status",
                                                        "message": "Status is forbidden.", "data": {"status": 401}}


def test_drafts_by_role(api):
    editor = titles(api("GET", "/wp/v2/posts", "editor", params={"status": "draft"}))
    contributor = titles(api("GET", "/wp/v2/posts", "contributor", params={"status": "draft"}))
    author = titles(api("GET", "/wp/v2/posts", "author", params={"status": "draft"}))
    assert editor == ["Rascunho: campanha de inverno"]
    assert contributor == ["Rascunho: campanha de inverno"]        # their own
    assert author == []                                              # not theirs
    everything = api("GET", "/wp/v2/posts", "administrator", params={"status": "any", "per_page": 100})
    statuses = {item["status"] for item in everything.json}
    assert statuses == {"publish", "draft", "pending", "private", "future"}


def test_compliance_levels_hide_content_and_its_count(api):
    counts = {role: int(api("GET", "/wp/v2/posts", role).headers["X-WP-Total"])
              for role in (None, "subscriber", "author", "editor", "administrator")}
    # public 3; professional +1 for a validated author and editors; restricted +1 for editors
    assert counts == {None: 3, "subscriber": 3, "author": 4, "editor": 5, "administrator": 5}
    admin_private = titles(api("GET", "/wp/v2/posts", "administrator", params={"status": "private"}))
    editor_private = titles(api("GET", "/wp/v2/posts", "editor", params={"status": "private"}))
    assert admin_private == ["Relato de caso: paciente com crise hipertensiva"]   # phi
    assert editor_private == []


def test_hidden_content_is_404_not_403(api, clinic):
    restricted = clinic.post("Protocolo interno de pré-eclâmpsia")
    for role in (None, "subscriber", "author"):
        result = api("GET", f"/wp/v2/posts/{restricted.wp_id}", role)
        assert result.status_code == 404 and result.json["code"] == "rest_post_invalid_id"
    assert api("GET", f"/wp/v2/posts/{restricted.wp_id}", "editor").status_code == 200


def test_context_edit_needs_edit_rights(api):
    anonymous = api("GET", "/wp/v2/posts", params={"context": "edit"})
    subscriber = api("GET", "/wp/v2/posts", "subscriber", params={"context": "edit"})
    assert (anonymous.status_code, anonymous.json["code"]) == (401, "rest_forbidden_context")
    assert (subscriber.status_code, subscriber.json["code"]) == (403, "rest_forbidden_context")
    editor = api("GET", "/wp/v2/posts", "editor", params={"context": "edit"})
    item = editor.json[0]
    assert "raw" in item["title"] and "password" in item and "permalink_template" in item
    assert "wp:action-publish" in item["_links"]
    assert editor.headers["Cache-Control"] == "no-cache, must-revalidate, max-age=0"


def test_context_embed_has_the_embed_fields_only(api):
    item = api("GET", "/wp/v2/posts", params={"context": "embed"}).json[0]
    assert [key for key in item if key != "_links"] == EMBED_FIELDS


def test_fields_nested_and_links_only_when_asked(api):
    items = api("GET", "/wp/v2/posts", params={"_fields": "id,title.rendered"}).json
    assert all(set(item) == {"id", "title"} and set(item["title"]) == {"rendered"} for item in items)


def test_filters(api, clinic):
    hipertensao = clinic.term("Hipertensão").wp_id
    cardiologia = clinic.term("Cardiologia").wp_id
    cafe = clinic.term("café").wp_id
    assert titles(api("GET", "/wp/v2/posts", params={"categories": hipertensao})) == [
        "Como medir a pressão arterial em casa"]
    children = api("GET", "/wp/v2/posts", params={"categories[terms]": cardiologia,
                                                  "categories[include_children]": "true"})
    assert set(titles(children)) == {"Como medir a pressão arterial em casa", "Café e coração: mitos e verdades"}
    assert titles(api("GET", "/wp/v2/posts", params={"tags": cafe})) == ["Café e coração: mitos e verdades"]
    assert titles(api("GET", "/wp/v2/posts", params={"search": "vacinação"})) == [
        "Calendário de vacinação infantil 2026"]
    by_title = titles(api("GET", "/wp/v2/posts", params={"orderby": "title", "order": "asc"}))
    assert by_title == sorted(by_title)
    ids = [item["id"] for item in api("GET", "/wp/v2/posts").json]
    picked = api("GET", "/wp/v2/posts", params={"include": f"{ids[2]},{ids[0]}", "orderby": "include"})
    assert [item["id"] for item in picked.json] == [ids[2], ids[0]]
    sticky = api("GET", "/wp/v2/posts", params={"sticky": "true"})
    assert titles(sticky) == ["Calendário de vacinação infantil 2026"]
    slug = api("GET", "/wp/v2/posts", params={"slug": "cafe-e-coracao-mitos-e-verdades"})
    assert titles(slug) == ["Café e coração: mitos e verdades"]
    author = clinic.users["author"].wp_id
    assert set(titles(api("GET", "/wp/v2/posts", params={"author": author}))) == {
        "Como medir a pressão arterial em casa", "Café e coração: mitos e verdades"}


def test_orderby_relevance_needs_a_search_term(api):
    result = api("GET", "/wp/v2/posts", params={"orderby": "relevance"})
    assert result.status_code == 400 and result.json["code"] == "rest_no_search_term_defined"


def test_single_post_reads(api, clinic):
    post = clinic.post("Café e coração: mitos e verdades")
    result = api("GET", f"/wp/v2/posts/{post.wp_id}")
    assert result.status_code == 200 and result.json["id"] == post.wp_id
    assert result.headers["Link"] == f'<{result.json["link"]}>; rel="alternate"; type=text/html'
    draft = clinic.post("Rascunho: campanha de inverno")
    denied = api("GET", f"/wp/v2/posts/{draft.wp_id}")
    assert (denied.status_code, denied.json["code"]) == (401, "rest_forbidden")
    assert api("GET", f"/wp/v2/posts/{draft.wp_id}", "subscriber").status_code == 403
    assert api("GET", f"/wp/v2/posts/{draft.wp_id}", "editor").json["link"].endswith(f"/?p={draft.wp_id}")
    page = clinic.post("Sobre a clínica")
    assert api("GET", f"/wp/v2/posts/{page.wp_id}").json["code"] == "rest_post_invalid_id"
    assert api("GET", f"/wp/v2/pages/{page.wp_id}").status_code == 200
    assert api("GET", "/wp/v2/posts/99999").status_code == 404
    assert api("GET", "/wp/v2/posts/abc").json["code"] == "rest_no_route"


def test_password_protected_post(api, clinic):
    post = clinic.post("Café e coração: mitos e verdades")
    with tenant_scope(clinic.id):
        Post.update(password="segredo").where(Post.id == post.id).execute()
    hidden = api("GET", f"/wp/v2/posts/{post.wp_id}").json
    assert hidden["content"] == {"rendered": "", "protected": True}
    assert hidden["excerpt"]["protected"] is True and hidden["excerpt"]["rendered"] == ""
    shown = api("GET", f"/wp/v2/posts/{post.wp_id}", params={"password": "segredo"}).json
    assert "Conteúdo de demonstração" in shown["content"]["rendered"]
    wrong = api("GET", f"/wp/v2/posts/{post.wp_id}", params={"password": "nope"})
    assert (wrong.status_code, wrong.json["code"]) == (403, "rest_post_incorrect_password")


def test_pages_hierarchy_and_links(api, clinic):
    child = clinic.post("Cardiologia na clínica")
    parent = clinic.post("Especialidades")
    item = api("GET", f"/wp/v2/pages/{child.wp_id}").json
    assert item["parent"] == parent.wp_id and item["menu_order"] == 1
    assert item["link"].endswith("/especialidades/cardiologia-na-clinica/")
    assert item["_links"]["up"][0]["href"].endswith(f"/wp/v2/pages/{parent.wp_id}")
    assert "sticky" not in item and "categories" not in item
    top = api("GET", "/wp/v2/pages", params={"parent": 0, "orderby": "menu_order", "order": "asc"})
    assert titles(top) == ["Sobre a clínica", "Especialidades", "Contato"]


def test_global_parameters(api, clinic):
    envelope = api("GET", "/wp/v2/posts/99999", params={"_envelope": "1"})
    assert envelope.status_code == 200
    assert envelope.json == {"body": {"code": "rest_post_invalid_id", "message": "Invalid post ID.",
                                      "data": {"status": 404}}, "status": 404, "headers": []}
    jsonp = api("GET", "/wp/v2/posts", params={"_jsonp": "cb", "_fields": "id", "per_page": 1})
    assert jsonp.headers["Content-Type"] == "application/javascript; charset=UTF-8"
    assert jsonp.text.startswith("/**/cb([{\"id\":")
    bad = api("GET", "/wp/v2/posts", params={"_jsonp": "alert(1)"})
    assert bad.status_code == 400 and bad.json["code"] == "rest_callback_invalid"
    # WordPress reads _envelope and _jsonp from the query string only ($_GET): in a body they are ignored
    # (fuzz finding: a form body's _envelope turned an anonymous POST's 401 into a 200)
    posted = api("POST", "/wp/v2/posts", body="_envelope=1&_jsonp=cb&title=x",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert posted.status_code == 401 and posted.json["code"] == "rest_cannot_create"
    head = api("HEAD", "/wp/v2/posts")
    assert head.status_code == 200 and head.content == b"" and head.headers["X-WP-Total"] == "3"
    options = api("OPTIONS", "/wp/v2/posts", "editor")
    assert options.headers["Allow"] == "GET, POST" and "schema" in options.json
    assert options.json["schema"]["properties"]["title"]["properties"]["raw"]["context"] == ["edit"]
    unknown = api("OPTIONS", "/wp/v2/nothing")
    assert unknown.status_code == 200 and unknown.json == []


def test_rest_route_is_the_same_api(client, clinic):
    result = client.simulate_get("/", host=clinic.host,
                                 params={"rest_route": "/wp/v2/posts", "per_page": 1, "_fields": "id"})
    assert result.status_code == 200 and len(result.json) == 1
    assert "rest_route=%2Fwp%2Fv2%2Fposts" in result.headers["Link"]


def test_standard_headers_and_cors(api):
    result = api("GET", "/wp/v2/posts", headers={"Origin": "https://editor.example"})
    assert result.headers["X-Robots-Tag"] == "noindex"
    assert result.headers["X-Content-Type-Options"] == "nosniff"
    assert result.headers["Access-Control-Expose-Headers"] == "X-WP-Total, X-WP-TotalPages, Link"
    assert result.headers["Access-Control-Allow-Origin"] == "https://editor.example"
    assert result.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Cache-Control" not in result.headers


# --- writing ----------------------------------------------------------------------------------

def test_author_creates_a_draft_then_publishes_it(api, clinic):
    created = api("POST", "/wp/v2/posts", "author", json={"title": "Nova diretriz", "content": "<p>Texto</p>"})
    assert created.status_code == 201
    body = created.json
    assert created.headers["Location"].endswith(f"/wp-json/wp/v2/posts/{body['id']}")
    assert body["status"] == "draft" and body["slug"] == "" and body["title"]["raw"] == "Nova diretriz"
    assert body["author"] == clinic.users["author"].wp_id
    published = api("PUT", f"/wp/v2/posts/{body['id']}", "author", json={"status": "publish"})
    assert published.status_code == 200
    assert published.json["status"] == "publish" and published.json["slug"] == "nova-diretriz"
    assert api("GET", f"/wp/v2/posts/{body['id']}").status_code == 200


def test_slugs_are_unique_in_the_site(api):
    first = api("POST", "/wp/v2/posts", "editor", json={"title": "Mesmo título", "status": "publish"}).json
    second = api("POST", "/wp/v2/posts", "editor", json={"title": "Mesmo título", "status": "publish"}).json
    assert (first["slug"], second["slug"]) == ("mesmo-titulo", "mesmo-titulo-2")


def test_create_errors_change_nothing(api, clinic):
    def count():
        with tenant_scope(clinic.id):
            return Post.select().count()

    before = count()
    cases = [
        (None, {"title": "x"}, 401, "rest_cannot_create"),
        ("subscriber", {"title": "x"}, 403, "rest_cannot_create"),
        ("contributor", {"title": "x", "status": "publish"}, 403, "rest_cannot_publish"),
        ("editor", {}, 400, "empty_content"),
        ("editor", {"id": 5, "title": "x"}, 400, "rest_post_exists"),
        ("editor", {"title": "x", "tags": ["café"]}, 400, "rest_invalid_param"),
        ("editor", {"title": "x", "compliance_level": "professional"}, 400, "rest_invalid_param"),
        ("author", {"title": "x", "author": clinic.users["editor"].wp_id}, 403, "rest_cannot_edit_others"),
        ("editor", {"title": "x", "author": 9999}, 400, "rest_invalid_author"),
    ]
    for role, body, status, code in cases:
        result = api("POST", "/wp/v2/posts", role, json=body)
        assert (result.status_code, result.json["code"]) == (status, code), (role, body, result.json)
    assert count() == before


def test_invalid_json_body(api):
    result = api("POST", "/wp/v2/posts", "editor", body='{"title": ', headers={"Content-Type": "application/json"})
    assert result.status_code == 400
    assert result.json["code"] == "rest_invalid_json"
    assert result.json["data"] == {"status": 400, "json_error_code": 4, "json_error_message": "Syntax error"}


def test_terms_are_assigned_unknown_ones_dropped_and_counted(api, clinic):
    pediatria, vacinas = clinic.term("Pediatria"), clinic.term("vacinas")
    created = api("POST", "/wp/v2/posts", "editor", json={
        "title": "Vacinas em dia", "status": "publish", "categories": [pediatria.wp_id, 99999],
        "tags": [vacinas.wp_id]}).json
    assert created["categories"] == [pediatria.wp_id] and created["tags"] == [vacinas.wp_id]
    assert clinic.term("Pediatria").count == pediatria.count + 1
    api("DELETE", f"/wp/v2/posts/{created['id']}", "editor", params={"force": "true"})
    assert clinic.term("Pediatria").count == pediatria.count


def test_update_rules(api, clinic):
    theirs = clinic.post("Como medir a pressão arterial em casa")          # by the author
    denied = api("POST", f"/wp/v2/posts/{theirs.wp_id}", "contributor", json={"title": "hijack"})
    assert (denied.status_code, denied.json["code"]) == (403, "rest_cannot_edit")
    patched = api("PATCH", f"/wp/v2/posts/{theirs.wp_id}", "editor", json={"excerpt": "Resumo novo"})
    assert patched.status_code == 200 and patched.json["excerpt"]["raw"] == "Resumo novo"
    assert patched.json["title"]["raw"] == theirs.title                   # partial update
    override = api("POST", f"/wp/v2/posts/{theirs.wp_id}", "editor", json={"title": "Via override"},
                   headers={"X-HTTP-Method-Override": "PUT"})
    assert override.json["title"]["raw"] == "Via override"


def test_date_wins_over_date_gmt_when_both_are_sent(api, clinic):
    post = clinic.post("Como medir a pressão arterial em casa")
    result = api("POST", f"/wp/v2/posts/{post.wp_id}", "editor",
                 json={"date": "2024-03-05T10:00:00", "date_gmt": "2020-01-01T00:00:00"})
    assert result.status_code == 200 and result.json["date"] == "2024-03-05T10:00:00"
    assert result.json["date_gmt"] != "2020-01-01T00:00:00"


def test_the_url_id_always_wins(api, clinic):
    """CVE-2017-1001000: a query or body id must never redirect an update to another post."""
    target = clinic.post("Como medir a pressão arterial em casa")
    other = clinic.post("Café e coração: mitos e verdades")
    result = api("POST", f"/wp/v2/posts/{target.wp_id}", "editor", params={"id": f"{other.wp_id}abc"},
                 json={"id": other.wp_id, "title": "Only the target"})
    assert result.status_code == 200 and result.json["id"] == target.wp_id
    assert clinic.post("Only the target").wp_id == target.wp_id
    assert clinic.post("Café e coração: mitos e verdades").wp_id == other.wp_id


def test_trash_then_delete(api, clinic):
    post = clinic.post("Café e coração: mitos e verdades")
    trashed = api("DELETE", f"/wp/v2/posts/{post.wp_id}", "editor")
    assert trashed.status_code == 200 and trashed.json["status"] == "trash"
    assert trashed.json["slug"].endswith("__trashed")
    again = api("DELETE", f"/wp/v2/posts/{post.wp_id}", "editor")
    assert (again.status_code, again.json["code"]) == (410, "rest_already_trashed")
    assert api("GET", f"/wp/v2/posts/{post.wp_id}").status_code == 401
    gone = api("DELETE", f"/wp/v2/posts/{post.wp_id}", "editor", json={"force": True})   # wpapi's way
    assert gone.status_code == 200 and gone.json["deleted"] is True
    assert gone.json["previous"]["id"] == post.wp_id
    assert api("GET", f"/wp/v2/posts/{post.wp_id}", "editor").status_code == 404


def test_method_override_in_the_query(api, clinic):
    post = clinic.post("Café e coração: mitos e verdades")
    result = api("GET", f"/wp/v2/posts/{post.wp_id}", "editor", params={"_method": "DELETE"})
    assert result.status_code == 200 and result.json["status"] == "trash"


def test_writes_and_denials_are_audited(api, clinic, audit_rows):
    created = api("POST", "/wp/v2/posts", "editor", json={"title": "Auditado"})
    row = audit_rows(clinic, resource_type="post", operation="create")[-1]
    assert row.metadata["wp_id"] == created.json["id"]
    assert row.user_id == clinic.users["editor"].id and row.policy_decision == "allow"
    api("POST", "/wp/v2/posts", "subscriber", json={"title": "x"})
    denied = audit_rows(clinic, policy_decision="deny")[-1]
    assert denied.metadata["status"] == 403 and denied.metadata["route"] == "/wp/v2/posts"
    listed = api("GET", "/wp/v2/posts", params={"per_page": 2})
    row = audit_rows(clinic, resource_type="post", operation="read")[-1]
    assert row.metadata["ids"] == [item["id"] for item in listed.json]


def test_another_tenants_posts_do_not_exist(api, clinic, site_b):
    foreign = site_b.post.wp_id
    assert "Secret of b" not in json.dumps(api("GET", "/wp/v2/posts", params={"per_page": 100}).json)
    assert api("GET", "/wp/v2/posts", params={"search": "Secret"}).json == []
    for method in ("GET", "PUT", "DELETE"):
        result = api(method, f"/wp/v2/posts/{site_b.post.wp_id}", "administrator",
                     json={"title": "x"} if method == "PUT" else None)
        if result.status_code != 404:    # the id may exist in this tenant too: then it must be ours
            with tenant_scope(clinic.id):
                assert Post.select().where(Post.wp_id == foreign).exists()
    with tenant_scope(site_b.id):
        assert Post.get_by_id(site_b.post.id).title == "Secret of b"


# --- batch/v1 ---------------------------------------------------------------------------------

def test_batch_creates_several_posts(api, clinic):
    result = api("POST", "/batch/v1", "editor", json={"requests": [
        {"method": "POST", "path": "/wp/v2/posts", "body": {"title": "Lote 1"}},
        {"method": "POST", "path": "/wp/v2/posts", "body": {"title": "Lote 2", "status": "publish"}},
        {"method": "POST", "path": "/wp/v2/posts", "body": {}},
    ]})
    assert result.status_code == 207
    statuses = [response["status"] for response in result.json["responses"]]
    assert statuses == [201, 201, 400]
    assert result.json["responses"][2]["body"]["code"] == "empty_content"
    assert clinic.post("Lote 2").status == "publish"


def test_batch_require_all_validate_runs_nothing_if_one_is_invalid(api, clinic):
    result = api("POST", "/batch/v1", "editor", json={"validation": "require-all-validate", "requests": [
        {"path": "/wp/v2/posts", "body": {"title": "Nunca"}},
        {"path": "/wp/v2/posts", "body": {"title": "x", "status": "bogus"}},
    ]})
    assert result.status_code == 207 and result.json["failed"] == "validation"
    assert result.json["responses"][0] is None
    assert result.json["responses"][1]["body"]["code"] == "rest_invalid_param"
    with tenant_scope(clinic.id):
        assert not Post.select().where(Post.title == "Nunca").exists()


def test_batch_refuses_routes_that_are_not_batchable_and_too_many_requests(api):
    result = api("POST", "/batch/v1", "editor", json={"requests": [{"method": "POST", "path": "/"}]})
    assert result.json["responses"][0]["body"]["code"] in ("rest_batch_not_allowed", "rest_no_route")
    many = api("POST", "/batch/v1", "editor",
               json={"requests": [{"path": "/wp/v2/posts", "body": {"title": str(i)}} for i in range(26)]})
    assert many.status_code == 400 and many.json["code"] == "rest_invalid_param"


def test_term_counts_only_published(api, clinic):
    with tenant_scope(clinic.id):
        counts = {term.name: term.count for term in Term.select().where(Term.taxonomy == "category")}
    assert counts["Pediatria"] == 1             # one published public post
    assert counts["Notícias"] == 0              # a professional post, a draft, a scheduled one: none counts


def test_wrong_credentials_fail_even_public_reads(client, clinic):
    result = client.simulate_get("/wp-json/wp/v2/posts", host=clinic.host,
                                 headers={"Authorization": basic_auth("admin", "wrong")})
    assert result.status_code == 401 and result.json["code"] == "incorrect_password"


def test_queries_per_list_do_not_grow_with_per_page(api, clinic, monkeypatch):
    """No N+1: a page of 2 posts and a page of 10 cost the same number of queries.

    `acf` included: on a site with field groups it adds the definitions (once per request) and one
    query for the values of the whole page (tests/acf/test_storage.py proves it with values stored);
    this demo site has no field groups, so `acf` costs only the definitions query.
    """
    from wpcompat.db import db

    with tenant_scope(clinic.id):
        author = clinic.users["editor"]
        for n in range(12):
            post = Post.create(title=f"Extra {n}", slug=f"extra-{n}", status="publish", author=author.id,
                               wp_id=9000 + n, compliance_level="public")
            from wpcompat.models import PostTerm
            PostTerm.create(post=post.id, term=clinic.term("vacinas").id)
    target = db.obj
    statements = []
    original = target.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(target, "execute_sql", counting)
    api("GET", "/wp/v2/posts")                  # warm: the site directory loads once
    counts = {}
    for per_page in (2, 10):
        statements.clear()
        result = api("GET", "/wp/v2/posts", params={"per_page": per_page})
        assert len(result.json) == per_page
        counts[per_page] = len(statements)
    assert counts[2] == counts[10]


def test_a_compiled_query_keeps_the_tenant_of_each_request(engine, clinic, site_b):
    """The by-id query is compiled once; each tenant still gets only its own row."""
    from wpcompat.queries import posts as post_queries

    with tenant_scope(clinic.id):
        mine = clinic.post("Café e coração: mitos e verdades")
        assert post_queries.find(mine.wp_id).id == mine.id
        assert post_queries.find(mine.wp_id, "page") is None
    with tenant_scope(site_b.id):
        found = post_queries.find(mine.wp_id)
        assert found is None or found.tenant_id == site_b.id
        assert post_queries.find(site_b.post.wp_id).id == site_b.post.id
    with tenant_scope(None):
        assert post_queries.find(mine.wp_id) is None


def test_x_wp_total_stays_exact_through_writes(api, clinic):
    """The default listing's total comes from counters kept by triggers; they must match a real count."""
    def listed_total(role=None):
        return int(api("GET", "/wp/v2/posts", role).headers["X-WP-Total"])

    def counted(role=None):          # any filter makes the server count the rows themselves
        return int(api("GET", "/wp/v2/posts", role, params={"author_exclude": 999999}).headers["X-WP-Total"])

    assert listed_total() == counted() == 3
    created = api("POST", "/wp/v2/posts", "editor", json={"title": "Contado", "status": "publish"}).json
    restricted = api("POST", "/wp/v2/posts", "editor", json={
        "title": "Restrito", "status": "publish", "compliance_level": "restricted",
        "medical_disclaimer": "Somente para a equipe."}).json
    assert listed_total() == counted() == 4
    assert listed_total("editor") == counted("editor") == 7
    api("PUT", f"/wp/v2/posts/{restricted['id']}", "editor", json={"compliance_level": "public"})
    assert listed_total() == counted() == 5
    api("DELETE", f"/wp/v2/posts/{created['id']}", "editor")
    assert listed_total() == counted() == 4
    api("DELETE", f"/wp/v2/posts/{created['id']}", "editor", params={"force": "true"})
    api("PUT", f"/wp/v2/posts/{restricted['id']}", "editor", json={"status": "draft"})
    assert listed_total() == counted() == 3


def test_date_filters(api, clinic):
    everything = api("GET", "/wp/v2/posts", params={"per_page": 100}).json
    dates = sorted(item["date"] for item in everything)
    after = api("GET", "/wp/v2/posts", params={"after": dates[0]}).json
    before = api("GET", "/wp/v2/posts", params={"before": dates[-1]}).json
    assert len(after) == len(everything) - 1 and all(item["date"] > dates[0] for item in after)
    assert len(before) == len(everything) - 1 and all(item["date"] < dates[-1] for item in before)
    future = api("GET", "/wp/v2/posts", params={"modified_after": "2099-01-01T00:00:00"})
    assert future.json == [] and future.headers["X-WP-Total"] == "0"


def test_parent_exclude_keeps_top_level_pages(api, clinic):
    parent = clinic.post("Especialidades")
    result = api("GET", "/wp/v2/pages", params={"parent_exclude": parent.wp_id, "per_page": 100})
    assert set(titles(result)) == {"Sobre a clínica", "Especialidades", "Contato"}


def test_format_is_not_a_collection_filter_of_wordpress_6_1(api, clinic):
    """WordPress 6.1 lists posts of every format whatever `format` says (the filter came later)."""
    post = clinic.post("Café e coração: mitos e verdades")
    with tenant_scope(clinic.id):
        Post.update(format="aside").where(Post.id == post.id).execute()
    everything = titles(api("GET", "/wp/v2/posts", params={"per_page": 100}))
    assert titles(api("GET", "/wp/v2/posts", params={"per_page": 100, "format": "aside"})) == everything
    assert api("GET", "/wp/v2/posts", params={"format": "nonsense"}).status_code == 200
