"""CommentsController: /wp/v2/comments and /comments/<id> (WP_REST_Comments_Controller).

A comment exists for a caller only if its post does (tenant, compliance level) and, when the
PHI detector flagged it, only for who may read PHI and its own author: otherwise the same 404
as a missing id, never listed, never counted (queries/comments.py). WordPress's rules on top:
approved comments on readable posts for everyone; `moderate_comments` (editors, administrators)
for edit context, other statuses and authors' data; edit_comment = edit_post of the comment's
post; anonymous comments off unless the tenant option `rest_allow_anonymous_comments` is true;
the post's comment_status honoured. author_email, author_ip and author_user_agent are PHI-grade:
edit context only, and reading them is audited as an access.
"""

from wpcompat import dates, permissions
from wpcompat.auth import can
from wpcompat.editing import comments as editing
from wpcompat.errors import WPError
from wpcompat.models.base import utcnow
from wpcompat.queries import comments as comment_queries
from wpcompat.queries import posts as post_queries
from wpcompat.queries import users as user_queries
from wpcompat.responses.comments import CommentRelations, comment_links, prepare_comment
from wpcompat.rest.server import CREATABLE, DELETABLE, EDITABLE, READABLE, Endpoint, RestResponse
from wpcompat.rest.validation import parse_date
from wpcompat.routes.base import Controller, PrepareContext, bounded_offset, context_param
from wpcompat.schemas.comments import collection_params, comment_schema, writable_args

ID_PATTERN = r"/(?P<id>[\d]+)"
PROTECTED_PARAMS = ("author", "author_exclude", "author_email", "type", "status")
PHI_FIELDS = ("author_email", "author_ip", "author_user_agent")
NOT_ALLOWED_EDIT = "Sorry, you are not allowed to edit comments."
CANNOT_READ_POST = "Sorry, you are not allowed to read the post for this comment."
NO_POST = "Sorry, you are not allowed to create this comment without a post."
NOT_ON_POST = "Sorry, you are not allowed to create a comment on this post."


def moderates(user):
    return can(user, "moderate_comments")


class CommentsController(Controller):
    rest_base = "comments"
    audit_tag = "comment"

    def __init__(self):
        self._schema = comment_schema()

    def get_item_schema(self):
        return self._schema

    def get_collection_params(self):
        return collection_params()

    # --- routes -----------------------------------------------------------------
    def register_routes(self, server):
        password = {"description": "The password for the parent post of the comment (if the post is password "
                                   "protected).", "type": "string"}
        id_arg = {"id": {"description": "Unique identifier for the comment.", "type": "integer"}}
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, self.get_items_permissions_check, self.get_collection_params()),
            Endpoint(CREATABLE, self.create_item, self.create_item_permissions_check,
                     writable_args(self._schema, creating=True)),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, f"/{self.rest_base}{ID_PATTERN}", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check,
                     {**id_arg, "context": context_param(), "password": password}),
            Endpoint(EDITABLE, self.update_item, self.update_item_permissions_check,
                     {**id_arg, **writable_args(self._schema, creating=False)}),
            Endpoint(DELETABLE, self.delete_item, self.delete_item_permissions_check, {
                **id_arg, "force": {"type": "boolean", "default": False,
                                    "description": "Whether to bypass Trash and force deletion."},
                "password": password}),
        ], schema=self.get_item_schema, controller=self)

    # --- shared -------------------------------------------------------------------
    def prepare_items(self, comments, ctx):
        relations = CommentRelations(comments)
        items = []
        for comment in comments:
            data = self.filter_by_context(prepare_comment(comment, ctx, relations), ctx.context)
            if ctx.fields is None or ctx.included("_links") or ctx.included("_embedded"):
                data["_links"] = comment_links(comment, ctx, relations)
            items.append(data)
        return items

    def _audit(self, request, tag, comments, **extra):
        """One row per access (the ids a list returned), and a `comment:phi` access row when the answer
        is in edit context, which shows the authors' PHI-grade e-mail, IP and user agent."""
        if isinstance(comments, list):
            self.audit(request, tag, None, ids=[comment.wp_id for comment in comments], **extra)
        else:
            self.audit(request, tag, comments.id, wp_id=comments.wp_id, **extra)
        self._phi_access(request, comments if isinstance(comments, list) else [comments])

    def _phi_access(self, request, comments):
        if request.context == "edit" and comments:
            self.audit(request, "comment:phi", comments[0].id if len(comments) == 1 else None,
                       fields=list(PHI_FIELDS), ids=[comment.wp_id for comment in comments])

    def get_comment(self, request):
        """The URL's comment, or 404 — a comment on a post the caller may not see does not exist."""
        if "comment" not in request.memo:
            comment = comment_queries.find(int(request.url_params["id"]))
            if comment is None or not comment_queries.exists_for(request.user, comment):
                raise WPError("rest_comment_invalid_id", "Invalid comment ID.", 404)
            request.memo["comment"] = comment
        return request.memo["comment"]

    @staticmethod
    def can_read_post(user, post, password=None):
        """check_read_post_permission: the post's rules, and its password unless the user may edit it."""
        if post.password and password != post.password and not permissions.can_edit_post(user, post):
            return False
        return permissions.can_read_post(user, post)

    def can_read(self, user, comment, password=None):
        """check_read_permission."""
        post = comment.post
        if comment.status == "approved" and self.can_read_post(user, post, password):
            return True
        if not user.is_authenticated:
            return False
        return comment.user_id == user.id or permissions.can_edit_post(user, post)

    @staticmethod
    def can_edit(user, comment):
        """check_edit_permission: moderators, and who may edit the comment's post (edit_comment)."""
        return user.is_authenticated and (moderates(user) or permissions.can_edit_post(user, comment.post))

    # --- reading ----------------------------------------------------------------
    def get_items_permissions_check(self, request):
        args, user = request.args, request.user
        posts = args.get("post") or []
        posts = posts if isinstance(posts, list) else [posts]          # the Allow check passes POST's args
        for post_id in posts:
            post = post_queries.find(post_id)
            if post_id and post is not None and permissions.may_see_level(user, post.compliance_level) \
                    and not self.can_read_post(user, post, args.get("password") if len(posts) == 1 else None):
                raise WPError.not_allowed("rest_cannot_read_post", user, CANNOT_READ_POST)
            if post_id == 0 and not moderates(user):
                raise WPError.not_allowed("rest_cannot_read", user,
                                          "Sorry, you are not allowed to read comments without a post.")
        if request.context == "edit" and not moderates(user):
            raise WPError.not_allowed("rest_forbidden_context", user, NOT_ALLOWED_EDIT)
        if not can(user, "edit_posts"):
            forbidden = [name for name in PROTECTED_PARAMS if self._protected_set(name, args.get(name))]
            if forbidden:
                raise WPError.not_allowed("rest_forbidden_param", user,
                                          f"Query parameter not permitted: {', '.join(forbidden)}")

    @staticmethod
    def _protected_set(name, value):
        if name == "status":
            return value != "approve"
        if name == "type":
            return value != "comment"
        return bool(value)

    def get_items(self, request):
        args = request.args
        ctx = PrepareContext(self, request)
        query, matching = comment_queries.collection(request.user, args, ctx.zone)
        total = matching.count()
        per_page, page = args["per_page"], args["page"]
        offset = bounded_offset(args["offset"] if args.get("offset") else (page - 1) * per_page)
        comments = list(query.limit(per_page).offset(offset).objects())
        data = self.prepare_items(comments, ctx)
        self._audit(request, "comment:list", comments, total=total)
        return RestResponse(data, 200, self.paginate(request, total, per_page, page))

    def embed_batch(self, requests):
        """Answer many embedded `?post=<id>` links (a page of posts' `replies`) with a few queries in all.

        Only the plain form the posts controller links is batched, for posts the caller may read;
        anything else is left to the ordinary dispatch. Returns {request: items}."""
        plain = [r for r in requests if set(r.query) <= {"post", "context", "per_page"}
                 and r.query.get("context") == "embed" and str(r.query.get("post", "")).isdigit()]
        if not plain:
            return {}
        first, user = plain[0], plain[0].user
        posts = post_queries.find_many({int(r.query["post"]) for r in plain})
        readable = {wp_id: post for wp_id, post in posts.items()
                    if permissions.may_see_level(user, post.compliance_level) and self.can_read_post(user, post)}
        if not readable:
            return {}
        first.args = {"context": "embed", "post": sorted(readable), "status": "approve", "type": "comment"}
        ctx = PrepareContext(self, first)
        query, _count = comment_queries.collection(user, first.args, ctx.zone)
        comments = list(query.objects())
        by_post = {}
        for comment, item in zip(comments, self.prepare_items(comments, ctx)):
            by_post.setdefault(comment.post_wp_id, []).append(item)
        self.audit(first, "comment:list", None, ids=[comment.wp_id for comment in comments],
                   embedded_for=sorted(readable))
        return {request: by_post.get(int(request.query["post"]), [])[:100] for request in plain
                if int(request.query["post"]) in readable}

    def get_item_permissions_check(self, request):
        comment, user = self.get_comment(request), request.user
        if request.context == "edit" and not moderates(user):
            raise WPError.not_allowed("rest_forbidden_context", user, NOT_ALLOWED_EDIT)
        password = request.args.get("password")
        if not self.can_read(user, comment, password):
            raise WPError.not_allowed("rest_cannot_read", user, "Sorry, you are not allowed to read this comment.")
        if not self.can_read_post(user, comment.post, password):
            raise WPError.not_allowed("rest_cannot_read_post", user, CANNOT_READ_POST)

    def get_item(self, request):
        comment = self.get_comment(request)
        self._audit(request, "comment:read", comment)
        return self.prepare_items([comment], PrepareContext(self, request))[0]

    # --- creating -----------------------------------------------------------------
    def create_item_permissions_check(self, request):
        args, user = request.args, request.user
        if not user.is_authenticated:
            options = request.site.options or {}
            if options.get("comment_registration") or not options.get("rest_allow_anonymous_comments", False):
                raise WPError("rest_comment_login_required", "Sorry, you must be logged in to comment.", 401)
        for name, code, allowed in (("author", "rest_comment_invalid_author",
                                     lambda value: value == (user.wp_id or 0)),
                                    ("author_ip", "rest_comment_invalid_author_ip",
                                     lambda value: value == self._client_ip(request)),
                                    ("status", "rest_comment_invalid_status", lambda value: False)):
            if name in args and not moderates(user) and not allowed(args[name]):
                raise WPError.not_allowed(code, user, f"Sorry, you are not allowed to edit '{name}' for comments.")
        post = post_queries.find(args["post"]) if args.get("post") else None
        if post is None or post.post_type not in ("post", "page") or \
                not permissions.may_see_level(user, post.compliance_level):
            raise WPError("rest_comment_invalid_post_id", NO_POST, 403)
        if post.status == "draft":
            raise WPError("rest_comment_draft_post", NOT_ON_POST, 403)
        if post.status == "trash":
            raise WPError("rest_comment_trash_post", NOT_ON_POST, 403)
        if not self.can_read_post(user, post, request.get("password")):
            raise WPError.not_allowed("rest_cannot_read_post", user, CANNOT_READ_POST)
        if (post.comment_status or "open") != "open":
            raise WPError("rest_comment_closed", "Sorry, comments are closed for this item.", 403)
        request.memo["post"] = post

    @staticmethod
    def _client_ip(request):
        http = request.http
        return getattr(http.context, "client_ip", None) if http is not None else None

    def prepare_item_for_database(self, request, creating):
        """The columns a request sets (prepare_item_for_database), checked."""
        args, user, values = request.args, request.user, {}
        content = args.get("content")
        if isinstance(content, dict):
            content = content.get("raw") if isinstance(content.get("raw"), str) else None
        if isinstance(content, str):
            values["content"] = editing.filter_content(content, user)
        if "author" in args:
            author = user_queries.find(args["author"]) if args["author"] else None
            if author is None:
                raise WPError("rest_comment_author_invalid", "Invalid comment author ID.", 400)
            values.update(editing.author_values(author))
        for name, column in (("author_name", "author_name"), ("author_email", "author_email"),
                             ("author_url", "author_url")):
            if name in args:
                values[column] = args[name] or ""
        if args.get("author_ip") and moderates(user):
            values["author_ip"] = args["author_ip"]
        elif creating:
            values["author_ip"] = self._client_ip(request) or "127.0.0.1"
        agent = args.get("author_user_agent") or (request.header("User-Agent") if creating else None)
        if agent:
            values["user_agent"] = agent[:255]
        zone = PrepareContext(self, request).zone
        for name, is_gmt in (("date", False), ("date_gmt", True)):
            if args.get(name):
                values["date_local"], values["date_gmt"] = dates.split(parse_date(args[name]), zone, is_gmt)
                break
        return values

    def create_item(self, request):
        args, user = request.args, request.user
        if request.get("id"):
            raise WPError("rest_comment_exists", "Cannot create existing comment.", 400)
        if request.get("type") not in (None, "", "comment"):
            raise WPError("rest_invalid_comment_type", "Cannot create a comment with that type.", 400)
        post = request.memo["post"]
        values = self.prepare_item_for_database(request, creating=True)
        values.setdefault("content", "")
        if values["content"] == "":
            raise WPError("rest_comment_content_invalid", "Invalid comment content.", 400)
        if "date_gmt" not in values:
            now = utcnow()
            values["date_local"], values["date_gmt"] = dates.to_local(now, PrepareContext(self, request).zone), now
        if user.is_authenticated and not any(values.get(name) for name in
                                             ("user", "author_name", "author_email", "author_url")):
            values.update(editing.author_values(user))
        if editing.option(request.site, "require_name_email", True) and \
                not (values.get("author_name") and values.get("author_email")):
            raise WPError("rest_comment_author_data_required",
                          "Creating a comment requires valid author name and email values.", 400)
        parent = self._parent(args.get("parent"), post)
        comment, findings = editing.new_comment(request.site, post, parent, values, user,
                                                "Comment field exceeds maximum length allowed.", args.get("status"))
        fresh = comment_queries.find(comment.wp_id)
        request.memo["comment"] = fresh
        self.audit(request, "comment:create", comment.id, wp_id=comment.wp_id, post=post.wp_id,
                   status=fresh.status, contains_phi=fresh.contains_phi, phi_findings=findings or None)
        request.args["context"] = "edit" if moderates(user) else "view"
        self._phi_access(request, [fresh])
        data = self.prepare_items([fresh], PrepareContext(self, request))[0]
        return self.created(data, self.rest_url(request, f"wp/v2/comments/{comment.wp_id}"))

    @staticmethod
    def _parent(wp_id, post):
        """The parent comment (same post), None for 0; an unknown or foreign one is refused."""
        if not wp_id:
            return None
        parent = comment_queries.find(wp_id)
        if parent is None or parent.post_id != post.id:
            raise WPError("rest_comment_invalid_parent", "Invalid comment parent ID.", 400)
        return parent

    # --- updating -----------------------------------------------------------------
    def update_item_permissions_check(self, request):
        comment = self.get_comment(request)
        if not self.can_edit(request.user, comment):
            raise WPError.not_allowed("rest_cannot_edit", request.user, "Sorry, you are not allowed to edit this "
                                                                        "comment.")

    def update_item(self, request):
        comment, args = self.get_comment(request), request.args
        if request.get("type") not in (None, comment.comment_type):
            raise WPError("rest_comment_invalid_type", "Sorry, you are not allowed to change the comment type.", 404)
        values = self.prepare_item_for_database(request, creating=False)
        if args.get("post"):
            post = post_queries.find(args["post"])
            if post is None or not permissions.may_see_level(request.user, post.compliance_level):
                raise WPError("rest_comment_invalid_post_id", "Invalid post ID.", 403)
            values["post"] = post.id
        if "parent" in args:
            values["parent"] = self._parent(args["parent"], comment.post).id if args["parent"] else None
        if values.get("content") == "":
            raise WPError("rest_comment_content_invalid", "Invalid comment content.", 400)
        editing.check_lengths(values, "Comment field exceeds maximum length allowed.")
        findings = editing.update(comment, values) if values else {}
        if "status" in args:
            editing.set_status(comment, args["status"])
        self.audit(request, "comment:update", comment.id, wp_id=comment.wp_id,
                   fields=sorted(name for name in args if name != "id"), status=comment.status,
                   contains_phi=comment.contains_phi, phi_findings=findings or None)
        return self._edit_view(request, comment)

    def _edit_view(self, request, comment):
        request.args["context"] = "edit"
        fresh = comment_queries.find(comment.wp_id)
        self._phi_access(request, [fresh])
        return self.prepare_items([fresh], PrepareContext(self, request))[0]

    # --- deleting -----------------------------------------------------------------
    def delete_item_permissions_check(self, request):
        comment = self.get_comment(request)
        if not self.can_edit(request.user, comment):
            raise WPError.not_allowed("rest_cannot_delete", request.user, "Sorry, you are not allowed to delete "
                                                                          "this comment.")

    def delete_item(self, request):
        comment = self.get_comment(request)
        previous = self._edit_view(request, comment)
        if request.args.get("force"):
            editing.delete_for_good(comment)
            request.memo.pop("comment", None)
            self.audit(request, "comment:delete", comment.id, wp_id=comment.wp_id, force=True,
                       contains_phi=comment.contains_phi)
            previous.pop("_links", None)
            return RestResponse({"deleted": True, "previous": previous}, 200, {"Allow": None})
        if comment.status == "trash":
            raise WPError("rest_already_trashed", "The comment has already been trashed.", 410)
        editing.trash(comment)
        self.audit(request, "comment:trash", comment.id, wp_id=comment.wp_id)
        return self._edit_view(request, comment)
