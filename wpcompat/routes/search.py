"""SearchController: /wp/v2/search (WP_REST_Search_Controller and its three handlers, WordPress 6.1).

`type=post` (default) searches published posts and pages the caller may read,
`type=term` categories and tags, `type=post-format` the formats in use. Items are
`{id, title, url, type, subtype}` (terms and formats have no subtype in 6.1) with
`self` (embeddable), `about` and `collection` links. An unknown `type` is a
rest_invalid_param (the enum), as in WordPress; past the last page is
rest_search_invalid_page_number.
"""

import types as pytypes

from wpcompat import registry
from wpcompat.errors import WPError
from wpcompat.queries import posts as post_queries
from wpcompat.queries import search as search_queries
from wpcompat.responses.posts import permalink, render_title
from wpcompat.responses.terms import TermRelations, term_link
from wpcompat.rest.server import READABLE, Endpoint, RestResponse
from wpcompat.rest.validation import ParamError
from wpcompat.routes.base import Controller, pagination_params

VE = ["view", "embed"]
ANY = "any"


class PostSearch:
    """WP_REST_Post_Search_Handler: public REST post types except attachments."""

    type = "post"
    subtypes = tuple(pt.name for pt in registry.rest_post_types() if pt.public and pt.name != "attachment")
    empty_means = ("post",)               # WP_Query with no post_type searches posts

    def search(self, request, subtypes, page, per_page, urls):
        rows, total = search_queries.posts(request.user, subtypes, request.args, page, per_page)
        relations = pytypes.SimpleNamespace(paths=post_queries.page_paths([p for p in rows if p.post_type == "page"]))
        return [self.prepare(post, urls, relations) for post in rows], total

    def prepare(self, post, urls, relations):
        home, root = urls
        data = {"id": post.wp_id, "title": render_title(post.title), "url": permalink(post, home, relations),
                "type": self.type, "subtype": post.post_type}
        base = registry.post_type(post.post_type).rest_base
        links = {"self": [{"embeddable": True, "href": f"{root}wp/v2/{base}/{post.wp_id}"}],
                 "about": [{"href": f"{root}wp/v2/types/{post.post_type}"}]}
        return data, links


class TermSearch:
    """WP_REST_Term_Search_Handler: public REST taxonomies."""

    type = "term"
    subtypes = tuple(tax.name for tax in registry.rest_taxonomies() if tax.public)
    empty_means = subtypes                # WP_Term_Query with no taxonomy searches them all

    def search(self, request, subtypes, page, per_page, urls):
        rows, total = search_queries.terms(subtypes, request.args, page, per_page)
        relations = {tax: TermRelations([term for term in rows if term.taxonomy == tax], tax) for tax in subtypes}
        return [self.prepare(term, urls, relations[term.taxonomy]) for term in rows], total

    @staticmethod
    def prepare(term, urls, relations):
        home, root = urls
        data = {"id": term.wp_id, "title": term.name, "url": term_link(term, home, relations),
                "type": term.taxonomy}
        base = registry.taxonomy(term.taxonomy).rest_base
        links = {"self": [{"embeddable": True, "href": f"{root}wp/v2/{base}/{term.wp_id}"}],
                 "about": [{"href": f"{root}wp/v2/taxonomies/{term.taxonomy}"}]}
        return data, links


class PostFormatSearch:
    """WP_REST_Post_Format_Search_Handler: the formats that have an archive, by slug or name."""

    type = "post-format"
    subtypes = ()
    empty_means = ()

    def search(self, request, subtypes, page, per_page, urls):
        used = search_queries.used_formats(request.user)
        text = (request.args.get("search") or "").lower()
        found = [slug for slug, name in registry.POST_FORMATS.items()
                 if slug in used and slug != "standard" and (text in slug or text in name.lower())]
        items = [({"id": slug, "title": registry.POST_FORMATS[slug], "url": f"{urls[0]}/type/{slug}/",
                   "type": self.type}, {}) for slug in found[(page - 1) * per_page:page * per_page]]
        return items, len(found)


HANDLERS = {handler.type: handler for handler in (PostSearch(), TermSearch(), PostFormatSearch())}
SUBTYPES = [subtype for handler in HANDLERS.values() for subtype in handler.subtypes]


def _prop(description, type_, **extra):
    return {"description": description, "type": type_, **extra, "context": VE, "readonly": True}


SEARCH_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "search-result",
    "type": "object",
    "properties": {
        "id": _prop("Unique identifier for the object.", ["integer", "string"]),
        "title": _prop("The title for the object.", "string"),
        "url": _prop("URL to the object.", "string", format="uri"),
        "type": _prop("Object type.", "string", enum=list(HANDLERS)),
        "subtype": _prop("Object subtype.", "string", enum=SUBTYPES),
    },
}


def get_search_handler(type_):
    if not isinstance(type_, str) or type_ not in HANDLERS:
        raise WPError("rest_search_invalid_type", "Invalid type parameter.", 400)
    return HANDLERS[type_]


def sanitize_subtypes(subtypes, request):
    """Only the subtypes of the requested type; `any` stands for all of them."""
    if ANY in subtypes:
        return [ANY]
    try:
        handler = get_search_handler(request.get("type", "post"))
    except WPError as error:
        raise ParamError(error.code, error.message, {"status": error.status}) from None
    return [subtype for subtype in subtypes if subtype in handler.subtypes]


class SearchController(Controller):
    rest_base = "search"
    audit_tag = "search"

    def get_item_schema(self):
        return SEARCH_SCHEMA

    def get_collection_params(self):
        params = pagination_params()
        params["context"] = {**params["context"], "enum": VE}
        params["type"] = {"default": "post", "description": "Limit results to items of an object type.",
                          "type": "string", "enum": list(HANDLERS)}
        params["subtype"] = {"default": ANY, "description": "Limit results to items of one or more object subtypes.",
                             "type": "array", "items": {"enum": SUBTYPES + [ANY], "type": "string"},
                             "sanitize": sanitize_subtypes}
        params["exclude"] = {"description": "Ensure result set excludes specific IDs.", "type": "array",
                             "items": {"type": "integer"}, "default": []}
        params["include"] = {"description": "Limit result set to specific IDs.", "type": "array",
                             "items": {"type": "integer"}, "default": []}
        return params

    def register_routes(self, server):
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, None, self.get_collection_params()),
        ], schema=self.get_item_schema, controller=self)

    def get_items(self, request):
        args = request.args
        handler = get_search_handler(args.get("type"))
        subtypes = args["subtype"]
        subtypes = handler.subtypes if ANY in subtypes else (tuple(subtypes) or handler.empty_means)
        page, per_page = args["page"], args["per_page"]
        urls = (self.home(request), self.rest_url(request, ""))
        found, total = handler.search(request, subtypes, page, per_page, urls)
        pages = -(-total // per_page)
        if total and page > pages:
            raise WPError("rest_search_invalid_page_number",
                          "The page number requested is larger than the number of pages available.", 400)
        collection = self.rest_url(request, f"{self.namespace}/{self.rest_base}")
        data = [self.prepare_item_for_response(item, links, collection, request.context) for item, links in found]
        self.audit(request, "search:list", None, ids=[item["id"] for item, _links in found], type=handler.type,
                   total=total)
        return RestResponse(data, 200, self.paginate(request, total, per_page, page))

    def prepare_item_for_response(self, item, links, collection, context):
        data = self.filter_by_context(item, context)
        data["_links"] = {**links, "collection": [{"href": collection}]}
        return data
