"""post_counts kept by statement-level triggers on PostgreSQL: one grouped upsert per statement.

0006's row trigger ran one upsert per post written: a 500-post batch of an import paid 500
plpgsql calls and 500 upserts on the same few post_counts rows (about half of the time
PostgreSQL spent inserting posts). These triggers see the statement's rows through transition
tables (NEW TABLE / OLD TABLE; one event per trigger, as transition tables require) and apply
the net change per (tenant, type, status, compliance level) once, in key order (so two writers
lock the count rows in one order). The counts stay exact: +n where rows arrive, -n where they
leave, an update counted as leaving its old key and arriving at its new one (no change: no
write). A missing count row is created by an increase and never by a decrease, as in 0006.
SQLite keeps 0006's row triggers (it has no transition tables).
"""

import importlib

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION posts_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO post_counts AS c (tenant_id, post_type, status, compliance_level, count)
    SELECT tenant_id, COALESCE(post_type, 'post'), COALESCE(status, 'draft'), COALESCE(compliance_level, ''),
           COUNT(*)
    FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, post_type, status, compliance_level) DO UPDATE SET count = c.count + EXCLUDED.count;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE post_counts AS c SET count = c.count - gone.n
    FROM (SELECT tenant_id, COALESCE(post_type, 'post') AS post_type, COALESCE(status, 'draft') AS status,
                 COALESCE(compliance_level, '') AS compliance_level, COUNT(*) AS n
          FROM old_rows GROUP BY 1, 2, 3, 4) AS gone
    WHERE c.tenant_id = gone.tenant_id AND c.post_type = gone.post_type AND c.status = gone.status
      AND c.compliance_level = gone.compliance_level;
  ELSE
    WITH moves AS (
      SELECT tenant_id, post_type, status, compliance_level, SUM(n) AS n FROM (
        SELECT tenant_id, COALESCE(post_type, 'post') AS post_type, COALESCE(status, 'draft') AS status,
               COALESCE(compliance_level, '') AS compliance_level, -1 AS n FROM old_rows
        UNION ALL
        SELECT tenant_id, COALESCE(post_type, 'post'), COALESCE(status, 'draft'), COALESCE(compliance_level, ''), 1
        FROM new_rows) AS both_sides
      GROUP BY 1, 2, 3, 4 HAVING SUM(n) <> 0),
    leaving AS (
      UPDATE post_counts AS c SET count = c.count + moves.n FROM moves
      WHERE moves.n < 0 AND c.tenant_id = moves.tenant_id AND c.post_type = moves.post_type
        AND c.status = moves.status AND c.compliance_level = moves.compliance_level)
    INSERT INTO post_counts AS c (tenant_id, post_type, status, compliance_level, count)
    SELECT tenant_id, post_type, status, compliance_level, n FROM moves WHERE n > 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, post_type, status, compliance_level) DO UPDATE SET count = c.count + EXCLUDED.count;
  END IF;
  RETURN NULL;
END
$$"""

# transition tables allow one event per trigger
PG_TRIGGERS = (
    ("posts_count_insert", "INSERT", "REFERENCING NEW TABLE AS new_rows"),
    ("posts_count_delete", "DELETE", "REFERENCING OLD TABLE AS old_rows"),
    ("posts_count_update", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
)


def up(ctx):
    if not ctx.postgres:                                # PostgreSQL only: SQLite keeps 0006's row triggers
        return
    ctx.execute("DROP TRIGGER IF EXISTS posts_keep_counts ON posts")
    ctx.execute("DROP FUNCTION IF EXISTS posts_keep_counts()")
    ctx.execute(PG_FUNCTION)
    for name, event, transition in PG_TRIGGERS:
        ctx.execute(f"CREATE TRIGGER {name} AFTER {event} ON posts {transition} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION posts_count_rows()")


def down(ctx):
    if not ctx.postgres:                                # PostgreSQL only
        return
    for name, _event, _transition in PG_TRIGGERS:
        ctx.execute(f"DROP TRIGGER IF EXISTS {name} ON posts")
    ctx.execute("DROP FUNCTION IF EXISTS posts_count_rows()")
    counting = importlib.import_module("migrations.0006_count_posts")
    ctx.execute(counting.PG_FUNCTION)
    ctx.execute(f"CREATE TRIGGER posts_keep_counts AFTER INSERT OR DELETE OR UPDATE OF {counting.KEY_COLUMNS} "
                f"ON posts FOR EACH ROW EXECUTE FUNCTION posts_keep_counts()")
