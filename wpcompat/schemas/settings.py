"""The site settings of /wp/v2/settings, as WordPress 6.1 registers them (register_initial_settings).

Each setting names where the tenant keeps it: a column of `tenants`, or (column None)
a key of `tenants.options`, read as `fallback` while unset. The item schema and the
update arguments are built from this one table, in WordPress's order.
"""

import dataclasses

from wpcompat.models import Tenant
from wpcompat.rest.validation import ParamError, PublishedArg

INT_RANGE = (-2147483648, 2147483647)           # an INTEGER column


@dataclasses.dataclass(frozen=True)
class Setting:
    name: str                       # the REST key
    type: str
    description: str
    column: str = None              # tenants column; None: tenants.options[name]
    default: object = None          # the default WordPress registers (the schema's `default`)
    fallback: object = None         # an options setting's value while unset (WordPress's install default)
    extra: dict = dataclasses.field(default_factory=dict)     # format / enum

    def schema(self):
        return {"type": self.type, "description": self.description, "default": self.default, **self.extra}

    def arg(self):
        """The update argument, published with the setting's type. null is accepted too: it resets the setting
        (WordPress does not check a null argument; its sanitize_callback keeps it)."""
        return PublishedArg({"description": self.description, "type": self.type, **self.extra,
                             "validate": self.fits_storage}, {"type": [self.type, "null"], **self.extra})

    def fits_storage(self, value, request):
        """The tenants column must hold the value (WordPress's options table has no such limits)."""
        if value is None or self.column is None:
            return
        field = Tenant._meta.fields[self.column]
        max_length = getattr(field, "max_length", None)
        if isinstance(value, str) and max_length and len(value) > max_length:
            raise ParamError("rest_too_long", f"{self.name} must be at most {max_length} characters long.")
        if isinstance(value, int) and not isinstance(value, bool) and not INT_RANGE[0] <= value <= INT_RANGE[1]:
            raise ParamError("rest_out_of_bounds", f"{self.name} must be between {INT_RANGE[0]} (inclusive) and "
                                                   f"{INT_RANGE[1]} (inclusive)")


OPEN_CLOSED = {"enum": ["open", "closed"]}

SETTINGS = (
    Setting("title", "string", "Site title.", "name"),
    Setting("description", "string", "Site tagline.", "description"),
    Setting("url", "string", "Site URL.", "url", extra={"format": "uri"}),
    Setting("email", "string", "This address is used for admin purposes, like new user notification.",
            extra={"format": "email"}),
    Setting("timezone", "string", "A city in the same timezone as you.", "timezone_string"),
    Setting("date_format", "string", "A date format for all date strings.", "date_format"),
    Setting("time_format", "string", "A time format for all time strings.", "time_format"),
    Setting("start_of_week", "integer", "A day number of the week that the week should start on.", "start_of_week"),
    Setting("language", "string", "WordPress locale code.", "language", default="en_US"),
    Setting("use_smilies", "boolean", "Convert emoticons like :-) and :-P to graphics on display.", "use_smilies",
            default=True),
    Setting("default_category", "integer", "Default post category.", "default_category"),
    Setting("default_post_format", "string", "Default post format.", "default_post_format"),
    Setting("posts_per_page", "integer", "Blog pages show at most.", "posts_per_page", default=10),
    Setting("show_on_front", "string", "What to show on the front page", fallback="posts"),
    Setting("page_on_front", "integer", "The ID of the page that should be displayed on the front page", fallback=0),
    Setting("page_for_posts", "integer", "The ID of the page that should display the latest posts", fallback=0),
    Setting("default_ping_status", "string", "Allow link notifications from other blogs (pingbacks and trackbacks) "
            "on new articles.", fallback="open", extra=OPEN_CLOSED),
    Setting("default_comment_status", "string", "Allow people to submit comments on new posts.", fallback="open",
            extra=OPEN_CLOSED),
    Setting("site_logo", "integer", "Site logo."),
    Setting("site_icon", "integer", "Site icon.", fallback=0),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def settings_schema():
    return {"$schema": "http://json-schema.org/draft-04/schema#", "title": "settings", "type": "object",
            "properties": {setting.name: setting.schema() for setting in SETTINGS}}


def update_args():
    return {setting.name: setting.arg() for setting in SETTINGS}
