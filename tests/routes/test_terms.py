"""/wp/v2/categories and /wp/v2/tags, as WordPress clients see them, on both engines.

The demo clinic's categories: Sem categoria, Cardiologia > Hipertensão > Hipertensão na
gravidez, Pediatria, Notícias; tags: prevenção, vacinas, pressão arterial, café.
"""

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import Post, PostTerm, Tenant, Term

from conftest import count_rows

CATEGORY_FIELDS = ["id", "count", "description", "link", "name", "slug", "taxonomy", "parent", "meta",
                   "medical_specialty", "compliance_required", "crm_validation_required"]
TAG_FIELDS = ["id", "count", "description", "link", "name", "slug", "taxonomy", "meta"]
EMBED_FIELDS = ["id", "link", "name", "slug", "taxonomy"]
CATEGORY_NAMES = ["Cardiologia", "Hipertensão", "Hipertensão na gravidez", "Notícias", "Pediatria", "Sem categoria"]
TAG_NAMES = ["café", "pressão arterial", "prevenção", "vacinas"]
ROLES = (None, "subscriber", "contributor", "author", "editor", "administrator")


@pytest.fixture
def foreign(site_b):
    """Tenant B: a category (id 8000) on a published post (id 9000) — ids tenant A does not have."""
    with tenant_scope(site_b.id):
        term = Term.create(name="Oncologia B", slug="oncologia-b", wp_id=8000, count=1)
        post = Post.create(title="Post of B", slug="post-of-b", status="publish", author=site_b.author.id,
                           category=term.id, wp_id=9000)
        PostTerm.create(post=post.id, term=term.id)
    return {"term": term, "post": post}


def names(result):
    return [item["name"] for item in result.json]


def term_id(clinic, name):
    return clinic.term(name).wp_id


def post_id(clinic, title):
    return clinic.post(title).wp_id


def make_default_category(clinic, name="Sem categoria"):
    """Set the tenant's default_category option (read when a request finds the site)."""
    tenant = Tenant.get_by_id(clinic.id)
    tenant.options = {**(tenant.options or {}), "default_category": term_id(clinic, name)}
    tenant.save()


# --- reading: collections ----------------------------------------------------------------------

def test_anonymous_category_list_has_wordpress_fields_in_order(api, clinic):
    result = api("GET", "/wp/v2/categories")
    assert result.status_code == 200
    assert names(result) == CATEGORY_NAMES                     # orderby=name, order=asc by default
    assert result.headers["X-WP-Total"] == "6" and result.headers["X-WP-TotalPages"] == "1"
    assert result.headers["Allow"] == "GET"
    by_name = {item["name"]: item for item in result.json}
    item = by_name["Hipertensão na gravidez"]
    assert list(item) == CATEGORY_FIELDS + ["_links"]
    host = f"http://{clinic.host}"
    parent = term_id(clinic, "Hipertensão")
    assert item["link"] == f"{host}/category/cardiologia/hipertensao/hipertensao-na-gravidez/"
    assert item["parent"] == parent and item["meta"] == [] and item["taxonomy"] == "category"
    assert item["medical_specialty"] == "obstetrics" and item["compliance_required"] is True
    base = f"{host}/wp-json/wp/v2"
    assert item["_links"] == {
        "self": [{"href": f"{base}/categories/{item['id']}"}],
        "collection": [{"href": f"{base}/categories"}],
        "about": [{"href": f"{base}/taxonomies/category"}],
        "up": [{"embeddable": True, "href": f"{base}/categories/{parent}"}],
        "wp:post_type": [{"href": f"{base}/posts?categories={item['id']}"}],
        "curies": [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}]}
    assert "up" not in by_name["Cardiologia"]["_links"] and by_name["Cardiologia"]["parent"] == 0


def test_counts_are_published_posts_anyone_may_see(api):
    """Professional, restricted and PHI posts are not counted: the count is shown to everybody."""
    for role in (None, "editor", "administrator"):
        counts = {item["name"]: item["count"] for item in api("GET", "/wp/v2/categories", role).json}
        assert counts == {"Cardiologia": 1, "Hipertensão": 1, "Hipertensão na gravidez": 0, "Notícias": 0,
                          "Pediatria": 1, "Sem categoria": 0}
    tags = {item["name"]: item["count"] for item in api("GET", "/wp/v2/tags").json}
    assert tags == {"café": 1, "pressão arterial": 1, "prevenção": 2, "vacinas": 1}


def test_tag_list_is_flat(api, clinic):
    result = api("GET", "/wp/v2/tags")
    assert names(result) == TAG_NAMES
    item = result.json[0]
    assert list(item) == TAG_FIELDS + ["_links"]
    assert item["link"] == f"http://{clinic.host}/tag/cafe/" and item["taxonomy"] == "post_tag"
    posts = f"http://{clinic.host}/wp-json/wp/v2/posts"
    assert item["_links"]["wp:post_type"] == [{"href": f"{posts}?tags={item['id']}"}]
    assert "up" not in item["_links"]


def test_context_embed_and_edit_fields(api):
    embed = api("GET", "/wp/v2/categories", params={"context": "embed"}).json[0]
    assert [key for key in embed if key != "_links"] == EMBED_FIELDS
    edit = api("GET", "/wp/v2/categories", "editor", params={"context": "edit"}).json[0]
    assert [key for key in edit if key != "_links"] == CATEGORY_FIELDS


@pytest.mark.parametrize("role, status", [(None, 401), ("subscriber", 403), ("contributor", 403),
                                          ("author", 403), ("editor", 200), ("administrator", 200)])
def test_context_edit_needs_manage_categories(api, role, status):
    for path in ("/wp/v2/categories", "/wp/v2/tags"):
        result = api("GET", path, role, params={"context": "edit"})
        assert result.status_code == status
        if status != 200:
            assert result.json["code"] == "rest_forbidden_context"
            assert result.json["message"] == "Sorry, you are not allowed to edit terms in this taxonomy."


def test_pagination_headers_links_and_past_the_end(api, clinic):
    result = api("GET", "/wp/v2/categories", params={"per_page": 2, "page": 2})
    assert names(result) == CATEGORY_NAMES[2:4]
    assert result.headers["X-WP-Total"] == "6" and result.headers["X-WP-TotalPages"] == "3"
    base = f"http://{clinic.host}/wp-json/wp/v2/categories"
    assert result.headers["Link"] == (f'<{base}?per_page=2&page=1>; rel="prev", '
                                      f'<{base}?per_page=2&page=3>; rel="next"')
    past = api("GET", "/wp/v2/categories", params={"page": 9})
    assert past.status_code == 200 and past.json == []          # terms never say rest_post_invalid_page_number
    assert past.headers["X-WP-Total"] == "6"
    bad = api("GET", "/wp/v2/tags", params={"per_page": 101})
    assert bad.status_code == 400 and bad.json["data"]["details"]["per_page"]["code"] == "rest_out_of_bounds"


def test_offset_is_for_tags_only(api):
    tags = api("GET", "/wp/v2/tags", params={"offset": 1, "per_page": 2})
    assert names(tags) == TAG_NAMES[1:3]
    assert tags.headers["Link"].endswith('offset=1&per_page=2&page=1>; rel="prev"')   # offset 1 by 2s: page 2 of 2
    categories = api("GET", "/wp/v2/categories", params={"offset": 1, "per_page": 2})
    assert names(categories) == CATEGORY_NAMES[:2]              # not a category argument: ignored


@pytest.mark.parametrize("params, expected", [
    ({"orderby": "name", "order": "desc"}, list(reversed(CATEGORY_NAMES))),
    ({"orderby": "slug"}, ["Cardiologia", "Hipertensão", "Hipertensão na gravidez", "Notícias", "Pediatria",
                           "Sem categoria"]),
    ({"orderby": "id"}, ["Sem categoria", "Cardiologia", "Hipertensão", "Hipertensão na gravidez", "Pediatria",
                         "Notícias"]),
    ({"orderby": "id", "order": "desc"}, ["Notícias", "Pediatria", "Hipertensão na gravidez", "Hipertensão",
                                          "Cardiologia", "Sem categoria"]),
    ({"orderby": "count", "order": "desc"}, ["Cardiologia", "Hipertensão", "Pediatria", "Sem categoria",
                                             "Hipertensão na gravidez", "Notícias"]),
    ({"orderby": "term_group"}, ["Sem categoria", "Cardiologia", "Hipertensão", "Hipertensão na gravidez",
                                 "Pediatria", "Notícias"]),
])
def test_orderby(api, params, expected):
    assert names(api("GET", "/wp/v2/categories", params=params)) == expected


def test_orderby_include_and_include_slugs(api, clinic):
    wanted = [term_id(clinic, name) for name in ("Pediatria", "Cardiologia", "Notícias")]
    result = api("GET", "/wp/v2/categories", params={"include": ",".join(map(str, wanted)), "orderby": "include"})
    assert [item["id"] for item in result.json] == wanted
    slugs = api("GET", "/wp/v2/categories", params={"slug": "pediatria,cardiologia", "orderby": "include_slugs"})
    assert names(slugs) == ["Pediatria", "Cardiologia"]
    bad = api("GET", "/wp/v2/categories", params={"orderby": "title"})
    assert bad.status_code == 400 and bad.json["data"]["details"]["orderby"]["code"] == "rest_not_in_enum"


def test_description_ordering(api, clinic):
    api("PUT", f"/wp/v2/categories/{term_id(clinic, 'Pediatria')}", "editor", json={"description": "a"})
    api("PUT", f"/wp/v2/categories/{term_id(clinic, 'Notícias')}", "editor", json={"description": "b"})
    result = api("GET", "/wp/v2/categories", params={"orderby": "description", "order": "desc", "per_page": 2})
    assert names(result) == ["Notícias", "Pediatria"]


def test_search_matches_name_or_slug(api):
    assert names(api("GET", "/wp/v2/categories", params={"search": "hiper"})) == ["Hipertensão",
                                                                                  "Hipertensão na gravidez"]
    assert names(api("GET", "/wp/v2/categories", params={"search": "noticias"})) == ["Notícias"]   # via the slug
    assert names(api("GET", "/wp/v2/tags", params={"search": "caf"})) == ["café"]
    nothing = api("GET", "/wp/v2/tags", params={"search": "%"})
    assert nothing.json == [] and nothing.headers["X-WP-Total"] == "0" and nothing.headers["X-WP-TotalPages"] == "0"


def test_include_exclude_and_slug(api, clinic):
    cardiologia, pediatria = term_id(clinic, "Cardiologia"), term_id(clinic, "Pediatria")
    excluded = api("GET", "/wp/v2/categories", params={"exclude": f"{cardiologia},{pediatria}"})
    assert names(excluded) == ["Hipertensão", "Hipertensão na gravidez", "Notícias", "Sem categoria"]
    both = api("GET", "/wp/v2/categories", params={"include": cardiologia, "exclude": cardiologia})
    assert names(both) == ["Cardiologia"]                       # include wins, as in WP_Term_Query
    assert names(api("GET", "/wp/v2/categories", params={"slug": "Pediatria,noticias"})) == [
        "Notícias", "Pediatria"]                                # sanitize_title()d
    assert names(api("GET", "/wp/v2/tags", params={"slug": "pressao-arterial"})) == ["pressão arterial"]


def test_parent_filter(api, clinic):
    children = api("GET", "/wp/v2/categories", params={"parent": term_id(clinic, "Cardiologia")})
    assert names(children) == ["Hipertensão"] and children.headers["X-WP-Total"] == "1"
    top = api("GET", "/wp/v2/categories", params={"parent": 0})
    assert names(top) == ["Cardiologia", "Notícias", "Pediatria", "Sem categoria"]
    assert api("GET", "/wp/v2/categories", params={"parent": 99999}).json == []
    assert len(api("GET", "/wp/v2/tags", params={"parent": 0}).json) == 4     # tags have no parent argument


def test_hide_empty(api, clinic):
    result = api("GET", "/wp/v2/categories", params={"hide_empty": "true"})
    # counts leave out content of restricted compliance levels: three categories have public posts
    assert names(result) == ["Cardiologia", "Hipertensão", "Pediatria"] and result.headers["X-WP-Total"] == "3"
    # An empty category with a non-empty child is listed (WP_Term_Query's hierarchical rule),
    # while X-WP-Total counts the non-empty ones, as WordPress's wp_count_terms does.
    parent = api("POST", "/wp/v2/categories", "editor", json={"name": "Vazia"}).json
    child = api("POST", "/wp/v2/categories", "editor", json={"name": "Filha", "parent": parent["id"]}).json
    api("POST", "/wp/v2/posts", "editor", json={"title": "Na filha", "status": "publish",
                                                "categories": [child["id"]]})
    listed = api("GET", "/wp/v2/categories", params={"hide_empty": 1, "per_page": 100})
    assert {"Vazia", "Filha"} <= set(names(listed)) and "Sem categoria" not in names(listed)
    assert listed.headers["X-WP-Total"] == "4"
    api("POST", "/wp/v2/tags", "editor", json={"name": "tag vazia"})
    tags = api("GET", "/wp/v2/tags", params={"hide_empty": True})
    assert names(tags) == TAG_NAMES and tags.headers["X-WP-Total"] == "4"


# --- the `post` filter --------------------------------------------------------------------------

def test_terms_of_a_post(api, clinic):
    post = post_id(clinic, "Como medir a pressão arterial em casa")
    categories = api("GET", "/wp/v2/categories", params={"post": post})
    assert names(categories) == ["Hipertensão"] and categories.headers["X-WP-Total"] == "1"
    tags = api("GET", "/wp/v2/tags", params={"post": post})
    assert names(tags) == ["pressão arterial", "prevenção"]
    assert names(api("GET", "/wp/v2/tags", params={"post": post, "hide_empty": 1, "search": "prev"})) == [
        "prevenção"]


def test_post_filter_errors(api, clinic, foreign):
    unknown = api("GET", "/wp/v2/categories", params={"post": 99999})
    assert unknown.status_code == 400 and unknown.json == {
        "code": "rest_post_invalid_id", "message": "Invalid post ID.", "data": {"status": 400}}
    other_tenant = api("GET", "/wp/v2/categories", params={"post": foreign["post"].wp_id})
    assert other_tenant.status_code == 400 and other_tenant.json["code"] == "rest_post_invalid_id"
    restricted = post_id(clinic, "Protocolo interno de pré-eclâmpsia")        # editors and up only
    assert api("GET", "/wp/v2/categories", params={"post": restricted}).json["code"] == "rest_post_invalid_id"
    assert names(api("GET", "/wp/v2/categories", "editor", params={"post": restricted})) == [
        "Hipertensão na gravidez"]
    page = post_id(clinic, "Contato")
    assert api("GET", "/wp/v2/categories", params={"post": page}).status_code == 401


@pytest.mark.parametrize("role, status", [(None, 401), ("subscriber", 403), ("author", 403),
                                          ("contributor", 200), ("editor", 200)])
def test_terms_of_an_unreadable_post(api, clinic, role, status):
    draft = post_id(clinic, "Rascunho: campanha de inverno")                  # the contributor's draft
    result = api("GET", "/wp/v2/tags", role, params={"post": draft})
    assert result.status_code == status
    if status == 200:
        assert names(result) == ["vacinas"]
    else:
        assert result.json["code"] == "rest_forbidden_context"
        assert result.json["message"] == "Sorry, you are not allowed to view terms for this post."


def test_posts_embed_wp_term_as_categories_then_tags(api, clinic):
    post = post_id(clinic, "Como medir a pressão arterial em casa")
    result = api("GET", "/wp/v2/posts", params={"_embed": "wp:term", "include": post})
    embedded = result.json[0]["_embedded"]["wp:term"]
    assert [[item["name"] for item in group] for group in embedded] == [["Hipertensão"],
                                                                        ["pressão arterial", "prevenção"]]
    assert [key for key in embedded[0][0] if key != "_links"] == EMBED_FIELDS
    assert embedded[0][0]["link"] == f"http://{clinic.host}/category/cardiologia/hipertensao/"


# --- reading: single terms ----------------------------------------------------------------------

def test_single_category_and_tag(api, clinic):
    hipertensao = term_id(clinic, "Hipertensão")
    result = api("GET", f"/wp/v2/categories/{hipertensao}")
    assert result.status_code == 200 and result.headers["Allow"] == "GET"
    assert list(result.json) == CATEGORY_FIELDS + ["_links"] and result.json["name"] == "Hipertensão"
    admin = api("GET", f"/wp/v2/categories/{hipertensao}", "administrator", params={"context": "edit"})
    assert admin.headers["Allow"] == "GET, POST, PUT, PATCH, DELETE"
    assert list(admin.json) == CATEGORY_FIELDS + ["_links"]
    tag = api("GET", f"/wp/v2/tags/{term_id(clinic, 'café')}")
    assert list(tag.json) == TAG_FIELDS + ["_links"] and tag.json["description"] == ""


@pytest.mark.parametrize("role, status", [(None, 401), ("author", 403), ("editor", 200)])
def test_single_edit_context_needs_manage_categories(api, clinic, role, status):
    result = api("GET", f"/wp/v2/tags/{term_id(clinic, 'café')}", role, params={"context": "edit"})
    assert result.status_code == status
    if status != 200:
        assert result.json["code"] == "rest_forbidden_context"
        assert result.json["message"] == "Sorry, you are not allowed to edit this term."


def test_missing_other_taxonomy_and_other_tenant_are_the_same_404(api, clinic, foreign):
    expected = {"code": "rest_term_invalid", "message": "Term does not exist.", "data": {"status": 404}}
    for path in ("/wp/v2/categories/99999", f"/wp/v2/categories/{term_id(clinic, 'café')}",
                 f"/wp/v2/tags/{term_id(clinic, 'Pediatria')}", f"/wp/v2/categories/{foreign['term'].wp_id}"):
        result = api("GET", path, "administrator")
        assert result.status_code == 404 and result.json == expected
    for method in ("PUT", "DELETE"):
        result = api(method, f"/wp/v2/categories/{foreign['term'].wp_id}", "administrator",
                     params={"force": "true"}, json={"name": "Mine now"})
        assert result.status_code == 404 and result.json["code"] == "rest_term_invalid"
    everything = api("GET", "/wp/v2/categories", "administrator", params={"per_page": 100, "search": "Oncologia"})
    assert everything.json == [] and everything.headers["X-WP-Total"] == "0"
    with tenant_scope(foreign["term"].tenant_id):
        assert Term.get(Term.wp_id == 8000).name == "Oncologia B"


def test_tenant_b_sees_its_own_terms_only(client, site_b, foreign):
    result = client.simulate_get("/wp-json/wp/v2/categories", host=site_b.host)
    assert sorted(names(result)) == sorted([site_b.term.name, "Oncologia B"])
    assert result.headers["X-WP-Total"] == "2"


# --- creating -----------------------------------------------------------------------------------

def test_create_category_with_parent(api, clinic, audit_rows):
    cardiologia = clinic.term("Cardiologia")
    result = api("POST", "/wp/v2/categories", "administrator", json={
        "name": "Programação", "parent": cardiologia.wp_id, "description": "criada via REST",
        "medical_specialty": "informatics"})
    assert result.status_code == 201
    body = result.json
    host = f"http://{clinic.host}"
    assert result.headers["Location"] == f"{host}/wp-json/wp/v2/categories/{body['id']}"
    assert list(body) == CATEGORY_FIELDS + ["_links"]
    assert body["slug"] == "programacao" and body["count"] == 0 and body["parent"] == cardiologia.wp_id
    assert body["link"] == f"{host}/category/cardiologia/programacao/"
    assert body["description"] == "criada via REST" and body["medical_specialty"] == "informatics"
    up = f"{host}/wp-json/wp/v2/categories/{cardiologia.wp_id}"
    assert body["_links"]["up"] == [{"embeddable": True, "href": up}]
    assert clinic.term("Programação").level == cardiologia.level + 1
    grandchild = api("POST", "/wp/v2/categories", "editor", json={"name": "Python", "parent": body["id"]}).json
    assert grandchild["link"] == f"{host}/category/cardiologia/programacao/python/"
    assert clinic.term("Python").level == cardiologia.level + 2
    assert audit_rows(clinic, resource_id=clinic.term("Programação").id)[-1].metadata["event"] == "term:create"


def test_create_tag_with_emoji_and_accents(api, clinic):
    result = api("POST", "/wp/v2/tags", "author", json={"name": "Lançamento 🚀"})
    assert result.status_code == 201
    assert result.json["slug"] == "lancamento-%f0%9f%9a%80"
    assert result.json["link"] == f"http://{clinic.host}/tag/lancamento-%f0%9f%9a%80/"
    assert list(result.json) == TAG_FIELDS + ["_links"]


def test_duplicate_names(api, clinic):
    hipertensao = term_id(clinic, "Hipertensão")
    again = api("POST", "/wp/v2/categories", "administrator",
                json={"name": "Hipertensão", "parent": term_id(clinic, "Cardiologia")})
    assert again.status_code == 400
    assert again.json == {"code": "term_exists",
                          "message": "A term with the name provided already exists with this parent.",
                          "data": {"status": 400, "term_id": hipertensao},
                          "additional_data": [hipertensao, hipertensao]}
    # The same name under another parent is another category; its slug takes the parent's.
    elsewhere = api("POST", "/wp/v2/categories", "administrator",
                    json={"name": "Hipertensão", "parent": term_id(clinic, "Pediatria")})
    assert elsewhere.status_code == 201 and elsewhere.json["slug"] == "hipertensao-pediatria"
    top = api("POST", "/wp/v2/categories", "administrator", json={"name": "Hipertensão"})
    assert top.status_code == 201 and top.json["slug"] == "hipertensao-2"
    tag = api("POST", "/wp/v2/tags", "editor", json={"name": "CAFÉ"})
    assert tag.status_code == 400 and tag.json["data"]["term_id"] == term_id(clinic, "café")
    assert tag.json["message"] == "A term with the name provided already exists in this taxonomy."


def test_slugs_unique_per_taxonomy(api, clinic):
    given = api("POST", "/wp/v2/tags", "editor", json={"name": "Cafeína", "slug": "café"})
    assert given.status_code == 201 and given.json["slug"] == "cafe-2"
    third = api("POST", "/wp/v2/tags", "editor", json={"name": "Cafezinho", "slug": "cafe"})
    assert third.json["slug"] == "cafe-3"
    category = api("POST", "/wp/v2/categories", "editor", json={"name": "Café"})
    assert category.status_code == 201 and category.json["slug"] == "cafe"      # a category may share a tag's slug


def test_names_and_descriptions_are_sanitised(api):
    result = api("POST", "/wp/v2/tags", "author", json={
        "name": "  <b>Mãe</b> &   filho\n",
        "description": "<b>Forte</b> & <em onclick='x()'>leve</em><script>s</script>"})
    assert result.json["name"] == "Mãe &amp; filho"
    assert result.json["slug"] == "mae-filho"
    assert result.json["description"] == "<b>Forte</b> &amp; <em>leve</em>s"


@pytest.mark.parametrize("path, body, status, code", [
    ("/wp/v2/categories", {}, 400, "rest_missing_callback_param"),
    ("/wp/v2/categories", {"name": "   "}, 500, "empty_term_name"),
    ("/wp/v2/categories", {"name": "x" * 101}, 400, "rest_invalid_param"),
    ("/wp/v2/categories", {"name": "Órfã", "parent": 99999}, 400, "rest_term_invalid"),
    ("/wp/v2/categories", {"name": "Órfã", "parent": "abc"}, 400, "rest_invalid_param"),
    ("/wp/v2/tags", {"name": "filha", "parent": 0}, 400, "rest_taxonomy_not_hierarchical"),
])
def test_create_errors_change_nothing(api, clinic, path, body, status, code):
    before = count_rows(clinic, Term)
    result = api("POST", path, "administrator", json=body)
    assert result.status_code == status and result.json["code"] == code
    assert count_rows(clinic, Term) == before
    if code == "rest_term_invalid":
        assert result.json["message"] == "Parent term does not exist."
    if code == "rest_taxonomy_not_hierarchical":
        assert result.json["message"] == "Cannot set parent term, taxonomy is not hierarchical."


def test_create_with_parent_zero_is_top_level(api):
    result = api("POST", "/wp/v2/categories", "editor", json={"name": "Raiz", "parent": 0})
    assert result.status_code == 201 and result.json["parent"] == 0


@pytest.mark.parametrize("role, category, tag", [(None, 401, 401), ("subscriber", 403, 403),
                                                 ("contributor", 403, 201), ("author", 403, 201),
                                                 ("editor", 201, 201), ("administrator", 201, 201)])
def test_who_may_create(api, clinic, role, category, tag):
    made = api("POST", "/wp/v2/categories", role, json={"name": f"Nova {role}"})
    assert made.status_code == category
    if category != 201:
        assert made.json["code"] == "rest_cannot_create"
        assert made.json["message"] == "Sorry, you are not allowed to create terms in this taxonomy."
    assert api("POST", "/wp/v2/tags", role, json={"name": f"nova {role}"}).status_code == tag
    assert count_rows(clinic, Term, Term.name == f"Nova {role}") == (1 if category == 201 else 0)


# --- updating -----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_update_changes_only_what_is_given(api, clinic, method, audit_rows):
    pediatria = clinic.term("Pediatria")
    result = api(method, f"/wp/v2/categories/{pediatria.wp_id}", "editor",
                 json={"description": "Crianças", "compliance_required": True})
    assert result.status_code == 200
    assert result.json["description"] == "Crianças" and result.json["name"] == "Pediatria"
    assert result.json["slug"] == "pediatria" and result.json["compliance_required"] is True
    assert list(result.json) == CATEGORY_FIELDS + ["_links"]
    assert audit_rows(clinic, resource_id=pediatria.id)[-1].metadata["event"] == "term:update"


def test_update_name_and_slug(api, clinic):
    tag = term_id(clinic, "vacinas")
    renamed = api("PUT", f"/wp/v2/tags/{tag}", "editor", json={"name": "Vacinação", "slug": ""})
    assert renamed.json["name"] == "Vacinação" and renamed.json["slug"] == "vacinacao"
    taken = api("PUT", f"/wp/v2/tags/{tag}", "editor", json={"slug": "cafe"})
    assert taken.status_code == 500 and taken.json["code"] == "duplicate_term_slug"
    assert taken.json["message"] == "The slug &#8220;cafe&#8221; is already in use by another term."
    clash = api("PUT", f"/wp/v2/tags/{tag}", "editor", json={"name": "café"})
    assert clash.status_code == 400 and clash.json["code"] == "term_exists"
    assert clinic.term("Vacinação").slug == "vacinacao"


def test_reparenting_moves_levels_and_refuses_loops(api, clinic):
    cardiologia, gravidez = clinic.term("Cardiologia"), clinic.term("Hipertensão na gravidez")
    hipertensao = clinic.term("Hipertensão")
    moved = api("PATCH", f"/wp/v2/categories/{hipertensao.wp_id}", "editor",
                json={"parent": term_id(clinic, "Pediatria")})
    assert moved.json["parent"] == term_id(clinic, "Pediatria")
    assert moved.json["link"].endswith("/category/pediatria/hipertensao/")
    assert clinic.term("Hipertensão").level == 1 and clinic.term("Hipertensão na gravidez").level == 2
    top = api("PATCH", f"/wp/v2/categories/{hipertensao.wp_id}", "editor", json={"parent": 0})
    assert top.json["parent"] == 0
    assert clinic.term("Hipertensão").level == 0 and clinic.term("Hipertensão na gravidez").level == 1
    loop = api("PATCH", f"/wp/v2/categories/{hipertensao.wp_id}", "editor", json={"parent": gravidez.wp_id})
    assert loop.status_code == 200 and loop.json["parent"] == 0          # a descendant as parent: top level
    assert api("PATCH", f"/wp/v2/categories/{cardiologia.wp_id}", "editor",
               json={"parent": 424242}).json["code"] == "rest_term_invalid"
    flat = api("PATCH", f"/wp/v2/tags/{term_id(clinic, 'café')}", "editor", json={"parent": 1})
    assert flat.status_code == 400 and flat.json["code"] == "rest_taxonomy_not_hierarchical"


@pytest.mark.parametrize("role, status", [(None, 401), ("subscriber", 403), ("contributor", 403),
                                          ("author", 403), ("editor", 200)])
def test_who_may_update(api, clinic, role, status):
    result = api("PUT", f"/wp/v2/tags/{term_id(clinic, 'café')}", role, json={"description": "x"})
    assert result.status_code == status
    if status != 200:
        assert result.json["code"] == "rest_cannot_update"
        assert result.json["message"] == "Sorry, you are not allowed to edit this term."
        assert clinic.term("café").description in (None, "")


# --- deleting -----------------------------------------------------------------------------------

def test_delete_needs_force(api, clinic):
    result = api("DELETE", f"/wp/v2/tags/{term_id(clinic, 'café')}", "administrator")
    assert result.status_code == 501 and result.json == {
        "code": "rest_trash_not_supported", "message": "Terms do not support trashing. Set 'force=true' to delete.",
        "data": {"status": 501}}
    assert count_rows(clinic, Term, Term.name == "café") == 1


@pytest.mark.parametrize("role, status", [(None, 401), ("subscriber", 403), ("author", 403), ("editor", 200)])
def test_who_may_delete(api, clinic, role, status):
    result = api("DELETE", f"/wp/v2/tags/{term_id(clinic, 'café')}", role, params={"force": "true"})
    assert result.status_code == status
    if status != 200:
        assert result.json["code"] == "rest_cannot_delete"
        assert result.json["message"] == "Sorry, you are not allowed to delete this term."


def test_delete_tag_returns_previous_and_recounts(api, clinic, audit_rows):
    cafe = clinic.term("café")
    result = api("DELETE", f"/wp/v2/tags/{cafe.wp_id}", "editor", json={"force": True})
    assert result.status_code == 200
    assert result.json["deleted"] is True
    assert list(result.json["previous"]) == TAG_FIELDS and result.json["previous"]["name"] == "café"
    assert count_rows(clinic, Term, Term.id == cafe.id) == 0
    assert count_rows(clinic, PostTerm, PostTerm.term == cafe.id) == 0
    post = post_id(clinic, "Café e coração: mitos e verdades")
    assert api("GET", f"/wp/v2/posts/{post}").json["tags"] == []
    assert audit_rows(clinic, resource_id=cafe.id)[-1].metadata["event"] == "term:delete"


def test_delete_category_reparents_children_and_reassigns_posts(api, clinic):
    make_default_category(clinic)
    cardiologia, hipertensao = clinic.term("Cardiologia"), clinic.term("Hipertensão")
    result = api("DELETE", f"/wp/v2/categories/{hipertensao.wp_id}", "administrator", params={"force": 1})
    assert result.status_code == 200 and list(result.json["previous"]) == CATEGORY_FIELDS
    child = api("GET", f"/wp/v2/categories/{term_id(clinic, 'Hipertensão na gravidez')}").json
    assert child["parent"] == cardiologia.wp_id
    assert child["link"].endswith("/category/cardiologia/hipertensao-na-gravidez/")
    assert clinic.term("Hipertensão na gravidez").level == 1
    only_there = clinic.post("Como medir a pressão arterial em casa")      # its only category: now the default
    also_news = clinic.post("Novas diretrizes de hipertensão: o que muda na prática")
    sem_categoria, noticias = clinic.term("Sem categoria"), clinic.term("Notícias")
    assert only_there.category_id == sem_categoria.id and also_news.category_id == noticias.id
    assert api("GET", f"/wp/v2/posts/{only_there.wp_id}").json["categories"] == [sem_categoria.wp_id]
    assert sem_categoria.count == 1 and noticias.count == 0     # the news post is professional content


def test_delete_category_without_default_leaves_posts_uncategorised(api, clinic):
    pediatria = clinic.term("Pediatria")
    api("DELETE", f"/wp/v2/categories/{pediatria.wp_id}", "administrator", params={"force": "true"})
    post = clinic.post("Calendário de vacinação infantil 2026")
    assert post.category_id is None
    assert count_rows(clinic, PostTerm, PostTerm.post == post.id) == 2     # its two tags stay


def test_default_category_cannot_be_deleted(api, clinic):
    make_default_category(clinic)
    result = api("DELETE", f"/wp/v2/categories/{term_id(clinic, 'Sem categoria')}", "administrator",
                 params={"force": "true"})
    assert result.status_code == 403 and result.json["code"] == "rest_cannot_delete"
    single = api("GET", f"/wp/v2/categories/{term_id(clinic, 'Sem categoria')}", "administrator")
    assert single.headers["Allow"] == "GET, POST, PUT, PATCH"


# --- batch, discovery, audit, cost ---------------------------------------------------------------

def test_batch_creates_updates_and_deletes(api, clinic):
    tag = term_id(clinic, "café")
    result = api("POST", "/batch/v1", "editor", json={"requests": [
        {"path": "/wp/v2/tags", "body": {"name": "lote"}},
        {"method": "PUT", "path": f"/wp/v2/tags/{tag}", "body": {"description": "em lote"}},
        {"method": "DELETE", "path": f"/wp/v2/tags/{term_id(clinic, 'vacinas')}?force=true"},
        {"path": "/wp/v2/categories", "body": {"name": "Hipertensão", "parent": term_id(clinic, "Cardiologia")}},
    ]})
    assert result.status_code == 207
    assert [item["status"] for item in result.json["responses"]] == [201, 200, 200, 400]
    assert clinic.term("lote").slug == "lote" and clinic.term("café").description == "em lote"


def test_discovery_and_options(api):
    index = api("GET", "/wp/v2").json["routes"]
    tags = index["/wp/v2/tags"]["endpoints"]
    assert [endpoint.get("allow_batch") for endpoint in tags] == [{"v1": True}, {"v1": True}]
    assert list(tags[0]["args"]) == ["context", "page", "per_page", "search", "exclude", "include", "offset",
                                     "order", "orderby", "hide_empty", "post", "slug"]
    assert list(tags[1]["args"]) == ["description", "name", "slug", "meta"]
    assert tags[1]["args"]["meta"]["properties"] == []
    categories = index["/wp/v2/categories"]["endpoints"][0]["args"]
    assert "parent" in categories and "offset" not in categories
    item = index["/wp/v2/categories/(?P<id>[\\d]+)"]
    assert item["methods"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]
    force = item["endpoints"][2]["args"]["force"]
    assert force["description"] == "Required to be true, as terms do not support trashing."
    options = api("OPTIONS", "/wp/v2/tags").json
    assert options["schema"]["title"] == "tag"
    assert options["schema"]["properties"]["taxonomy"]["enum"] == ["post_tag"]
    assert "parent" not in options["schema"]["properties"]


def test_reads_are_audited_with_ids(api, clinic, audit_rows):
    listed = api("GET", "/wp/v2/tags", params={"per_page": 2})
    row = [r for r in audit_rows(clinic) if r.metadata.get("event") == "term:list"][-1]
    assert row.metadata["ids"] == [item["id"] for item in listed.json] and row.metadata["total"] == 4
    cafe = clinic.term("café")
    api("GET", f"/wp/v2/tags/{cafe.wp_id}")
    assert audit_rows(clinic, resource_id=cafe.id)[-1].metadata["event"] == "term:read"


def test_a_page_costs_the_same_whatever_per_page(api, app_database, monkeypatch):
    statements = []
    original = app_database.execute_sql

    def counting(sql, *args, **kwargs):
        statements.append(sql)
        return original(sql, *args, **kwargs)

    monkeypatch.setattr(app_database, "execute_sql", counting)
    api("GET", "/wp/v2/categories", params={"per_page": 3, "orderby": "id", "order": "desc"})
    few = len(statements)                      # the page reaches the deepest category: two ancestor levels
    statements.clear()
    api("GET", "/wp/v2/categories", params={"per_page": 100, "orderby": "id", "order": "desc"})
    assert 0 < len(statements) <= few


def test_embedded_terms_of_a_page_of_posts_equal_the_terms_routes_answers(api):
    """wp:term embeds are answered in one batch; each must equal what the route itself answers."""
    posts = api("GET", "/wp/v2/posts", "editor", params={"_embed": "wp:term", "per_page": 100}).json
    assert posts
    for post in posts:
        categories, tags = post["_embedded"]["wp:term"] if "_embedded" in post else ([], [])
        for taxonomy, embedded in (("categories", categories), ("tags", tags)):
            direct = api("GET", f"/wp/v2/{taxonomy}", "editor",
                         params={"post": post["id"], "context": "embed", "per_page": 100}).json
            assert embedded == direct, (post["id"], taxonomy)
        assert sorted(term["id"] for term in categories) == sorted(post["categories"])
