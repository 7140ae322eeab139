"""Posts, terms (categories and tags), the post-term link, custom fields and media."""

import peewee

from wpcompat.models.base import Timestamped, TenantModel, JSONField, utcnow
from wpcompat.models.people import User


class Term(Timestamped):
    """A term of any taxonomy. The seed's `categories` table, with a `taxonomy` column."""

    name = peewee.CharField(max_length=100)
    slug = peewee.CharField(max_length=100)
    description = peewee.TextField(null=True)
    count = peewee.IntegerField(default=0, null=True)
    parent = peewee.ForeignKeyField("self", null=True, backref="children", column_name="parent_id",
                                    on_delete="SET NULL")
    level = peewee.IntegerField(default=0, null=True)
    medical_specialty = peewee.CharField(max_length=50, null=True)
    compliance_required = peewee.BooleanField(default=False, null=True)
    crm_validation_required = peewee.BooleanField(default=False, null=True)
    # WordPress
    wp_id = peewee.IntegerField()
    taxonomy = peewee.CharField(max_length=32, default="category")

    class Meta:
        table_name = "categories"


class Post(Timestamped):
    # Seed columns (spec/healthcare-schema.md, posts)
    title = peewee.CharField(max_length=255)
    slug = peewee.CharField(max_length=255)
    content = peewee.TextField(null=True)
    excerpt = peewee.TextField(null=True)
    status = peewee.CharField(max_length=20, default="draft", null=True)
    post_type = peewee.CharField(max_length=30, default="post", null=True)
    comment_status = peewee.CharField(max_length=10, default="open", null=True)
    ping_status = peewee.CharField(max_length=10, default="open", null=True)
    meta_description = peewee.CharField(max_length=160, null=True)
    meta_keywords = peewee.CharField(max_length=255, null=True)
    medical_category = peewee.CharField(max_length=30, null=True)
    compliance_level = peewee.CharField(max_length=20, null=True)
    requires_crm_validation = peewee.BooleanField(default=False, null=True)
    medical_disclaimer = peewee.TextField(null=True)
    published_at = peewee.DateTimeField(null=True)       # post_date_gmt
    scheduled_at = peewee.DateTimeField(null=True)
    version = peewee.IntegerField(default=1, null=True)
    deleted_at = peewee.DateTimeField(null=True)
    author = peewee.ForeignKeyField(User, column_name="author_id", backref="posts", on_delete="SET NULL")
    category = peewee.ForeignKeyField(Term, column_name="category_id", null=True, on_delete="SET NULL")
    # WordPress (DESIGN.md §3-4)
    wp_id = peewee.IntegerField()
    parent = peewee.ForeignKeyField("self", null=True, column_name="parent_id", on_delete="SET NULL")
    menu_order = peewee.IntegerField(default=0)
    password = peewee.CharField(max_length=255, default="")
    sticky = peewee.BooleanField(default=False)
    format = peewee.CharField(max_length=20, default="standard")
    template = peewee.CharField(max_length=255, default="")
    guid = peewee.CharField(max_length=500, default="")
    date_local = peewee.DateTimeField(null=True)         # post_date, in the site's timezone
    modified_local = peewee.DateTimeField(null=True)     # post_modified
    source_id = peewee.BigIntegerField(null=True)         # id in the site an import came from
    featured_media = peewee.DeferredForeignKey("Media", null=True, column_name="featured_media_id",
                                               on_delete="SET NULL", lazy_load=False)
    pre_trash_status = peewee.CharField(max_length=20, null=True)

    class Meta:
        table_name = "posts"


class PostTerm(TenantModel):
    """Many-to-many post↔term; posts.category_id stays the primary category."""

    post = peewee.ForeignKeyField(Post, column_name="post_id", backref="term_links", on_delete="CASCADE")
    term = peewee.ForeignKeyField(Term, column_name="term_id", backref="post_links", on_delete="CASCADE")
    term_order = peewee.IntegerField(default=0)
    inserted_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "post_terms"


class ValueColumns(Timestamped):
    """The columns of the seed's custom_fields; the sibling value tables (models/acf.py) share them."""

    meta_key = peewee.CharField(max_length=100)
    meta_value = peewee.TextField(null=True)
    meta_type = peewee.CharField(max_length=20, default="text", null=True)
    medical_significance = peewee.CharField(max_length=20, default="none", null=True)
    requires_validation = peewee.BooleanField(default=False, null=True)
    validation_rules = peewee.TextField(null=True)
    is_phi = peewee.BooleanField(default=False, null=True)
    field_group = peewee.CharField(max_length=100, null=True)
    field_order = peewee.IntegerField(default=0, null=True)
    is_required = peewee.BooleanField(default=False, null=True)


class CustomField(ValueColumns):
    post = peewee.ForeignKeyField(Post, column_name="post_id", backref="custom_fields", on_delete="CASCADE")

    class Meta:
        table_name = "custom_fields"


class Media(Timestamped):
    # Seed columns (spec/healthcare-schema.md, media)
    title = peewee.CharField(max_length=255, null=True)
    filename = peewee.CharField(max_length=255)
    original_filename = peewee.CharField(max_length=255)
    mime_type = peewee.CharField(max_length=100)
    file_size = peewee.BigIntegerField()
    file_path = peewee.CharField(max_length=500, null=True)
    url = peewee.CharField(max_length=500, null=True)
    width = peewee.IntegerField(null=True)
    height = peewee.IntegerField(null=True)
    alt_text = peewee.CharField(max_length=255, null=True)
    caption = peewee.TextField(null=True)
    description = peewee.TextField(null=True)
    attachment_type = peewee.CharField(max_length=20, null=True)
    medical_content = peewee.BooleanField(default=False, null=True)
    contains_phi = peewee.BooleanField(default=False, null=True)
    dicom_metadata = peewee.TextField(null=True)
    encryption_status = peewee.CharField(max_length=20, default="none", null=True)
    access_level = peewee.CharField(max_length=20, null=True)
    requires_crm_validation = peewee.BooleanField(default=False, null=True)
    uploaded_by = peewee.ForeignKeyField(User, column_name="uploaded_by_id", on_delete="SET NULL")
    post = peewee.ForeignKeyField(Post, column_name="post_id", null=True, backref="media",
                                  on_delete="SET NULL")
    # WordPress
    wp_id = peewee.IntegerField()
    slug = peewee.CharField(max_length=255, default="")
    guid = peewee.CharField(max_length=500, default="")
    metadata = JSONField(default=dict)                   # media_details
    date_local = peewee.DateTimeField(null=True)
    source_id = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "media"
