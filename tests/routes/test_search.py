"""/wp/v2/search, as WordPress 6.1 answers it, on both engines: posts, terms and post formats."""

import datetime

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import Post
from wpcompat.models.base import utcnow
from wpcompat.wp_ids import next_wp_id


ITEM_FIELDS = ["id", "title", "url", "type", "subtype", "_links"]
TERM_FIELDS = ["id", "title", "url", "type", "_links"]
PUBLIC_POSTS = ["Café e coração: mitos e verdades", "Calendário de vacinação infantil 2026",
                "Como medir a pressão arterial em casa"]
PUBLISHED_PAGES = {"Sobre a clínica", "Especialidades", "Cardiologia na clínica", "Contato"}



@pytest.fixture
def api(client, clinic):
    def call(role=None, host=None, **params):
        return client.simulate_get("/wp-json/wp/v2/search", host=host or clinic.host, headers=clinic.auth(role),
                                   params=params)

    return call


def titles(result):
    return [item["title"] for item in result.json]


def add_post(clinic, title, status="publish", post_format="standard", **fields):
    with tenant_scope(clinic.id):
        when = utcnow() - datetime.timedelta(hours=1)
        return Post.create(title=title, slug=title.lower().replace(" ", "-"), status=status, format=post_format,
                           author=clinic.users["author"].id, wp_id=next_wp_id("post"), content="", published_at=when,
                           date_local=when, compliance_level="public", **fields)


# --- posts ----------------------------------------------------------------------------------------

def test_a_search_finds_published_posts_and_pages_in_wordpress_shape(api, clinic):
    result = api(search="Demonstração")
    assert result.status_code == 200
    assert titles(result)[:3] == PUBLIC_POSTS                           # newest first
    assert set(titles(result)[3:]) == PUBLISHED_PAGES
    assert result.headers["X-WP-Total"] == "7" and result.headers["X-WP-TotalPages"] == "1"
    assert result.headers["Allow"] == "GET"
    post = clinic.post("Café e coração: mitos e verdades")
    root = f"http://{clinic.host}/wp-json/"
    assert result.json[0] == {
        "id": post.wp_id, "title": "Café e coração: mitos e verdades",
        "url": f"http://{clinic.host}/{post.slug}/", "type": "post", "subtype": "post",
        "_links": {"self": [{"embeddable": True, "href": f"{root}wp/v2/posts/{post.wp_id}"}],
                   "about": [{"href": f"{root}wp/v2/types/post"}],
                   "collection": [{"href": f"{root}wp/v2/search"}]}}
    assert all(list(item) == ITEM_FIELDS for item in result.json)


def test_pages_have_their_hierarchical_url_and_their_own_route(api, clinic):
    result = api(search="clínica", subtype="page")
    assert set(titles(result)) == {"Cardiologia na clínica", "Sobre a clínica"}
    page = next(item for item in result.json if item["title"] == "Cardiologia na clínica")
    assert page["subtype"] == "page"
    assert page["url"] == f"http://{clinic.host}/especialidades/cardiologia-na-clinica/"
    assert page["_links"]["self"][0]["href"].endswith(f"/wp-json/wp/v2/pages/{page['id']}")
    assert page["_links"]["about"][0]["href"].endswith("/wp-json/wp/v2/types/page")


def test_only_posts_with_subtype_post(api):
    assert set(titles(api(search="Demonstração", subtype="post"))) == set(PUBLIC_POSTS)


@pytest.mark.parametrize("role,expected", [
    (None, []), ("subscriber", []), ("author", ["Novas diretrizes de hipertensão: o que muda na prática"]),
    ("administrator", ["Novas diretrizes de hipertensão: o que muda na prática"])])
def test_compliance_levels_and_statuses_hide_posts_from_search(api, role, expected):
    # the private PHI case report and the pending post also match; they are never search results
    result = api(role, search="hipertens")
    assert titles(result) == expected
    assert result.headers["X-WP-Total"] == str(len(expected))


def test_drafts_future_and_trash_are_never_found_even_by_an_administrator(api):
    for text in ("Rascunho", "Mutirão", "Post antigo", "Política interna"):
        assert api("administrator", search=text).json == []


def test_restricted_content_is_found_by_editors_only(api):
    assert titles(api("editor", search="pré-eclâmpsia")) == ["Protocolo interno de pré-eclâmpsia"]
    assert api("author", search="pré-eclâmpsia").json == []


def test_include_and_exclude(api, clinic):
    cafe, calendar = clinic.post(PUBLIC_POSTS[0]), clinic.post(PUBLIC_POSTS[1])
    assert titles(api(search="Demonstração", include=f"{cafe.wp_id},{calendar.wp_id}")) == PUBLIC_POSTS[:2]
    assert PUBLIC_POSTS[0] not in titles(api(search="Demonstração", exclude=str(cafe.wp_id)))


def test_without_a_search_term_every_published_post_is_listed(api):
    result = api(subtype="post")
    assert titles(result) == PUBLIC_POSTS


# --- pagination -------------------------------------------------------------------------------------

def test_pagination_headers_and_links(api, clinic):
    result = api(search="Demonstração", per_page=3, page=2)
    assert result.headers["X-WP-Total"] == "7" and result.headers["X-WP-TotalPages"] == "3"
    base = f"http://{clinic.host}/wp-json/wp/v2/search"
    assert result.headers["Link"] == (f'<{base}?search=Demonstra%C3%A7%C3%A3o&per_page=3&page=1>; rel="prev", '
                                      f'<{base}?search=Demonstra%C3%A7%C3%A3o&per_page=3&page=3>; rel="next"')
    assert len(result.json) == 3


def test_a_page_past_the_last_is_an_error(api):
    result = api(search="Demonstração", per_page=3, page=4)
    assert result.status_code == 400
    assert result.json == {"code": "rest_search_invalid_page_number",
                           "message": "The page number requested is larger than the number of pages available.",
                           "data": {"status": 400}}


def test_no_results_is_an_empty_list_on_any_page(api):
    result = api(search="nothing-matches-this", page=3)
    assert result.status_code == 200 and result.json == []
    assert result.headers["X-WP-Total"] == "0" and result.headers["X-WP-TotalPages"] == "0"


@pytest.mark.parametrize("per_page", [0, 101])
def test_per_page_out_of_bounds(api, per_page):
    result = api(search="x", per_page=per_page)
    assert result.status_code == 400 and result.json["code"] == "rest_invalid_param"


# --- terms and formats ------------------------------------------------------------------------------

def test_terms_are_found_by_name_with_their_archive_url(api, clinic):
    result = api(search="hipertens", type="term")
    assert result.status_code == 200
    assert titles(result) == ["Hipertensão", "Hipertensão na gravidez"]
    term = clinic.term("Hipertensão")
    root = f"http://{clinic.host}/wp-json/"
    assert result.json[0] == {
        "id": term.wp_id, "title": "Hipertensão", "url": f"http://{clinic.host}/category/cardiologia/hipertensao/",
        "type": "category",
        "_links": {"self": [{"embeddable": True, "href": f"{root}wp/v2/categories/{term.wp_id}"}],
                   "about": [{"href": f"{root}wp/v2/taxonomies/category"}],
                   "collection": [{"href": f"{root}wp/v2/search"}]}}
    assert result.json[1]["url"].endswith("/category/cardiologia/hipertensao/hipertensao-na-gravidez/")


def test_tags_and_the_subtype_filter(api, clinic):
    result = api(search="caf", type="term")
    assert [(item["title"], item["type"]) for item in result.json] == [("café", "post_tag")]
    assert result.json[0]["url"] == f"http://{clinic.host}/tag/cafe/"
    assert list(result.json[0]) == TERM_FIELDS
    tags = api(search="a", type="term", subtype="post_tag")          # names or slugs (prevencao) with an "a"
    assert tags.headers["X-WP-Total"] == "4" and {item["type"] for item in tags.json} == {"post_tag"}
    everything = api(type="term", per_page=100)
    assert everything.headers["X-WP-Total"] == "10"


def test_post_formats_in_use_are_found(api, clinic):
    add_post(clinic, "An aside", post_format="aside")
    add_post(clinic, "A draft quote", status="draft", post_format="quote")
    result = api(type="post-format")
    assert result.json == [{"id": "aside", "title": "Aside", "url": f"http://{clinic.host}/type/aside/",
                            "type": "post-format",
                            "_links": {"collection": [{"href": f"http://{clinic.host}/wp-json/wp/v2/search"}]}}]
    assert titles(api(type="post-format", search="ASI")) == ["Aside"]
    assert api(type="post-format", search="quote").json == []


# --- arguments ------------------------------------------------------------------------------------

def test_an_unknown_type_is_an_invalid_param(api):
    result = api(type="user")
    assert result.status_code == 400 and result.json["code"] == "rest_invalid_param"
    assert result.json["data"]["details"]["type"]["code"] == "rest_not_in_enum"
    assert result.json["data"]["params"]["type"] == "type is not one of post, term, and post-format."


def test_a_subtype_under_an_unknown_type_is_an_invalid_search_type(api):
    result = api(type="user", subtype="page")
    assert set(result.json["data"]["params"]) == {"type", "subtype"}
    assert result.json["data"]["details"]["subtype"]["code"] == "rest_search_invalid_type"
    assert result.json["data"]["params"]["subtype"] == "Invalid type parameter."


def test_an_unknown_subtype_is_an_invalid_param(api):
    result = api(subtype="attachment")
    assert result.status_code == 400
    assert result.json["data"]["details"]["subtype"]["code"] == "rest_not_in_enum"


def test_subtypes_of_another_type_are_dropped(api):
    assert set(titles(api(search="Demonstração", subtype="category"))) == set(PUBLIC_POSTS)


def test_context_is_view_or_embed(api):
    assert api(search="Café", context="embed").json[0]["subtype"] == "post"
    result = api("administrator", search="Café", context="edit")
    assert result.status_code == 400 and result.json["data"]["details"]["context"]["code"] == "rest_not_in_enum"


def test_embed_gives_the_found_post_in_embed_context(client, clinic):
    result = client.simulate_get("/wp-json/wp/v2/search", host=clinic.host,
                                 params={"search": "Café e coração", "_embed": "1"})
    embedded = result.json[0]["_embedded"]["self"][0]
    assert embedded["id"] == result.json[0]["id"] and embedded["title"] == {"rendered": "Café e coração: mitos e "
                                                                                         "verdades"}
    assert "content" not in embedded


def test_fields(api):
    assert api(search="Café", _fields="id,title").json == [
        {"id": api(search="Café").json[0]["id"], "title": "Café e coração: mitos e verdades"}]


# --- tenants and audit ----------------------------------------------------------------------------

def test_another_tenants_posts_and_terms_are_never_found(api, site_b):
    assert api("administrator", search="Secret").json == []
    assert api("administrator", search="Cardiology", type="term").json == []
    theirs = api(host=site_b.host, search="Secret")
    assert titles(theirs) == ["Secret of b"] and theirs.json[0]["id"] == site_b.post.wp_id
    assert titles(api(host=site_b.host, search="Cardiology", type="term")) == ["Cardiology b"]


def test_searches_are_audited_with_the_ids_found(api, clinic, audit_rows):
    result = api("editor", search="Demonstração", per_page=2)
    rows = [row for row in audit_rows(clinic) if row.metadata.get("event") == "search:list"]
    assert len(rows) == 1
    assert rows[0].metadata["ids"] == [item["id"] for item in result.json]
    assert rows[0].metadata["type"] == "post" and rows[0].user_id == clinic.users["editor"].id


def test_a_page_costs_the_same_queries_whatever_its_size(api, app_database, monkeypatch):
    statements = []
    execute_sql = app_database.execute_sql

    def counting(sql, *args, **kwargs):
        statements.append(sql)
        return execute_sql(sql, *args, **kwargs)

    monkeypatch.setattr(app_database, "execute_sql", counting)
    api("author", search="warm-up")                        # the site directory and the like are loaded once
    costs = []
    for per_page, kind in ((1, "post"), (3, "post"), (1, "term"), (10, "term")):
        statements.clear()
        assert len(api("author", type=kind, per_page=per_page).json) == per_page
        costs.append(len(statements))
    assert costs[0] == costs[1] and costs[2] == costs[3], costs
