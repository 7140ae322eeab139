"""prepare_item_for_response for categories and tags: WordPress's fields, in its order, and _links.

`TermRelations` loads what a page of terms needs from other rows (the ancestors'
slugs for hierarchical permalinks) once, so a list of 100 costs what a list of 10 does.
"""

from wpcompat.queries import terms as term_queries
from wpcompat.schemas.terms import is_hierarchical

ARCHIVE_BASES = {"category": "category", "post_tag": "tag"}


class TermRelations:
    """Ancestor paths for a batch of terms of one taxonomy."""

    def __init__(self, terms, taxonomy):
        self.paths = term_queries.ancestor_slugs(terms) if is_hierarchical(taxonomy) and terms else {}

    def path(self, term):
        return self.paths.get(term.id, term.slug)


def term_link(term, home, relations):
    """get_term_link with pretty permalinks: /category/parent/child/ and /tag/slug/."""
    base = ARCHIVE_BASES.get(term.taxonomy, term.taxonomy)
    return f"{home}/{base}/{relations.path(term)}/"


def prepare_term(term, ctx, relations):
    """The term as WordPress answers it. ctx: PrepareContext (request facts shared by a list)."""
    included = ctx.included
    data = {}
    if included("id"):
        data["id"] = term.wp_id
    if included("count"):
        data["count"] = int(term.count or 0)
    if included("description"):
        data["description"] = term.description or ""
    if included("link"):
        data["link"] = term_link(term, ctx.home, relations)
    if included("name"):
        data["name"] = term.name
    if included("slug"):
        data["slug"] = term.slug
    if included("taxonomy"):
        data["taxonomy"] = term.taxonomy
    if is_hierarchical(term.taxonomy) and included("parent"):
        data["parent"] = getattr(term, "parent_wp_id", None) or 0
    if included("meta"):
        data["meta"] = []
    if term.taxonomy == "category":
        _healthcare_fields(data, term, included)
    return data


def _healthcare_fields(data, term, included):
    if included("medical_specialty"):
        data["medical_specialty"] = term.medical_specialty
    if included("compliance_required"):
        data["compliance_required"] = bool(term.compliance_required)
    if included("crm_validation_required"):
        data["crm_validation_required"] = bool(term.crm_validation_required)


def term_links(term, ctx, rest_base):
    """_links: self, collection, about, up (the parent, embeddable) and wp:post_type."""
    root = ctx.rest_root
    base = f"{root}wp/v2/{rest_base}"
    links = {
        "self": [{"href": f"{base}/{term.wp_id}"}],
        "collection": [{"href": base}],
        "about": [{"href": f"{root}wp/v2/taxonomies/{term.taxonomy}"}],
    }
    parent = getattr(term, "parent_wp_id", None)
    if parent:
        links["up"] = [{"embeddable": True, "href": f"{base}/{parent}"}]
    links["wp:post_type"] = [{"href": f"{root}wp/v2/posts?{rest_base}={term.wp_id}"}]
    return links
