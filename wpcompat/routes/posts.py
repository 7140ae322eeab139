"""PostsController: /wp/v2/posts and /wp/v2/pages (WP_REST_Posts_Controller)."""

from wpcompat import acf, permissions
from wpcompat.errors import WPError
from wpcompat.editing import posts as editing
from wpcompat.queries import posts as post_queries
from wpcompat.responses.posts import PostRelations, permalink, post_links, prepare_post
from wpcompat.registry import POST_TYPES, rest_taxonomies
from wpcompat.rest.server import CREATABLE, DELETABLE, EDITABLE, READABLE, Endpoint, RestResponse
from wpcompat.rest.validation import ParamError, PublishedArg
from wpcompat.routes.base import (Controller, PrepareContext, bounded_offset, check_orderby, context_param, order_params,
                                  parent_params, post_collection_params)
from wpcompat.schemas.posts import post_schema, schema_links, writable_args

ID_PATTERN = r"/(?P<id>[\d]+)"
STATUS_ENUM = ["publish", "future", "draft", "pending", "private", "trash", "auto-draft", "inherit",
               "request-pending", "request-confirmed", "request-failed", "request-completed", "any"]


def _term_query_arg(taxonomy, exclude=False):
    """A taxonomy's filter (categories, tags_exclude...): term ids, or a term query object. Published as
    WordPress does (oneOf; include_children for hierarchical taxonomies), checked as a list of ids or an
    object of the query's properties."""
    checked = {"terms": {"description": "Term IDs.", "type": "array", "items": {"type": "integer"}, "default": []},
               "include_children": {"description": "Whether to include child terms in the terms limiting the "
                                                   "result set.", "type": "boolean", "default": False}}
    if not exclude:
        checked["operator"] = {"description": "Whether items must be assigned all or any of the specified terms.",
                               "type": "string", "enum": ["AND", "OR"], "default": "OR"}
    published = {name: prop for name, prop in checked.items()
                 if taxonomy.hierarchical or name != "include_children"}
    verb = "except those with specific terms assigned in" if exclude else "with specific terms assigned in"
    ids = {"type": "array", "items": {"type": "integer"}}
    return PublishedArg({
        "description": f"Limit result set to items {verb} the {taxonomy.rest_base} taxonomy.",
        "type": ["object", "array"],
        "oneOf": [{"title": "Term ID List", "description": "Match terms with the listed IDs.", **ids},
                  {"title": "Term ID Taxonomy Query", "description": "Perform an advanced term query.",
                   "type": "object", "properties": published, "additionalProperties": False}],
    }, {"type": ["object", "array"], "items": ids["items"], "properties": checked})


class PostsController(Controller):
    audit_tag = "post"

    def __init__(self, post_type="post", rest_base="posts"):
        self.post_type = post_type
        self.rest_base = rest_base
        self._schema = post_schema(post_type)
        self.noun = "pages" if post_type == "page" else "posts"

    def get_item_schema(self):
        return self._schema

    def get_schema_links(self, base_url):
        return schema_links(self.post_type, f"{base_url}{self.namespace}/{self.rest_base}/{{id}}")

    # --- routes -----------------------------------------------------------------
    def register_routes(self, server):
        item_args = {"id": {"description": "Unique identifier for the post.", "type": "integer"}}
        writable = writable_args(self._schema)
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, self.get_collection_params(),
                     allow_batch=True),
            Endpoint(CREATABLE, self.create_item, self.create_item_permissions_check, writable, allow_batch=True),
        ], schema=acf.schema_for(self.get_item_schema, "post", self.post_type), controller=self)
        server.register(self.namespace, f"/{self.rest_base}{ID_PATTERN}", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, {
                **item_args, "context": context_param(),
                "password": {"description": "The password for the post if it is password protected.",
                             "type": "string"}}, allow_batch=True),
            Endpoint(EDITABLE, self.update_item, self.update_item_permissions_check, {**item_args, **writable},
                     allow_batch=True),
            Endpoint(DELETABLE, self.delete_item, self.delete_item_permissions_check, {
                **item_args, "force": {"type": "boolean", "default": False,
                                       "description": "Whether to bypass Trash and force deletion."}},
                     allow_batch=True),
        ], schema=acf.schema_for(self.get_item_schema, "post", self.post_type), controller=self)

    def get_collection_params(self):
        params = post_collection_params(author=POST_TYPES[self.post_type].supports_feature("author"))
        if self.post_type == "page":
            params["menu_order"] = {"description": "Limit result set to posts with a specific menu_order value.",
                                    "type": "integer"}
        orderby = ["author", "date", "id", "include", "modified", "parent", "relevance", "slug",
                   "include_slugs", "title"] + (["menu_order"] if self.post_type == "page" else [])
        params.update(order_params(orderby))
        if self.post_type == "page":
            params.update(parent_params())
        params["slug"] = {"description": "Limit result set to posts with one or more specific slugs.",
                          "type": "array", "items": {"type": "string"}}
        params["status"] = {"default": "publish", "description": "Limit result set to posts assigned one or more "
                            "statuses.", "type": "array", "items": {"enum": STATUS_ENUM, "type": "string"},
                            "sanitize": self._sanitize_statuses}
        taxonomies = rest_taxonomies(self.post_type)
        if taxonomies:
            params["tax_relation"] = {"description": "Limit result set based on relationship between multiple "
                                      "taxonomies.", "type": "string", "enum": ["AND", "OR"]}
        for taxonomy in taxonomies:
            params[taxonomy.rest_base] = _term_query_arg(taxonomy)
            params[f"{taxonomy.rest_base}_exclude"] = _term_query_arg(taxonomy, exclude=True)
        if self.post_type == "post":
            params["sticky"] = {"description": "Limit result set to items that are sticky.", "type": "boolean"}
        return params

    def _sanitize_statuses(self, statuses, request):
        """sanitize_post_statuses: a status other than publish needs the right to read it."""
        for status in statuses:
            if not post_queries.may_use_status(request.user, self.post_type, status):
                raise ParamError("rest_forbidden_status", "Status is forbidden.",
                                 {"status": 403 if request.user.is_authenticated else 401})
        return statuses

    # --- reading ----------------------------------------------------------------
    def get_items_permissions_check(self, request):
        if request.context == "edit" and not permissions.can_create(request.user, self.post_type):
            raise WPError.not_allowed("rest_forbidden_context", request.user,
                                      "Sorry, you are not allowed to edit posts in this post type.")

    def get_items(self, request):
        args = request.args
        check_orderby(args)
        ctx = PrepareContext(self, request)
        built = []                           # the general query, built only when a fast path does not answer

        def collection():
            if not built:
                built.extend(post_queries.collection(request.user, self.post_type, args, ctx.zone))
            return built
        total = post_queries.fast_total(request.user, self.post_type, args)
        if total is None:
            total = collection()[1].count()
        per_page, page = args["per_page"], args["page"]
        offset = bounded_offset(args["offset"] if args.get("offset") is not None else (page - 1) * per_page)
        pages = -(-total // per_page)
        if total and page > pages:
            raise WPError("rest_post_invalid_page_number",
                          "The page number requested is larger than the number of pages available.", 400)
        posts = post_queries.page_of_default_listing(request.user, self.post_type, args, per_page, offset)
        if posts is None:
            posts = list(collection()[0].limit(per_page).offset(offset).objects())
        if request.context == "edit":
            posts = [post for post in posts if permissions.can_edit_post(request.user, post)]
        data = self.prepare_items(posts, ctx)
        self.audit(request, "post:list", None, ids=[post.wp_id for post in posts], total=total)
        return RestResponse(data, 200, self.paginate(request, total, per_page, page))

    def prepare_items(self, posts, ctx):
        relations = PostRelations(posts)
        items = [self.prepare_item_for_response(post, ctx, relations) for post in posts]
        return acf.attach(ctx, "post", self.post_type, posts, items)

    def prepare_item_for_response(self, post, ctx, relations):
        data = self.filter_by_context(prepare_post(post, ctx, relations), ctx.context)
        if ctx.included("_links") or ctx.fields is None or ctx.included("_embedded"):
            data["_links"] = post_links(post, ctx, relations)
        return data

    def get_post(self, request):
        """The post of the URL's id in this tenant and type, or 404 — another tenant's is the same 404."""
        if "post" not in request.memo:
            post = post_queries.find(int(request.url_params["id"]), self.post_type)
            if post is None or not permissions.may_see_level(request.user, post.compliance_level):
                raise WPError("rest_post_invalid_id", "Invalid post ID.", 404)
            request.memo["post"] = post
        return request.memo["post"]

    def get_item_permissions_check(self, request):
        post = self.get_post(request)
        if request.context == "edit" and not permissions.can_edit_post(request.user, post):
            raise WPError.not_allowed("rest_forbidden_context", request.user,
                                      "Sorry, you are not allowed to edit this post.")
        if not permissions.can_read_post(request.user, post):
            raise WPError.not_allowed("rest_forbidden", request.user, "Sorry, you are not allowed to do that.")
        password = request.args.get("password")
        if post.password and password and password != post.password and \
                not permissions.can_edit_post(request.user, post):
            raise WPError("rest_post_incorrect_password", "Incorrect post password.", 403)

    def get_item(self, request):
        post = self.get_post(request)
        ctx = PrepareContext(self, request)
        relations = PostRelations([post])
        self.audit(request, "post:read", post.id, wp_id=post.wp_id)
        headers = {"Link": f'<{permalink(post, ctx.home, relations)}>; rel="alternate"; type=text/html'}
        item = self.prepare_item_for_response(post, ctx, relations)
        return RestResponse(acf.attach(ctx, "post", self.post_type, [post], [item])[0], 200, headers)

    # --- writing -------------------------------------------------------------------
    def create_item_permissions_check(self, request):
        if request.get("id"):
            raise WPError("rest_post_exists", "Cannot create existing post.", 400)
        user = request.user
        if not permissions.can_create(user, self.post_type):
            raise WPError.not_allowed("rest_cannot_create", user,
                                      f"Sorry, you are not allowed to create {self.noun} as this user.")
        if request.args.get("sticky") and not permissions.can_edit_others(user, self.post_type):
            raise WPError.not_allowed("rest_cannot_assign_sticky", user,
                                      "Sorry, you are not allowed to make posts sticky.")

    def create_item(self, request):
        args, user = request.args, request.user
        fields = acf.check_input(request, "post", self.post_type, None)
        if editing.is_empty(args):
            raise WPError("empty_content", "Content, title, and excerpt are empty.", 400)
        editing.check_publishing(user, self.post_type, args.get("status", "draft"))
        post = editing.new_post(self.post_type, user)
        ctx = PrepareContext(self, request)
        editing.apply_fields(post, args, user, ctx.zone, creating=True, home=ctx.home)
        editing.save_new(post)
        if not post.guid:                       # wp_insert_post: the permalink the post had when created
            post.guid = permalink(post, ctx.home, PostRelations([post]))
        touched = editing.assign_terms(post, args, self._default_category(request)) \
            if self.post_type == "post" else set()
        post.save()
        fields.save(post)
        editing.recount_terms(touched)
        self.audit(request, "post:create", post.id, wp_id=post.wp_id)
        return self.created(self._edit_view(request, post), self.rest_url(request, f"wp/v2/{self.rest_base}/"
                                                                                  f"{post.wp_id}"))

    @staticmethod
    def _default_category(request):
        return request.site.default_category or request.site.options.get("default_category")

    def _edit_view(self, request, post):
        """A saved post as the response shows it: edit context, reloaded with its relations."""
        request.args["context"] = "edit"
        fresh = post_queries.find(post.wp_id)
        return self.prepare_items([fresh], PrepareContext(self, request))[0]

    def update_item_permissions_check(self, request):
        post, user = self.get_post(request), request.user
        if not permissions.can_edit_post(user, post):
            raise WPError.not_allowed("rest_cannot_edit", user, "Sorry, you are not allowed to edit this post.")
        author = request.args.get("author")
        if author and author != getattr(post, "author_wp_id", None) and \
                not permissions.can_edit_others(user, self.post_type):
            raise WPError.not_allowed("rest_cannot_edit_others", user,
                                      "Sorry, you are not allowed to update posts as this user.")
        if request.args.get("sticky") and not permissions.can_edit_others(user, self.post_type):
            raise WPError.not_allowed("rest_cannot_assign_sticky", user,
                                      "Sorry, you are not allowed to make posts sticky.")

    def update_item(self, request):
        post, args, user = self.get_post(request), request.args, request.user
        fields = acf.check_input(request, "post", self.post_type, post)
        if "status" in args and args["status"] != post.status:
            editing.check_publishing(user, self.post_type, args["status"])
        before = editing.terms_of(post)
        editing.untrash_if_needed(post, args)
        ctx = PrepareContext(self, request)
        editing.apply_fields(post, args, user, ctx.zone, creating=False, home=ctx.home)
        touched = editing.assign_terms(post, args) if self.post_type == "post" else set()
        editing.save_existing(post)                  # a slug a concurrent writer took: next suffix
        fields.save(post)
        editing.after_update(post, user)
        editing.recount_terms(touched | set(before))
        self.audit(request, "post:update", post.id, wp_id=post.wp_id)
        return RestResponse(self._edit_view(request, post))

    def delete_item_permissions_check(self, request):
        post, user = self.get_post(request), request.user
        if not permissions.can_delete_post(user, post):
            raise WPError.not_allowed("rest_cannot_delete", user,
                                      "Sorry, you are not allowed to delete this post.")

    def delete_item(self, request):
        post = self.get_post(request)
        previous = self._edit_view(request, post)
        terms = editing.terms_of(post)
        if request.args.get("force"):
            editing.delete_for_good(post)
            editing.recount_terms(terms)
            self.audit(request, "post:delete", post.id, wp_id=post.wp_id, force=True)
            previous.pop("_links", None)                    # WordPress: the data alone, and no Allow
            return RestResponse({"deleted": True, "previous": previous}, 200, {"Allow": None})
        if post.status == "trash":
            raise WPError("rest_already_trashed", "The post has already been deleted.", 410)
        editing.trash(post, request.user)
        editing.recount_terms(terms)
        self.audit(request, "post:trash", post.id, wp_id=post.wp_id)
        return RestResponse(self._edit_view(request, post))
