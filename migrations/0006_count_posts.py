"""post_counts: how many posts each tenant has per type, status and compliance level, kept by triggers.

X-WP-Total of an unfiltered listing (the most common request) becomes a sum over a
handful of rows instead of counting every post — with 100,000 posts a count of the
listing index still reads 100,000 entries per request. Triggers on posts keep the
counts exact on both engines whatever writes (REST, XML-RPC, importer, SQL); a
compliance level of NULL is counted under ''. A tenant table: RLS on PostgreSQL.
"""

import importlib

TABLE_DDL = """
CREATE TABLE post_counts (
  tenant_id {UUID} NOT NULL,
  post_type VARCHAR(30) NOT NULL,
  status VARCHAR(20) NOT NULL,
  compliance_level VARCHAR(20) NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, post_type, status, compliance_level)
)"""

SEED_COUNTS = """
INSERT INTO post_counts (tenant_id, post_type, status, compliance_level, count)
SELECT tenant_id, COALESCE(post_type, 'post'), COALESCE(status, 'draft'), COALESCE(compliance_level, ''), COUNT(*)
FROM posts WHERE tenant_id IS NOT NULL GROUP BY 1, 2, 3, 4"""

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION posts_keep_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE post_counts SET count = count - 1
    WHERE tenant_id = OLD.tenant_id AND post_type = COALESCE(OLD.post_type, 'post')
      AND status = COALESCE(OLD.status, 'draft') AND compliance_level = COALESCE(OLD.compliance_level, '');
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO post_counts (tenant_id, post_type, status, compliance_level, count)
    VALUES (NEW.tenant_id, COALESCE(NEW.post_type, 'post'), COALESCE(NEW.status, 'draft'),
            COALESCE(NEW.compliance_level, ''), 1)
    ON CONFLICT (tenant_id, post_type, status, compliance_level) DO UPDATE SET count = post_counts.count + 1;
  END IF;
  RETURN NULL;
END
$$"""

KEY_COLUMNS = "tenant_id, post_type, status, compliance_level"


def _sqlite_triggers():
    decrement = ("UPDATE post_counts SET count = count - 1 WHERE tenant_id = OLD.tenant_id "
                 "AND post_type = COALESCE(OLD.post_type, 'post') AND status = COALESCE(OLD.status, 'draft') "
                 "AND compliance_level = COALESCE(OLD.compliance_level, '');")
    increment = ("INSERT INTO post_counts (tenant_id, post_type, status, compliance_level, count) VALUES "
                 "(NEW.tenant_id, COALESCE(NEW.post_type, 'post'), COALESCE(NEW.status, 'draft'), "
                 "COALESCE(NEW.compliance_level, ''), 1) ON CONFLICT (tenant_id, post_type, status, "
                 "compliance_level) DO UPDATE SET count = count + 1;")
    return [
        f"CREATE TRIGGER posts_count_insert AFTER INSERT ON posts BEGIN {increment} END",
        f"CREATE TRIGGER posts_count_delete AFTER DELETE ON posts BEGIN {decrement} END",
        f"CREATE TRIGGER posts_count_update AFTER UPDATE OF {KEY_COLUMNS} ON posts "
        f"BEGIN {decrement} {increment} END",
    ]


def up(ctx):
    ctx.execute(ctx.ddl(TABLE_DDL))
    if ctx.postgres:       # the owner is subject to FORCE RLS too: lift it for the seeding count only
        ctx.execute("ALTER TABLE posts NO FORCE ROW LEVEL SECURITY")
        ctx.execute(SEED_COUNTS)
        ctx.execute("ALTER TABLE posts FORCE ROW LEVEL SECURITY")
    else:
        ctx.execute(SEED_COUNTS)
    if ctx.postgres:                                    # PostgreSQL: function, trigger, RLS
        ctx.execute(PG_FUNCTION)
        ctx.execute(f"CREATE TRIGGER posts_keep_counts AFTER INSERT OR DELETE OR UPDATE OF {KEY_COLUMNS} "
                    f"ON posts FOR EACH ROW EXECUTE FUNCTION posts_keep_counts()")
        isolation = importlib.import_module("migrations.0002_isolate_tenants")
        isolation.isolate_tenant_table(ctx, "post_counts", privileges="SELECT, INSERT, UPDATE")
    else:
        for statement in _sqlite_triggers():
            ctx.execute(statement)


def down(ctx):
    if ctx.postgres:
        ctx.execute("DROP TRIGGER IF EXISTS posts_keep_counts ON posts")
        ctx.execute("DROP FUNCTION IF EXISTS posts_keep_counts()")
    else:
        for name in ("insert", "delete", "update"):
            ctx.execute(f"DROP TRIGGER IF EXISTS posts_count_{name}")
    ctx.execute("DROP TABLE IF EXISTS post_counts")
