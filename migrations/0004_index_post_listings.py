"""An index for WordPress's post listings: type, status and compliance level per tenant, newest first.

`GET /wp/v2/posts` filters on (tenant, post_type, status, compliance level) and orders
by publication date; counting X-WP-Total then reads this index alone (an index-only
scan) instead of the table. Both engines.
"""


def up(ctx):
    ctx.execute("CREATE INDEX idx_posts_listing ON posts "
                "(tenant_id, post_type, status, compliance_level, published_at DESC)")


def down(ctx):
    ctx.execute("DROP INDEX idx_posts_listing")
