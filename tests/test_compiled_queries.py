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
