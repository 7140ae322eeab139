"""Reading revisions and autosaves (tenant-scoped by the model layer and RLS). No HTTP here."""

import uuid

import peewee

from wpcompat.models import Revision, User
from wpcompat.queries.compiled import CompiledQuery, as_given

Author = User.alias("revision_author")


def base_select():
    """Revisions with their author's integer id, in one query."""
    return (Revision.select(Revision, Author.wp_id.alias("author_wp_id"))
            .join(Author, peewee.JOIN.LEFT_OUTER, on=(Revision.author == Author.id)).switch(Revision))


def find(wp_id):
    """The revision (or autosave) with this integer id in the current tenant, or None."""
    return base_select().where(Revision.wp_id == wp_id).objects().first()


def of_post(post, args=None):
    """(page query, count query) of a post's revisions and autosaves, filtered and ordered as
    WP_REST_Revisions_Controller::get_items asks WP_Query (newest first by default)."""
    args = args or {}

    def matching(query):
        query = query.where(Revision.post == post.id)
        if args.get("include"):
            query = query.where(Revision.wp_id.in_(args["include"]))
        if args.get("exclude"):
            query = query.where(Revision.wp_id.not_in(args["exclude"]))
        for word in (args.get("search") or "").split()[:10]:
            pattern = f"%{word}%"
            query = query.where(Revision.title.ilike(pattern) | Revision.excerpt.ilike(pattern) |
                                Revision.content.ilike(pattern))
        return query

    return _order(matching(base_select()), args), matching(Revision.select(Revision.id))


def _order(query, args):
    orderby, descending = args.get("orderby") or "date", (args.get("order") or "desc") == "desc"
    if orderby == "include" and args.get("include"):
        position = peewee.Case(Revision.wp_id, [(value, index) for index, value in enumerate(args["include"])],
                               len(args["include"]))
        return query.order_by(position, Revision.wp_id)
    column = {"date": Revision.created_at, "id": Revision.wp_id, "title": Revision.title,
              "relevance": Revision.created_at}.get(orderby, Revision.created_at)
    tie = Revision.wp_id.desc() if descending else Revision.wp_id.asc()
    return query.order_by(column.desc() if descending else column.asc(), tie)


def autosaves_of(post):
    return list(base_select().where(Revision.post == post.id, Revision.kind == "autosave")
                .order_by(Revision.updated_at.desc(), Revision.wp_id.desc()).objects())


def latest_autosave(post):
    """wp_get_post_autosave(post): the newest autosave of any user."""
    found = autosaves_of(post)
    return found[0] if found else None


def summaries(post_ids):
    """{post uuid: (count, latest revision wp_id)} for a page of posts, in one query
    (wp_get_latest_revision_id_and_total_count: autosaves count, as they are revisions in WordPress)."""
    if not post_ids:
        return {}
    post_ids = list(post_ids)
    texts = [str(post_id) for post_id in post_ids]        # sent as text, as a uuid parameter is
    rows = _SUMMARIES.rows(post_ids=texts)
    given = as_given(post_ids, texts)
    return {given(post_text): (count, latest) for post_text, count, latest in rows}


# Every list and single post asks for this: its SQL is built once per worker (queries/compiled.py).
_SUMMARIES = CompiledQuery(
    lambda post_ids: (Revision.select(Revision.post.cast("text"), peewee.fn.COUNT(Revision.id),
                                      peewee.fn.MAX(Revision.wp_id))
                      .where(Revision.post.in_(post_ids)).group_by(Revision.post).tuples()),
    post_ids=uuid.UUID("00000000-0000-4000-8000-0000000bbbb0"))
