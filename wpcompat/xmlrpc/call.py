"""One XML-RPC call: who is asking, on which site, and helpers to read WordPress-style arguments.

A `RequestState` lives for the whole HTTP request (shared by the entries of a
system.multicall): it carries WordPress's "one failed login locks this request" flag
and a cache of the logins that succeeded. A `Call` is one method invocation.
"""

import dataclasses
import re

from wpcompat import dates
from wpcompat.auth import ANONYMOUS
from wpcompat.xmlrpc.faults import Fault


@dataclasses.dataclass
class RequestState:
    login_failed: bool = False                      # wp_xmlrpc_server::$auth_failed
    logins: dict = dataclasses.field(default_factory=dict)
    disabled_status: int | None = None              # HTTP status when XML-RPC is switched off
    caller: object = None                           # auth.Caller of the last successful login


class Call:
    def __init__(self, req, state, name):
        self.req = req
        self.state = state
        self.name = name
        self.site = req.context.site
        self.home = self.site.home_url(req)
        self.zone = dates.zone_of(self.site)
        self.user = ANONYMOUS                      # until login() succeeds
        self.resource_id = None                     # the uuid the audit row names
        self.audit_extra = {}

    @property
    def xmlrpc_url(self):
        return f"{self.home}/xmlrpc.php"

    def login(self, username, password):
        """The user these credentials name, or Fault 403 (see auth.py)."""
        from wpcompat.xmlrpc import auth
        self.user = auth.login(self, username, password)
        return self.user

    def touched(self, resource_id=None, **extra):
        """What the audit row of this call names: the resource and facts such as listed ids."""
        if resource_id is not None:
            self.resource_id = resource_id
        self.audit_extra.update(extra)


# --- arguments ----------------------------------------------------------------------------------

def arg(args, index, default=None):
    return args[index] if len(args) > index else default


def php_int(value, default=0):
    """PHP's (int) cast: numbers, leading digits of strings, booleans; anything else 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, (str, bytes)):
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        match = re.match(r"\s*([+-]?\d+)", text)
        return int(match.group(1)) if match else default
    return default


def absint(value):
    return abs(php_int(value))


def text(value, default=""):
    """A string argument (PHP would cast numbers)."""
    if value is None:
        return default
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (int, float, str)):
        return str(value)
    return default


def struct(value):
    """A struct argument; anything else reads as an empty struct."""
    return value if isinstance(value, dict) else {}


def string_list(value):
    if isinstance(value, (list, tuple)):
        return [text(item) for item in value]
    return []


def require_args(args, count):
    if len(args) < count:
        raise Fault.insufficient_arguments()


def truthy(value):
    """PHP truthiness of a decoded XML-RPC value."""
    if isinstance(value, str):
        return value not in ("", "0")
    return bool(value)
