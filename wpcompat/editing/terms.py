"""Creating, updating and deleting categories and tags (wp_insert_term, wp_update_term, wp_delete_term).

Input has been validated against the item schema already; here are the rules that
need the database: sanitised names, unique slugs per (tenant, taxonomy), duplicate
names among siblings, parents without loops, levels, and what deleting a category
does to its children and its posts.
"""

import re

import peewee

from wpcompat import kses
from wpcompat.db import db
from wpcompat.editing.posts import recount_terms
from wpcompat.errors import WPError
from wpcompat.models import Post, PostTerm, Term
from wpcompat.queries import terms as term_queries
from wpcompat.schemas.terms import is_hierarchical
from wpcompat.slugs import sanitize_title, truncate_post_slug, unique_slug
from wpcompat.wp_ids import next_wp_id

NAME_MAX = 100                 # categories.name VARCHAR(100)
SLUG_MAX = 100                 # categories.slug VARCHAR(100)
HEALTHCARE_FIELDS = ("medical_specialty", "compliance_required", "crm_validation_required")
EXISTS_MESSAGES = {True: "A term with the name provided already exists with this parent.",
                   False: "A term with the name provided already exists in this taxonomy."}


class TermExists(WPError):
    """term_exists as the terms controller answers it: the existing id in data and additional_data."""

    def __init__(self, taxonomy, term_id):
        super().__init__("term_exists", EXISTS_MESSAGES[is_hierarchical(taxonomy)], 400, term_id=term_id)
        self.term_id = term_id

    def to_dict(self):
        return {**super().to_dict(), "additional_data": [self.term_id, self.term_id]}


# --- sanitising (sanitize_text_field, pre_term_name, pre_term_description) ------------------------

_ENTITY_OR_AMP = re.compile(r"&(?!#\d+;|#x[0-9a-f]+;|[a-z][a-z0-9]*;)", re.I)


def _amp(text):
    return _ENTITY_OR_AMP.sub("&amp;", text)


def sanitize_name(text):
    """pre_term_name: sanitize_text_field, kses (entities normalised), then < > & as entities."""
    return _amp(kses.sanitize_text_field(text)).replace("<", "&lt;").replace(">", "&gt;")


def sanitize_description(text):
    """pre_term_description: wp_filter_kses with WordPress's small set of allowed tags."""
    return kses.filter_small(text)


# --- parents, duplicates and slugs --------------------------------------------------------------------

def resolve_parent(taxonomy, wp_id):
    """The parent term for `wp_id` (0: none), or 400 rest_term_invalid."""
    if not wp_id:
        return None
    parent = term_queries.find(wp_id, taxonomy)
    if parent is None:
        raise WPError("rest_term_invalid", "Parent term does not exist.", 400)
    return parent


def _siblings(taxonomy, parent_id):
    query = Term.select(Term.id, Term.wp_id, Term.name, Term.slug, Term.parent).where(Term.taxonomy == taxonomy)
    if is_hierarchical(taxonomy):
        query = query.where(Term.parent.is_null() if parent_id is None else Term.parent == parent_id)
    return list(query)


def find_duplicate(taxonomy, name, slug, slug_given, parent_id):
    """wp_insert_term's term_exists rule: a sibling of the same name (case-insensitively), unless a
    distinct free slug was asked for. Our unique (name, taxonomy, parent) index also forbids an
    exact same-name sibling; that is reported the same way."""
    siblings = _siblings(taxonomy, parent_id)
    name_match = next((term for term in siblings if term.name.lower() == name.lower()), None)
    exact = next((term for term in siblings if term.name == name), None)
    if name_match is None:
        return None
    slug_match = Term.select(Term.id, Term.wp_id, Term.parent).where(
        Term.taxonomy == taxonomy, Term.slug == slug).first() if slug else None
    if slug_given and name_match.slug != slug and slug_match is None:
        return exact
    if not is_hierarchical(taxonomy):
        return name_match
    if (not slug_given or name_match.slug == slug) and exact is not None:
        return exact
    if slug_match is not None and slug_match.parent_id == parent_id:
        return slug_match
    return exact


def _slug_taken(taxonomy, exclude_id):
    def taken(candidate):
        query = Term.select(Term.id).where(Term.taxonomy == taxonomy, Term.slug == candidate)
        if exclude_id is not None:
            query = query.where(Term.id != exclude_id)
        return query.exists()
    return taken


def unique_term_slug(slug, taxonomy, parent, exclude_id=None):
    """wp_unique_term_slug: free as is; else with the ancestors' slugs appended; else -2, -3…"""
    taken = _slug_taken(taxonomy, exclude_id)
    slug = truncate_post_slug(slug, SLUG_MAX)
    if not taken(slug):
        return slug
    suffix, node = "", parent
    while node is not None and is_hierarchical(taxonomy):
        suffix += f"-{node.slug}"
        if not taken(slug + suffix) or node.parent_id is None:
            break
        node = Term.get_or_none(Term.id == node.parent_id)
    base = truncate_post_slug(slug + suffix, SLUG_MAX)
    return unique_slug(base, taken, truncate=True, max_length=SLUG_MAX)


def _check_name(name):
    if not name.strip():
        raise WPError("empty_term_name", "A name is required for this term.", 500)
    if len(name) > NAME_MAX:
        message = f"name must be at most {NAME_MAX} characters long."
        raise WPError.invalid_params({"name": message},
                                     {"name": {"code": "rest_too_long", "message": message, "data": None}})


# --- writes -------------------------------------------------------------------------------------------------

def create_term(taxonomy, args, parent):
    """A new term from validated args (parent resolved by the caller). Raises TermExists."""
    name = sanitize_name(args["name"])
    _check_name(name)
    given = sanitize_title(args.get("slug") or "")
    parent_id = parent.id if parent is not None else None
    duplicate = find_duplicate(taxonomy, name, given, bool(given), parent_id)
    if duplicate is not None:
        raise TermExists(taxonomy, duplicate.wp_id)
    term = Term(name=name, taxonomy=taxonomy, description=sanitize_description(args.get("description", "")),
                parent=parent_id, level=(parent.level or 0) + 1 if parent is not None else 0, count=0,
                wp_id=next_wp_id("term"))
    term.slug = unique_term_slug(given or sanitize_title(name) or str(term.wp_id), taxonomy, parent)
    _apply_healthcare(term, args)
    _insert(term, parent)
    return term


def _insert(term, parent):
    """Insert; a slug or name taken by a concurrent writer meanwhile is retried or reported."""
    for attempt in range(3):
        try:
            with db.atomic():
                term.save(force_insert=True)
            return
        except peewee.IntegrityError:
            duplicate = find_duplicate(term.taxonomy, term.name, term.slug, True, term.parent_id)
            if duplicate is not None:
                raise TermExists(term.taxonomy, duplicate.wp_id) from None
            if attempt == 2:
                raise
            term.slug = unique_term_slug(term.slug, term.taxonomy, parent)


def _apply_healthcare(term, args):
    if term.taxonomy != "category":
        return
    for name in HEALTHCARE_FIELDS:
        if name in args:
            setattr(term, name, args[name])


def update_term(term, args, parent=...):
    """wp_update_term: only what is given changes. `parent`: a Term, None (top level), or ... (unchanged)."""
    taxonomy = term.taxonomy
    old_parent_id = term.parent_id
    if parent is not ...:
        term.parent = _without_loops(term, parent)
    name = sanitize_name(args["name"]) if "name" in args else term.name
    _check_name(name)
    term.name = name
    _update_slug(term, args, old_parent_id)
    same_name = next((sibling for sibling in _siblings(taxonomy, term.parent_id)
                      if sibling.id != term.id and sibling.name == term.name), None)
    if same_name is not None:                      # our unique (name, taxonomy, parent) index
        raise TermExists(taxonomy, same_name.wp_id)
    if "description" in args:
        term.description = sanitize_description(args["description"])
    _apply_healthcare(term, args)
    if term.parent_id != old_parent_id:
        _relevel(term)
    with db.atomic():
        term.save()
    return term


def _without_loops(term, parent):
    """wp_check_term_hierarchy_for_loops: itself or a descendant as parent means top level."""
    if parent is None or parent.id == term.id or parent.id in term_queries.descendants(term.id):
        return None
    return parent.id


def _update_slug(term, args, old_parent_id):
    if "slug" not in args:
        return
    slug = sanitize_title(args["slug"] or "")
    empty = not slug
    slug = slug or sanitize_title(term.name) or str(term.wp_id)
    if slug == term.slug:
        return
    if _slug_taken(term.taxonomy, term.id)(slug):
        if not (empty or term.parent_id != old_parent_id):
            raise WPError("duplicate_term_slug",
                          f"The slug &#8220;{slug}&#8221; is already in use by another term.", 500)
        parent = Term.get_or_none(Term.id == term.parent_id) if term.parent_id else None
        slug = unique_term_slug(slug, term.taxonomy, parent, exclude_id=term.id)
    term.slug = truncate_post_slug(slug, SLUG_MAX)


def _relevel(term):
    """level = parent's level + 1, for the term and everything below it."""
    parent = Term.get_or_none(Term.id == term.parent_id) if term.parent_id else None
    term.level = (parent.level or 0) + 1 if parent is not None else 0
    _relevel_children([term.id], term.level + 1)


def _relevel_children(parent_ids, level):
    while parent_ids:
        Term.update(level=level).where(Term.parent.in_(parent_ids)).execute()
        parent_ids = [row_id for (row_id,) in Term.select(Term.id).where(Term.parent.in_(parent_ids)).tuples()]
        level += 1


def delete_term(term, default_category=None):
    """wp_delete_term: children move up to the term's parent; its posts lose it (a post left without a
    category gets the default one), posts.category_id moves on; counts are redone."""
    new_level = term.level or 0
    children = [row_id for (row_id,) in Term.select(Term.id).where(Term.parent == term.id).tuples()]
    if children:
        Term.update(parent=term.parent_id).where(Term.id.in_(children)).execute()
        Term.update(level=new_level).where(Term.id.in_(children)).execute()
        _relevel_children(children, new_level + 1)
    touched = _unlink_posts(term, default_category)
    Term.delete().where(Term.id == term.id).execute()
    recount_terms(touched - {term.id})


def _unlink_posts(term, default_category):
    """Remove the term from its posts; returns the term ids whose counts may have changed."""
    post_ids = [row_id for (row_id,) in PostTerm.select(PostTerm.post).where(PostTerm.term == term.id).tuples()]
    PostTerm.delete().where(PostTerm.term == term.id).execute()
    touched = {term.id}
    if not post_ids or term.taxonomy != "category":
        return touched
    remaining = {}
    for post_id, term_id in (PostTerm.select(PostTerm.post, PostTerm.term).join(Term)
                             .where(PostTerm.post.in_(post_ids), Term.taxonomy == "category")
                             .order_by(PostTerm.term_order, Term.name).tuples()):
        remaining.setdefault(post_id, []).append(term_id)
    default = default_category if default_category is not None and default_category.id != term.id else None
    orphans = [post_id for post_id in post_ids if post_id not in remaining]
    if orphans and default is not None:
        rows = [{"post": post_id, "term": default.id, "term_order": 0} for post_id in orphans]
        PostTerm.insert_many(rows).execute()
        remaining.update({post_id: [default.id] for post_id in orphans})
        touched.add(default.id)
    by_first = {}
    for post_id in post_ids:
        by_first.setdefault((remaining.get(post_id) or [None])[0], []).append(post_id)
    for first, ids in by_first.items():
        Post.update(category=first).where(Post.id.in_(ids), Post.category == term.id).execute()
    return touched
