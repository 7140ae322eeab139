"""Reusable blocks and block types: /wp/v2/blocks (WP_REST_Blocks_Controller) and /wp/v2/block-types.

Reusable blocks are posts of type `wp_block`, served by PostsController with WordPress 6.1's
differences: the type supports title, editor and revisions only (no author, excerpt, featured
media, comments or pings), `title.raw` and `content.raw` are shown in view context too and
nothing is rendered (a block renders inside a post), reading needs edit_posts (read_post of a
wp_block maps to it) and creating needs publish_posts (the type's create_posts).

/wp/v2/block-types lists the server-registered block types; wpcompat registers none (blocks
are parsed and rendered by clients), so it answers `[]` to who may edit some post type, and
404 `rest_block_type_invalid` for any name.
"""

import copy

from wpcompat.auth import can
from wpcompat.errors import WPError
from wpcompat.rest.server import READABLE, Endpoint
from wpcompat.routes.base import Controller, context_param
from wpcompat.routes.posts import PostsController
from wpcompat.routes.types import can_edit_some_type

# Fields of posts a wp_block does not have (its supports: title, editor, revisions; not viewable).
NOT_SUPPORTED = ("author", "excerpt", "featured_media", "comment_status", "ping_status", "permalink_template",
                 "generated_slug", "meta")


class BlocksController(PostsController):
    def __init__(self):
        super().__init__("wp_block", "blocks")
        schema = copy.deepcopy(self._schema)
        properties = schema["properties"]
        for name in NOT_SUPPORTED:
            properties.pop(name, None)
        for name in ("title", "content"):
            properties[name]["properties"]["raw"]["context"] = ["view", "edit"]
            properties[name]["properties"].pop("rendered", None)
        self._schema = schema

    def prepare_item_for_response(self, post, ctx, relations):
        data = super().prepare_item_for_response(post, ctx, relations)
        for name in NOT_SUPPORTED:
            data.pop(name, None)
        for name in ("title", "content"):
            if isinstance(data.get(name), dict):
                data[name].pop("rendered", None)
        return data

    def create_item_permissions_check(self, request):
        super().create_item_permissions_check(request)
        if not can(request.user, "publish_posts"):
            raise WPError.not_allowed("rest_cannot_create", request.user,
                                      "Sorry, you are not allowed to create posts as this user.")


BLOCK_TYPE_NAME = r"[a-zA-Z0-9_-]+"


class BlockTypesController(Controller):
    rest_base = "block-types"
    audit_tag = "block_type"

    def get_item_schema(self):
        return {"$schema": "http://json-schema.org/draft-04/schema#", "title": "block-type", "type": "object",
                "properties": {"name": {"description": "Unique name identifying the block type.", "type": "string",
                                        "context": ["embed", "view", "edit"], "readonly": True}}}

    def register_routes(self, server):
        params = {"context": context_param(), "namespace": {"description": "Block namespace.", "type": "string"}}
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_items, self.check_read_permission, params),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, f"/{self.rest_base}/(?P<namespace>{BLOCK_TYPE_NAME})", [
            Endpoint(READABLE, self.get_items, self.check_read_permission, params),
        ], schema=self.get_item_schema, controller=self)
        server.register(self.namespace, f"/{self.rest_base}/(?P<namespace>{BLOCK_TYPE_NAME})/(?P<name>"
                                        f"{BLOCK_TYPE_NAME})", [
            Endpoint(READABLE, self.get_item, self.check_read_permission, {
                "name": {"description": "Block name.", "type": "string"},
                "namespace": {"description": "Block namespace.", "type": "string"}, "context": context_param()}),
        ], schema=self.get_item_schema, controller=self)

    def check_read_permission(self, request):
        if not can(request.user, "edit_posts") and not can_edit_some_type(request.user):
            raise WPError.not_allowed("rest_block_type_cannot_view", request.user,
                                      "Sorry, you are not allowed to manage block types.")

    def get_items(self, request):
        self.audit(request, "block_type:list", None, ids=[])
        return []

    def get_item(self, request):
        raise WPError("rest_block_type_invalid", "Invalid block type.", 404)
