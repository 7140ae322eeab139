"""Comments (WordPress's wp_comments) in the seed's style: uuid id, tenant_id, timestamps, RLS.

Runs on both engines (grants and FORCE RLS on PostgreSQL, marked below). DESIGN.md §3-4:
- `wp_id` is the comment's WordPress id, from its own per-tenant counter (wp_id_sequences kind
  'comment'), unique per tenant; `source_id` keeps the id in a site an import came from.
- `post_id` → posts (a comment goes with its post, as wp_delete_post deletes its comments);
  `parent_id` → comments (threading; deleting a comment moves its replies up a level in code, as
  wp_delete_comment does, SET NULL is only the database's last word); `user_id` → users.
- `status` holds REST's names of WordPress's comment_approved: 1 → approved, 0 → hold, spam,
  trash; `pre_trash_status` is what untrashing restores (WordPress's _wp_trash_meta_status).
- `author_ip` and `user_agent` are PHI-grade data: shown only in edit context to moderators.
- `contains_phi` and `lgpd_score` are the PHI detector's verdict on the text (workflow/lgpd.py).
- `date_local`/`date_gmt` are comment_date/comment_date_gmt; `meta` is comment meta (JSON).
"""

import importlib

DDL = """
CREATE TABLE comments (
  id {UUID_PK},
  wp_id INTEGER NOT NULL,
  post_id {UUID} NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  parent_id {UUID} REFERENCES comments(id) ON DELETE SET NULL,
  user_id {UUID} REFERENCES users(id) ON DELETE SET NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'hold',
  pre_trash_status VARCHAR(20),
  author_name VARCHAR(255) NOT NULL DEFAULT '',
  author_email VARCHAR(100) NOT NULL DEFAULT '',
  author_url VARCHAR(200) NOT NULL DEFAULT '',
  author_ip VARCHAR(100) NOT NULL DEFAULT '',
  user_agent VARCHAR(255) NOT NULL DEFAULT '',
  content TEXT NOT NULL DEFAULT '',
  comment_type VARCHAR(20) NOT NULL DEFAULT 'comment',
  karma INTEGER NOT NULL DEFAULT 0,
  meta {JSONB} NOT NULL DEFAULT '{{}}',
  contains_phi {BOOL} NOT NULL DEFAULT {FALSE},
  lgpd_score INTEGER,
  date_local {TS} NOT NULL,
  date_gmt {TS} NOT NULL,
  source_id BIGINT,
  deleted_at {TS},
  tenant_id {UUID},
  inserted_at {TS} NOT NULL,
  updated_at {TS} NOT NULL
)"""

INDEXES = [
    "CREATE UNIQUE INDEX comments_tenant_wp_id_index ON comments(tenant_id, wp_id)",
    "CREATE INDEX idx_comments_tenant_id ON comments(tenant_id)",
    "CREATE INDEX idx_comments_post_status_date ON comments(post_id, status, date_gmt)",
    "CREATE INDEX idx_comments_tenant_status_date ON comments(tenant_id, status, date_gmt)",
    "CREATE INDEX idx_comments_parent_id ON comments(parent_id)",
    "CREATE INDEX idx_comments_user_id ON comments(user_id)",
    "CREATE INDEX idx_comments_tenant_source_id ON comments(tenant_id, source_id)",
]


def up(ctx):
    ctx.execute(ctx.ddl(DDL))
    for statement in INDEXES:
        ctx.execute(statement)
    if ctx.postgres:                                    # PostgreSQL only: grants and FORCE RLS
        importlib.import_module("migrations.0002_isolate_tenants").isolate_tenant_table(ctx, "comments")


def down(ctx):
    ctx.execute("DROP TABLE IF EXISTS comments")        # its policy and grants go with it
