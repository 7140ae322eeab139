"""The seed's seven tables (spec/healthcare-schema.md) plus what WordPress needs (DESIGN.md §3–4).

Runs on both engines. Departures from the seed, each because real WordPress data
or tenant isolation cannot live with it as written:
- users: `idx_users_email` is UNIQUE on (email, tenant_id), not email alone. One person may
  work for two clinics, and a global unique index would tell tenant A that an email
  exists in tenant B (DESIGN.md §5: unique indexes include tenant_id).
- categories holds the terms of every taxonomy (`taxonomy` column; tags next to
  categories). `categories_slug_tenant_id_index` is UNIQUE on (slug, tenant_id, taxonomy)
  and `categories_name_tenant_id_index` UNIQUE on (name, tenant_id, taxonomy, parent):
  WordPress allows two "Foo" categories under different parents and a tag and a
  category of the same slug.
- posts gain parent_id, menu_order, password, sticky, format, template, guid, local
  dates (date_local, modified_local; published_at/updated_at hold the GMT ones) and
  source_id for idempotent imports. Statuses are WordPress's (`publish`, not `published`).
- media gain slug, guid, metadata (media_details), date_local and source_id.
- Every WordPress-visible table has `wp_id`, unique per tenant; posts and media draw
  theirs from one per-tenant counter (wp_id_sequences, kind 'post').
"""

NIL = "00000000-0000-0000-0000-000000000000"

TABLES = [
    ("tenants", """
CREATE TABLE tenants (
  id {UUID_PK},
  slug VARCHAR(100) NOT NULL,
  name VARCHAR(255) NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  url VARCHAR(500) NOT NULL DEFAULT '',
  timezone_string VARCHAR(64) NOT NULL DEFAULT 'UTC',
  date_format VARCHAR(64) NOT NULL DEFAULT 'F j, Y',
  time_format VARCHAR(64) NOT NULL DEFAULT 'g:i a',
  start_of_week INTEGER NOT NULL DEFAULT 1,
  language VARCHAR(20) NOT NULL DEFAULT 'en_US',
  posts_per_page INTEGER NOT NULL DEFAULT 10,
  default_category INTEGER,
  default_post_format VARCHAR(20) NOT NULL DEFAULT '0',
  use_smilies {BOOL} NOT NULL DEFAULT {TRUE},
  upload_quota_bytes BIGINT,
  options {JSONB} NOT NULL DEFAULT '{{}}',
  created_at {TS} NOT NULL,
  updated_at {TS} NOT NULL
)"""),
    ("tenant_hosts", """
CREATE TABLE tenant_hosts (
  id {UUID_PK},
  tenant_id {UUID} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  host VARCHAR(255) NOT NULL,
  created_at {TS} NOT NULL
)"""),
    ("users", """
CREATE TABLE users (
  id {UUID_PK},
  email VARCHAR(255) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  role VARCHAR(50) NOT NULL DEFAULT 'subscriber',
  mfa_enabled {BOOL} DEFAULT {FALSE},
  professional_registry VARCHAR(100),
  professional_type VARCHAR(50),
  speciality VARCHAR(100),
  validated_at {TS},
  tenant_id {UUID},
  created_at {TS} NOT NULL,
  updated_at {TS} NOT NULL,
  deleted_at {TS},
  deleted_by {UUID},
  wp_id INTEGER NOT NULL,
  login VARCHAR(60) NOT NULL,
  nicename VARCHAR(50) NOT NULL,
  display_name VARCHAR(250) NOT NULL DEFAULT '',
  first_name VARCHAR(100) NOT NULL DEFAULT '',
  last_name VARCHAR(100) NOT NULL DEFAULT '',
  url VARCHAR(500) NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  locale VARCHAR(20) NOT NULL DEFAULT '',
  phi_access {BOOL} NOT NULL DEFAULT {FALSE}
)"""),
    ("categories", """
CREATE TABLE categories (
  id {UUID_PK},
  name VARCHAR(100) NOT NULL,
  slug VARCHAR(100) NOT NULL,
  description TEXT,
  count INTEGER DEFAULT 0,
  parent_id {UUID} REFERENCES categories(id) ON DELETE SET NULL,
  level INTEGER DEFAULT 0,
  medical_specialty VARCHAR(50),
  compliance_required {BOOL} DEFAULT {FALSE},
  crm_validation_required {BOOL} DEFAULT {FALSE},
  tenant_id {UUID},
  inserted_at {TS} NOT NULL,
  updated_at {TS} NOT NULL,
  wp_id INTEGER NOT NULL,
  taxonomy VARCHAR(32) NOT NULL DEFAULT 'category'
)"""),
    ("posts", """
CREATE TABLE posts (
  id {UUID_PK},
  title VARCHAR(255) NOT NULL,
  slug VARCHAR(255) NOT NULL,
  content TEXT,
  excerpt TEXT,
  status VARCHAR(20) DEFAULT 'draft',
  post_type VARCHAR(30) DEFAULT 'post',
  comment_status VARCHAR(10) DEFAULT 'open',
  ping_status VARCHAR(10) DEFAULT 'open',
  meta_description VARCHAR(160),
  meta_keywords VARCHAR(255),
  medical_category VARCHAR(30),
  compliance_level VARCHAR(20),
  requires_crm_validation {BOOL} DEFAULT {FALSE},
  medical_disclaimer TEXT,
  published_at {TS},
  scheduled_at {TS},
  version INTEGER DEFAULT 1,
  deleted_at {TS},
  author_id {UUID} NOT NULL REFERENCES users(id) ON DELETE SET NULL,
  category_id {UUID} REFERENCES categories(id) ON DELETE SET NULL,
  tenant_id {UUID},
  inserted_at {TS} NOT NULL,
  updated_at {TS} NOT NULL,
  wp_id INTEGER NOT NULL,
  parent_id {UUID} REFERENCES posts(id) ON DELETE SET NULL,
  menu_order INTEGER NOT NULL DEFAULT 0,
  password VARCHAR(255) NOT NULL DEFAULT '',
  sticky {BOOL} NOT NULL DEFAULT {FALSE},
  format VARCHAR(20) NOT NULL DEFAULT 'standard',
  template VARCHAR(255) NOT NULL DEFAULT '',
  guid VARCHAR(500) NOT NULL DEFAULT '',
  date_local {TS},
  modified_local {TS},
  source_id BIGINT
)"""),
    ("post_terms", """
CREATE TABLE post_terms (
  id {UUID_PK},
  post_id {UUID} NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  term_id {UUID} NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
  term_order INTEGER NOT NULL DEFAULT 0,
  tenant_id {UUID},
  inserted_at {TS} NOT NULL
)"""),
    ("media", """
CREATE TABLE media (
  id {UUID_PK},
  title VARCHAR(255),
  filename VARCHAR(255) NOT NULL,
  original_filename VARCHAR(255) NOT NULL,
  mime_type VARCHAR(100) NOT NULL,
  file_size BIGINT NOT NULL,
  file_path VARCHAR(500),
  url VARCHAR(500),
  width INTEGER,
  height INTEGER,
  alt_text VARCHAR(255),
  caption TEXT,
  description TEXT,
  attachment_type VARCHAR(20),
  medical_content {BOOL} DEFAULT {FALSE},
  contains_phi {BOOL} DEFAULT {FALSE},
  dicom_metadata TEXT,
  encryption_status VARCHAR(20) DEFAULT 'none',
  access_level VARCHAR(20),
  requires_crm_validation {BOOL} DEFAULT {FALSE},
  uploaded_by_id {UUID} NOT NULL REFERENCES users(id) ON DELETE SET NULL,
  post_id {UUID} REFERENCES posts(id) ON DELETE SET NULL,
  tenant_id {UUID},
  inserted_at {TS} NOT NULL,
  updated_at {TS} NOT NULL,
  wp_id INTEGER NOT NULL,
  slug VARCHAR(255) NOT NULL DEFAULT '',
  guid VARCHAR(500) NOT NULL DEFAULT '',
  metadata {JSONB} NOT NULL DEFAULT '{{}}',
  date_local {TS},
  source_id BIGINT
)"""),
    ("custom_fields", """
CREATE TABLE custom_fields (
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
  is_required {BOOL} DEFAULT {FALSE},
  post_id {UUID} NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  tenant_id {UUID},
  inserted_at {TS} NOT NULL,
  updated_at {TS} NOT NULL
)"""),
    ("workflow_states", """
CREATE TABLE workflow_states (
  id {UUID_PK},
  content_id {UUID} NOT NULL,
  current_stage VARCHAR(50) DEFAULT 'draft',
  lgpd_score INTEGER,
  medical_claims {JSONB} DEFAULT '{{}}',
  scientific_references {JSONB} DEFAULT '{{}}',
  compliance_validations {JSONB} DEFAULT '{{}}',
  tenant_id {UUID} NOT NULL,
  created_at {TS} NOT NULL,
  updated_at {TS} NOT NULL
)"""),
    ("audit_trail", """
CREATE TABLE audit_trail (
  id {UUID_PK},
  operation VARCHAR(50) NOT NULL,
  resource_type VARCHAR(50) NOT NULL,
  resource_id {UUID} NOT NULL,
  tenant_id {UUID} NOT NULL,
  user_id {UUID} NOT NULL,
  metadata {JSONB} DEFAULT '{{}}',
  trust_score INTEGER,
  policy_decision VARCHAR(50),
  created_at {TS} NOT NULL
)"""),
    ("app_passwords", """
CREATE TABLE app_passwords (
  id {UUID_PK},
  user_id {UUID} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  uuid {UUID} NOT NULL,
  app_id VARCHAR(100) NOT NULL DEFAULT '',
  name VARCHAR(255) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  tenant_id {UUID},
  created_at {TS} NOT NULL,
  last_used_at {TS},
  last_ip VARCHAR(45)
)"""),
    ("wp_id_sequences", """
CREATE TABLE wp_id_sequences (
  id {UUID_PK},
  tenant_id {UUID},
  kind VARCHAR(20) NOT NULL,
  next_value BIGINT NOT NULL DEFAULT 1
)"""),
]

INDEXES = [
    "CREATE UNIQUE INDEX tenants_slug_index ON tenants(slug)",
    "CREATE UNIQUE INDEX tenant_hosts_host_index ON tenant_hosts(host)",
    "CREATE INDEX idx_tenant_hosts_tenant_id ON tenant_hosts(tenant_id)",
    # users (seed, idx_users_email widened to the tenant: see the module docstring)
    "CREATE UNIQUE INDEX idx_users_email ON users(email, tenant_id)",
    "CREATE INDEX idx_users_tenant_id ON users(tenant_id)",
    "CREATE INDEX idx_users_professional_registry ON users(professional_registry)",
    "CREATE INDEX idx_users_role ON users(role)",
    "CREATE UNIQUE INDEX users_tenant_wp_id_index ON users(tenant_id, wp_id)",
    "CREATE UNIQUE INDEX users_tenant_login_index ON users(tenant_id, login)",
    "CREATE INDEX idx_users_nicename ON users(tenant_id, nicename)",
    # categories (terms of every taxonomy)
    "CREATE UNIQUE INDEX categories_slug_tenant_id_index ON categories(slug, tenant_id, taxonomy)",
    "CREATE UNIQUE INDEX categories_name_tenant_id_index "
    "ON categories(name, tenant_id, taxonomy, COALESCE(parent_id, {NIL}))",
    "CREATE INDEX idx_categories_parent_id ON categories(parent_id)",
    "CREATE INDEX idx_categories_tenant_id ON categories(tenant_id)",
    "CREATE INDEX idx_categories_medical_specialty ON categories(medical_specialty)",
    "CREATE UNIQUE INDEX categories_tenant_wp_id_index ON categories(tenant_id, wp_id)",
    "CREATE INDEX idx_categories_tenant_taxonomy ON categories(tenant_id, taxonomy)",
    # posts (seed)
    "CREATE UNIQUE INDEX posts_slug_tenant_id_index ON posts(slug, tenant_id)",
    "CREATE INDEX idx_posts_author_id ON posts(author_id)",
    "CREATE INDEX idx_posts_category_id ON posts(category_id)",
    "CREATE INDEX idx_posts_status ON posts(status)",
    "CREATE INDEX idx_posts_post_type ON posts(post_type)",
    "CREATE INDEX idx_posts_published_at ON posts(published_at DESC)",
    "CREATE INDEX idx_posts_tenant_id ON posts(tenant_id)",
    "CREATE INDEX idx_posts_medical_category ON posts(medical_category)",
    "CREATE INDEX idx_posts_compliance_level ON posts(compliance_level)",
    "CREATE INDEX idx_posts_tenant_status ON posts(tenant_id, status, published_at DESC)",
    # posts (WordPress)
    "CREATE UNIQUE INDEX posts_tenant_wp_id_index ON posts(tenant_id, wp_id)",
    "CREATE INDEX idx_posts_parent_id ON posts(parent_id)",
    "CREATE INDEX idx_posts_tenant_source_id ON posts(tenant_id, source_id)",
    # post_terms
    "CREATE UNIQUE INDEX post_terms_post_term_index ON post_terms(post_id, term_id)",
    "CREATE INDEX idx_post_terms_term_id ON post_terms(term_id)",
    "CREATE INDEX idx_post_terms_tenant_id ON post_terms(tenant_id)",
    # media (seed)
    "CREATE UNIQUE INDEX idx_media_filename ON media(filename)",
    "CREATE INDEX idx_media_uploaded_by_id ON media(uploaded_by_id)",
    "CREATE INDEX idx_media_post_id ON media(post_id)",
    "CREATE INDEX idx_media_mime_type ON media(mime_type)",
    "CREATE INDEX idx_media_attachment_type ON media(attachment_type)",
    "CREATE INDEX idx_media_medical_content ON media(medical_content)",
    "CREATE INDEX idx_media_contains_phi ON media(contains_phi)",
    "CREATE INDEX idx_media_tenant_id ON media(tenant_id)",
    "CREATE UNIQUE INDEX media_tenant_wp_id_index ON media(tenant_id, wp_id)",
    "CREATE INDEX idx_media_tenant_source_id ON media(tenant_id, source_id)",
    # custom_fields (seed)
    "CREATE UNIQUE INDEX custom_fields_post_meta_key_index ON custom_fields(post_id, meta_key)",
    "CREATE INDEX idx_custom_fields_meta_key ON custom_fields(meta_key)",
    "CREATE INDEX idx_custom_fields_meta_type ON custom_fields(meta_type)",
    "CREATE INDEX idx_custom_fields_field_group ON custom_fields(field_group)",
    "CREATE INDEX idx_custom_fields_medical_significance ON custom_fields(medical_significance)",
    "CREATE INDEX idx_custom_fields_is_phi ON custom_fields(is_phi)",
    "CREATE INDEX idx_custom_fields_tenant_id ON custom_fields(tenant_id)",
    # workflow_states (seed)
    "CREATE INDEX idx_workflow_states_content_id ON workflow_states(content_id)",
    "CREATE INDEX idx_workflow_states_tenant_id ON workflow_states(tenant_id)",
    "CREATE INDEX idx_workflow_states_current_stage ON workflow_states(current_stage)",
    # audit_trail (seed, plus the (user_id, created_at) index its hot query names)
    "CREATE INDEX idx_audit_trail_tenant_id ON audit_trail(tenant_id)",
    "CREATE INDEX idx_audit_trail_user_id ON audit_trail(user_id)",
    "CREATE INDEX idx_audit_trail_resource_type ON audit_trail(resource_type)",
    "CREATE INDEX idx_audit_trail_created_at ON audit_trail(created_at)",
    "CREATE INDEX idx_audit_trail_user_created ON audit_trail(user_id, created_at)",
    # app_passwords, wp_id_sequences
    "CREATE UNIQUE INDEX app_passwords_tenant_uuid_index ON app_passwords(tenant_id, uuid)",
    "CREATE INDEX idx_app_passwords_user_id ON app_passwords(user_id)",
    "CREATE UNIQUE INDEX wp_id_sequences_tenant_kind_index ON wp_id_sequences(tenant_id, kind)",
]

POSTGRES_ONLY_INDEXES = [
    # The seed's partial index; its 'published' is WordPress's 'publish' (DESIGN.md §4).
    "CREATE INDEX idx_posts_published ON posts(published_at DESC) "
    "WHERE status = 'publish' AND deleted_at IS NULL",
]


def up(ctx):
    nil = f"'{NIL}'::uuid" if ctx.postgres else f"'{NIL}'"
    for _name, ddl in TABLES:
        ctx.execute(ctx.ddl(ddl))
    for statement in INDEXES:
        ctx.execute(statement.replace("{NIL}", nil))
    if ctx.postgres:
        for statement in POSTGRES_ONLY_INDEXES:
            ctx.execute(statement)


def down(ctx):
    for name, _ddl in reversed(TABLES):
        ctx.execute(f"DROP TABLE IF EXISTS {name}")
