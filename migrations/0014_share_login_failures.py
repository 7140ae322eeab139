"""login_failures: the failed-login limiter's record, shared by every worker and every host.

wpcompat/limits.py counts failed logins per (tenant, client IP) and per (tenant, login name) over a
sliding window. Kept only in each worker's memory, N gunicorn workers (or hosts) gave an attacker N
times the limit. Each failure is now also a row here, written with the request's audit rows; a
login attempt is refused while either count in the window is at its cap. A success deletes its
login's rows; a failure deletes the tenant's rows that left the window, so the table stays small.
A tenant table: RLS forced, the app role may select, insert and delete (never update).
"""

import importlib

DDL = """
CREATE TABLE login_failures (
  id {UUID_PK},
  tenant_id {UUID} NOT NULL,
  kind VARCHAR(5) NOT NULL,
  subject VARCHAR(255) NOT NULL,
  failed_at {TS} NOT NULL
)"""

INDEXES = [
    "CREATE INDEX idx_login_failures_subject ON login_failures(tenant_id, kind, subject, failed_at)",
    "CREATE INDEX idx_login_failures_failed_at ON login_failures(tenant_id, failed_at)",   # dropping the expired
]


def up(ctx):
    ctx.execute(ctx.ddl(DDL))
    for statement in INDEXES:
        ctx.execute(statement)
    if ctx.postgres:                                    # PostgreSQL only: grants and FORCE RLS
        importlib.import_module("migrations.0002_isolate_tenants").isolate_tenant_table(
            ctx, "login_failures", privileges="SELECT, INSERT, DELETE")


def down(ctx):
    ctx.execute("DROP TABLE IF EXISTS login_failures")  # its policy and grants go with it
