"""Posts: featured image, pre-trash status, and slugs that may be empty (drafts), both engines.

- featured_media_id: WordPress's `featured_media` (its _thumbnail_id meta), a media row.
- pre_trash_status: the status a trashed post had, so untrash and edit rights follow it
  (WordPress keeps it as _wp_trash_meta_status).
- posts_slug_tenant_id_index becomes partial (WHERE slug <> ''): WordPress drafts have an
  empty slug until published, and any number of them may exist. Non-empty slugs stay
  unique per tenant (stricter than WordPress, which is per post type; wpcompat
  suffixes -2, -3 across types instead of failing).
"""


def up(ctx):
    uuid = "UUID" if ctx.postgres else "TEXT"
    ctx.execute(f"ALTER TABLE posts ADD COLUMN featured_media_id {uuid} REFERENCES media(id) ON DELETE SET NULL")
    ctx.execute("ALTER TABLE posts ADD COLUMN pre_trash_status VARCHAR(20)")
    ctx.execute("CREATE INDEX idx_posts_featured_media_id ON posts(featured_media_id)")
    ctx.execute("DROP INDEX posts_slug_tenant_id_index")
    ctx.execute("CREATE UNIQUE INDEX posts_slug_tenant_id_index ON posts(slug, tenant_id) WHERE slug <> ''")


def down(ctx):
    ctx.execute("DROP INDEX posts_slug_tenant_id_index")
    ctx.execute("CREATE UNIQUE INDEX posts_slug_tenant_id_index ON posts(slug, tenant_id)")
    ctx.execute("DROP INDEX idx_posts_featured_media_id")
    ctx.execute("ALTER TABLE posts DROP COLUMN pre_trash_status")
    ctx.execute("ALTER TABLE posts DROP COLUMN featured_media_id")
