"""Row-level security on PostgreSQL, proven as the app role with raw SQL (no WHERE, no ORM)."""

import datetime
import uuid

import psycopg2
import psycopg2.errors
import pytest

from wpcompat.db import bind, tenant_scope
from wpcompat.models import (AcfField, AcfFieldGroup, AuditTrail, Comment, CustomField, LoginFailure, Media,
                             MediaCustomField, OptionCustomField, PostTerm, TermCustomField, UserCustomField,
                             WorkflowState)

from conftest import make_site

TENANT_TABLES = ("users", "app_passwords", "categories", "posts", "post_terms", "media", "custom_fields",
                 "workflow_states", "wp_id_sequences", "audit_trail", "post_counts", "acf_field_groups", "acf_fields",
                 "term_custom_fields", "user_custom_fields", "media_custom_fields", "option_custom_fields",
                 "comments", "login_failures")


def add_every_kind_of_row(site):
    """Rows in the tables make_site does not fill."""
    with tenant_scope(site.id):
        PostTerm.create(post=site.post.id, term=site.term.id)
        media = Media.create(filename=f"{site.tenant.slug}/2026/11/x-ray.png", original_filename="x-ray.png",
                             mime_type="image/png", file_size=10, uploaded_by=site.admin.id, wp_id=9000)
        CustomField.create(post=site.post.id, meta_key="evidence_level", meta_value="1")
        group = AcfFieldGroup.create(key="group_clinical", title="Clinical")
        AcfField.create(key="field_evidence", group=group.id, name="evidence_level", type="select")
        TermCustomField.create(term=site.term.id, meta_key="specialty_code", meta_value="CARD")
        UserCustomField.create(user=site.admin.id, meta_key="author_crm", meta_value="CRM/SP 123456")
        MediaCustomField.create(media=media.id, meta_key="modality", meta_value="x-ray")
        OptionCustomField.create(option_page="options", meta_key="clinic_phone", meta_value="+55 11 5555-0000")
        WorkflowState.create(content_id=site.post.id, current_stage="S.1.1")
        Comment.create(wp_id=1, post=site.post.id, status="approved", content="Ótimo",
                       date_local=datetime.datetime(2026, 1, 1), date_gmt=datetime.datetime(2026, 1, 1))
        AuditTrail.create(operation="read", resource_type="post", resource_id=site.post.id,
                          user_id=site.admin.id)
        LoginFailure.create(kind="login", subject="guess", failed_at=datetime.datetime(2026, 1, 1))


@pytest.fixture(scope="module")
def two_tenants(postgres_engine):
    bind(postgres_engine.database)
    a, b = make_site(postgres_engine, "rls-a"), make_site(postgres_engine, "rls-b")
    for site in (a, b):
        add_every_kind_of_row(site)
    return a, b


@pytest.fixture
def as_app_role(postgres_engine):
    """A plain psycopg2 connection as the app role: not superuser, not owner, no BYPASSRLS."""
    connection = psycopg2.connect(postgres_engine.app_url)
    yield connection
    connection.close()


def in_tenant(connection, tenant_id, sql, params=()):
    """Run `sql` in a transaction whose tenant is `tenant_id` (None: unset). Returns all rows or rowcount."""
    with connection:
        with connection.cursor() as cursor:
            if tenant_id is not None:
                cursor.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount


def test_the_app_role_cannot_bypass_rls(as_app_role):
    row = in_tenant(as_app_role, None, "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert row == [(False, False)]
    owned = in_tenant(as_app_role, None, "SELECT count(*) FROM pg_class WHERE relowner = "
                                         "(SELECT oid FROM pg_roles WHERE rolname = current_user)")
    assert owned == [(0,)]


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_unfiltered_select_returns_only_the_current_tenants_rows(two_tenants, as_app_role, table):
    a, b = two_tenants
    rows_a = in_tenant(as_app_role, a.id, f"SELECT tenant_id FROM {table}")
    rows_b = in_tenant(as_app_role, b.id, f"SELECT tenant_id FROM {table}")
    assert rows_a and {str(r[0]) for r in rows_a} == {str(a.id)}
    assert rows_b and {str(r[0]) for r in rows_b} == {str(b.id)}


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_no_tenant_set_means_no_rows(two_tenants, as_app_role, table):
    assert in_tenant(as_app_role, None, f"SELECT * FROM {table}") == []


def test_an_empty_tenant_setting_also_means_no_rows(two_tenants, as_app_role):
    """Once used in a session, current_setting returns '' rather than NULL; the policy copes."""
    in_tenant(as_app_role, two_tenants[0].id, "SELECT 1")
    assert in_tenant(as_app_role, None, "SELECT current_setting('app.tenant_id', true)") in ([("",)], [(None,)])
    assert in_tenant(as_app_role, None, "SELECT * FROM posts") == []


INSERT_AND_DELETE_ONLY = ("login_failures",)          # the app role may not UPDATE them at all


@pytest.mark.parametrize("table", [t for t in TENANT_TABLES
                                   if t not in ("audit_trail", "post_counts") + INSERT_AND_DELETE_ONLY])
def test_rows_of_another_tenant_cannot_be_updated_or_deleted(two_tenants, as_app_role, table):
    a, b = two_tenants
    assert in_tenant(as_app_role, a.id, f"UPDATE {table} SET tenant_id = tenant_id WHERE tenant_id = %s",
                     (str(b.id),)) == 0
    assert in_tenant(as_app_role, a.id, f"DELETE FROM {table} WHERE tenant_id = %s", (str(b.id),)) == 0
    assert in_tenant(as_app_role, b.id, f"SELECT count(*) FROM {table}")[0][0] > 0


@pytest.mark.parametrize("table", INSERT_AND_DELETE_ONLY)
def test_insert_and_delete_only_tables_refuse_updates_and_keep_other_tenants_rows(two_tenants, as_app_role, table):
    a, b = two_tenants
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
        in_tenant(as_app_role, a.id, f"UPDATE {table} SET tenant_id = %s", (str(b.id),))
    assert in_tenant(as_app_role, a.id, f"DELETE FROM {table} WHERE tenant_id = %s", (str(b.id),)) == 0
    assert in_tenant(as_app_role, b.id, f"SELECT count(*) FROM {table}")[0][0] > 0


@pytest.mark.parametrize("table", [t for t in TENANT_TABLES if t not in ("audit_trail",) + INSERT_AND_DELETE_ONLY])
def test_moving_a_row_into_another_tenant_is_rejected(two_tenants, as_app_role, table):
    a, b = two_tenants
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
        in_tenant(as_app_role, a.id, f"UPDATE {table} SET tenant_id = %s", (str(b.id),))


INSERTS = {
    "posts": ("INSERT INTO posts (id, title, slug, author_id, tenant_id, inserted_at, updated_at, wp_id) "
              "VALUES (%(id)s, 'planted', %(id)s, %(user)s, %(tenant)s, now(), now(), 777)"),
    "categories": ("INSERT INTO categories (id, name, slug, tenant_id, inserted_at, updated_at, wp_id) "
                   "VALUES (%(id)s, 'planted', %(id)s, %(tenant)s, now(), now(), 777)"),
    "users": ("INSERT INTO users (id, email, password_hash, tenant_id, created_at, updated_at, wp_id, login, "
              "nicename) VALUES (%(id)s, 'x@example.org', '!', %(tenant)s, now(), now(), 777, 'planted', 'p')"),
    "audit_trail": ("INSERT INTO audit_trail (id, operation, resource_type, resource_id, tenant_id, user_id, "
                    "created_at) VALUES (%(id)s, 'read', 'post', %(id)s, %(tenant)s, %(user)s, now())"),
    "wp_id_sequences": ("INSERT INTO wp_id_sequences (id, tenant_id, kind, next_value) "
                        "VALUES (%(id)s, %(tenant)s, 'comment', 1)"),
    "login_failures": ("INSERT INTO login_failures (id, tenant_id, kind, subject, failed_at) "
                       "VALUES (%(id)s, %(tenant)s, 'login', 'planted', now())"),
}


@pytest.mark.parametrize("table", sorted(INSERTS))
def test_inserting_a_row_for_another_tenant_is_rejected(two_tenants, as_app_role, table):
    a, b = two_tenants
    params = {"id": str(uuid.uuid4()), "tenant": str(b.id), "user": str(a.admin.id)}
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
        in_tenant(as_app_role, a.id, INSERTS[table], params)
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
        in_tenant(as_app_role, None, INSERTS[table], params)


@pytest.mark.parametrize("table", sorted(INSERTS))
def test_inserting_into_the_current_tenant_works(two_tenants, as_app_role, table):
    a, _b = two_tenants
    params = {"id": str(uuid.uuid4()), "tenant": str(a.id), "user": str(a.admin.id)}
    with as_app_role:
        with as_app_role.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", (str(a.id),))
            cursor.execute(INSERTS[table], params)
            assert cursor.rowcount == 1
            as_app_role.rollback()


def test_an_admin_without_tenant_reads_nothing(postgres_engine, two_tenants, as_app_role):
    """'Admin blind': a user row with tenant_id NULL, and a session with no tenant, see no data."""
    admin_id = str(uuid.uuid4())
    owner = psycopg2.connect(postgres_engine.url)
    with owner, owner.cursor() as cursor:
        cursor.execute("INSERT INTO users (id, email, password_hash, role, tenant_id, created_at, updated_at, "
                       "wp_id, login, nicename) VALUES (%s, 'root@platform.test', '!', 'administrator', NULL, "
                       "now(), now(), 1, 'platform-admin', 'platform-admin')", (admin_id,))
    owner.close()
    for table in TENANT_TABLES:
        assert in_tenant(as_app_role, None, f"SELECT * FROM {table}") == []
    for site in two_tenants:
        assert in_tenant(as_app_role, site.id, "SELECT id FROM users WHERE id = %s", (admin_id,)) == []


@pytest.mark.parametrize("statement", ["UPDATE audit_trail SET operation = 'forged'", "DELETE FROM audit_trail",
                                       "TRUNCATE audit_trail"])
def test_the_audit_trail_cannot_be_changed_by_the_app(two_tenants, as_app_role, statement):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        in_tenant(as_app_role, two_tenants[0].id, statement)


def test_tenant_setting_is_transaction_local_on_a_reused_connection(two_tenants, as_app_role):
    a, _b = two_tenants
    assert in_tenant(as_app_role, a.id, "SELECT count(*) FROM posts")[0][0] >= 1
    # Same connection, next transaction, nothing set: the tenant did not survive the commit.
    assert in_tenant(as_app_role, None, "SELECT count(*) FROM posts") == [(0,)]
