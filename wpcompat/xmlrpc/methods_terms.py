"""Taxonomies and terms: wp.getTaxonomy/ies, wp.getTerm(s), wp.newTerm, wp.editTerm, wp.deleteTerm,
wp.getCategories (= metaWeblog.getCategories), wp.newCategory, wp.deleteCategory, wp.suggestCategories,
wp.getTags, mt.getCategoryList.

Reads use queries/terms.py, writes editing/terms.py (the REST layer's sanitising, unique
slugs, duplicate names, hierarchy). Term meta has no table yet: `custom_fields` is [] and
ignored on input.
"""

from wpcompat import registry
from wpcompat.auth import can
from wpcompat.editing import terms as term_editing
from wpcompat.errors import WPError
from wpcompat.models import Term
from wpcompat.queries import terms as term_queries
from wpcompat.responses.terms import TermRelations, term_link
from wpcompat.xmlrpc.call import absint, arg, php_int, string_list, struct, text, truthy
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.structs import name_key, sorted_terms, term_struct
from wpcompat.xmlrpc.table import alias, method

TERM_TAXONOMIES = ("category", "post_tag")
TERM_ORDERBY = {"name": "name", "count": "count", "slug": "slug", "term_group": "term_group", "term_id": "id",
                "id": "id", "description": "description"}
VIEW_CATEGORIES = "Sorry, you must be able to edit posts on this site in order to view categories."


def taxonomy_struct(name, fields):
    """_prepare_taxonomy, from wpcompat.registry."""
    tax = registry.taxonomy(name)
    out = {"name": tax.name, "label": tax.label, "hierarchical": tax.hierarchical, "public": tax.public,
           "show_ui": tax.show_ui, "_builtin": tax.builtin}
    if "labels" in fields:
        out["labels"] = dict(tax.labels)
    if "cap" in fields:
        out["cap"] = dict(tax.capabilities)
    if "menu" in fields:
        out["show_in_menu"] = tax.show_ui                  # show_in_menu defaults to show_ui
    if "object_type" in fields:
        out["object_type"] = list(dict.fromkeys(tax.object_types))
    return out


def may(user, taxonomy, cap):
    """A term capability ("assign_terms", "edit_terms", ...) of `taxonomy`, as map_meta_cap maps it."""
    return can(user, registry.taxonomy(taxonomy).primitive(cap))


def existing_taxonomy(value):
    name = text(value)
    if registry.taxonomy(name) is None:
        raise Fault(403, "Invalid taxonomy.")
    return name


def fields_or(value, default):
    return string_list(value) if isinstance(value, list) else default


@method("wp.getTaxonomy", min_args=4, keep_answer=True)
def wp_get_taxonomy(call, args):
    fields = fields_or(arg(args, 4), ["labels", "cap", "object_type"])
    call.login(arg(args, 1), arg(args, 2))
    name = existing_taxonomy(arg(args, 3))
    if not may(call.user, name, "assign_terms"):
        raise Fault(401, "Sorry, you are not allowed to assign terms in this taxonomy.")
    return taxonomy_struct(name, fields)


@method("wp.getTaxonomies", min_args=3, keep_answer=True)
def wp_get_taxonomies(call, args):
    filters = struct(arg(args, 3)) if arg(args, 3) is not None else {"public": True}
    fields = fields_or(arg(args, 4), ["labels", "cap", "object_type"])
    call.login(arg(args, 1), arg(args, 2))
    out = []
    for name in registry.TAXONOMIES:
        data = taxonomy_struct(name, fields)
        if all(data.get(key) == value for key, value in filters.items()) and may(call.user, name, "assign_terms"):
            out.append(data)
    return out


def term_or_404(taxonomy, wp_id):
    term = term_queries.find(php_int(wp_id), taxonomy) if taxonomy in TERM_TAXONOMIES else None
    if term is None:
        raise Fault(404, "Invalid term ID.")
    return term


@method("wp.getTerm", min_args=5, keep_answer=True)
def wp_get_term(call, args):
    call.login(arg(args, 1), arg(args, 2))
    taxonomy = existing_taxonomy(arg(args, 3))
    term = term_or_404(taxonomy, arg(args, 4))
    if not may(call.user, taxonomy, "assign_terms"):
        raise Fault(401, "Sorry, you are not allowed to assign this term.")
    call.touched(term.id, wp_id=term.wp_id)
    return term_struct(term)


@method("wp.getTerms", min_args=4, keep_answer=True)
def wp_get_terms(call, args):
    filters = struct(arg(args, 4))
    call.login(arg(args, 1), arg(args, 2))
    taxonomy = existing_taxonomy(arg(args, 3))
    if not may(call.user, taxonomy, "assign_terms"):
        raise Fault(401, "Sorry, you are not allowed to assign terms in this taxonomy.")
    if taxonomy not in TERM_TAXONOMIES:
        return []
    query_args = {"orderby": TERM_ORDERBY.get(text(filters.get("orderby")), "name"),
                  "order": "desc" if text(filters.get("order")).lower() == "desc" else "asc",
                  "hide_empty": truthy(filters.get("hide_empty", False))}
    if text(filters.get("search")):
        query_args["search"] = text(filters["search"])
    query, _count = term_queries.collection(taxonomy, query_args)
    if absint(filters.get("number")):
        query = query.limit(absint(filters["number"]))
    if absint(filters.get("offset")):
        query = query.offset(absint(filters["offset"]))
    terms = list(query)
    if query_args["orderby"] == "name":
        terms.sort(key=lambda term: name_key(term.name), reverse=query_args["order"] == "desc")
    call.touched(None, ids=[term.wp_id for term in terms])
    return [term_struct(term) for term in terms]


def _parent_for(taxonomy, value, message):
    if not registry.taxonomy(taxonomy).hierarchical:
        raise Fault(403, message)
    parent = term_queries.find(php_int(value), taxonomy)
    if parent is None:
        raise Fault(403, "Parent term does not exist.")
    return parent


def _term_args(content):
    return {key: text(content[key]) for key in ("slug", "description") if key in content}


@method("wp.newTerm", min_args=4)
def wp_new_term(call, args):
    call.login(arg(args, 1), arg(args, 2))
    content = struct(arg(args, 3))
    taxonomy = existing_taxonomy(content.get("taxonomy"))
    if not may(call.user, taxonomy, "edit_terms"):
        raise Fault(401, "Sorry, you are not allowed to create terms in this taxonomy.")
    name = text(content.get("name")).strip()
    if not name:
        raise Fault(403, "The term name cannot be empty.")
    parent = _parent_for(taxonomy, content["parent"], "This taxonomy is not hierarchical.") \
        if "parent" in content else None
    if taxonomy not in TERM_TAXONOMIES:
        raise Fault(500, "Sorry, the term could not be created.")
    try:
        term = term_editing.create_term(taxonomy, {"name": name, **_term_args(content)}, parent)
    except WPError as error:
        raise Fault(500, error.message) from None
    call.touched(term.id, wp_id=term.wp_id)
    return str(term.wp_id)


@method("wp.editTerm", min_args=5)
def wp_edit_term(call, args):
    call.login(arg(args, 1), arg(args, 2))
    content = struct(arg(args, 4))
    taxonomy = existing_taxonomy(content.get("taxonomy"))
    term = term_or_404(taxonomy, arg(args, 3))
    if not may(call.user, taxonomy, "edit_terms"):
        raise Fault(401, "Sorry, you are not allowed to edit this term.")
    changes = _term_args(content)
    if "name" in content:
        changes["name"] = text(content["name"]).strip()
        if not changes["name"]:
            raise Fault(403, "The term name cannot be empty.")
    parent = ...
    if content.get("parent"):
        parent = _parent_for(taxonomy, content["parent"], "Cannot set parent term, taxonomy is not hierarchical.")
    try:
        term_editing.update_term(term, changes, parent)
    except WPError as error:
        raise Fault(500, error.message) from None
    call.touched(term.id, wp_id=term.wp_id)
    return True


def _default_category(call):
    wp_id = call.site.options.get("default_category")
    return term_queries.find(wp_id, "category") if wp_id else None


def _delete(call, term):
    default = _default_category(call)
    if default is not None and default.id == term.id:
        return False
    term_editing.delete_term(term, default)
    call.touched(term.id, wp_id=term.wp_id)
    return True


@method("wp.deleteTerm", min_args=5)
def wp_delete_term(call, args):
    call.login(arg(args, 1), arg(args, 2))
    taxonomy = existing_taxonomy(arg(args, 3))
    term = term_or_404(taxonomy, arg(args, 4))
    if not may(call.user, taxonomy, "delete_terms"):
        raise Fault(401, "Sorry, you are not allowed to delete this term.")
    if not _delete(call, term):
        raise Fault(500, "Sorry, deleting the term failed.")
    return True


def all_categories():
    terms = list(term_queries.base_select().where(Term.taxonomy == "category").objects())
    return sorted_terms(terms)


@method("metaWeblog.getCategories", keep_answer=True)
def mw_get_categories(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_posts"):
        raise Fault(401, VIEW_CATEGORIES)
    terms = all_categories()
    relations = TermRelations(terms, "category")
    call.touched(None, ids=[term.wp_id for term in terms])
    out = []
    for term in terms:
        url = term_link(term, call.home, relations)
        out.append({"categoryId": term.wp_id, "parentId": int(getattr(term, "parent_wp_id", None) or 0),
                    "description": term.name, "categoryDescription": term.description or "",
                    "categoryName": term.name, "htmlUrl": url, "rssUrl": f"{url}feed/"})
    return out


alias("wp.getCategories", "metaWeblog.getCategories")


@method("mt.getCategoryList")
def mt_get_category_list(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_posts"):
        raise Fault(401, VIEW_CATEGORIES)
    terms = all_categories()
    call.touched(None, ids=[term.wp_id for term in terms])
    return [{"categoryId": term.wp_id, "categoryName": term.name} for term in terms]


@method("wp.getTags", keep_answer=True)
def wp_get_tags(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_posts"):
        raise Fault(401, "Sorry, you must be able to edit posts on this site in order to view tags.")
    terms = sorted_terms(list(term_queries.base_select().where(Term.taxonomy == "post_tag", Term.count > 0)))
    relations = TermRelations(terms, "post_tag")
    call.touched(None, ids=[term.wp_id for term in terms])
    out = []
    for term in terms:
        url = term_link(term, call.home, relations)
        out.append({"tag_id": term.wp_id, "name": term.name, "count": int(term.count or 0), "slug": term.slug,
                    "html_url": url, "rss_url": f"{url}feed/"})
    return out


@method("wp.newCategory")
def wp_new_category(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "manage_categories"):
        raise Fault(401, "Sorry, you are not allowed to add a category.")
    category = struct(arg(args, 3))
    parent = term_queries.find(absint(category.get("parent_id")), "category") if category.get("parent_id") else None
    values = {"name": text(category.get("name")), "slug": text(category.get("slug")),
              "description": text(category.get("description"))}
    try:
        term = term_editing.create_term("category", values, parent)
    except term_editing.TermExists as exists:
        return int(exists.term_id)
    except WPError:
        raise Fault(500, "Sorry, the category could not be created.") from None
    call.touched(term.id, wp_id=term.wp_id)
    return term.wp_id


@method("wp.deleteCategory")
def wp_delete_category(call, args):
    call.login(arg(args, 1), arg(args, 2))
    term = term_queries.find(php_int(arg(args, 3)), "category")
    if term is None:
        raise Fault(404, "Invalid category ID.")
    if not can(call.user, "manage_categories"):
        raise Fault(401, "Sorry, you are not allowed to delete this category.")
    return _delete(call, term)


@method("wp.suggestCategories")
def wp_suggest_categories(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_posts"):
        raise Fault(401, VIEW_CATEGORIES)
    query_args = {"search": text(arg(args, 3))} if text(arg(args, 3)) else {}
    query, _count = term_queries.collection("category", query_args)
    limit = absint(arg(args, 4))
    terms = list(query.limit(limit) if limit else query)
    return [{"category_id": term.wp_id, "category_name": term.name} for term in terms]
