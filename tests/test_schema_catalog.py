"""The migrated PostgreSQL schema, read back from the catalog, against the seed's own SQL.

tests/data/seed_schema.sql is parsed here (columns, foreign keys, indexes) and every
fact is checked in information_schema / pg_catalog of one freshly migrated database:
never through the peewee models, which could drift together with the migrations.
The deliberate departures are the ones migrations/0001_create_schema.py documents.
"""

import dataclasses
import datetime
import pathlib
import re
import uuid

import psycopg2
import psycopg2.errors
import pytest

from wpcompat.db import open_database
from wpcompat.migrator import Migrator

from conftest import create_postgres_database, drop_postgres_database, postgres_url

SEED_SQL = pathlib.Path(__file__).parent / "data" / "seed_schema.sql"

# migrations/0001_create_schema.py: these seed indexes gained trailing key columns.
WIDENED_INDEXES = {"idx_users_email", "categories_slug_tenant_id_index", "categories_name_tenant_id_index"}
# Documented in migrations/0003: drafts have empty slugs, any number of them.
PARTIAL_INDEXES = {"posts_slug_tenant_id_index": "slug <> ''"}
# Documented in migrations/0013: seed indexes that are the first column of another (each row written paid for them).
DROPPED_INDEXES = {"idx_posts_tenant_id", "idx_audit_trail_user_id"}
# DESIGN: the seed's 'published' status is WordPress's 'publish'.
SEED_VALUE_RENAMES = {"'published'": "'publish'"}

SEED_TYPES = {   # seed type -> (information_schema.columns.data_type, character_maximum_length)
    "TEXT": ("text", None), "UUID": ("uuid", None), "BOOLEAN": ("boolean", None),
    "INTEGER": ("integer", None), "BIGINT": ("bigint", None), "JSONB": ("jsonb", None),
    "TIMESTAMP": ("timestamp without time zone", None),
}
ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


# -- the seed's SQL ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class SeedColumn:
    table: str
    name: str
    type: str                  # as written: VARCHAR(255), TEXT, ...
    not_null: bool
    primary_key: bool
    unique: bool
    default: str | None        # the literal as written: 'draft', false, 0, gen_random_uuid()
    references: tuple | None   # (table, column)
    on_delete: str | None      # SET NULL, CASCADE, ... (None: not given)


@dataclasses.dataclass(frozen=True)
class SeedIndex:
    name: str
    table: str
    unique: bool
    columns: tuple             # column names, in key order
    descending: tuple          # the columns written with DESC
    where: str | None


COLUMN = re.compile(
    r"^(?P<name>\w+)\s+(?P<type>VARCHAR\s*\(\s*\d+\s*\)|TEXT|UUID|BOOLEAN|INTEGER|BIGINT|TIMESTAMP|JSONB)(?=\s|$)"
    r"(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
DEFAULT = re.compile(r"\bDEFAULT\s+('(?:[^']|'')*'|[\w.]+(?:\(\s*\))?)", re.IGNORECASE)
REFERENCES = re.compile(r"\bREFERENCES\s+(\w+)\s*\(\s*(\w+)\s*\)"
                        r"(?:\s+ON\s+DELETE\s+(SET\s+NULL|SET\s+DEFAULT|CASCADE|RESTRICT|NO\s+ACTION))?",
                        re.IGNORECASE)
CREATE_TABLE = re.compile(r"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\((.*?)\)\s*;", re.IGNORECASE | re.DOTALL)
CREATE_INDEX = re.compile(
    r"\bCREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+ON\s+(\w+)\s*\(([^;]*?)\)"
    r"\s*(?:WHERE\s+([^;]*?))?\s*;", re.IGNORECASE | re.DOTALL)


def strip_comments(sql):
    """Drop `-- ...` to the end of the line (the seed has no `--` inside string literals)."""
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def split_top_level(body):
    """Split a CREATE TABLE body on the commas outside parentheses."""
    parts, depth, current = [], 0, []
    for char in body:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [" ".join(part.split()) for part in parts if part.strip()]


def parse_seed(sql):
    """({table: {column: SeedColumn}}, {index name: SeedIndex}) of the seed's SQL."""
    sql = strip_comments(sql)
    tables = {}
    for match in CREATE_TABLE.finditer(sql):
        table = match.group(1).lower()
        columns = {}
        for definition in split_top_level(match.group(2)):
            if re.match(r"(CONSTRAINT|PRIMARY\s+KEY|UNIQUE|FOREIGN\s+KEY|CHECK)\b", definition, re.I):
                continue       # table constraints: the seed has none inside its CREATE TABLEs
            column = COLUMN.match(definition)
            assert column, f"unparsed column definition in {table}: {definition!r}"
            rest = column.group("rest")
            default = DEFAULT.search(rest)
            references = REFERENCES.search(rest)
            name = column.group("name").lower()
            seed_column = SeedColumn(
                table=table, name=name, type=re.sub(r"\s+", "", column.group("type").upper()),
                not_null=bool(re.search(r"\bNOT\s+NULL\b", rest, re.I)),
                primary_key=bool(re.search(r"\bPRIMARY\s+KEY\b", rest, re.I)),
                unique=bool(re.search(r"\bUNIQUE\b", rest, re.I)),
                default=default.group(1) if default else None,
                references=(references.group(1).lower(), references.group(2).lower()) if references else None,
                on_delete=" ".join(references.group(3).upper().split())
                if references and references.group(3) else None)
            if table in tables and name in tables[table]:
                assert tables[table][name] == seed_column, f"{table}.{name} defined twice, differently"
            columns[name] = seed_column
        if table in tables:
            assert tables[table] == columns, f"table {table} defined twice, differently"
        tables[table] = columns
    indexes = {}
    for match in CREATE_INDEX.finditer(sql):
        unique, name, table, keys, where = match.groups()
        columns, descending = [], []
        for key in split_top_level(keys):
            key_match = re.fullmatch(r"(\w+)(?:\s+(ASC|DESC))?(?:\s+NULLS\s+(?:FIRST|LAST))?", key, re.I)
            assert key_match, f"unparsed key {key!r} of index {name}"
            columns.append(key_match.group(1).lower())
            if (key_match.group(2) or "").upper() == "DESC":
                descending.append(key_match.group(1).lower())
        index = SeedIndex(name=name.lower(), table=table.lower(), unique=bool(unique), columns=tuple(columns),
                          descending=tuple(descending),
                          where=" ".join(where.split()) if where else None)
        if index.name in indexes:   # the seed repeats a few statements: they must agree
            assert indexes[index.name] == index, f"index {index.name} defined twice, differently"
        indexes[index.name] = index
    return tables, indexes


SEED_TABLES, SEED_INDEXES = parse_seed(SEED_SQL.read_text(encoding="utf-8"))
SEED_COLUMNS = [column for table in SEED_TABLES.values() for column in table.values()]
SEED_FOREIGN_KEYS = [column for column in SEED_COLUMNS if column.references]


def test_the_seed_parses_into_its_seven_tables_and_their_indexes():
    """Guards the parser: a regex that silently matched nothing would make every check below vacuous."""
    assert set(SEED_TABLES) == {"users", "posts", "categories", "media", "custom_fields", "workflow_states",
                                "audit_trail"}
    assert len(SEED_COLUMNS) == 111
    assert SEED_TABLES["posts"]["author_id"] == SeedColumn(
        "posts", "author_id", "UUID", True, False, False, None, ("users", "id"), "SET NULL")
    assert SEED_TABLES["users"]["email"].unique
    assert SEED_TABLES["workflow_states"]["medical_claims"].default == "'{}'"
    assert len(SEED_FOREIGN_KEYS) == 6
    assert len(SEED_INDEXES) == 43
    assert SEED_INDEXES["idx_posts_tenant_status"].columns == ("tenant_id", "status", "published_at")
    assert SEED_INDEXES["idx_posts_published"].where == "status = 'published' AND deleted_at IS NULL"
    assert SEED_INDEXES["posts_slug_tenant_id_index"].unique


# -- one freshly migrated database ------------------------------------------------------------

@dataclasses.dataclass
class Catalog:
    connection: object     # psycopg2, autocommit, as the superuser postgres
    database: str
    role: str

    def rows(self, sql, params=None):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def value(self, sql, params=None):
        (row,) = self.rows(sql, params)
        return row[0]


@pytest.fixture(scope="module")
def catalog():
    name, role = create_postgres_database(prefix="wpcompat_cat")
    database = connection = None
    try:
        database = open_database(postgres_url(name), pool_size=1)
        Migrator(database, role).migrate()
        database.close_all()
        connection = psycopg2.connect(postgres_url(name))
        connection.autocommit = True
        yield Catalog(connection, name, role)
    finally:
        if connection is not None:
            connection.close()
        if database is not None:
            database.close_all()
        drop_postgres_database(name, role)


@pytest.fixture(scope="module")
def columns(catalog):
    """{(table, column): (data_type, character_maximum_length, is_nullable, column_default)}"""
    return {(table, column): rest for table, column, *rest in catalog.rows(
        "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = current_schema()")}


@dataclasses.dataclass(frozen=True)
class RealIndex:
    table: str
    unique: bool
    keys: tuple          # pg_get_indexdef(index, n, true) per key: a column name or an expression
    predicate: str | None
    indexdef: str


@pytest.fixture(scope="module")
def indexes(catalog):
    rows = catalog.rows("""
        SELECT ic.relname, tc.relname, i.indisunique,
               ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                     FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k),
               pg_get_expr(i.indpred, i.indrelid), pi.indexdef
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class tc ON tc.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = tc.relnamespace
        JOIN pg_indexes pi ON pi.schemaname = n.nspname AND pi.indexname = ic.relname
        WHERE n.nspname = current_schema()""")
    return {name: RealIndex(table, unique, tuple(keys), predicate, indexdef)
            for name, table, unique, keys, predicate, indexdef in rows}


# -- columns -----------------------------------------------------------------------------------

def expected_type(seed_type):
    varchar = re.fullmatch(r"VARCHAR\((\d+)\)", seed_type)
    if varchar:
        return "character varying", int(varchar.group(1))
    return SEED_TYPES[seed_type]


@pytest.mark.parametrize("seed", SEED_COLUMNS, ids=lambda c: f"{c.table}.{c.name}")
def test_every_seed_column_exists_with_its_type_nullability_and_default(seed, columns):
    assert (seed.table, seed.name) in columns, f"{seed.table}.{seed.name} is missing"
    data_type, max_length, is_nullable, column_default = columns[(seed.table, seed.name)]
    assert (data_type, max_length) == expected_type(seed.type)
    assert is_nullable == ("NO" if seed.not_null or seed.primary_key else "YES")
    if seed.default is not None:
        assert column_default is not None, f"{seed.table}.{seed.name} lost its DEFAULT {seed.default}"
        assert seed.default.lower() in column_default.lower()


@pytest.mark.parametrize("seed", SEED_FOREIGN_KEYS, ids=lambda c: f"{c.table}.{c.name}")
def test_every_seed_foreign_key_exists_with_its_on_delete_rule(seed, catalog):
    rows = catalog.rows("""
        SELECT ft.relname, fa.attname, c.confdeltype
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_class ft ON ft.oid = c.confrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
          AND c.connamespace = current_schema()::regnamespace
          AND t.relname = %s AND a.attname = %s""", (seed.table, seed.name))
    assert [(table, column, ON_DELETE[rule]) for table, column, rule in rows] == \
        [(*seed.references, seed.on_delete or "NO ACTION")]


def test_the_referential_constraints_view_agrees(catalog):
    """The same rules through information_schema (the standard view of them)."""
    rows = catalog.rows("""
        SELECT k.table_name, k.column_name, r.delete_rule
        FROM information_schema.referential_constraints r
        JOIN information_schema.key_column_usage k
          ON k.constraint_schema = r.constraint_schema AND k.constraint_name = r.constraint_name
        WHERE r.constraint_schema = current_schema()""")
    real = {(table, column): rule for table, column, rule in rows}
    for seed in SEED_FOREIGN_KEYS:
        assert real.get((seed.table, seed.name)) == (seed.on_delete or "NO ACTION"), f"{seed.table}.{seed.name}"


# -- indexes -----------------------------------------------------------------------------------

def normalise_predicate(text):
    """`((status)::text = 'publish'::text) AND ...` -> `status = 'publish' and ...`"""
    text = re.sub(r"::(?:character varying|timestamp without time zone|\w+)", "", text)
    return " ".join(text.replace("(", " ").replace(")", " ").split()).lower()


@pytest.mark.parametrize("seed", SEED_INDEXES.values(), ids=lambda index: index.name)
def test_every_seed_index_exists_with_its_uniqueness_and_columns(seed, indexes):
    if seed.name in DROPPED_INDEXES:
        assert seed.name not in indexes, f"index {seed.name} was dropped by migrations/0013"
        return
    assert seed.name in indexes, f"index {seed.name} is missing"
    real = indexes[seed.name]
    assert real.table == seed.table
    assert real.unique == seed.unique
    if seed.name in WIDENED_INDEXES:    # a documented departure: the seed's key, then more
        assert real.keys[:len(seed.columns)] == seed.columns
        assert len(real.keys) > len(seed.columns)
    else:
        assert real.keys == seed.columns
    for column in seed.descending:
        assert f"{column} DESC" in real.indexdef
    if seed.name in PARTIAL_INDEXES:
        assert normalise_predicate(real.predicate) == normalise_predicate(PARTIAL_INDEXES[seed.name])
    elif seed.where is None:
        assert real.predicate is None
    else:
        where = seed.where
        for seed_value, value in SEED_VALUE_RENAMES.items():
            where = where.replace(seed_value, value)
        assert real.predicate is not None, f"{seed.name} is not partial"
        assert normalise_predicate(real.predicate) == normalise_predicate(where)


def test_the_departures_are_the_documented_ones(indexes):
    assert indexes["idx_users_email"].keys == ("email", "tenant_id")
    assert indexes["categories_slug_tenant_id_index"].keys == ("slug", "tenant_id", "taxonomy")
    name_index = indexes["categories_name_tenant_id_index"]
    assert name_index.keys[:3] == ("name", "tenant_id", "taxonomy")
    assert "parent_id" in name_index.keys[3] and "coalesce" in name_index.keys[3].lower()
    assert all(index.unique for name, index in indexes.items() if name in WIDENED_INDEXES)


def test_the_posts_listing_indexes(indexes):
    tenant_status = indexes["idx_posts_tenant_status"]
    assert tenant_status.keys == ("tenant_id", "status", "published_at")
    assert "(tenant_id, status, published_at DESC)" in tenant_status.indexdef
    published = indexes["idx_posts_published"]
    assert published.keys == ("published_at",) and "published_at DESC" in published.indexdef
    assert "'publish'" in published.predicate and "'published'" not in published.predicate
    assert "deleted_at IS NULL" in published.predicate
    assert "published_at DESC" in indexes["idx_posts_published_at"].indexdef


def test_seed_unique_columns_have_a_unique_index_led_by_them(indexes):
    """The seed's inline UNIQUE (users.email) is idx_users_email, widened to the tenant."""
    for seed in (column for column in SEED_COLUMNS if column.unique):
        assert any(index.unique and index.table == seed.table and index.keys[0] == seed.name
                   for index in indexes.values()), f"{seed.table}.{seed.name}"


# -- types and keys ----------------------------------------------------------------------------

def test_json_columns_are_jsonb(columns):
    for table, column in [("workflow_states", "medical_claims"), ("workflow_states", "scientific_references"),
                          ("workflow_states", "compliance_validations"), ("audit_trail", "metadata"),
                          ("media", "metadata"), ("tenants", "options"), ("revisions", "field_values")]:
        assert columns[(table, column)][0] == "jsonb", f"{table}.{column}"


def test_every_table_has_a_uuid_primary_key(catalog):
    tables = {name for (name,) in catalog.rows(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace")}
    assert set(SEED_TABLES) <= tables
    keys = catalog.rows("""
        SELECT t.relname, array_agg(a.attname ORDER BY a.attnum), array_agg(format_type(a.atttypid, a.atttypmod))
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
        WHERE c.contype = 'p' AND c.connamespace = current_schema()::regnamespace
        GROUP BY t.relname""")
    primary = {table: (names, types) for table, names, types in keys}
    # the migrator's ledger is keyed by version; post_counts (0006) by the dimensions it counts;
    # content_generations (0011) by its tenant
    for table in tables - {"schema_migrations", "post_counts", "content_generations"}:
        assert primary.get(table) == (["id"], ["uuid"]), table


# -- row-level security --------------------------------------------------------------------------

def test_every_tenant_table_has_forced_rls_and_a_tenant_policy(catalog, columns):
    tenant_tables = {table for table, column in columns if column == "tenant_id"} - {"tenants", "tenant_hosts"}
    assert set(SEED_TABLES) <= tenant_tables | {"tenants"}
    flags = {table: (enabled, forced) for table, enabled, forced in catalog.rows(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
        "WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace")}
    policies = catalog.rows("SELECT tablename, qual, with_check FROM pg_policies "
                            "WHERE schemaname = current_schema()")
    for table in sorted(tenant_tables):
        assert flags[table] == (True, True), f"{table}: RLS enabled/forced"
        assert any(name == table and qual and check
                   and "current_setting('app.tenant_id'" in qual and "current_setting('app.tenant_id'" in check
                   for name, qual, check in policies), f"{table}: no tenant policy"


# -- the app role ------------------------------------------------------------------------------

def test_the_app_role_is_a_plain_login_role_that_owns_nothing(catalog):
    assert catalog.rows("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s",
                        (catalog.role,)) == [(False, False, True)]
    assert catalog.value("SELECT count(*) FROM pg_class WHERE relowner = "
                         "(SELECT oid FROM pg_roles WHERE rolname = %s)", (catalog.role,)) == 0


def privileges(catalog, table):
    return {privilege for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
                                        "TRIGGER")
            if catalog.value("SELECT has_table_privilege(%s, %s, %s)", (catalog.role, table, privilege))}


def test_the_app_role_has_least_privilege(catalog):
    assert privileges(catalog, "audit_trail") == {"SELECT", "INSERT"}
    tenants = privileges(catalog, "tenants")
    assert "SELECT" in tenants and not tenants & {"INSERT", "DELETE", "TRUNCATE"}
    assert privileges(catalog, "tenant_hosts") == {"SELECT"}


# -- the append-only audit trail -------------------------------------------------------------------

TRIGGER_ROW, TRIGGER_BEFORE, TRIGGER_DELETE, TRIGGER_UPDATE, TRIGGER_TRUNCATE = 1, 2, 8, 16, 32


def test_the_audit_trail_has_triggers_against_update_delete_and_truncate(catalog):
    triggers = catalog.rows("SELECT tgtype, tgenabled FROM pg_trigger "
                            "WHERE tgrelid = 'audit_trail'::regclass AND NOT tgisinternal")
    enabled = [tgtype for tgtype, state in triggers if state in ("O", "A")]
    for event in (TRIGGER_UPDATE, TRIGGER_DELETE, TRIGGER_TRUNCATE):
        assert any(tgtype & event and tgtype & TRIGGER_BEFORE for tgtype in enabled), event


@pytest.fixture
def audit_row(catalog):
    row_id = uuid.uuid4()
    with catalog.connection.cursor() as cursor:   # as postgres, a superuser: RLS does not apply
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (True,)
        cursor.execute(
            "INSERT INTO audit_trail (id, operation, resource_type, resource_id, tenant_id, user_id, created_at) "
            "VALUES (%s, 'read', 'post', %s, %s, %s, %s)",
            (str(row_id), str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()),
             datetime.datetime(2026, 1, 2, 3, 4, 5)))
    return str(row_id)


@pytest.mark.parametrize("operation, statement", [
    ("UPDATE", "UPDATE audit_trail SET operation = 'delete' WHERE id = %s"),
    ("DELETE", "DELETE FROM audit_trail WHERE id = %s"),
    ("TRUNCATE", "TRUNCATE audit_trail"),
], ids=["update", "delete", "truncate"])
def test_the_triggers_fire_even_for_the_superuser(operation, statement, catalog, audit_row):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match=f"append-only: {operation} is not allowed"):
        with catalog.connection.cursor() as cursor:
            cursor.execute(statement, (audit_row,) if "%s" in statement else None)
    assert catalog.rows("SELECT operation FROM audit_trail WHERE id = %s", (audit_row,)) == [("read",)]
