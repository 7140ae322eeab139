"""SettingsController: /wp/v2/settings, GET and POST/PUT/PATCH (WP_REST_Settings_Controller, WordPress 6.1).

Both need manage_options. The settings are the current tenant's row (wpcompat.editing.
settings); an update answers with every setting, as WordPress does, and makes the site
directory reload the tenant so the next requests see the new title, timezone, URL...
"""

from wpcompat.auth import can
from wpcompat.editing import settings as editing
from wpcompat.errors import WPError
from wpcompat.rest.server import EDITABLE, READABLE, Endpoint
from wpcompat.routes.base import Controller
from wpcompat.schemas.settings import SETTINGS, settings_schema, update_args

FORBIDDEN = "Sorry, you are not allowed to do that."


class SettingsController(Controller):
    rest_base = "settings"
    audit_tag = "settings"

    def __init__(self):
        self.server = None
        self._schema = settings_schema()

    def get_item_schema(self):
        return self._schema

    def register_routes(self, server):
        self.server = server           # its site_directory is refreshed after an update
        server.register(self.namespace, f"/{self.rest_base}", [
            Endpoint(READABLE, self.get_item, self.get_item_permissions_check, {}),
            Endpoint(EDITABLE, self.update_item, self.update_item_permissions_check, update_args()),
        ], schema=self.get_item_schema, controller=self)

    # --- reading ------------------------------------------------------------------------
    def get_item_permissions_check(self, request):
        if not can(request.user, "manage_options"):
            raise WPError.not_allowed("rest_forbidden", request.user, FORBIDDEN)

    def get_item(self, request):
        row = editing.load(request.site.id)
        self.audit(request, "settings:read", request.site.id)
        return editing.read_settings(row, self._default_url(request))

    @staticmethod
    def _default_url(request):
        """The site's URL when the tenant stores none: the one the request came in on."""
        http = request.http
        return f"{http.scheme}://{http.netloc}" if http is not None else ""

    # --- writing ------------------------------------------------------------------------
    def update_item_permissions_check(self, request):
        user = request.user
        if can(user, "manage_options"):
            return
        for setting in SETTINGS:                     # an option this user may not edit, named
            if request.args.get(setting.name) is not None:
                raise WPError("rest_cannot_update", f"Sorry, you are not allowed to edit the {setting.name} option.",
                              403 if user.is_authenticated else 401, key=setting.name)
        raise WPError.not_allowed("rest_forbidden", user, FORBIDDEN)

    def update_item(self, request):
        values = {setting.name: request.args[setting.name] for setting in SETTINGS if setting.name in request.args}
        default_url = self._default_url(request)
        before, after = editing.update_settings(request.site.id, values)
        old, new = editing.read_settings(before, default_url), editing.read_settings(after, default_url)
        changed = [name for name in values if old[name] != new[name]]
        if changed:
            self._refresh_sites()
        self.audit(request, "settings:update", request.site.id, changed=changed)
        return new

    def _refresh_sites(self):
        directory = getattr(self.server, "site_directory", None)
        if directory is not None:
            directory.invalidate()
