"""post_counts stays exact through an import's batched writes and later bulk updates and deletes
(PostgreSQL: statement triggers, migrations/0012; SQLite: 0006's row triggers)."""

from wpcompat.db import db, tenant_scope
from wpcompat.models import Post

from wxr_import.support import TESTS, run


def counted(site):
    """(kept by the triggers, counted from posts), both as {(type, status, level): n} without zeros."""
    with tenant_scope(site.id):
        kept = {(row[0], row[1], row[2]): row[3] for row in db.execute_sql(
            f"SELECT post_type, status, compliance_level, count FROM post_counts WHERE tenant_id = {db.param}",
            (str(site.id),)).fetchall() if row[3]}
        real = {}
        for post_type, status, level in Post.select(Post.post_type, Post.status, Post.compliance_level).tuples():
            key = (post_type or "post", status or "draft", level or "")
            real[key] = real.get(key, 0) + 1
    return kept, real


def test_counts_follow_imports_bulk_updates_and_deletes(client, site):
    run(site, TESTS / "small-export.xml", batch_size=4)
    kept, real = counted(site)
    assert kept == real and sum(real.values()) == 11

    with tenant_scope(site.id):
        Post.update(status="draft").where(Post.post_type == "page").execute()          # several keys at once
        Post.update(compliance_level="phi").where(Post.status == "publish").execute()
        Post.update(title="unchanged counts").execute()
    kept, real = counted(site)
    assert kept == real

    with tenant_scope(site.id):
        Post.update(parent=None).execute()
        Post.delete().where(Post.status == "draft").execute()
    kept, real = counted(site)
    assert kept == real and sum(real.values()) == 6

    run(site, TESTS / "small-export.xml")                                            # re-import: the deleted come back
    kept, real = counted(site)
    assert kept == real and sum(real.values()) == 11
