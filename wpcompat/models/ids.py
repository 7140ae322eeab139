"""Per-tenant integer id counters: WordPress's `id` for users, posts+media, terms, comments."""

import peewee

from wpcompat.models.base import TenantModel


class WpIdSequence(TenantModel):
    kind = peewee.CharField(max_length=20)
    next_value = peewee.BigIntegerField(default=1)

    class Meta:
        table_name = "wp_id_sequences"
        indexes = ((("tenant_id", "kind"), True),)
