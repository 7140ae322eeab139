"""Tenant isolation through the data-access layer, on both engines (SQLite has no RLS)."""

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import Post, Term, User
from wpcompat.models.base import TenantRowError
from wpcompat.wp_ids import next_wp_id, reserve_wp_id


def test_queries_see_only_the_current_tenants_rows(engine, site_a, site_b):
    with tenant_scope(site_a.id):
        titles = [post.title for post in Post.select()]
        assert "Secret of a" in titles and "Secret of b" not in titles
        assert Post.get_or_none(Post.id == site_b.post.id) is None
        assert User.select().where(User.login == site_b.admin.login).count() == 0


def test_no_tenant_means_no_rows_and_no_writes(engine, site_a):
    with tenant_scope(None):
        assert Post.select().count() == 0
        assert User.select().count() == 0
        with pytest.raises(TenantRowError):
            Term.create(name="orphan", slug="orphan", wp_id=1)


def test_updates_and_deletes_cannot_reach_another_tenant(engine, site_a, site_b):
    with tenant_scope(site_a.id):
        assert Post.update(title="hijacked").where(Post.id == site_b.post.id).execute() == 0
        assert Post.delete().where(Post.id == site_b.post.id).execute() == 0
    with tenant_scope(site_b.id):
        assert Post.get_by_id(site_b.post.id).title == "Secret of b"


def test_writing_a_row_into_another_tenant_is_refused(engine, site_a, site_b):
    with tenant_scope(site_a.id):
        with pytest.raises(TenantRowError):
            Term.create(name="planted", slug="planted", wp_id=99, tenant_id=site_b.id)
        with pytest.raises(TenantRowError):
            Term.insert_many([{"name": "planted", "slug": "planted", "wp_id": 99,
                               "tenant_id": site_b.id}]).execute()
        foreign = site_b.post
        with pytest.raises(TenantRowError):
            foreign.save()


def test_new_rows_take_the_current_tenant(engine, site_a):
    with tenant_scope(site_a.id):
        term = Term.create(name="Neurologia", slug="neurologia", wp_id=next_wp_id("term"))
    assert term.tenant_id == site_a.id


def test_wp_ids_count_per_tenant_and_posts_share_with_media(engine, site_a, site_b):
    with tenant_scope(site_a.id):
        first, second = next_wp_id("post"), next_wp_id("post")
        reserve_wp_id("post", 500)
        after_reserve = next_wp_id("post")
        reserve_wp_id("post", 10)                  # an id below the counter leaves it alone
        still_after = next_wp_id("post")
    with tenant_scope(site_b.id):
        other = next_wp_id("post")
    assert second == first + 1
    assert after_reserve == 501 and still_after == 502
    assert other < 500                             # tenant B has its own counter
