"""Hot queries compiled once per worker (queries/compiled.py) answer exactly what peewee would.

Their rows become model instances without peewee's per-column setattr; these tests check
that such an instance is the one peewee builds (same field data, same extra columns, nothing
dirty, saves like any other), and that the compiled SQL keeps the tenant filter.
"""

from wpcompat.db import db, tenant_scope
from wpcompat.models import Post, PostTerm, Revision
from wpcompat.queries import posts as post_queries
from wpcompat.queries import revisions as revision_queries
from wpcompat.wp_ids import next_wp_id


def _extras(post):
    return {name: value for name, value in vars(post).items() if name not in ("__data__", "_dirty", "__rel__")}


def test_a_compiled_post_is_the_post_peewee_builds(engine, site_a):
    with tenant_scope(site_a.id):
        compiled = post_queries.find(site_a.post.wp_id)
        built = post_queries.base_select().where(Post.wp_id == site_a.post.wp_id).objects().get()
        assert compiled.__data__ == built.__data__
        assert _extras(compiled) == _extras(built) and compiled.author_wp_id == site_a.author.wp_id
        assert compiled._dirty == set() and compiled.__rel__ == {}
        assert compiled.author_id == site_a.author.id and compiled.author.id == site_a.author.id
        compiled.title = "Renamed through a compiled row"
        compiled.save()
    with tenant_scope(site_a.id):
        assert Post.get_by_id(site_a.post.id).title == "Renamed through a compiled row"


def test_compiled_queries_see_only_the_current_tenant(engine, site_a, site_b):
    with tenant_scope(site_a.id):
        PostTerm.create(post=site_a.post.id, term=site_a.term.id, term_order=0)
        Revision.create(post=site_a.post.id, wp_id=next_wp_id("post"), title="Earlier title")
        assert post_queries.terms_by_post([site_a.post.id]) == {
            site_a.post.id: {site_a.term.taxonomy: [site_a.term.wp_id]}}
        assert revision_queries.summaries([site_a.post.id])[site_a.post.id][0] == 1
    with tenant_scope(site_b.id):
        assert post_queries.find(site_a.post.wp_id) is None or \
            post_queries.find(site_a.post.wp_id).id == site_b.post.id       # ids are per tenant: never A's post
        assert post_queries.terms_by_post([site_a.post.id]) == {}
        assert revision_queries.summaries([site_a.post.id]) == {}
    with tenant_scope(site_a.id):
        assert post_queries.find(site_a.post.wp_id).id == site_a.post.id


def test_prepared_compiled_queries_follow_each_transactions_tenant(engine, site_a, site_b):
    """On PostgreSQL the compiled SQL is prepared once per connection: later runs, other tenants'
    transactions and a rolled-back transaction in between must not change what it returns."""
    for _ in range(3):
        for site in (site_a, site_b):
            with tenant_scope(site.id):
                assert post_queries.find(site.post.wp_id).id == site.post.id
    try:
        with tenant_scope(site_a.id):
            assert post_queries.find(site_a.post.wp_id).id == site_a.post.id
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    with tenant_scope(site_b.id):
        assert post_queries.find(site_b.post.wp_id).id == site_b.post.id
        if engine.postgres:
            prepared = db.execute_sql("SELECT count(*) FROM pg_prepared_statements "
                                      "WHERE name LIKE 'wpcompat_q%%'").fetchone()[0]
            assert prepared >= 1


# --- the ACF registry: compiled, read anew by every request ------------------------------------------

def _registry_as_peewee_builds_it():
    """definitions.load() as it was before it was compiled: the reference."""
    from wpcompat.acf import definitions
    from wpcompat.models import AcfField, AcfFieldGroup

    rows = list(AcfField.select(AcfField, AcfFieldGroup).join(AcfFieldGroup))
    groups = {row.group.id: row.group for row in rows}
    return definitions.build(list(groups.values()), rows)


def _make_field_group(label, title="Clinical data", menu_order=0):
    from wpcompat.models import AcfField, AcfFieldGroup

    group = AcfFieldGroup.create(key=f"group_{label}", title=title, show_in_rest=True, menu_order=menu_order,
                                 location=[[{"param": "taxonomy", "operator": "==", "value": "category"}]])
    parent = AcfField.create(key=f"field_{label}_g", group=group.id, name="vitals", label="Vitals", type="group",
                             menu_order=1, settings={"layout": "block"})
    AcfField.create(key=f"field_{label}_p", group=group.id, parent=parent.id, name="pulse", label="Pulse",
                    type="number", menu_order=0, settings={"min": 20}, is_phi=True)
    AcfField.create(key=f"field_{label}_t", group=group.id, name="tab", label="Tab", type="tab", menu_order=0)
    AcfField.create(key=f"field_{label}_n", group=group.id, name="note", label="Note", type="text", menu_order=2,
                    required=True, validation_rules={"type": "length", "max": 5})
    return group


def test_the_compiled_acf_registry_is_the_one_peewee_builds(engine, site_a, site_b):
    from wpcompat.acf import definitions

    with tenant_scope(site_a.id):
        assert not definitions.load() and definitions.load().groups == []
        _make_field_group("a1")
        _make_field_group("a2", title="Allergies", menu_order=-1)
        compiled, built = definitions.load(), _registry_as_peewee_builds_it()
        assert compiled.groups == built.groups
        assert [group.title for group in compiled.groups] == ["Allergies", "Clinical data"]
        vitals = compiled.groups[1].fields[0]
        assert [field.name for field in compiled.groups[1].fields] == ["vitals", "note"]
        assert vitals.sub_fields[0].name == "pulse" and vitals.sub_fields[0].settings == {"min": 20}
        assert vitals.has_phi() and compiled.groups[1].fields[1].validation_rules == {"type": "length", "max": 5}
    with tenant_scope(site_b.id):
        assert not definitions.load()                           # another tenant's groups are not here


def test_a_field_group_saved_between_two_requests_shows_in_the_second(client, site_a, engine):
    """No registry is kept between requests: the next request (any worker) reads what was saved."""
    headers = {"Host": site_a.host}
    first = client.simulate_get(f"/wp-json/wp/v2/categories/{site_a.term.wp_id}", headers=headers)
    assert first.status_code == 200 and "acf" not in first.json            # a site without ACF
    with tenant_scope(site_a.id, engine.database):
        _make_field_group("later")
    second = client.simulate_get(f"/wp-json/wp/v2/categories/{site_a.term.wp_id}", headers=headers)
    assert second.status_code == 200 and set(second.json["acf"]) == {"vitals", "note"}


# --- the default term listing: compiled SQL, total from the same query ---------------------------------

def _terms_by_peewee(args, limit, offset):
    from wpcompat.queries import terms as term_queries

    query, matching = term_queries.collection("category", args, None)
    return list(query.limit(limit).offset(offset)), matching.count()


def test_the_compiled_term_listing_answers_what_the_built_one_does(engine, site_a, site_b):
    from wpcompat.models import Term
    from wpcompat.queries import terms as term_queries

    with tenant_scope(site_a.id):
        parent = Term.create(name="émergency", slug="emergency", wp_id=next_wp_id("term"), count=3)
        Term.create(name="Zeta", slug="zeta", wp_id=next_wp_id("term"), parent=parent.id, description="z")
        Term.create(name="alpha", slug="alpha-2", wp_id=next_wp_id("term"), count=1)
        Term.create(name="Alpha", slug="alpha", wp_id=next_wp_id("term"))
        Term.create(name="Tagged", slug="tagged", wp_id=next_wp_id("term"), taxonomy="post_tag")
        for orderby in ("name", "id", "slug", "count", "description", "term_group", "include"):
            for order in ("asc", "desc"):
                for limit, offset in ((10, 0), (2, 0), (2, 2), (2, 4), (10, 50)):
                    args = {"orderby": orderby, "order": order, "include": [], "exclude": [], "hide_empty": False}
                    terms, total = term_queries.default_listing("category", args, limit, offset)
                    expected, expected_total = _terms_by_peewee(args, limit, offset)
                    assert total == expected_total == 5
                    assert [term.wp_id for term in terms] == [term.wp_id for term in expected]
                    assert [term.__data__ for term in terms] == [term.__data__ for term in expected]
                    assert [term.parent_wp_id for term in terms] == [term.parent_wp_id for term in expected]
                    assert all(not hasattr(term, "listing_total") for term in terms)
        assert term_queries.default_listing("category", {"search": "alp"}, 10, 0) is None
        assert term_queries.default_listing("category", {"hide_empty": True}, 10, 0) is None
        assert term_queries.default_listing("category", {"parent": 0}, 10, 0) is None
        assert term_queries.default_listing("category", {}, 10, 0, post_id=site_a.post.id) is None
    with tenant_scope(site_b.id):
        terms, total = term_queries.default_listing("category", {}, 100, 0)
        assert [term.id for term in terms] == [site_b.term.id] and total == 1


def test_the_category_listing_pages_and_totals_as_before(client, site_a, engine):
    from wpcompat.models import Term

    with tenant_scope(site_a.id, engine.database):
        for index in range(4):
            Term.create(name=f"Extra {index}", slug=f"extra-{index}", wp_id=next_wp_id("term"))
    headers = {"Host": site_a.host}
    page = client.simulate_get("/wp-json/wp/v2/categories", query_string="per_page=2&page=2", headers=headers)
    assert page.status_code == 200 and page.headers["X-WP-Total"] == "5" and page.headers["X-WP-TotalPages"] == "3"
    assert [term["name"] for term in page.json] == ["Extra 1", "Extra 2"]       # after "Cardiology a"
    past = client.simulate_get("/wp-json/wp/v2/categories", query_string="per_page=2&page=9", headers=headers)
    assert past.status_code == 200 and past.json == [] and past.headers["X-WP-Total"] == "5"


# --- filter_by_context: a plan per (schema, context) filters as the walk did -------------------------

def _walk(data, properties, context):
    """filter_by_context as it walked every item against the schema: the reference."""
    if not isinstance(data, dict):
        return data
    kept = {}
    for key, value in data.items():
        prop = properties.get(key)
        if prop is None or key.startswith("_"):
            kept[key] = value
            continue
        contexts = prop.get("context")
        if contexts is not None and context not in contexts:
            continue
        if isinstance(value, dict) and "properties" in prop:
            value = _walk(value, prop["properties"], context)
        kept[key] = value
    return kept


def _sample(properties, depth=0):
    item = {}
    for name, prop in properties.items():
        if "properties" in (prop or {}) and depth < 3:
            item[name] = {**_sample(prop["properties"], depth + 1), "extra": depth}
        else:
            item[name] = [name] if name == "meta" else f"{name}-value"
    return {**item, "not_in_schema": 1, "_links": {"self": []}}


def test_filter_by_context_keeps_and_drops_what_the_schema_walk_did():
    from wpcompat.routes.base import Controller
    from wpcompat.schemas.comments import comment_schema
    from wpcompat.schemas.media import media_schema
    from wpcompat.schemas.posts import post_schema
    from wpcompat.schemas.terms import term_schema
    from wpcompat.schemas.users import user_schema

    odd = {"properties": {"_private": {"context": ["edit"]}, "none": None, "all": {"type": "string"},
                          "nested": {"context": ["view"], "properties": {"raw": {"context": ["edit"]}}},
                          "empty": {"context": ["view", "edit"], "properties": {}}}}
    controller = Controller()
    for schema in (post_schema("post"), post_schema("page"), term_schema("category"), term_schema("post_tag"),
                   user_schema(), media_schema(), comment_schema(), odd):
        item = _sample(schema["properties"])
        item["empty"] = {"kept": True}
        for context in ("view", "embed", "edit"):
            for _ in range(2):                                   # the second time from the cached plan
                filtered = controller.filter_by_context(item, context, schema)
                assert filtered == _walk(item, schema["properties"], context)
                assert list(filtered) == list(_walk(item, schema["properties"], context))
                assert filtered is not item
        assert controller.filter_by_context("not a dict", "view", schema) == "not a dict"
