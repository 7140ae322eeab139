"""create_app(settings): the Falcon app with the middleware chain of DESIGN.md §7."""

import logging

import falcon

from wpcompat import errors, middleware, storage
from wpcompat.db import bind, configure_serving_role, open_database
from wpcompat.rest.http import REST_PREFIX, RestSink
from wpcompat.rest.server import RestServer
from wpcompat.routes.acf import AcfController
from wpcompat.routes.batch import BatchController
from wpcompat.routes.front import SiteFront
from wpcompat.routes.index import IndexController
from wpcompat.routes.media import MediaController
from wpcompat.routes.posts import PostsController
from wpcompat.routes.search import SearchController
from wpcompat.routes.settings import SettingsController
from wpcompat.routes.statuses import StatusesController
from wpcompat.routes.taxonomies import TaxonomiesController
from wpcompat.routes.types import TypesController
from wpcompat.routes.uploads import UPLOADS_ROUTE, UploadedFiles
from wpcompat.routes.terms import TermsController
from wpcompat.routes.users import UsersController
from wpcompat.routes.application_passwords import ApplicationPasswordsController
from wpcompat.sites import SiteDirectory
from wpcompat.xmlrpc.server import XmlRpcResource

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


def build_controllers():
    """Every REST controller, in the order the discovery index lists their routes."""
    return [
        IndexController(),
        BatchController(),
        PostsController("post", "posts"),
        PostsController("page", "pages"),
        TypesController(),
        StatusesController(),
        TaxonomiesController(),
        TermsController("category", "categories"),
        TermsController("post_tag", "tags"),
        MediaController(),
        UsersController(),
        ApplicationPasswordsController(),
        SearchController(),
        SettingsController(),
        AcfController(),
    ]


def build_rest_server():
    server = RestServer()
    for controller in build_controllers():
        controller.register_routes(server)
    return server


def create_app(settings, database=None):
    """The WSGI app for `settings`. Raises UnsafeRoleError if serving would bypass RLS."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if database is None:
        database = open_database(settings.database_url, settings.pool_size)
    configure_serving_role(database, settings.app_role)
    bind(database)
    site_directory = SiteDirectory(database)
    app = falcon.App(media_type=JSON_CONTENT_TYPE, middleware=[
        middleware.RequestId(settings),
        middleware.RestHeaders(),
        middleware.RestRoute(),
        middleware.TenantFromHost(site_directory),
        middleware.UnitOfWork(database),
        middleware.Authenticate(),
        middleware.AuditTrail(),
    ])
    app.req_options.strip_url_path_trailing_slash = True
    app.resp_options.default_media_type = JSON_CONTENT_TYPE
    errors.install(app)
    rest_server = build_rest_server()
    rest_server.site_directory = site_directory      # settings updates make it reload the tenant
    app.add_sink(RestSink(rest_server, settings), prefix=f"^{REST_PREFIX}(?=/|$)")
    app.add_route("/", SiteFront())
    app.add_route("/xmlrpc.php", XmlRpcResource(site_directory))
    app.add_route(UPLOADS_ROUTE, UploadedFiles(storage.configure(settings)))   # local media files
    return app
