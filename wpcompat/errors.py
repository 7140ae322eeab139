"""WPError and the handlers that turn every failure into WordPress's error JSON.

`{"code": ..., "message": ..., "data": {"status": ...}}`, never a traceback.
"""

import logging

import falcon

log = logging.getLogger("wpcompat")

NO_ROUTE_MESSAGE = "No route was found matching the URL and request method."
CRITICAL_MESSAGE = "There has been a critical error on this website."


class WPError(Exception):
    """A WordPress REST error. Raised anywhere; rendered by one handler."""

    def __init__(self, code, message, status, **data):
        super().__init__(message)
        self.code, self.message, self.status, self.data = code, message, status, data

    def to_dict(self):
        return {"code": self.code, "message": self.message,
                "data": {"status": self.status, **self.data}}

    @classmethod
    def invalid_params(cls, params, details=None):
        """params: {name: message}; details: {name: {code, message, data}}."""
        return cls("rest_invalid_param", f"Invalid parameter(s): {', '.join(params)}", 400,
                   params=params, details=details or {})

    @classmethod
    def not_allowed(cls, code, user, message):
        """401 for anonymous callers, 403 for signed-in ones (rest_authorization_required_code)."""
        return cls(code, message, 403 if user.is_authenticated else 401)

    @classmethod
    def no_route(cls):
        return cls("rest_no_route", NO_ROUTE_MESSAGE, 404)


def _render(resp, error):
    resp.status = error.status
    resp.media = error.to_dict()


def handle_wp_error(req, resp, ex, params):
    _render(resp, ex)


def handle_http_error(req, resp, ex, params):
    """Falcon's own errors: unknown route or method → rest_no_route, others keep their status."""
    status = int(ex.status_code)
    if status in (404, 405):
        _render(resp, WPError.no_route())
        return
    code = {400: "rest_invalid_request", 413: "rest_request_entity_too_large",
            415: "rest_unsupported_media_type"}.get(status, "rest_http_error")
    _render(resp, WPError(code, ex.description or ex.title or "The request could not be handled.",
                          status))


def handle_unexpected(req, resp, ex, params):
    """Anything else: logged with the request id, answered as WordPress's critical error."""
    request_id = getattr(req.context, "request_id", None)
    log.exception("unhandled error in %s %s (request %s)", req.method, req.path, request_id)
    _render(resp, WPError("internal_server_error", CRITICAL_MESSAGE, 500, request_id=request_id))


def install(app):
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(WPError, handle_wp_error)
