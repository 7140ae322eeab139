"""Allocates WordPress's integer ids per tenant (DESIGN.md §3).

Kinds: 'post' (posts and media share it, as attachments are posts in WordPress),
'user', 'term', 'comment'. One upsert per id: safe under concurrent writers on both
engines (the row lock serialises them on PostgreSQL, the write lock on SQLite).
"""

import uuid

from wpcompat.db import current_tenant, db

KINDS = ("post", "user", "term", "comment")

_NEXT_SQL = ("INSERT INTO wp_id_sequences (id, tenant_id, kind, next_value) VALUES ({p}, {p}, {p}, 2) "
             "ON CONFLICT (tenant_id, kind) DO UPDATE SET next_value = wp_id_sequences.next_value + 1 "
             "RETURNING next_value - 1")
_RESERVE_SQL = ("INSERT INTO wp_id_sequences (id, tenant_id, kind, next_value) VALUES ({p}, {p}, {p}, {p}) "
                "ON CONFLICT (tenant_id, kind) DO UPDATE SET next_value = CASE "
                "WHEN wp_id_sequences.next_value > excluded.next_value "
                "THEN wp_id_sequences.next_value ELSE excluded.next_value END")


def _tenant():
    tenant = current_tenant.get()
    if tenant is None:
        raise PermissionError("no tenant set: cannot allocate an id")
    return str(tenant)


def next_wp_id(kind):
    """The next free id of `kind` in the current tenant."""
    assert kind in KINDS, kind
    row = db.execute_sql(_NEXT_SQL.format(p=db.param), (str(uuid.uuid4()), _tenant(), kind)).fetchone()
    return int(row[0])


def reserve_wp_id(kind, value):
    """Mark `value` as used (an import keeping the source site's id): later ids come after it."""
    assert kind in KINDS, kind
    db.execute_sql(_RESERVE_SQL.format(p=db.param), (str(uuid.uuid4()), _tenant(), kind, int(value) + 1))
