"""Reading posts and pages: visibility, WordPress's collection filters and ordering. No HTTP here.

Every query is tenant-scoped by the model layer (and by RLS on PostgreSQL). On top,
`readable()` keeps only what the user may read: statuses by WordPress's rules and
compliance levels by the healthcare rules, in SQL, so X-WP-Total never counts what
the caller may not see. A list costs a fixed number of queries, whatever per_page is.
"""

import functools
import uuid

import peewee

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.db import current_tenant
from wpcompat.models import Media, Post, PostTerm, Term, User
from wpcompat.queries import common
from wpcompat.queries.compiled import CompiledQuery, as_given, execute_prepared
from wpcompat.slugs import remove_accents

Author = User.alias("author")
Featured = Media.alias("featured")
Parent = Post.alias("parent_post")

EDIT_STATUSES = ("future", "draft", "pending")
ALL_STATUSES = ("publish", "future", "draft", "pending", "private", "trash")


def base_select():
    """Posts with their author's, featured image's and parent's integer ids, in one query."""
    return (Post.select(Post, Author.wp_id.alias("author_wp_id"), Featured.wp_id.alias("featured_wp_id"),
                        Featured.contains_phi.alias("featured_phi"), Parent.wp_id.alias("parent_wp_id"))
            .join(Author, peewee.JOIN.LEFT_OUTER, on=(Post.author == Author.id))
            .switch(Post).join(Featured, peewee.JOIN.LEFT_OUTER, on=(Post.featured_media == Featured.id))
            .switch(Post).join(Parent, peewee.JOIN.LEFT_OUTER, on=(Post.parent == Parent.id))
            .switch(Post))


def readable(query, user, post_type, statuses=None):
    """Only rows `user` may read: compliance level first, then WordPress's status rules."""
    levels = permissions.compliance_levels(user)
    visible = Post.compliance_level.in_(levels)
    if "public" in levels:                    # NULL counts as public (the seed's column is nullable)
        visible = visible | Post.compliance_level.is_null()
    query = query.where(visible)
    statuses = statuses or ("publish",)
    clauses = []
    for status in statuses:
        clause = _status_clause(user, post_type, status)
        if clause is not None:
            clauses.append(clause)
    if not clauses:
        return query.where(peewee.SQL("1 = 0"))
    return query.where(functools.reduce(lambda a, b: a | b, clauses))


def status_rule(user, post_type, status):
    """Which posts of `status` the user may read: "all", "own", or None (none)."""
    if status == "publish":
        return "all" if post_type != "wp_block" or can(user, "edit_posts") else None   # blocks: edit_posts
    if status == "private":
        if permissions.can_read_private(user, post_type):
            return "all"
        return "own" if user.is_authenticated else None
    # draft, pending, future, trash: readable by who may edit them
    if permissions.can_edit_others(user, post_type):
        return "all"
    if user.is_authenticated and permissions.can_create(user, post_type):
        return "own"
    return None


def _status_clause(user, post_type, status):
    rule = status_rule(user, post_type, status)
    if rule is None:
        return None
    is_status = Post.status == status
    return is_status if rule == "all" else is_status & (Post.author == user.id)


_FIND = CompiledQuery(lambda wp_id: base_select().where(Post.wp_id == wp_id).objects(), wp_id=-424242)


def find_many(wp_ids):
    """{wp_id: post} for several posts of the current tenant, in one query."""
    if not wp_ids:
        return {}
    return {post.wp_id: post for post in base_select().where(Post.wp_id.in_(list(wp_ids))).objects()}


def find(wp_id, post_type=None):
    """The post with this integer id in the current tenant, any status (None if absent)."""
    rows = _FIND.rows(wp_id=wp_id)
    post = rows[0] if rows else None
    if post is None or (post_type is not None and post.post_type != post_type):
        return None
    return post


def statuses_for(requested):
    if "any" in requested:
        return tuple(status for status in ALL_STATUSES if status != "trash")
    return tuple(dict.fromkeys(requested))


def collection(user, post_type, args, site_zone):
    """(page query with joins and ordering, count query without them) for the matching posts."""
    page = _filtered(base_select(), user, post_type, args, site_zone)
    count = _filtered(Post.select(Post.id), user, post_type, args, site_zone)
    return _order(page, args), count


def published_search(user, post_types, args):
    """(page query, count query): published posts of several types the user may read, filtered by
    `include`, `exclude` and `search`, in WordPress's search order (the /wp/v2/search route)."""
    def matching(query):
        query = readable(query.where(Post.post_type.in_(list(post_types))), user, "post", ("publish",))
        query = common.filter_authors_and_ids(query, {"include": args.get("include"),
                                                      "exclude": args.get("exclude")}, Post.author, Post.wp_id)
        return _search(query, args["search"]) if args.get("search") else query

    order = {"orderby": "relevance", "search": args["search"]} if args.get("search") else {"orderby": "date"}
    return _order(matching(base_select()), order), matching(Post.select(Post.id))


FILTER_ARGS = ("author", "author_exclude", "include", "exclude", "parent", "parent_exclude", "after", "before",
               "modified_after", "modified_before", "categories", "categories_exclude", "tags", "tags_exclude",
               "search", "slug", "sticky", "menu_order")


_PAGES = {}           # (post type, statuses, levels, orderby, order) → the compiled page query


def unfiltered(user, post_type, args):
    """(statuses the user reads in full, compliance levels) when the listing has no filter and no
    own-posts-only rule — the default listing, served from compiled SQL and post_counts — else None."""
    if any(args.get(name) not in (None, [], "") for name in FILTER_ARGS):
        return None
    rules = {status: status_rule(user, post_type, status)
             for status in statuses_for(args.get("status") or ["publish"])}
    if "own" in rules.values():
        return None
    return (tuple(status for status, rule in rules.items() if rule == "all"),
            tuple(permissions.compliance_levels(user)))


def page_of_default_listing(user, post_type, args, limit, offset):
    """The page of an unfiltered listing from SQL compiled once per shape; None if not unfiltered."""
    shape = unfiltered(user, post_type, args)
    orderby = args.get("orderby") or "date"
    if shape is None or orderby in ("include", "include_slugs", "relevance"):
        return None
    statuses, levels = shape
    if not statuses:
        return []
    key = (post_type, statuses, levels, orderby, args.get("order") or "desc")
    compiled = _PAGES.get(key)
    if compiled is None:
        shape_args = {"status": list(statuses), "orderby": orderby, "order": key[4]}

        def build(limit, offset):
            query = base_select().where(Post.post_type == post_type, Post.status.in_(list(statuses)))
            visible = Post.compliance_level.in_(list(levels))
            if "public" in levels:
                visible = visible | Post.compliance_level.is_null()
            return _order(query.where(visible), shape_args).limit(limit).offset(offset).objects()

        compiled = _PAGES[key] = CompiledQuery(build, limit=987654, offset=876543)
    return compiled.rows(limit=limit, offset=offset)


def fast_total(user, post_type, args):
    """X-WP-Total from post_counts when the listing is unfiltered and needs no ownership test; else None.

    post_counts is kept exact by triggers (migrations/0006); this saves counting every
    post of a large site on every page of the default listing.
    """
    shape = unfiltered(user, post_type, args)
    if shape is None:
        return None                          # a filter, or "own posts only": count the rows instead
    readable_statuses, levels = shape
    if not readable_statuses:
        return 0
    levels = list(levels) + ([""] if "public" in levels else [])
    tenant = current_tenant.get()
    if tenant is None:
        return 0
    def build_sql(p):
        return (f"SELECT COALESCE(SUM(count), 0) FROM post_counts WHERE tenant_id = {p} AND post_type = {p} "
                f"AND status IN ({', '.join([p] * len(readable_statuses))}) "
                f"AND compliance_level IN ({', '.join([p] * len(levels))})")

    shape = ("post_counts", len(readable_statuses), len(levels))
    row = execute_prepared(shape, build_sql, [str(tenant), post_type, *readable_statuses, *levels]).fetchone()
    return int(row[0])


def _filtered(query, user, post_type, args, site_zone):
    query = query.where(Post.post_type == post_type)
    query = readable(query, user, post_type, statuses_for(args.get("status") or ["publish"]))
    query = common.filter_authors_and_ids(query, args, Post.author, Post.wp_id)
    query = common.filter_parents(query, args, Post.parent)
    query = common.filter_dates(query, args, {"date": Post.date_local, "modified": Post.modified_local},
                                lambda moment: _local(moment, site_zone))
    query = _filter_terms(query, args)
    if args.get("search"):
        query = _search(query, args["search"])
    if args.get("slug"):
        query = query.where(Post.slug.in_(args["slug"]))
    if "sticky" in args:
        query = query.where(Post.sticky == args["sticky"])
    if "menu_order" in args:
        query = query.where(Post.menu_order == args["menu_order"])
    return query


def _local(value, zone):
    """A request date → naive local time of the site, as post_date is stored."""
    if value.tzinfo is not None:
        value = value.astimezone(zone)
    return value.replace(tzinfo=None)


def _term_ids(taxonomy, wp_ids, include_children=False):
    terms = Term.select(Term.id).where(Term.taxonomy == taxonomy, Term.wp_id.in_(wp_ids))
    found = [row.id for row in terms]
    if include_children and found:
        frontier = found
        while frontier:
            frontier = [row.id for row in Term.select(Term.id).where(Term.parent.in_(frontier))
                        if row.id not in found]
            found.extend(frontier)
    return found


def _has_terms(term_ids):
    return Post.id.in_(PostTerm.select(PostTerm.post).where(PostTerm.term.in_(term_ids)))


def _filter_terms(query, args):
    clauses = []
    for key, taxonomy in (("categories", "category"), ("tags", "post_tag")):
        wanted = args.get(key)
        if wanted:
            spec = wanted if isinstance(wanted, dict) else {"terms": wanted}
            term_ids = _term_ids(taxonomy, spec.get("terms") or [], spec.get("include_children", False))
            if spec.get("operator") == "AND":
                for term_id in term_ids:
                    clauses.append(_has_terms([term_id]))
            else:
                clauses.append(_has_terms(term_ids) if term_ids else peewee.SQL("1 = 0"))
        excluded = args.get(f"{key}_exclude")
        if excluded:
            spec = excluded if isinstance(excluded, dict) else {"terms": excluded}
            term_ids = _term_ids(taxonomy, spec.get("terms") or [], spec.get("include_children", False))
            if term_ids:
                query = query.where(~_has_terms(term_ids))
    if clauses:
        combined = functools.reduce(lambda a, b: (a | b) if args.get("tax_relation") == "OR" else (a & b), clauses)
        query = query.where(combined)
    return query


def _search(query, text):
    """WordPress's search: every word must be in the title, excerpt or content."""
    for word in [part for part in text.split() if part][:10] or [text]:
        pattern = f"%{word}%"
        query = query.where(Post.title.ilike(pattern) | Post.excerpt.ilike(pattern) | Post.content.ilike(pattern))
    return query


def _order(query, args):
    orderby = args.get("orderby") or "date"
    descending = (args.get("order") or "desc") == "desc"
    # "date" orders by published_at (GMT): the same order as WordPress's post_date in one timezone,
    # and it is what the seed's (tenant_id, status, published_at DESC) index serves.
    columns = {"date": Post.published_at, "id": Post.wp_id, "modified": Post.updated_at,
               "title": Post.title, "slug": Post.slug, "author": Author.wp_id, "parent": Parent.wp_id,
               "menu_order": Post.menu_order, "relevance": Post.published_at}
    if orderby in ("include", "include_slugs"):
        values = args.get("include" if orderby == "include" else "slug") or []
        column = Post.wp_id if orderby == "include" else Post.slug
        position = peewee.Case(column, [(value, index) for index, value in enumerate(values)], len(values)) \
            if values else column                 # no values: a CASE without WHEN is a syntax error
        return query.order_by(position, Post.wp_id)
    if orderby == "relevance":
        words = (args.get("search") or "").split()
        in_title = peewee.Case(None, [(Post.title.ilike(f"%{' '.join(words)}%"), 0)], 1)
        return query.order_by(in_title, Post.published_at.desc(), Post.wp_id.desc())
    column = columns[orderby]
    tie = Post.wp_id.desc() if descending else Post.wp_id.asc()
    return query.order_by(column.desc() if descending else column.asc(), tie)


def terms_by_post(post_ids):
    """{post uuid: {"category": [wp_id...], "post_tag": [...]}} in one query, ordered by name."""
    result = {}
    if not post_ids:
        return result
    post_ids = list(post_ids)
    texts = [str(post_id) for post_id in post_ids]        # sent as text, as a uuid parameter is
    rows = _TERMS.rows(post_ids=texts)
    rows.sort(key=lambda row: (collation_key(row[3]), row[2]))
    given = as_given(post_ids, texts)
    for post_text, taxonomy, wp_id, _name in rows:
        result.setdefault(given(post_text), {}).setdefault(taxonomy, []).append(wp_id)
    return result



@functools.lru_cache(maxsize=4096)        # a page of posts repeats the same few term names
def collation_key(name):
    """How WordPress's MySQL (utf8mb4 collation) orders term names: without case or accents."""
    return remove_accents(name).casefold()


_TERMS = CompiledQuery(
    lambda post_ids: (PostTerm.select(PostTerm.post.cast("text"), Term.taxonomy, Term.wp_id, Term.name)
                      .join(Term, on=(PostTerm.term == Term.id))
                      .where(PostTerm.post.in_(post_ids)).order_by(Term.name, Term.wp_id).tuples()),
    post_ids=uuid.UUID("00000000-0000-4000-8000-0000000aaaa0"))


def page_paths(pages):
    """{page uuid: "grandparent/parent/slug"} for hierarchical permalinks, one query per level."""
    known = {page.id: (page.slug, page.parent_id) for page in pages}
    missing = {parent for _slug, parent in known.values() if parent and parent not in known}
    while missing:
        rows = Post.select(Post.id, Post.slug, Post.parent).where(Post.id.in_(list(missing))).tuples()
        fetched = {row_id: (slug, parent) for row_id, slug, parent in rows}
        known.update(fetched)
        missing = {parent for _slug, parent in fetched.values() if parent and parent not in known}
        missing -= set(fetched) if not fetched else set()
        if not fetched:
            break
    paths = {}
    for page in pages:
        parts, node, seen = [], page.id, set()
        while node and node in known and node not in seen:
            seen.add(node)
            slug, parent = known[node]
            parts.append(slug)
            node = parent
        paths[page.id] = "/".join(reversed(parts))
    return paths


def may_use_status(user, post_type, status):
    """Whether a non-default status filter is allowed (sanitize_post_statuses)."""
    if status == "publish":
        return True
    if status == "private" and permissions.can_read_private(user, post_type):
        return True
    return can(user, "edit_posts" if post_type == "post" else "edit_pages")
