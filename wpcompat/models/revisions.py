"""Revision: a saved state of a post or page, or a user's autosave of it (migration 0009)."""

import peewee

from wpcompat.models.base import JSONField, TenantModel, utcnow
from wpcompat.models.content import Post
from wpcompat.models.people import User


class Revision(TenantModel):
    post = peewee.ForeignKeyField(Post, column_name="post_id", backref="revisions", on_delete="CASCADE")
    author = peewee.ForeignKeyField(User, column_name="author_id", null=True, on_delete="SET NULL")
    wp_id = peewee.IntegerField()                      # from the tenant's "post" sequence
    kind = peewee.CharField(max_length=10, default="revision")     # revision | autosave
    title = peewee.CharField(max_length=255, default="")
    content = peewee.TextField(null=True)
    excerpt = peewee.TextField(null=True)
    field_values = JSONField(default=dict)             # ACF values: {meta_key: {meta_value, meta_type, ...}}
    created_at = peewee.DateTimeField(default=utcnow)  # the revision's date (GMT)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "revisions"
