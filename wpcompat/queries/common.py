"""Filters WordPress's post-like collections share (posts, pages, media): authors, ids, parents, dates.

Each takes the query and the model's columns, so posts and attachments filter the
same way on their own columns.
"""

import datetime

import peewee

from wpcompat.models import Post, User
from wpcompat.rest.validation import parse_date

ParentPost = Post.alias("parent_filter")


def user_ids(wp_ids):
    return User.select(User.id).where(User.wp_id.in_(wp_ids))


def post_ids(wp_ids):
    return ParentPost.select(ParentPost.id).where(ParentPost.wp_id.in_(wp_ids))


def filter_authors_and_ids(query, args, author_column, wp_id_column):
    if args.get("author"):
        query = query.where(author_column.in_(user_ids(args["author"])))
    if args.get("author_exclude"):
        query = query.where(author_column.not_in(user_ids(args["author_exclude"])))
    if args.get("include"):
        query = query.where(wp_id_column.in_(args["include"]))
    if args.get("exclude"):
        query = query.where(wp_id_column.not_in(args["exclude"]))
    return query


def filter_parents(query, args, parent_column):
    """parent / parent_exclude: post ids, 0 meaning none (top level, or unattached media)."""
    wanted = args.get("parent")
    if wanted:
        ids = [value for value in wanted if value]
        clause = parent_column.in_(post_ids(ids)) if ids else peewee.SQL("1 = 0")
        query = query.where(clause | parent_column.is_null() if 0 in wanted else clause)
    unwanted = args.get("parent_exclude")
    if unwanted:                                  # NOT IN is never true for NULL: say what is meant
        ids = [value for value in unwanted if value]
        elsewhere = parent_column.is_null(False)
        if ids:
            elsewhere = elsewhere & parent_column.not_in(post_ids(ids))
        query = query.where(elsewhere if 0 in unwanted else elsewhere | parent_column.is_null())
    return query


def request_date(value):
    """A date argument as validated (a string) → datetime, or None."""
    return parse_date(value) if isinstance(value, str) else value if isinstance(value, datetime.datetime) else None


def filter_dates(query, args, columns, convert):
    """after/before and modified_after/modified_before on `columns` ({"date": col, "modified": col});
    `convert(datetime)` turns a request date into the column's time (local or UTC)."""
    for key, column_name, later in (("after", "date", True), ("before", "date", False),
                                    ("modified_after", "modified", True), ("modified_before", "modified", False)):
        value = request_date(args.get(key))
        if value is not None:
            column, moment = columns[column_name], convert(value)
            query = query.where(column > moment if later else column < moment)
    return query
