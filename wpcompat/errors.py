"""WPError and the handlers that turn every failure into WordPress's error JSON.

`{"code": ..., "message": ..., "data": {"status": ...}}`, never a traceback.
"""

import logging

import falcon

log = logging.getLogger("wpcompat")

NO_ROUTE_MESSAGE = "No route was found matching the URL and request method."
CRITICAL_MESSAGE = "There has been a critical error on this website."
RETRY_AFTER_SECONDS = 1

# SQLSTATEs (psycopg2's pgcode) of database failures a client outlives: lost races a new attempt of the
# whole request resolves (it sees the winner's rows), a busy server, a server going away.
_CONFLICTS = {"40001": "db_write_conflict", "40P01": "db_write_conflict", "23505": "db_duplicate_entry"}
_BUSY = {"53300", "53400"}                         # too_many_connections, configuration_limit_exceeded
_GONE = {"57P01", "57P02", "57P03"}                # admin/crash shutdown, cannot connect now
_FAILURES = {
    "db_write_conflict": (503, "A concurrent change to the same content got in the way. Please try again."),
    "db_duplicate_entry": (409, "A concurrent request created the same item. Please try again."),
    "db_busy": (503, "The site is too busy to answer right now. Please try again shortly."),
    "db_connect_fail": (503, "Error establishing a database connection."),    # WordPress's wpdb wording
}


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


class DatabaseFailure(WPError):
    """A database failure answered in WordPress's shape; `retryable`: a new attempt may succeed."""

    def __init__(self, code, retryable):
        status, message = _FAILURES[code]
        super().__init__(code, message, status)
        self.retryable = retryable


def _causes(ex):
    """The exception and what it wraps (peewee wraps the driver's error as args[0] and __context__)."""
    seen = []
    while ex is not None and ex not in seen and len(seen) < 8:
        seen.append(ex)
        wrapped = ex.args[0] if ex.args and isinstance(ex.args[0], BaseException) else None
        ex = wrapped or ex.__cause__ or ex.__context__
    return seen


def database_failure(ex):
    """The DatabaseFailure `ex` amounts to, or None when it is not one a client can outlive.

    Lost races (serialization failure, deadlock, a unique index hit by a concurrent insert) are
    retryable; so is a connection lost before the commit (the server rolled the transaction back).
    An exhausted pool, a server refusing connections or going down: 503 with Retry-After.
    """
    import psycopg2
    from playhouse.pool import MaxConnectionsExceeded

    for cause in _causes(ex):
        if isinstance(cause, MaxConnectionsExceeded):
            return DatabaseFailure("db_busy", False)
        if isinstance(cause, psycopg2.Error):
            code = cause.pgcode or ""
            if code in _CONFLICTS:
                return DatabaseFailure(_CONFLICTS[code], True)
            if code in _BUSY or "too many clients" in str(cause) or "connection slots" in str(cause):
                return DatabaseFailure("db_busy", False)     # (refused at connect: no pgcode, a message)
            if code in _GONE or code.startswith("08") or (
                    not code and isinstance(cause, (psycopg2.OperationalError, psycopg2.InterfaceError))):
                return DatabaseFailure("db_connect_fail", True)
            return None
        if type(cause).__name__ == "OperationalError" and "database is locked" in str(cause):
            return DatabaseFailure("db_busy", True)                  # SQLite's busy timeout ran out
    return None


def store_failure(ex):
    """The WPError for a media store that cannot take a file, or None.

    The local store's disk full → 507 "Could not write file to disk." (WordPress's message for
    UPLOAD_ERR_CANT_WRITE); the store not writable or unreachable (read-only or missing volume,
    S3 endpoint down or refusing) → 503 with Retry-After. uploads.py has removed what it wrote.
    """
    import errno

    for cause in _causes(ex):
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return WPError("rest_upload_store_full", "Could not write file to disk.", 507)
        if isinstance(cause, OSError) and cause.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO):
            return WPError("rest_upload_store_unavailable",
                           "The uploaded file could not be moved to the media store. Please try again later.", 503)
        if type(cause).__module__.startswith(("botocore", "boto3")):
            return WPError("rest_upload_store_unavailable",
                           "The uploaded file could not be moved to the media store. Please try again later.", 503)
    return None


def render_database_failure(req, resp, failure):
    """Answer `failure`; ask RetryingApp for another attempt when it is retryable and one is left."""
    _render(resp, failure)
    if failure.status == 503:
        resp.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
    if failure.retryable and req.env.get(ATTEMPTS_LEFT, 0) > 0:
        req.env[RETRY_REQUEST] = True


ATTEMPTS_LEFT = "wpcompat.attempts_left"          # set by RetryingApp in each attempt's environ
RETRY_REQUEST = "wpcompat.retry_request"          # set by the error handling: run the request again


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
    """Anything else: logged with the request id, answered as WordPress's critical error.

    A database failure a client outlives is a 409/503 instead (database_failure)."""
    request_id = getattr(req.context, "request_id", None)
    failure = database_failure(ex)
    if failure is not None:
        log.warning("%s in %s %s (request %s): %s", failure.code, req.method, req.path, request_id,
                    str(ex).strip().splitlines()[0] if str(ex).strip() else type(ex).__name__)
        render_database_failure(req, resp, failure)
        return
    failure = store_failure(ex)
    if failure is not None:
        log.warning("%s in %s %s (request %s): %s", failure.code, req.method, req.path, request_id, ex)
        _render(resp, failure)
        if failure.status == 503:
            resp.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
        return
    log.exception("unhandled error in %s %s (request %s)", req.method, req.path, request_id)
    _render(resp, WPError("internal_server_error", CRITICAL_MESSAGE, 500, request_id=request_id))


def install(app):
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(WPError, handle_wp_error)
