"""Comments (migrations/0010): WordPress's wp_comments, one row per comment, per tenant."""

import peewee

from wpcompat.models.base import JSONField, Timestamped
from wpcompat.models.content import Post
from wpcompat.models.people import User

STATUSES = ("approved", "hold", "spam", "trash")      # REST's names of comment_approved 1, 0, spam, trash


class Comment(Timestamped):
    wp_id = peewee.IntegerField()                     # next_wp_id("comment"); reserve_wp_id to keep an import's
    post = peewee.ForeignKeyField(Post, column_name="post_id", backref="comments", on_delete="CASCADE")
    parent = peewee.ForeignKeyField("self", null=True, column_name="parent_id", backref="replies",
                                    on_delete="SET NULL")
    user = peewee.ForeignKeyField(User, null=True, column_name="user_id", on_delete="SET NULL")
    status = peewee.CharField(max_length=20, default="hold")
    pre_trash_status = peewee.CharField(max_length=20, null=True)
    author_name = peewee.CharField(max_length=255, default="")
    author_email = peewee.CharField(max_length=100, default="")
    author_url = peewee.CharField(max_length=200, default="")
    author_ip = peewee.CharField(max_length=100, default="")        # PHI-grade
    user_agent = peewee.CharField(max_length=255, default="")       # PHI-grade
    content = peewee.TextField(default="")
    comment_type = peewee.CharField(max_length=20, default="comment")
    karma = peewee.IntegerField(default=0)
    meta = JSONField(default=dict)
    contains_phi = peewee.BooleanField(default=False)
    lgpd_score = peewee.IntegerField(null=True)
    date_local = peewee.DateTimeField()               # comment_date, in the site's timezone
    date_gmt = peewee.DateTimeField()                 # comment_date_gmt
    source_id = peewee.BigIntegerField(null=True)     # id in the site an import came from
    deleted_at = peewee.DateTimeField(null=True)      # set while trashed

    class Meta:
        table_name = "comments"
