"""content_generations: a counter per tenant that every write to its content moves on, kept by triggers.

The REST response cache (wpcompat/response_cache.py) keeps an anonymous answer only for the
generation it was built in; the database itself moves the counter in the writing transaction,
so a change made anywhere — REST, XML-RPC, the importer, the healthcare CMS writing its tables
directly — makes every cached answer of that tenant stale the moment it commits.

PostgreSQL: a statement-level trigger on each tracked table (transition tables: one call per
statement, however many rows it wrote) notes the tenants it touched, once per transaction, in
content_generation_bumps; a deferred constraint trigger on that table moves the counter at
COMMIT and removes the note, so the counter's row is locked only while the transaction commits.
Locked from the first write on, it would queue every writer of the tenant behind the first
one and deadlock with any transaction that locks other rows in the other order (post_counts).
TRUNCATE moves every counter. Both tables are tenant tables (RLS forced).
SQLite, whose writers take turns anyway: row triggers move the counter directly.

Tables whose writes no public answer shows are left out: audit_trail, app_passwords (their
last-used stamp is written by authenticated requests), post_counts (moved with posts),
wp_id_sequences. Site settings (tenants) reach the cache through the site snapshot instead.
Writes made with triggers off (session_replication_role = replica: logical replication,
pg_restore) are not counted: cached answers then last until WPCOMPAT_RESPONSE_CACHE_SECONDS.
"""

import importlib

TRACKED_TABLES = ("users", "categories", "posts", "post_terms", "media", "custom_fields", "workflow_states",
                  "acf_field_groups", "acf_fields", "media_custom_fields", "option_custom_fields",
                  "term_custom_fields", "user_custom_fields", "revisions", "comments")

TABLES_DDL = ["""
CREATE TABLE content_generations (
  tenant_id {UUID} NOT NULL PRIMARY KEY,
  generation BIGINT NOT NULL DEFAULT 0
)""", """
CREATE TABLE content_generation_bumps (
  id {UUID_PK},
  tenant_id {UUID} NOT NULL
)"""]

# Statement triggers: note each touched tenant once per transaction (a transaction-local setting
# remembers which; a rolled-back savepoint forgets its note and its setting together).
PG_NOTE_FUNCTIONS = ["""
CREATE OR REPLACE FUNCTION note_tenant_change(touched uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  noted text := coalesce(current_setting('wpcompat.noted_tenants', true), '');
BEGIN
  IF position(touched::text IN noted) = 0 THEN
    PERFORM set_config('wpcompat.noted_tenants', noted || touched::text || ',', true);
    INSERT INTO content_generation_bumps (id, tenant_id) VALUES (gen_random_uuid(), touched);
  END IF;
END
$$""", """
CREATE OR REPLACE FUNCTION note_content_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM note_tenant_change(tenant_id) FROM (SELECT DISTINCT tenant_id FROM changed_rows) AS touched
  WHERE tenant_id IS NOT NULL;
  IF TG_OP = 'UPDATE' THEN              -- a row moved away from a tenant changes that tenant too
    PERFORM note_tenant_change(tenant_id) FROM (SELECT DISTINCT tenant_id FROM previous_rows) AS touched
    WHERE tenant_id IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$"""]

PG_BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_content_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO content_generations AS g (tenant_id, generation) VALUES (NEW.tenant_id, 1)
  ON CONFLICT (tenant_id) DO UPDATE SET generation = g.generation + 1;
  DELETE FROM content_generation_bumps WHERE id = NEW.id;
  RETURN NULL;
END
$$"""

PG_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_every_content_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE content_generations SET generation = generation + 1;
  RETURN NULL;
END
$$"""

# transition tables allow one event per trigger: one per event, each naming its rows changed_rows
PG_EVENTS = (("insert", "INSERT", "NEW TABLE AS changed_rows"),
             ("update", "UPDATE", "NEW TABLE AS changed_rows OLD TABLE AS previous_rows"),
             ("delete", "DELETE", "OLD TABLE AS changed_rows"))

SQLITE_EVENTS = (("insert", "INSERT", "NEW"), ("update", "UPDATE", "NEW"), ("delete", "DELETE", "OLD"),
                 ("update_old", "UPDATE", "OLD"))
SQLITE_BUMP = ("INSERT INTO content_generations (tenant_id, generation) VALUES ({row}.tenant_id, 1) "
               "ON CONFLICT (tenant_id) DO UPDATE SET generation = generation + 1;")


def _postgres_up(ctx):
    for function in (*PG_NOTE_FUNCTIONS, PG_BUMP_FUNCTION, PG_TRUNCATE_FUNCTION):
        ctx.execute(function)
    ctx.execute("CREATE CONSTRAINT TRIGGER content_generation_bump AFTER INSERT ON content_generation_bumps "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_generation()")
    for table in TRACKED_TABLES:
        for name, event, transition in PG_EVENTS:
            ctx.execute(f"CREATE TRIGGER {table}_generation_{name} AFTER {event} ON {table} "
                        f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION note_content_change()")
        ctx.execute(f"CREATE TRIGGER {table}_generation_truncate AFTER TRUNCATE ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION bump_every_content_generation()")
    isolation = importlib.import_module("migrations.0002_isolate_tenants")
    isolation.isolate_tenant_table(ctx, "content_generations", privileges="SELECT, INSERT, UPDATE")
    isolation.isolate_tenant_table(ctx, "content_generation_bumps", privileges="SELECT, INSERT, DELETE")


def up(ctx):
    for ddl in TABLES_DDL:
        ctx.execute(ctx.ddl(ddl))
    if ctx.postgres:                                    # PostgreSQL: functions, triggers, RLS
        _postgres_up(ctx)
        return
    for table in TRACKED_TABLES:
        for name, event, side in SQLITE_EVENTS:
            when = f"{side}.tenant_id IS NOT NULL" + (" AND OLD.tenant_id IS NOT NEW.tenant_id"
                                                       if name == "update_old" else "")
            ctx.execute(f"CREATE TRIGGER {table}_generation_{name} AFTER {event} ON {table} "
                        f"WHEN {when} BEGIN {SQLITE_BUMP.format(row=side)} END")


def down(ctx):
    names = [name for name, *_rest in (SQLITE_EVENTS if not ctx.postgres else PG_EVENTS)]
    for table in TRACKED_TABLES:
        for name in names + (["truncate"] if ctx.postgres else []):
            ctx.execute(f"DROP TRIGGER IF EXISTS {table}_generation_{name}"
                        + (f" ON {table}" if ctx.postgres else ""))
    if ctx.postgres:
        isolation = importlib.import_module("migrations.0002_isolate_tenants")
        for table in ("content_generation_bumps", "content_generations"):
            isolation.release_tenant_table(ctx, table)
    ctx.execute("DROP TABLE content_generation_bumps")
    ctx.execute("DROP TABLE content_generations")
    if ctx.postgres:
        for function in ("note_content_change()", "note_tenant_change(uuid)", "bump_content_generation()",
                         "bump_every_content_generation()"):
            ctx.execute(f"DROP FUNCTION IF EXISTS {function}")
