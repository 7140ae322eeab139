"""ACF field groups and fields (per tenant), and the value tables beside custom_fields (migration 0008).

The JSON of definitions is kept as text on both engines (JSONB would reorder `choices`).

Values of posts and pages stay in the seed's CustomField; terms, users, media and options
have sibling tables of the same shape (DESIGN.md §4), each unique on (owner, meta_key).
"""

import peewee

from wpcompat.models.base import JSONField, Timestamped
from wpcompat.models.content import Media, Term, ValueColumns
from wpcompat.models.people import User


class JSONText(JSONField):
    """JSON in a TEXT column: object keys keep their order."""

    field_type = "TEXT"


class AcfFieldGroup(Timestamped):
    key = peewee.CharField(max_length=100)                # group_…
    title = peewee.CharField(max_length=255, default="")
    location = JSONText(default=list)                    # [[{param, operator, value}, …], …]
    active = peewee.BooleanField(default=True)
    show_in_rest = peewee.BooleanField(default=False)
    menu_order = peewee.IntegerField(default=0)
    source = JSONText(default=dict)                      # the group as imported (ACF JSON)

    class Meta:
        table_name = "acf_field_groups"


class AcfField(Timestamped):
    key = peewee.CharField(max_length=100)                # field_…
    group = peewee.ForeignKeyField(AcfFieldGroup, column_name="group_id", backref="fields", on_delete="CASCADE")
    parent = peewee.ForeignKeyField("self", null=True, column_name="parent_id", backref="sub_fields",
                                    on_delete="CASCADE")
    name = peewee.CharField(max_length=100, default="")
    label = peewee.CharField(max_length=255, default="")
    type = peewee.CharField(max_length=30)
    required = peewee.BooleanField(default=False)
    settings = JSONText(default=dict)                    # choices, default_value, return_format, min, max…
    validation_rules = JSONText(null=True)               # {type, min, max, pattern, enum}
    is_phi = peewee.BooleanField(default=False)
    medical_significance = peewee.CharField(max_length=20, default="none")
    requires_validation = peewee.BooleanField(default=False)
    menu_order = peewee.IntegerField(default=0)

    class Meta:
        table_name = "acf_fields"


class TermCustomField(ValueColumns):
    term = peewee.ForeignKeyField(Term, column_name="term_id", backref="custom_fields", on_delete="CASCADE")

    class Meta:
        table_name = "term_custom_fields"


class UserCustomField(ValueColumns):
    user = peewee.ForeignKeyField(User, column_name="user_id", backref="custom_fields", on_delete="CASCADE")

    class Meta:
        table_name = "user_custom_fields"


class MediaCustomField(ValueColumns):
    media = peewee.ForeignKeyField(Media, column_name="media_id", backref="custom_fields", on_delete="CASCADE")

    class Meta:
        table_name = "media_custom_fields"


class OptionCustomField(ValueColumns):
    option_page = peewee.CharField(max_length=100)        # the options page id, normally "options"

    class Meta:
        table_name = "option_custom_fields"
