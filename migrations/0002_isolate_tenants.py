"""Tenant isolation and the append-only audit trail.

PostgreSQL only (marked below): the app role (LOGIN, NOSUPERUSER, NOBYPASSRLS,
owns nothing) with least privilege, and row-level security ENABLED and FORCED
on every tenant table, with one policy for USING and WITH CHECK. Both engines:
triggers that reject UPDATE and DELETE on audit_trail for everyone.
"""

from wpcompat.migrator import MigrationRefused

TENANT_TABLES = ("users", "app_passwords", "categories", "posts", "post_terms", "media",
                 "custom_fields", "workflow_states", "wp_id_sequences")

TENANT_ID = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"

PG_APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_trail_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_trail is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$"""


def isolate_tenant_table(ctx, table, privileges="SELECT, INSERT, UPDATE, DELETE"):
    """PostgreSQL: grant `privileges` to the app role and force the tenant policy on `table`.

    Later migrations that add tenant tables call this too.
    """
    role = ctx.app_role
    ctx.execute(f"GRANT {privileges} ON {table} TO {role}")
    ctx.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    ctx.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    ctx.execute(f"CREATE POLICY tenant_isolation ON {table} FOR ALL "
                f"USING (tenant_id = {TENANT_ID}) WITH CHECK (tenant_id = {TENANT_ID})")


def release_tenant_table(ctx, table):
    ctx.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    ctx.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    ctx.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    ctx.execute(f"REVOKE ALL ON {table} FROM {ctx.app_role}")


def _create_app_role(ctx):
    role = ctx.app_role
    existing = ctx.execute("SELECT rolsuper, rolbypassrls, rolname = current_user FROM pg_roles "
                           "WHERE rolname = %s", (role,)).fetchone()
    if existing and any(existing):
        # Never demote (or hand RLS rights to) a role that is not the app's own: refuse instead.
        raise MigrationRefused(f"WPCOMPAT_APP_ROLE={role!r} names a superuser, a BYPASSRLS role or the "
                           f"migrating role itself; name a role of its own for the app")
    ctx.execute(f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
    CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
END
$$""")
    # A role that existed already is brought to the same safe shape.
    ctx.execute(f"ALTER ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION")
    if ctx.app_role_password:
        ctx.execute(f"ALTER ROLE {role} PASSWORD %s", (ctx.app_role_password,))
    ctx.execute(f"GRANT USAGE ON SCHEMA {ctx.schema} TO {role}")


def _postgres_up(ctx):
    role = ctx.app_role
    _create_app_role(ctx)
    for table in TENANT_TABLES:
        isolate_tenant_table(ctx, table)
    # audit_trail: the app may add and read rows, nothing else.
    isolate_tenant_table(ctx, "audit_trail", privileges="SELECT, INSERT")
    # tenants: readable without a tenant context (Host lookup); only the current
    # tenant's settings row may be updated; rows are created by the owner.
    ctx.execute(f"GRANT SELECT, UPDATE ON tenants TO {role}")
    ctx.execute("ALTER TABLE tenants ENABLE ROW LEVEL SECURITY")
    ctx.execute("CREATE POLICY tenant_directory ON tenants FOR SELECT USING (true)")
    ctx.execute(f"CREATE POLICY tenant_settings ON tenants FOR UPDATE "
                f"USING (id = {TENANT_ID}) WITH CHECK (id = {TENANT_ID})")
    ctx.execute(f"GRANT SELECT ON tenant_hosts TO {role}")
    ctx.execute(PG_APPEND_ONLY_FUNCTION)
    ctx.execute("CREATE TRIGGER audit_trail_no_change BEFORE UPDATE OR DELETE ON audit_trail "
                "FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only()")
    ctx.execute("CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_append_only()")


def _postgres_down(ctx):
    role = ctx.app_role
    ctx.execute("DROP TRIGGER IF EXISTS audit_trail_no_truncate ON audit_trail")
    ctx.execute("DROP TRIGGER IF EXISTS audit_trail_no_change ON audit_trail")
    ctx.execute("DROP FUNCTION IF EXISTS audit_trail_append_only()")
    ctx.execute("DROP POLICY IF EXISTS tenant_settings ON tenants")
    ctx.execute("DROP POLICY IF EXISTS tenant_directory ON tenants")
    ctx.execute("ALTER TABLE tenants DISABLE ROW LEVEL SECURITY")
    ctx.execute(f"REVOKE ALL ON tenants, tenant_hosts FROM {role}")
    for table in TENANT_TABLES + ("audit_trail",):
        release_tenant_table(ctx, table)
    ctx.execute(f"REVOKE USAGE ON SCHEMA {ctx.schema} FROM {role}")
    # The role is cluster-wide and may serve other databases: it is kept, holding nothing here.


def up(ctx):
    if ctx.postgres:                                    # PostgreSQL only
        _postgres_up(ctx)
    else:
        for operation in ("UPDATE", "DELETE"):
            ctx.execute(f"CREATE TRIGGER audit_trail_no_{operation.lower()} BEFORE {operation} "
                        f"ON audit_trail BEGIN SELECT RAISE(ABORT, "
                        f"'audit_trail is append-only: {operation} is not allowed'); END")


def down(ctx):
    if ctx.postgres:                                    # PostgreSQL only
        _postgres_down(ctx)
    else:
        ctx.execute("DROP TRIGGER IF EXISTS audit_trail_no_update")
        ctx.execute("DROP TRIGGER IF EXISTS audit_trail_no_delete")
