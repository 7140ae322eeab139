"""ACF: field groups and fields per tenant, and the value tables of terms, users, media and options.

Runs on both engines (RLS and grants on PostgreSQL, marked below). DESIGN.md §4: ACF and
meta values of posts and pages live in the seed's `custom_fields`; those of terms, users,
media and site options — which `custom_fields.post_id` (NOT NULL, REFERENCES posts) cannot
point at — live in four sibling tables of the same shape, each with its owner's key and a
unique (owner, meta_key) index, so every ACF location works and every write is an upsert.
Options have no owner row: their owner is the options page id (`options`), and their unique
index leads with tenant_id (DESIGN.md §5: unique indexes include the tenant).

- acf_field_groups: one row per ACF field group (`group_…`), its location rules (ACF's
  OR-list of AND-lists), and the JSON it was imported from (`source`).
- acf_fields: one row per field (`field_…`); sub fields of groups and repeaters point at
  their parent field. Type settings (choices, default_value, return_format, min, max, …)
  are kept as ACF writes them, in `settings`; `validation_rules`, `is_phi`,
  `medical_significance` and `requires_validation` are this project's extensions.
- The JSON columns are TEXT, not JSONB, on purpose: JSONB reorders object keys, and the order
  of a field's `choices` (and of the exported JSON) is meaningful to ACF.
"""

import importlib

VALUE_COLUMNS = """
  id {UUID_PK},
  meta_key VARCHAR(100) NOT NULL,
  meta_value TEXT,
  meta_type VARCHAR(20) DEFAULT 'text',
  medical_significance VARCHAR(20) DEFAULT 'none',
  requires_validation {BOOL} DEFAULT {FALSE},
  validation_rules TEXT,
  is_phi {BOOL} DEFAULT {FALSE},
  field_group VARCHAR(100),
  field_order INTEGER DEFAULT 0,
  is_required {BOOL} DEFAULT {FALSE},"""

VALUE_TABLES = [   # (table, owner column, its DDL, unique key)
    ("term_custom_fields", "term_id", "term_id {UUID} NOT NULL REFERENCES categories(id) ON DELETE CASCADE",
     "term_id, meta_key"),
    ("user_custom_fields", "user_id", "user_id {UUID} NOT NULL REFERENCES users(id) ON DELETE CASCADE",
     "user_id, meta_key"),
    ("media_custom_fields", "media_id", "media_id {UUID} NOT NULL REFERENCES media(id) ON DELETE CASCADE",
     "media_id, meta_key"),
    ("option_custom_fields", "option_page", "option_page VARCHAR(100) NOT NULL",
     "tenant_id, option_page, meta_key"),
]

DEFINITION_TABLES = [
    ("acf_field_groups", """
CREATE TABLE acf_field_groups (
  id {UUID_PK},
  key VARCHAR(100) NOT NULL,
  title VARCHAR(255) NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '[]',
  active {BOOL} NOT NULL DEFAULT {TRUE},
  show_in_rest {BOOL} NOT NULL DEFAULT {FALSE},
  menu_order INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL DEFAULT '{{}}',
  tenant_id {UUID},
  inserted_at {TS} NOT NULL,
  updated_at {TS} NOT NULL
)"""),
    ("acf_fields", """
CREATE TABLE acf_fields (
  id {UUID_PK},
  key VARCHAR(100) NOT NULL,
  group_id {UUID} NOT NULL REFERENCES acf_field_groups(id) ON DELETE CASCADE,
  parent_id {UUID} REFERENCES acf_fields(id) ON DELETE CASCADE,
  name VARCHAR(100) NOT NULL DEFAULT '',
  label VARCHAR(255) NOT NULL DEFAULT '',
  type VARCHAR(30) NOT NULL,
  required {BOOL} NOT NULL DEFAULT {FALSE},
  settings TEXT NOT NULL DEFAULT '{{}}',
  validation_rules TEXT,
  is_phi {BOOL} NOT NULL DEFAULT {FALSE},
  medical_significance VARCHAR(20) NOT NULL DEFAULT 'none',
  requires_validation {BOOL} NOT NULL DEFAULT {FALSE},
  menu_order INTEGER NOT NULL DEFAULT 0,
  tenant_id {UUID},
  inserted_at {TS} NOT NULL,
  updated_at {TS} NOT NULL
)"""),
]

DEFINITION_INDEXES = [
    "CREATE UNIQUE INDEX acf_field_groups_tenant_key_index ON acf_field_groups(tenant_id, key)",
    "CREATE INDEX idx_acf_field_groups_tenant_id ON acf_field_groups(tenant_id)",
    "CREATE UNIQUE INDEX acf_fields_tenant_key_index ON acf_fields(tenant_id, key)",
    "CREATE INDEX idx_acf_fields_group_id ON acf_fields(group_id)",
    "CREATE INDEX idx_acf_fields_parent_id ON acf_fields(parent_id)",
    "CREATE INDEX idx_acf_fields_tenant_id ON acf_fields(tenant_id)",
]


def _value_table_ddl(table, owner_ddl):
    return f"CREATE TABLE {table} ({VALUE_COLUMNS}\n  {owner_ddl},\n  tenant_id {{UUID}},\n" \
           f"  inserted_at {{TS}} NOT NULL,\n  updated_at {{TS}} NOT NULL\n)"


def _value_table_indexes(table, owner, unique_key):
    return [f"CREATE UNIQUE INDEX {table}_owner_meta_key_index ON {table}({unique_key})",
            f"CREATE INDEX idx_{table}_meta_key ON {table}(meta_key)",
            f"CREATE INDEX idx_{table}_field_group ON {table}(field_group)",
            f"CREATE INDEX idx_{table}_is_phi ON {table}(is_phi)",
            f"CREATE INDEX idx_{table}_tenant_id ON {table}(tenant_id)"] + \
        ([f"CREATE INDEX idx_{table}_owner ON {table}({owner})"] if owner == "option_page" else [])


def tables():
    """Every table this migration creates, parents first."""
    return [name for name, _ddl in DEFINITION_TABLES] + [table for table, *_rest in VALUE_TABLES]


def up(ctx):
    for _name, ddl in DEFINITION_TABLES:
        ctx.execute(ctx.ddl(ddl))
    for statement in DEFINITION_INDEXES:
        ctx.execute(statement)
    for table, owner, owner_ddl, unique_key in VALUE_TABLES:
        ctx.execute(ctx.ddl(_value_table_ddl(table, owner_ddl)))
        for statement in _value_table_indexes(table, owner, unique_key):
            ctx.execute(statement)
    if ctx.postgres:                                    # PostgreSQL only: grants and FORCE RLS
        isolation = importlib.import_module("migrations.0002_isolate_tenants")
        for table in tables():
            isolation.isolate_tenant_table(ctx, table)


def down(ctx):
    for table in reversed(tables()):                    # policies and grants go with the tables
        ctx.execute(f"DROP TABLE IF EXISTS {table}")
