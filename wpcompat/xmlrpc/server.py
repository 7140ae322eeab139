"""/xmlrpc.php: the Falcon resource (xmlrpc.php and IXR_Server::serve in WordPress).

- POST: the body (any Content-Type) is parsed safely, the method dispatched, and the answer
  is a methodResponse or a fault, HTTP 200 text/xml either way (405 when XML-RPC is off).
  A fault rolls the request's transaction back (req.context.rest_failed); its audit rows
  are then written after the rollback, as every denial is.
- GET /xmlrpc.php?rsd: the RSD discovery document. Any other method: 405 text/plain.
- No X-Pingback here: WordPress sends it on singular front-end pages with pings open,
  which this bridge does not serve, and pingbacks are off (pingback.* is not registered).
"""

import html
from urllib.parse import parse_qsl

from wpcompat.audit import Operation, record
from wpcompat.xmlrpc import dispatch, parser, table
from wpcompat.xmlrpc import (methods_comments, methods_legacy, methods_pages, methods_posts,  # noqa: F401
                             methods_site, methods_system, methods_terms, methods_users)
from wpcompat.xmlrpc.call import RequestState
from wpcompat.xmlrpc.faults import Fault

XML_CONTENT_TYPE = "text/xml; charset=UTF-8"
POST_ONLY = "XML-RPC server accepts POST requests only."
RSD_APIS = (("WordPress", "true"), ("Movable Type", "false"), ("MetaWeblog", "false"), ("Blogger", "false"))


def _may_keep(req, state, name):
    """A read-only method's answer to a caller who signed in, holding nothing PHI-grade (structs.PostBatch)."""
    method = table.find(name)
    if method is None or not method.keep_answer or state.caller is None \
            or getattr(req.context, "cache_key", None) is None:         # the cache is off or the call not keyable
        return False
    return not any(batch.holds_phi() for batch in getattr(req.context, "post_batches", ()))


class XmlRpcResource:
    audit_tag = "xmlrpc"

    def __init__(self, site_directory=None, max_body_bytes=parser.MAX_BODY_BYTES, max_elements=parser.MAX_ELEMENTS):
        self.site_directory = site_directory          # reloaded after wp.setOptions changed the site
        self.max_body_bytes = max_body_bytes
        self.max_elements = max_elements

    def on_post(self, req, resp):
        state = RequestState()
        try:
            body = parser.read_body(req.bounded_stream, self.max_body_bytes)
            try:
                name, params = parser.parse_call(body, self.max_elements)
            except Fault as fault:
                record(req, "xmlrpc:request", None, operation=Operation.ACCESS, policy_decision="deny",
                       fault_code=fault.code, body_bytes=len(body))
                raise
            payload = parser.response_body(dispatch.invoke(req, state, name, params))
            if _may_keep(req, state, name):
                req.context.xmlrpc_caller = state.caller    # response_cache may replay it to these credentials
        except Fault as fault:
            req.context.rest_failed = True                   # UnitOfWork rolls back
            payload = parser.fault_body(fault)
            if not req.context.audit_events:
                record(req, "xmlrpc:request", None, operation=Operation.ACCESS, policy_decision="deny",
                       fault_code=fault.code)
        if getattr(req.context, "settings_changed", False) and self.site_directory is not None:
            self.site_directory.invalidate()
        resp.status = state.disabled_status or 200
        resp.content_type = XML_CONTENT_TYPE
        resp.data = payload

    def on_get(self, req, resp):
        if "rsd" in dict(parse_qsl(req.query_string, keep_blank_values=True)):
            return self.rsd(req, resp)
        return self.not_allowed(req, resp)

    def not_allowed(self, req, resp):
        resp.status = 405
        resp.set_header("Allow", "POST")
        resp.content_type = "text/plain;charset=UTF-8"
        resp.text = POST_ONLY
        record(req, "xmlrpc:request", None, operation=Operation.ACCESS, policy_decision="deny")

    on_put = on_patch = on_delete = on_head = on_options = not_allowed

    def rsd(self, req, resp):
        home = html.escape(req.context.site.home_url(req))
        apis = "".join(f'\n      <api name="{name}" blogID="1" preferred="{preferred}" apiLink="{home}/xmlrpc.php" />'
                       for name, preferred in RSD_APIS)
        resp.content_type = XML_CONTENT_TYPE
        resp.text = (f'<?xml version="1.0" encoding="UTF-8"?><rsd version="1.0" '
                     f'xmlns="http://archipelago.phrasewise.com/rsd">\n  <service>\n'
                     f'    <engineName>WordPress</engineName>\n    <engineLink>https://wordpress.org/</engineLink>\n'
                     f'    <homePageLink>{home}</homePageLink>\n    <apis>{apis}\n'
                     f'      <api name="WP-API" blogID="1" preferred="false" apiLink="{home}/wp-json/" />\n'
                     f'    </apis>\n  </service>\n</rsd>\n')
        record(req, "xmlrpc:rsd", req.context.site.id, operation=Operation.READ)
