"""Where ACF values live, per object kind (DESIGN.md §4), and the three statements that touch them.

- posts and pages: the seed's custom_fields (unique post_id, meta_key);
- terms, users, media: term_/user_/media_custom_fields (unique owner, meta_key);
- options: option_custom_fields (unique tenant_id, option_page, meta_key).

Reading every value of any number of owners is one SELECT; a write is one
INSERT … ON CONFLICT DO UPDATE for all its rows (so two writers of one key never make two
rows) and one DELETE for the keys it clears. Every statement goes through the tenant-scoped
models (and RLS on PostgreSQL).
"""

import dataclasses

from wpcompat.models import CustomField, MediaCustomField, OptionCustomField, TermCustomField, UserCustomField
from wpcompat.models.base import utcnow

COLUMNS = ("meta_value", "meta_type", "field_group", "field_order", "is_phi", "medical_significance",
           "requires_validation", "validation_rules", "is_required")


@dataclasses.dataclass(frozen=True)
class Store:
    model: object
    owner: str                      # the model's owner field name

    @property
    def owner_field(self):
        return getattr(self.model, self.owner)

    def conflict_target(self):
        model = self.model
        if self.owner == "option_page":
            return [model.tenant_id, model.option_page, model.meta_key]
        return [self.owner_field, model.meta_key]


STORES = {"post": Store(CustomField, "post"), "term": Store(TermCustomField, "term"),
          "user": Store(UserCustomField, "user"), "media": Store(MediaCustomField, "media"),
          "option": Store(OptionCustomField, "option_page")}


def owner_key(kind, owner):
    """What the owner column holds: the row's uuid, or the options page id."""
    return owner if kind == "option" else owner.id


def load(kind, owner_keys):
    """{owner key: {meta_key: meta_value}} for every owner, in one query."""
    store = STORES[kind]
    keys = list(dict.fromkeys(owner_keys))
    result = {key: {} for key in keys}
    if not keys:
        return result
    column = store.owner_field
    for owner, meta_key, meta_value in (store.model.select(column, store.model.meta_key, store.model.meta_value)
                                        .where(column.in_(keys)).tuples()):
        result.setdefault(owner, {})[meta_key] = meta_value
    return result


def upsert(kind, owner, rows):
    """rows: {meta_key: {column: value}}. One INSERT … ON CONFLICT (owner, meta_key) DO UPDATE."""
    if not rows:
        return
    store, now = STORES[kind], utcnow()
    records = [{store.owner: owner, "meta_key": key, "inserted_at": now, "updated_at": now, **columns}
               for key, columns in rows.items()]
    model = store.model
    update = [getattr(model, name) for name in COLUMNS + ("updated_at",)]
    model.insert_many(records).on_conflict(conflict_target=store.conflict_target(), preserve=update).execute()


def delete(kind, owner, meta_keys):
    if not meta_keys:
        return
    store = STORES[kind]
    store.model.delete().where(store.owner_field == owner, store.model.meta_key.in_(sorted(meta_keys))).execute()
