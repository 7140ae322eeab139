"""migrations/0013: the two indexes that lead another index are gone on both engines, the ones that serve their
queries, the foreign-key deletes and the CMS's own cross-tenant queries are still there, and rolling back
creates the two again."""

import pytest

from wpcompat.db import is_postgres, open_database
from wpcompat.migrator import Migrator, discover

from conftest import create_postgres_database, drop_postgres_database, postgres_url

DROPPED = dict(next(migration for migration in discover() if migration.version == "0013").module.DROPPED)
# What serves the queries the dropped indexes could have served, and what foreign-key deletes look rows up by.
KEPT = {"idx_posts_tenant_status", "idx_posts_listing", "posts_tenant_wp_id_index", "idx_posts_tenant_source_id",
        "idx_posts_author_id", "idx_posts_category_id", "idx_posts_parent_id", "idx_posts_featured_media_id",
        "custom_fields_post_meta_key_index", "idx_custom_fields_meta_key", "post_terms_post_term_index",
        "idx_post_terms_term_id", "idx_audit_trail_user_created",
        # the seed's single-column indexes the CMS's own queries across tenants may use: kept on purpose
        "idx_posts_status", "idx_posts_compliance_level", "idx_custom_fields_is_phi", "idx_custom_fields_tenant_id",
        "idx_post_terms_tenant_id"}


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    if request.param == "sqlite":
        database = open_database(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
        yield database, Migrator(database)
        database.close()
        return
    name, role = create_postgres_database(prefix="wpcompat_mig")
    database = None
    try:
        database = open_database(postgres_url(name), pool_size=2)
        yield database, Migrator(database, role)
    finally:
        if database is not None:
            database.close_all()
        drop_postgres_database(name, role)


def index_names(database):
    if is_postgres(database):
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    return {name for (name,) in database.execute_sql(sql).fetchall()}


def test_the_two_are_dropped_and_what_serves_their_queries_stays(database):
    database, migrator = database
    migrator.migrate()
    names = index_names(database)
    assert set(DROPPED) == {"idx_posts_tenant_id", "idx_audit_trail_user_id"}
    assert not names & set(DROPPED)
    assert KEPT <= names


def test_rolling_back_creates_them_again(database):
    database, migrator = database
    migrator.migrate()
    migrator.rollback("0012")
    assert set(DROPPED) <= index_names(database)
    migrator.migrate()
    assert not index_names(database) & set(DROPPED)
