"""create_app(settings): the Falcon app with the middleware chain of DESIGN.md §7."""

import json
import logging

import falcon
import orjson

from wpcompat import errors, middleware, storage
from wpcompat.db import bind, configure_serving_role, open_database
from wpcompat.rest.http import REST_PREFIX, RestSink
from wpcompat.response_cache import ResponseCache, Store
from wpcompat.rest.server import RestServer
from wpcompat.retrying import RetryingApp
from wpcompat.routes.acf import AcfController
from wpcompat.routes.autosaves import AutosavesController
from wpcompat.routes.batch import BatchController
from wpcompat.routes.comments import CommentsController
from wpcompat.routes.blocks import BlocksController, BlockTypesController
from wpcompat.routes.front import SiteFront
from wpcompat.routes.index import IndexController
from wpcompat.routes.media import MediaController
from wpcompat.routes.openapi import OpenApiController
from wpcompat.routes.posts import PostsController
from wpcompat.routes.revisions import RevisionsController
from wpcompat.routes.search import SearchController
from wpcompat.routes.settings import SettingsController
from wpcompat.routes.statuses import StatusesController
from wpcompat.routes.taxonomies import TaxonomiesController
from wpcompat.routes.types import TypesController
from wpcompat.routes.uploads import UPLOADS_ROUTE, UploadedFiles
from wpcompat.routes.terms import TermsController
from wpcompat.routes.users import UsersController
from wpcompat.routes.workflow import WorkflowController
from wpcompat.routes.application_passwords import ApplicationPasswordsController
from wpcompat.sites import SiteDirectory
from wpcompat.xmlrpc.server import XmlRpcResource

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


def _dumps(media):
    """Response JSON, as json.dumps would write it but compact (as WordPress writes it) and ~10x faster."""
    try:
        return orjson.dumps(media, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:        # what orjson refuses and json writes (an integer past 64 bits)
        return json.dumps(media, ensure_ascii=False, separators=(",", ":")).encode()


def with_revisions(posts_controller):
    """A post type's controller, then its revisions and autosaves (editor support)."""
    return [posts_controller, RevisionsController(posts_controller), AutosavesController(posts_controller)]


def build_controllers():
    """Every REST controller, in the order the discovery index lists their routes."""
    return [
        IndexController(),
        BatchController(),
        *with_revisions(PostsController("post", "posts")),
        *with_revisions(PostsController("page", "pages")),
        TypesController(),
        StatusesController(),
        TaxonomiesController(),
        TermsController("category", "categories"),
        TermsController("post_tag", "tags"),
        MediaController(),
        UsersController(),
        ApplicationPasswordsController(),
        CommentsController(),
        SearchController(),
        SettingsController(),
        WorkflowController(),
        AcfController(),
        *with_revisions(BlocksController()),
        BlockTypesController(),
        OpenApiController(),
    ]


def build_rest_server():
    server = RestServer()
    for controller in build_controllers():
        controller.register_routes(server)
    return server


def response_cache(settings, database, directory):
    """The anonymous-answer cache (None when WPCOMPAT_RESPONSE_CACHE_MB is 0)."""
    if not settings.response_cache_mb:
        return None
    store = Store(settings.response_cache_mb * 1024 * 1024, settings.response_cache_seconds)
    return ResponseCache(database, store, _dumps, settings, directory, falcon.RequestOptions())


def create_app(settings, database=None):
    """The WSGI app for `settings`. Raises UnsafeRoleError if serving would bypass RLS."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if database is None:
        database = open_database(settings.database_url, settings.pool_size)
    configure_serving_role(database, settings.app_role, defer_if_unreachable=True)   # PostgreSQL down at boot
    bind(database)
    site_directory = SiteDirectory(database)
    cache = response_cache(settings, database, site_directory)
    app = RetryingApp(media_type=JSON_CONTENT_TYPE, middleware=[
        middleware.RequestId(settings),
        middleware.RestHeaders(),
        middleware.RestRoute(),
        middleware.TenantFromHost(site_directory),
        *([cache] if cache else []),
        middleware.UnitOfWork(database, settings.audit_reads_durable),
        middleware.Authenticate(),
        middleware.AuditTrail(),
    ])
    app.req_options.strip_url_path_trailing_slash = True
    if cache:                                  # hits answered before Falcon, parsing URLs as the app does
        cache.req_options = app.req_options
        app.fast_path = cache.fast_answer
    app.resp_options.default_media_type = JSON_CONTENT_TYPE
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = falcon.media.JSONHandler(dumps=_dumps)   # orjson
    errors.install(app)
    rest_server = build_rest_server()
    rest_server.site_directory = site_directory      # settings updates make it reload the tenant
    app.add_sink(RestSink(rest_server, settings), prefix=f"^{REST_PREFIX}(?=/|$)")
    app.add_route("/", SiteFront())
    app.add_route("/xmlrpc.php", XmlRpcResource(site_directory))
    app.add_route(UPLOADS_ROUTE, UploadedFiles(storage.configure(settings)))   # media files, either store
    return app
