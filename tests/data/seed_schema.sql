-- The seed schema's SQL, extracted verbatim from ../shared/spec/healthcare-schema.md
-- (CREATE TABLE blocks, their indexes, and the compound and partial indexes of 'Indexing Strategy').
-- tests/test_schema_catalog.py checks the migrated PostgreSQL catalog against it.
CREATE TABLE users (
  -- Primary Key
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

  -- Authentication
  email VARCHAR(255) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  role VARCHAR(50) NOT NULL DEFAULT 'subscriber',
  mfa_enabled BOOLEAN DEFAULT false,

  -- Healthcare Professional Data
  professional_registry VARCHAR(100),  -- e.g., "CRM/SP 123456"
  professional_type VARCHAR(50),       -- e.g., "medico", "psicologo"
  speciality VARCHAR(100),
  validated_at TIMESTAMP,

  -- Multi-Tenancy
  tenant_id UUID,

  -- Audit Trail
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  deleted_at TIMESTAMP,
  deleted_by UUID
);

-- Indexes
CREATE UNIQUE INDEX idx_users_email ON users(email);
CREATE INDEX idx_users_tenant_id ON users(tenant_id);
CREATE INDEX idx_users_professional_registry ON users(professional_registry);
CREATE INDEX idx_users_role ON users(role);
CREATE TABLE posts (
  -- Primary Key
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

  -- Core WordPress Fields
  title VARCHAR(255) NOT NULL,
  slug VARCHAR(255) NOT NULL,
  content TEXT,
  excerpt TEXT,
  status VARCHAR(20) DEFAULT 'draft',

  -- WordPress Meta
  post_type VARCHAR(30) DEFAULT 'post',
  comment_status VARCHAR(10) DEFAULT 'open',
  ping_status VARCHAR(10) DEFAULT 'open',

  -- SEO
  meta_description VARCHAR(160),
  meta_keywords VARCHAR(255),

  -- Healthcare Specific
  medical_category VARCHAR(30),
  compliance_level VARCHAR(20),
  requires_crm_validation BOOLEAN DEFAULT false,
  medical_disclaimer TEXT,

  -- Publication
  published_at TIMESTAMP,
  scheduled_at TIMESTAMP,

  -- Audit
  version INTEGER DEFAULT 1,
  deleted_at TIMESTAMP,

  -- Foreign Keys
  author_id UUID NOT NULL REFERENCES users(id) ON DELETE SET NULL,
  category_id UUID REFERENCES categories(id) ON DELETE SET NULL,
  tenant_id UUID,

  -- Timestamps
  inserted_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

-- Indexes
CREATE UNIQUE INDEX posts_slug_tenant_id_index
  ON posts(slug, tenant_id);
CREATE INDEX idx_posts_author_id ON posts(author_id);
CREATE INDEX idx_posts_category_id ON posts(category_id);
CREATE INDEX idx_posts_status ON posts(status);
CREATE INDEX idx_posts_post_type ON posts(post_type);
CREATE INDEX idx_posts_published_at ON posts(published_at DESC);
CREATE INDEX idx_posts_tenant_id ON posts(tenant_id);
CREATE INDEX idx_posts_medical_category ON posts(medical_category);
CREATE INDEX idx_posts_compliance_level ON posts(compliance_level);
CREATE UNIQUE INDEX posts_slug_tenant_id_index
  ON posts(slug, tenant_id);
CREATE TABLE categories (
  -- Primary Key
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

  -- Core Fields
  name VARCHAR(100) NOT NULL,
  slug VARCHAR(100) NOT NULL,
  description TEXT,
  count INTEGER DEFAULT 0,  -- Post count

  -- Hierarchy Support
  parent_id UUID REFERENCES categories(id) ON DELETE SET NULL,
  level INTEGER DEFAULT 0,  -- 0 = root, 1 = child, etc.

  -- Healthcare Specific
  medical_specialty VARCHAR(50),
  compliance_required BOOLEAN DEFAULT false,
  crm_validation_required BOOLEAN DEFAULT false,

  -- Multi-Tenancy
  tenant_id UUID,

  -- Timestamps
  inserted_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

-- Indexes
CREATE UNIQUE INDEX categories_slug_tenant_id_index
  ON categories(slug, tenant_id);
CREATE UNIQUE INDEX categories_name_tenant_id_index
  ON categories(name, tenant_id);
CREATE INDEX idx_categories_parent_id ON categories(parent_id);
CREATE INDEX idx_categories_tenant_id ON categories(tenant_id);
CREATE INDEX idx_categories_medical_specialty ON categories(medical_specialty);
parent_id → categories(id)  -- Self-referencing foreign key
level     → 0 (root), 1 (child), 2 (grandchild), etc.
-- Get all categories with their children (1 level deep)
WITH RECURSIVE category_tree AS (
  -- Root categories
  SELECT id, name, slug, parent_id, level, 0 as depth
  FROM categories
  WHERE parent_id IS NULL AND tenant_id = $1

  UNION ALL

  -- Children
  SELECT c.id, c.name, c.slug, c.parent_id, c.level, ct.depth + 1
  FROM categories c
  INNER JOIN category_tree ct ON c.parent_id = ct.id
  WHERE ct.depth < 2  -- Limit depth
)
SELECT * FROM category_tree ORDER BY depth, name;
CREATE TABLE media (
  -- Primary Key
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

  -- File Information
  title VARCHAR(255),
  filename VARCHAR(255) NOT NULL,
  original_filename VARCHAR(255) NOT NULL,
  mime_type VARCHAR(100) NOT NULL,
  file_size BIGINT NOT NULL,  -- bytes
  file_path VARCHAR(500),
  url VARCHAR(500),

  -- Image Metadata
  width INTEGER,
  height INTEGER,
  alt_text VARCHAR(255),
  caption TEXT,
  description TEXT,

  -- WordPress Compatibility
  attachment_type VARCHAR(20),  -- image, video, document, audio

  -- Healthcare Specific
  medical_content BOOLEAN DEFAULT false,
  contains_phi BOOLEAN DEFAULT false,
  dicom_metadata TEXT,  -- JSON for DICOM medical images
  encryption_status VARCHAR(20) DEFAULT 'none',

  -- Access Control
  access_level VARCHAR(20),
  requires_crm_validation BOOLEAN DEFAULT false,

  -- Foreign Keys
  uploaded_by_id UUID NOT NULL REFERENCES users(id) ON DELETE SET NULL,
  post_id UUID REFERENCES posts(id) ON DELETE SET NULL,
  tenant_id UUID,

  -- Timestamps
  inserted_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

-- Indexes
CREATE UNIQUE INDEX idx_media_filename ON media(filename);
CREATE INDEX idx_media_uploaded_by_id ON media(uploaded_by_id);
CREATE INDEX idx_media_post_id ON media(post_id);
CREATE INDEX idx_media_mime_type ON media(mime_type);
CREATE INDEX idx_media_attachment_type ON media(attachment_type);
CREATE INDEX idx_media_medical_content ON media(medical_content);
CREATE INDEX idx_media_contains_phi ON media(contains_phi);
CREATE INDEX idx_media_tenant_id ON media(tenant_id);
CREATE TABLE custom_fields (
  -- Primary Key
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

  -- ACF-Style Fields
  meta_key VARCHAR(100) NOT NULL,
  meta_value TEXT,
  meta_type VARCHAR(20) DEFAULT 'text',

  -- Healthcare Specific
  medical_significance VARCHAR(20) DEFAULT 'none',  -- low, medium, high, critical
  requires_validation BOOLEAN DEFAULT false,
  validation_rules TEXT,  -- JSON
  is_phi BOOLEAN DEFAULT false,

  -- ACF Compatibility
  field_group VARCHAR(100),
  field_order INTEGER DEFAULT 0,
  is_required BOOLEAN DEFAULT false,

  -- Foreign Keys
  post_id UUID NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  tenant_id UUID,

  -- Timestamps
  inserted_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

-- Indexes
CREATE UNIQUE INDEX custom_fields_post_meta_key_index
  ON custom_fields(post_id, meta_key);
CREATE INDEX idx_custom_fields_meta_key ON custom_fields(meta_key);
CREATE INDEX idx_custom_fields_meta_type ON custom_fields(meta_type);
CREATE INDEX idx_custom_fields_field_group ON custom_fields(field_group);
CREATE INDEX idx_custom_fields_medical_significance ON custom_fields(medical_significance);
CREATE INDEX idx_custom_fields_is_phi ON custom_fields(is_phi);
CREATE INDEX idx_custom_fields_tenant_id ON custom_fields(tenant_id);
CONSTRAINT custom_fields_post_meta_key_index
  UNIQUE(post_id, meta_key)
CREATE TABLE workflow_states (
  -- Primary Key
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

  -- References
  content_id UUID NOT NULL,

  -- Workflow Stage
  current_stage VARCHAR(50) DEFAULT 'draft',  -- S.1.1, S.2.1, S.3.1, S.4-1.1-3

  -- Healthcare Workflow Data
  lgpd_score INTEGER,  -- 0-100 compliance score
  medical_claims JSONB DEFAULT '{}',
  scientific_references JSONB DEFAULT '{}',
  compliance_validations JSONB DEFAULT '{}',

  -- Multi-Tenancy
  tenant_id UUID NOT NULL,

  -- Timestamps
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

-- Indexes
CREATE INDEX idx_workflow_states_content_id ON workflow_states(content_id);
CREATE INDEX idx_workflow_states_tenant_id ON workflow_states(tenant_id);
CREATE INDEX idx_workflow_states_current_stage ON workflow_states(current_stage);
CREATE TABLE audit_trail (
  -- Primary Key
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

  -- Operation Details
  operation VARCHAR(50) NOT NULL,      -- create, read, update, delete, access
  resource_type VARCHAR(50) NOT NULL,  -- post, user, media, etc.
  resource_id UUID NOT NULL,

  -- Actor Information
  tenant_id UUID NOT NULL,
  user_id UUID NOT NULL,

  -- Metadata
  metadata JSONB DEFAULT '{}',

  -- Zero Trust Integration
  trust_score INTEGER,
  policy_decision VARCHAR(50),

  -- Timestamp
  created_at TIMESTAMP NOT NULL
);

-- Indexes
CREATE INDEX idx_audit_trail_tenant_id ON audit_trail(tenant_id);
CREATE INDEX idx_audit_trail_user_id ON audit_trail(user_id);
CREATE INDEX idx_audit_trail_resource_type ON audit_trail(resource_type);
CREATE INDEX idx_audit_trail_created_at ON audit_trail(created_at);
CREATE INDEX idx_posts_tenant_status
  ON posts(tenant_id, status, published_at DESC);
-- Optimizes: WHERE tenant_id = X AND status = 'published' ORDER BY published_at DESC
CREATE INDEX idx_posts_published
  ON posts(published_at DESC)
  WHERE status = 'published' AND deleted_at IS NULL;
-- Smaller index, faster queries for published posts
CREATE INDEX idx_audit_trail_user_created ON audit_trail(user_id, created_at);  -- from 'Hot Queries' 4
