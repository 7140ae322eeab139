"""Drop the two seed indexes that are the first column of another index: every row written paid for them,
and the longer index serves every query they could. Both engines.

- idx_posts_tenant_id (posts(tenant_id)): the first column of idx_posts_tenant_status, idx_posts_listing,
  idx_posts_tenant_source_id and posts_tenant_wp_id_index.
- idx_audit_trail_user_id (audit_trail(user_id)): the first column of idx_audit_trail_user_created
  (user_id, created_at). Every audited request, a replayed answer included, inserts one row less into an index.

Kept on purpose, though no query of the app needs them alone (it always names the tenant): the seed's
single-column indexes on low-cardinality columns (posts.status, post_type, compliance_level,
medical_category; custom_fields.tenant_id, meta_type, field_group, medical_significance, is_phi;
post_terms.tenant_id). The healthcare CMS owns this schema and its own queries run across tenants
(a compliance report of every PHI field, a tenant's erasure): dropping them would make those scan, for
~20–30 µs of PostgreSQL CPU per imported post (bench/import.py). That is the CMS's decision to make.

`down` creates them again as 0001 did (the same statements: SQLite keeps their text).
"""

DROPPED = (
    ("idx_posts_tenant_id", "posts(tenant_id)"),
    ("idx_audit_trail_user_id", "audit_trail(user_id)"),
)


def up(ctx):
    for name, _definition in DROPPED:
        ctx.execute(f"DROP INDEX IF EXISTS {name}")


def down(ctx):
    for name, definition in DROPPED:
        ctx.execute(f"CREATE INDEX {name} ON {definition}")
