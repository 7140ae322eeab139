"""content_generations: a counter per tenant that every write to its content moves on, kept by triggers.

The REST response cache (wpcompat/response_cache.py) keeps an anonymous answer only for the
generation it was built in; the database itself bumps the counter in the writing transaction, so
a change made anywhere — REST, XML-RPC, the importer, the healthcare CMS writing its tables
directly — makes every cached answer of that tenant stale the moment it commits.

PostgreSQL: statement-level triggers with transition tables (one upsert per statement, however
many rows it wrote: a batched import pays once per batch); a tenant table (RLS forced, the app
role may read and move only its own tenant's counter). SQLite: the same as row triggers.
Tables whose writes no public answer shows are left out: audit_trail, app_passwords (their
last-used stamp is written by authenticated requests), post_counts (moved with posts),
wp_id_sequences. Site settings (tenants) reach the cache through the site snapshot instead.
"""

import importlib

TRACKED_TABLES = ("users", "categories", "posts", "post_terms", "media", "custom_fields", "workflow_states",
                  "acf_field_groups", "acf_fields", "media_custom_fields", "option_custom_fields",
                  "term_custom_fields", "user_custom_fields", "revisions", "comments")

TABLE_DDL = """
CREATE TABLE content_generations (
  tenant_id {UUID} NOT NULL PRIMARY KEY,
  generation BIGINT NOT NULL DEFAULT 0
)"""

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_content_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO content_generations AS g (tenant_id, generation)
  SELECT DISTINCT tenant_id, 1 FROM changed_rows WHERE tenant_id IS NOT NULL
  ON CONFLICT (tenant_id) DO UPDATE SET generation = g.generation + 1;
  RETURN NULL;
END
$$"""

# transition tables allow one event per trigger: three per table, all naming theirs changed_rows
PG_EVENTS = (("insert", "INSERT", "NEW"), ("update", "UPDATE", "NEW"), ("delete", "DELETE", "OLD"))

SQLITE_BUMP = ("INSERT INTO content_generations (tenant_id, generation) VALUES ({row}.tenant_id, 1) "
               "ON CONFLICT (tenant_id) DO UPDATE SET generation = generation + 1;")


def up(ctx):
    ctx.execute(ctx.ddl(TABLE_DDL))
    if ctx.postgres:                                    # PostgreSQL: function, statement triggers, RLS
        ctx.execute(PG_FUNCTION)
        for table in TRACKED_TABLES:
            for name, event, side in PG_EVENTS:
                ctx.execute(f"CREATE TRIGGER {table}_generation_{name} AFTER {event} ON {table} "
                            f"REFERENCING {side} TABLE AS changed_rows FOR EACH STATEMENT "
                            f"EXECUTE FUNCTION bump_content_generation()")
        isolation = importlib.import_module("migrations.0002_isolate_tenants")
        isolation.isolate_tenant_table(ctx, "content_generations", privileges="SELECT, INSERT, UPDATE")
        return
    for table in TRACKED_TABLES:
        for name, event, side in PG_EVENTS:
            ctx.execute(f"CREATE TRIGGER {table}_generation_{name} AFTER {event} ON {table} "
                        f"WHEN {side}.tenant_id IS NOT NULL BEGIN {SQLITE_BUMP.format(row=side)} END")


def down(ctx):
    for table in TRACKED_TABLES:
        for name, _event, _side in PG_EVENTS:
            ctx.execute(f"DROP TRIGGER IF EXISTS {table}_generation_{name}"
                        + (f" ON {table}" if ctx.postgres else ""))
    if ctx.postgres:
        importlib.import_module("migrations.0002_isolate_tenants").release_tenant_table(ctx, "content_generations")
        ctx.execute("DROP TABLE content_generations")
        ctx.execute("DROP FUNCTION IF EXISTS bump_content_generation()")
    else:
        ctx.execute("DROP TABLE content_generations")
