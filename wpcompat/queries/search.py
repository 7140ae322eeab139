"""Reads behind /wp/v2/search: posts, terms and post formats matching a search. No HTTP here.

Posts come from queries.posts (published, readable by the caller: status and compliance
level in SQL, so the total never counts what the caller may not see); terms through
the Term model. Everything is scoped to the current tenant by the model layer (and by
RLS on PostgreSQL). Each search costs a fixed number of queries whatever per_page is.
"""

import peewee

from wpcompat.models import Post, Term
from wpcompat.queries import posts as post_queries


def posts(user, post_types, args, page, per_page):
    """(published posts of `post_types` on the page, total) for the search args."""
    page_query, count_query = post_queries.published_search(user, post_types, args)
    total = count_query.count()
    if not total or (page - 1) * per_page >= total:
        return [], total
    return list(page_query.limit(per_page).offset((page - 1) * per_page).objects()), total


def _matching_terms(query, taxonomies, args):
    """WP_Term_Query: in these taxonomies; include wins over exclude; the name or slug contains the search."""
    query = query.where(Term.taxonomy.in_(list(taxonomies)))
    if args.get("include"):
        query = query.where(Term.wp_id.in_(args["include"]))
    elif args.get("exclude"):
        query = query.where(Term.wp_id.not_in(args["exclude"]))
    if args.get("search"):
        query = query.where(Term.name.contains(args["search"]) | Term.slug.contains(args["search"]))
    return query


def terms(taxonomies, args, page, per_page):
    """(terms on the page, ordered by name as WP_Term_Query orders them, total)."""
    total = _matching_terms(Term.select(Term.id), taxonomies, args).count()
    if not total or (page - 1) * per_page >= total:
        return [], total
    query = _matching_terms(Term.select(), taxonomies, args).order_by(peewee.fn.LOWER(Term.name), Term.wp_id)
    return list(query.limit(per_page).offset((page - 1) * per_page)), total


def used_formats(user):
    """The post formats of published posts the user may read: the formats that have an archive."""
    query = Post.select(Post.format).distinct().where(Post.post_type == "post")
    query = post_queries.readable(query, user, "post", ("publish",))
    return {row.format for row in query}
