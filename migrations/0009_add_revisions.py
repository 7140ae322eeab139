"""Revisions: the saved states of posts and pages (and autosaves), in the seed's style.

WordPress keeps revisions as posts (post_type `revision`, status `inherit`, post_parent the
post); here they get a table of their own (DESIGN.md §4) with the fields WordPress versions
(title, content, excerpt), the author who saved them, and their integer `wp_id` taken from the
tenant's `post` sequence — the id space posts and media share — so a revision id never names
a post or an attachment, as in WordPress.

- kind: `revision` (kept by every update that changes title, content or excerpt: the new
  state) or `autosave` (at most one per post and author, replaced in place: the partial unique
  index below makes that hold under concurrent autosaves too).
- field_values: the post's ACF values at that moment (the custom_fields rows ACF manages,
  {meta_key: {meta_value, meta_type, field_group, …}}), restored with the revision, as ACF
  copies its fields to revisions.
- created_at is the revision's date (GMT: WordPress's post_date of a revision is the parent's
  post_modified); updated_at changes when an autosave is overwritten.
Deleting a post deletes its revisions (ON DELETE CASCADE), as wp_delete_post does.
"""

import importlib

DDL = """
CREATE TABLE revisions (
  id {UUID_PK},
  tenant_id {UUID},
  post_id {UUID} NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  author_id {UUID} REFERENCES users(id) ON DELETE SET NULL,
  wp_id INTEGER NOT NULL,
  kind VARCHAR(10) NOT NULL DEFAULT 'revision',
  title VARCHAR(255) NOT NULL DEFAULT '',
  content TEXT,
  excerpt TEXT,
  field_values {JSONB} NOT NULL DEFAULT '{{}}',
  created_at {TS} NOT NULL,
  updated_at {TS} NOT NULL
)"""

INDEXES = [
    "CREATE UNIQUE INDEX revisions_wp_id_tenant_id_index ON revisions(wp_id, tenant_id)",
    "CREATE INDEX idx_revisions_post_created ON revisions(post_id, created_at DESC)",
    "CREATE INDEX idx_revisions_tenant_id ON revisions(tenant_id)",
    "CREATE UNIQUE INDEX revisions_one_autosave_per_author ON revisions(post_id, author_id) "
    "WHERE kind = 'autosave'",
]


def up(ctx):
    ctx.execute(ctx.ddl(DDL))
    for statement in INDEXES:
        ctx.execute(statement)
    if ctx.postgres:                                    # PostgreSQL only: grants and FORCE RLS
        isolation = importlib.import_module("migrations.0002_isolate_tenants")
        isolation.isolate_tenant_table(ctx, "revisions")


def down(ctx):
    ctx.execute("DROP TABLE IF EXISTS revisions")       # policy and grants go with the table
