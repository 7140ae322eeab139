"""TermsController: /wp/v2/categories and /wp/v2/tags (WP_REST_Terms_Controller).

Capabilities as WordPress maps them for both taxonomies: manage_terms, edit_terms and
delete_terms are manage_categories; assign_terms is edit_posts (which is what creating
a tag needs). The default category cannot be deleted.
"""

import math

from wpcompat import acf, permissions
from wpcompat.auth import can
from wpcompat.editing import terms as editing
from wpcompat.errors import WPError
from wpcompat.queries import posts as post_queries
from wpcompat.queries import terms as term_queries
from wpcompat.responses.terms import TermRelations, prepare_term, term_links
from wpcompat.rest.server import CREATABLE, DELETABLE, EDITABLE, READABLE, Endpoint, RestResponse
from wpcompat.routes.base import Controller, PrepareContext, bounded_offset, context_param
from wpcompat.schemas.terms import collection_params, is_hierarchical, term_schema, writable_args

ID_PATTERN = r"/(?P<id>[\d]+)"
MANAGE = "manage_categories"


class TermsController(Controller):
    audit_tag = "term"

    def __init__(self, taxonomy="category", rest_base="categories"):
        self.taxonomy = taxonomy
        self.rest_base = rest_base
        self.hierarchical = is_hierarchical(taxonomy)
        self._schema = term_schema(taxonomy)

    def get_item_schema(self):
        return self._schema

    def get_collection_params(self):
        return collection_params(self.taxonomy)

    # --- routes -------------------------------------------------------------------
    def register_routes(self, server):
        item_args = {"id": {"description": "Unique identifier for the term.", "type": "integer"}}
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, self.get_collection_params(),
                     allow_batch=True),
            Endpoint(CREATABLE, self.create_item, self.create_item_permissions_check,
                     writable_args(self._schema, creating=True), allow_batch=True),
        ], schema=acf.schema_for(self.get_item_schema, "term", self.taxonomy), controller=self)
        server.register(self.namespace, f"/{self.rest_base}{ID_PATTERN}", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check,
                     {**item_args, "context": context_param()}, allow_batch=True),
            Endpoint(EDITABLE, self.update_item, self.update_item_permissions_check,
                     {**item_args, **writable_args(self._schema, creating=False)}, allow_batch=True),
            Endpoint(DELETABLE, self.delete_item, self.delete_item_permissions_check, {
                **item_args, "force": {"type": "boolean", "default": False,
                                       "description": "Required to be true, as terms do not support trashing."}},
                     allow_batch=True),
        ], schema=acf.schema_for(self.get_item_schema, "term", self.taxonomy), controller=self)

    # --- reading ------------------------------------------------------------------
    def get_items_permissions_check(self, request):
        if request.context == "edit" and not can(request.user, MANAGE):
            raise WPError.not_allowed("rest_forbidden_context", request.user,
                                      "Sorry, you are not allowed to edit terms in this taxonomy.")
        if request.args.get("post"):
            self.filter_post(request)

    def filter_post(self, request):
        """The post of `?post=`: missing (or hidden by its compliance level) is 400, unreadable 401/403."""
        if "filter_post" not in request.memo:
            post = post_queries.find(request.args["post"])
            if post is None or not permissions.may_see_level(request.user, post.compliance_level):
                raise WPError("rest_post_invalid_id", "Invalid post ID.", 400)
            readable = post.status == "publish" or permissions.can_read_post(request.user, post)
            if post.post_type != "post" or not readable:
                raise WPError.not_allowed("rest_forbidden_context", request.user,
                                          "Sorry, you are not allowed to view terms for this post.")
            request.memo["filter_post"] = post
        return request.memo["filter_post"]

    def get_items(self, request):
        args = request.args
        post = self.filter_post(request) if args.get("post") else None
        per_page = args["per_page"]
        offset = bounded_offset(max(args.get("offset") or (args["page"] - 1) * per_page, 0))
        page = math.ceil(offset / per_page + 1)
        listed = term_queries.default_listing(self.taxonomy, args, per_page, offset, post.id if post else None)
        if listed is None:                                       # a filter: SQL built for this request
            query, matching = term_queries.collection(self.taxonomy, args, post.id if post else None)
            total = matching.count()
            terms = list(query.limit(per_page).offset(offset))  # past the last page: [] (200)
        else:
            terms, total = listed
        ctx = PrepareContext(self, request)
        data = self.prepare_items(terms, ctx)
        self.audit(request, "term:list", None, ids=[term.wp_id for term in terms], total=total,
                   taxonomy=self.taxonomy)
        return RestResponse(data, 200, self.paginate(request, total, per_page, page))

    def prepare_items(self, terms, ctx):
        relations = TermRelations(terms, self.taxonomy)
        items = [self.prepare_item_for_response(term, ctx, relations) for term in terms]
        return acf.attach(ctx, "term", self.taxonomy, terms, items)

    def prepare_item_for_response(self, term, ctx, relations, links=True):
        data = self.filter_by_context(prepare_term(term, ctx, relations), ctx.context)
        if links and (ctx.fields is None or ctx.included("_links") or ctx.included("_embedded")):
            data["_links"] = term_links(term, ctx, self.rest_base)
        return data

    def embed_batch(self, requests):
        """Answer many embedded `?post=<id>` links (a page of posts' wp:term) with a few queries in all.

        Only the plain form the posts controller links is batched; anything else, and every post
        that would answer an error, is left to the ordinary dispatch. Returns {request: items}.
        """
        plain = [r for r in requests if set(r.query) <= {"post", "context", "per_page"}
                 and r.query.get("context") == "embed" and str(r.query.get("post", "")).isdigit()]
        if not plain:
            return {}
        user = plain[0].user
        posts = post_queries.find_many({int(r.query["post"]) for r in plain})
        readable = {wp_id: post for wp_id, post in posts.items()
                    if post.post_type == "post" and permissions.may_see_level(user, post.compliance_level)
                    and (post.status == "publish" or permissions.can_read_post(user, post))}
        by_post = term_queries.terms_of_posts([post.id for post in readable.values()], self.taxonomy)
        terms = list({term.id: term for items in by_post.values() for term in items}.values())
        first = plain[0]
        first.args = {"context": "embed"}
        ctx, relations = PrepareContext(self, first), TermRelations(terms, self.taxonomy)
        prepared = dict(zip((term.id for term in terms),
                            acf.attach(ctx, "term", self.taxonomy, terms,
                                       [self.prepare_item_for_response(term, ctx, relations) for term in terms])))
        answers = {}
        for request in plain:
            post = readable.get(int(request.query["post"]))
            if post is not None:
                answers[request] = [prepared[term.id] for term in by_post.get(post.id, [])[:100]]
        self.audit(first, "term:list", None, ids=[term.wp_id for term in terms], taxonomy=self.taxonomy,
                   embedded_for=sorted(readable))
        return answers

    def get_term(self, request):
        """The term of the URL's id in this tenant and taxonomy, or 404 — another tenant's is the same 404."""
        if "term" not in request.memo:
            term = term_queries.find(int(request.url_params["id"]), self.taxonomy)
            if term is None:
                raise WPError("rest_term_invalid", "Term does not exist.", 404)
            request.memo["term"] = term
        return request.memo["term"]

    def get_item_permissions_check(self, request):
        self.get_term(request)
        if request.context == "edit" and not can(request.user, MANAGE):
            raise WPError.not_allowed("rest_forbidden_context", request.user,
                                      "Sorry, you are not allowed to edit this term.")

    def get_item(self, request):
        term = self.get_term(request)
        self.audit(request, "term:read", term.id, wp_id=term.wp_id, taxonomy=self.taxonomy)
        return self._view(request, term)

    def _view(self, request, term, context=None, links=True):
        if context is not None:
            request.args["context"] = context
        relations, ctx = TermRelations([term], self.taxonomy), PrepareContext(self, request)
        item = self.prepare_item_for_response(term, ctx, relations, links)
        return acf.attach(ctx, "term", self.taxonomy, [term], [item])[0]

    # --- writing ------------------------------------------------------------------------
    def create_item_permissions_check(self, request):
        capability = MANAGE if self.hierarchical else "edit_posts"       # edit_terms / assign_terms
        if not can(request.user, capability):
            raise WPError.not_allowed("rest_cannot_create", request.user,
                                      "Sorry, you are not allowed to create terms in this taxonomy.")

    def requested_parent(self, request):
        """`parent` from the request: ... if absent, else the parent Term or None (400s as WordPress)."""
        if request.get("parent") is None:
            return ...
        if not self.hierarchical:
            raise WPError("rest_taxonomy_not_hierarchical", "Cannot set parent term, taxonomy is not hierarchical.",
                          400)
        return editing.resolve_parent(self.taxonomy, request.args.get("parent"))

    def create_item(self, request):
        fields = acf.check_input(request, "term", self.taxonomy, None)
        parent = self.requested_parent(request)
        term = editing.create_term(self.taxonomy, request.args, None if parent is ... else parent)
        fields.save(term)
        self.audit(request, "term:create", term.id, wp_id=term.wp_id, taxonomy=self.taxonomy)
        fresh = term_queries.find(term.wp_id, self.taxonomy)
        return self.created(self._view(request, fresh, "edit"),
                            self.rest_url(request, f"wp/v2/{self.rest_base}/{term.wp_id}"))

    def update_item_permissions_check(self, request):
        self.get_term(request)
        if not can(request.user, MANAGE):                               # edit_term → edit_terms
            raise WPError.not_allowed("rest_cannot_update", request.user,
                                      "Sorry, you are not allowed to edit this term.")

    def update_item(self, request):
        term = self.get_term(request)
        fields = acf.check_input(request, "term", self.taxonomy, term)
        parent = self.requested_parent(request)
        editing.update_term(term, request.args, parent)
        fields.save(term)
        self.audit(request, "term:update", term.id, wp_id=term.wp_id, taxonomy=self.taxonomy)
        return self._view(request, term_queries.find(term.wp_id, self.taxonomy), "edit")

    def default_category(self, request):
        """The site's default category (it cannot be deleted), or None."""
        if self.taxonomy != "category":
            return None
        wp_id = getattr(request.site, "default_category", None) or request.site.options.get("default_category")
        return term_queries.find(wp_id, "category") if wp_id else None

    def delete_item_permissions_check(self, request):
        term, user = self.get_term(request), request.user
        default = self.default_category(request)
        if not can(user, MANAGE) or (default is not None and default.id == term.id):
            raise WPError.not_allowed("rest_cannot_delete", user, "Sorry, you are not allowed to delete this term.")

    def delete_item(self, request):
        term = self.get_term(request)
        if not request.args.get("force"):
            raise WPError("rest_trash_not_supported", "Terms do not support trashing. Set 'force=true' to delete.",
                          501)
        previous = self._view(request, term, "view", links=False)
        editing.delete_term(term, self.default_category(request))
        self.audit(request, "term:delete", term.id, wp_id=term.wp_id, taxonomy=self.taxonomy, force=True)
        return {"deleted": True, "previous": previous}
