"""Reading categories and tags: WP_Term_Query's filters and ordering, tenant-scoped. No HTTP here.

Every query goes through the Term model, so it only ever sees the current tenant's
rows (and RLS says the same on PostgreSQL). A page of terms costs a fixed number of
queries whatever per_page is: the page, its count, and one per level of ancestry for
the hierarchical links.
"""

import peewee

from wpcompat.db import is_postgres
from wpcompat.models import PostTerm, Term
from wpcompat.queries.compiled import CompiledQuery
from wpcompat.schemas.terms import is_hierarchical
from wpcompat.slugs import sanitize_title

ParentTerm = Term.alias("parent_term")


def base_select():
    """Terms with their parent's integer id, in one query."""
    return (Term.select(Term, ParentTerm.wp_id.alias("parent_wp_id"))
            .join(ParentTerm, peewee.JOIN.LEFT_OUTER, on=(Term.parent == ParentTerm.id))
            .switch(Term))


def find(wp_id, taxonomy):
    """The term with this integer id in the current tenant and taxonomy, or None."""
    if wp_id is None or int(wp_id) <= 0:
        return None
    return base_select().where(Term.wp_id == int(wp_id), Term.taxonomy == taxonomy).objects().first()


def collection(taxonomy, args, post_id=None):
    """(page query with ordering, count query) for the terms matching the collection args.

    `post_id`: the uuid of the post whose terms are asked for (wp_get_object_terms).
    hide_empty follows WP_Term_Query: for a hierarchical taxonomy the list keeps empty
    terms that have non-empty descendants, while the total counts non-empty terms only.
    """
    page = _filtered(base_select(), taxonomy, args, post_id)
    count = _filtered(Term.select(Term.id), taxonomy, args, post_id)
    if args.get("hide_empty") and post_id is None:
        count = count.where(Term.count > 0)
        if is_hierarchical(taxonomy):
            page = page.where(Term.id.in_(_non_empty_branches(taxonomy)))
        else:
            page = page.where(Term.count > 0)
    return _order(page, args).objects(), count


FILTER_ARGS = ("include", "exclude", "slug", "search", "hide_empty")
_LISTINGS = {}        # (taxonomy, orderby, order) → the compiled page query (with its total)
_COUNTS = {}          # taxonomy → the compiled count query


def default_listing(taxonomy, args, limit, offset, post_id=None):
    """(terms of the page, total) of an unfiltered listing from SQL compiled once per shape, in one
    query (the total is a window count over the same rows); None when a filter applies.

    Only a page past the end sends a second query, for the total. What it answers is what
    `collection` answers for the same arguments.
    """
    if post_id is not None or any(args.get(name) for name in FILTER_ARGS):
        return None
    if is_hierarchical(taxonomy) and args.get("parent") is not None:
        return None
    key = (taxonomy, args.get("orderby") or "name", args.get("order") or "asc")
    compiled = _LISTINGS.get(key)
    if compiled is None:
        shape = {"orderby": key[1], "order": key[2]}

        def build(limit, offset):
            query = base_select().select_extend(peewee.fn.COUNT(Term.id).over().alias("listing_total"))
            return _order(query.where(Term.taxonomy == taxonomy), shape).limit(limit).offset(offset).objects()

        compiled = _LISTINGS[key] = CompiledQuery(build, limit=987654, offset=876543)
    terms = compiled.rows(limit=limit, offset=offset)
    if terms:
        total = terms[0].listing_total
        for term in terms:
            del term.listing_total                       # the listing's terms are plain terms
        return terms, int(total)
    return terms, _count(taxonomy)


def _count(taxonomy):
    compiled = _COUNTS.get(taxonomy)
    if compiled is None:
        compiled = _COUNTS[taxonomy] = CompiledQuery(
            lambda: Term.select(peewee.fn.COUNT(Term.id)).where(Term.taxonomy == taxonomy).tuples())
    rows = compiled.rows()
    return int(rows[0][0]) if rows else 0


def _filtered(query, taxonomy, args, post_id):
    query = query.where(Term.taxonomy == taxonomy)
    if args.get("include"):
        query = query.where(Term.wp_id.in_(args["include"]))       # include wins over exclude
    elif args.get("exclude"):
        query = query.where(Term.wp_id.not_in(args["exclude"]))
    if args.get("slug"):
        query = query.where(Term.slug.in_(_slugs(args["slug"])))
    if args.get("search"):
        query = query.where(_search(args["search"]))
    if is_hierarchical(taxonomy) and args.get("parent") is not None:
        query = query.where(_parent_clause(args["parent"]))
    if post_id is not None:
        query = query.where(Term.id.in_(PostTerm.select(PostTerm.term).where(PostTerm.post == post_id)))
    return query


def _slugs(values):
    return [sanitize_title(str(value)) for value in values]


def _parent_clause(parent_wp_id):
    if parent_wp_id == 0:
        return Term.parent.is_null()                                 # top level only
    return Term.parent.in_(ParentTerm.select(ParentTerm.id).where(ParentTerm.wp_id == parent_wp_id))


def _like(column, pattern):
    operator = "ILIKE" if is_postgres() else "LIKE"                  # SQLite's LIKE ignores ASCII case
    return peewee.NodeList((column, peewee.SQL(operator), pattern, peewee.SQL("ESCAPE '\\'")))


def _search(text):
    """get_search_sql: the name or the slug contains the text (LIKE wildcards taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return _like(Term.name, pattern) | _like(Term.slug, pattern)


def _non_empty_branches(taxonomy):
    """Ids of the terms that are non-empty or have a non-empty descendant (one query)."""
    rows = list(Term.select(Term.id, Term.parent, Term.count).where(Term.taxonomy == taxonomy).tuples())
    parents = {term_id: parent_id for term_id, parent_id, _count in rows}
    keep = set()
    for term_id, _parent, count in rows:
        node = term_id if count else None
        while node is not None and node not in keep:
            keep.add(node)
            node = parents.get(node)
    return list(keep)


def _order(query, args):
    orderby = args.get("orderby") or "name"
    descending = args.get("order") == "desc"
    if orderby == "include" and args.get("include"):
        column = _position(Term.wp_id, args["include"])
    elif orderby == "include_slugs" and args.get("slug"):
        column = _position(Term.slug, _slugs(args["slug"]))
    else:
        column = {"id": Term.wp_id, "slug": Term.slug, "term_group": Term.wp_id,       # no term groups here
                  "description": peewee.fn.COALESCE(Term.description, ""),          # the seed's NULL is WP's ""
                  "count": peewee.fn.COALESCE(Term.count, 0)}.get(orderby, peewee.fn.LOWER(Term.name))
    return query.order_by(column.desc() if descending else column.asc(), Term.wp_id.asc())


def _position(column, values):
    if not values:                                # a CASE without WHEN is a syntax error
        return column
    return peewee.Case(column, [(value, index) for index, value in enumerate(values)], len(values))


def ancestor_slugs(terms):
    """{term uuid: "grandparent/parent/slug"}, loading missing ancestors one level per query."""
    known = {term.id: (term.slug, term.parent_id) for term in terms}
    missing = {parent for _slug, parent in known.values() if parent and parent not in known}
    while missing:
        rows = Term.select(Term.id, Term.slug, Term.parent).where(Term.id.in_(list(missing))).tuples()
        fetched = {term_id: (slug, parent) for term_id, slug, parent in rows}
        if not fetched:
            break
        known.update(fetched)
        missing = {parent for _slug, parent in fetched.values() if parent and parent not in known}
    paths = {}
    for term in terms:
        parts, node, seen = [], term.id, set()
        while node and node in known and node not in seen:
            seen.add(node)
            slug, parent = known[node]
            parts.append(slug)
            node = parent
        paths[term.id] = "/".join(reversed(parts))
    return paths


def descendants(term_id):
    """Uuids of every term below `term_id`, one query per level."""
    found, frontier = [], [term_id]
    while frontier:
        frontier = [row_id for (row_id,) in Term.select(Term.id).where(Term.parent.in_(frontier)).tuples()
                    if row_id not in found and row_id != term_id]
        found.extend(frontier)
    return found


def terms_of_posts(post_ids, taxonomy):
    """{post uuid: [Term, ...]} for many posts in one query, in the default listing order (name)."""
    result = {post_id: [] for post_id in post_ids}
    if not post_ids:
        return result
    rows = (base_select().select_extend(PostTerm.post.alias("linked_post"))
            .join(PostTerm, on=(PostTerm.term == Term.id))
            .where(PostTerm.post.in_(list(post_ids)), Term.taxonomy == taxonomy)
            .order_by(peewee.fn.LOWER(Term.name), Term.wp_id).objects())
    for term in rows:
        result.setdefault(term.linked_post, []).append(term)
    return result
