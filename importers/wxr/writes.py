"""A batch's collected writes (batch.writes): written at once, or item by item when the database refuses one.

`write_here` sends them in one savepoint (bulk.insert: COPY on PostgreSQL, moved together). When a
multi-row insert is refused, `one_by_one` writes each post with its rows — term links, custom fields,
comments and their audit rows — and each attachment the writes hold, in a savepoint of its own, so
one bad item fails alone. It returns the report corrections instead of making them (it may run in
the writer thread; `apply` makes them in the importer's).
"""

import peewee

from wpcompat.models import AuditTrail, Comment, CustomField, Media, Post, PostTerm

from importers.wxr import bulk

ORDER = (Media, Post, PostTerm, CustomField, Comment, AuditTrail)
REFUSED = "database refused the row"


def write_here(database, writes):
    """The writes in one savepoint: on a refused row, none of them stays. On PostgreSQL each model's rows are
    copied in turn and all moved in one round trip at the end (bulk.moved_together)."""
    with database.atomic(), bulk.moved_together():
        for model, rows in writes:
            bulk.insert(model, rows)


def groups(writes, audit):
    """({post or media uuid: {model: rows}}, audit rows of nothing in the writes)."""
    grouped, rest, owner = {}, [], {}
    for model, rows in writes:
        for row in rows:
            key = row["id"] if model in (Post, Media) else row.get("post")
            if model is Comment:
                owner[row["id"]] = key
            grouped.setdefault(key, {}).setdefault(model, []).append(row)
    for row in audit:
        key = row["resource_id"] if row["resource_id"] in grouped else owner.get(row["resource_id"])
        if key is not None:
            grouped[key].setdefault(AuditTrail, []).append(row)
        else:
            rest.append(row)
    return grouped, rest


def one_by_one(database, writes, audit):
    """Each item in its own savepoint. Returns (uuids of the items refused, report corrections)."""
    grouped, rest = groups(writes, audit)
    failed, operations = set(), []
    for key, by_model in grouped.items():
        try:
            with database.atomic():
                for model in ORDER:
                    bulk.insert(model, by_model.get(model, []))
        except peewee.IntegrityError as error:
            failed.add(key)
            operations += _corrections(by_model, str(error).strip().splitlines()[0])
    bulk.insert(AuditTrail, rest)
    return failed, operations


def _corrections(by_model, reason):
    if by_model.get(Media):                                  # an attachment (link mode, PostgreSQL)
        return [("media", "created", -1, None), ("media", "failed", 1, REFUSED),
                ("warn", f"attachment {by_model[Media][0]['source_id']}: {reason}", 0, None)]
    post, comments = by_model.get(Post), len(by_model.get(Comment, []))
    operations = [("posts", "created", -1, None), ("posts", "failed", 1, REFUSED)] if post else []
    return operations + [("custom_fields", "created", -len(by_model.get(CustomField, [])), None),
                         ("comments", "created", -comments, None), ("comments", "failed", comments, REFUSED),
                         ("warn", f"post {post[0]['source_id'] if post else '(existing)'}: {reason}", 0, None)]


def apply(report, operations):
    """Make the corrections one_by_one returned."""
    for kind, outcome, number, reason in operations:
        if kind == "warn":
            report.warn(outcome)
        elif number < 0:
            report.counts[kind][outcome] += number
        else:
            report.count(kind, outcome, number, reason=reason)
