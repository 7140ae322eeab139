"""Trigram indexes for WordPress's search (`?search=` is LIKE '%word%' on title, excerpt, content).

PostgreSQL only: pg_trgm is a trusted extension, so the database owner may create it.
SQLite keeps scanning, as a development engine may.
"""

COLUMNS = ("title", "excerpt", "content")


def up(ctx):
    if not ctx.postgres:                                # PostgreSQL only
        return
    ctx.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        ctx.execute(f"CREATE INDEX idx_posts_{column}_trgm ON posts USING gin ({column} gin_trgm_ops)")


def down(ctx):
    if not ctx.postgres:                                # PostgreSQL only
        return
    for column in COLUMNS:
        ctx.execute(f"DROP INDEX IF EXISTS idx_posts_{column}_trgm")
