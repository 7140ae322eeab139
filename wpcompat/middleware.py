"""The request pipeline of DESIGN.md §7, in order:

RequestId → RestHeaders → RestRoute → TenantFromHost → ResponseCache → UnitOfWork → Authenticate →
AuditTrail. Falcon runs process_response in reverse, so AuditTrail writes its rows before
UnitOfWork commits, UnitOfWork writes deferred (denial) rows after a rollback, and
ResponseCache (wpcompat/response_cache.py) keeps an anonymous answer only once it committed.
"""

import logging
import uuid

from wpcompat import audit, auth, limits, passwords
from wpcompat.db import (begin_tenant, current_tenant, db, finish, release_connection, tenant_scope,
                         transaction_hooks)
from wpcompat.errors import (CRITICAL_MESSAGE, RETRY_REQUEST, DatabaseFailure, WPError, database_failure,
                             render_database_failure)

log = logging.getLogger("wpcompat")

REST_PREFIX = "/wp-json"


class RequestId:
    """Gives every request an id (X-Request-ID) and the per-request defaults others rely on."""

    def __init__(self, settings):
        self.settings = settings

    def process_request(self, req, resp):
        start_context(req, self.settings)
        if req.content_length and req.content_length > self.settings.max_body_bytes:
            raise WPError("rest_request_entity_too_large",
                          f"The request body is larger than {self.settings.max_body_bytes} bytes.", 413)

    def process_response(self, req, resp, resource, req_succeeded):
        request_id = getattr(req.context, "request_id", None)
        if request_id:
            resp.set_header("X-Request-ID", request_id)


def start_context(req, settings):
    """A request's id and the defaults the rest of the chain relies on (anonymous until authenticated)."""
    ctx = req.context
    ctx.request_id = uuid.uuid4().hex
    ctx.site = None
    ctx.user = auth.ANONYMOUS
    ctx.trust_score = auth.TRUST_ANONYMOUS
    ctx.audit_events = []
    ctx.deferred_audit = []
    ctx.client_ip = req.access_route[0] if settings.trust_forwarded_for and req.access_route else req.remote_addr


class RestHeaders:
    """The headers WordPress puts on every REST response, errors included (rest-api.md §3)."""

    NO_CACHE = {"Cache-Control": "no-cache, must-revalidate, max-age=0",
                "Expires": "Wed, 11 Jan 1984 05:00:00 GMT"}

    # What a request's Origin adds: the caller's own, never part of an answer kept for others (response_cache)
    ORIGIN_HEADERS = ("access-control-allow-origin", "access-control-allow-methods", "access-control-allow-credentials")

    @staticmethod
    def cors_headers(origin):
        return [("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Methods", "OPTIONS, GET, POST, PUT, PATCH, DELETE"),
                ("Access-Control-Allow-Credentials", "true")]

    def process_response(self, req, resp, resource, req_succeeded):
        if not (req.path.startswith(REST_PREFIX) or "rest_route" in req.params):
            return
        resp.set_header("X-Robots-Tag", "noindex")
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.set_header("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link")
        resp.set_header("Access-Control-Allow-Headers",
                        "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type")
        if resp.get_header("Link") is None and getattr(req.context, "site", None) is not None:
            resp.set_header("Link", f'<{req.context.site.home_url(req)}{REST_PREFIX}/>; rel="https://api.w.org/"')
        origin = req.get_header("Origin")
        if origin:
            for name, value in self.cors_headers(origin):
                resp.set_header(name, value)
        resp.set_header("Vary", "Origin")
        user = getattr(req.context, "user", None)
        overridden = req.get_header("X-HTTP-Method-Override") and response_status(req, resp) >= 400
        if (user is not None and user.is_authenticated) or overridden:
            for name, value in self.NO_CACHE.items():
                if resp.get_header(name) is None:      # a route's stricter no-store (PHI files) stays
                    resp.set_header(name, value)


class RestRoute:
    """`/?rest_route=/wp/v2/posts` is the same request as `/wp-json/wp/v2/posts` (WordPress's plain permalinks)."""

    def process_request(self, req, resp):
        if req.path not in ("/", "/index.php"):
            return
        if any(key.startswith("rest_route[") for key in req.params) or \
                isinstance(req.params.get("rest_route"), list):
            raise WPError("rest_path_invalid_type", "The rest route parameter must be a string.", 400)
        if "rest_route" in req.params:
            route = (req.get_param("rest_route") or "").strip("/")
            req.path = f"{REST_PREFIX}/{route}" if route else REST_PREFIX


class TenantFromHost:
    """Host header → site. No site for the host: 404, and nothing else is read."""

    def __init__(self, directory):
        self.directory = directory

    def process_request(self, req, resp):
        site = self.directory.lookup(req.get_header("Host") and req.host)
        if site is None:
            log.warning("no site for host %r (request %s)", req.host, req.context.request_id)
            raise WPError("rest_site_not_found", "No site is configured for this host.", 404)
        req.context.site = site


class UnitOfWork:
    """One transaction per request, whose first statement sets the tenant (DESIGN.md §5).

    On PostgreSQL a request costs two round trips besides its own queries: BEGIN with the
    tenant, and the audit rows (AuditTrail leaves them in `commit_audit`) with COMMIT.
    durable_reads=False (WPCOMPAT_AUDIT_READS_DURABLE): a transaction that wrote nothing but
    its audit rows commits without waiting for the WAL flush (README, "Speed").
    """

    def __init__(self, database, durable_reads=True):
        self.database = database
        self.durable_reads = durable_reads

    def process_request(self, req, resp):
        site = req.context.site
        if db.obj is not self.database:           # the models must run inside this very transaction
            db.initialize(self.database)
        release_connection(self.database, only_if_broken=True)   # e.g. left by a failed site lookup
        self.database.connect(reuse_if_open=True)
        keepable = req.method in ("GET", "HEAD") or getattr(req.context, "cache_key", None) is not None
        req.context.txn = begin_tenant(self.database, site.id,       # for the caches of reads (0011)
                                       read_generation=keepable)
        req.context.content_generation = getattr(req.context.txn, "content_generation", None)
        req.context.hooks_token = transaction_hooks.set(([], []))
        req.context.tenant_token = current_tenant.set(site.id)

    def process_response(self, req, resp, resource, req_succeeded):
        txn = getattr(req.context, "txn", None)
        try:
            if txn is not None:
                ok = req_succeeded and not getattr(req.context, "rest_failed", False)
                self._finish(req, resp, txn, ok and response_status(req, resp) < 400)
            if req.context.site is not None and getattr(req.context, "deferred_audit", None) \
                    and not req.env.get(RETRY_REQUEST):      # a retried attempt: the retry audits
                self._write_deferred(req)
        finally:
            self._run_hooks(req)
            token = getattr(req.context, "tenant_token", None)
            if token is not None:
                current_tenant.reset(token)
            release_connection(self.database)

    @staticmethod
    def _run_hooks(req):
        """Files and other outside work follow the transaction: kept on commit, undone on rollback."""
        token = getattr(req.context, "hooks_token", None)
        if token is None:
            return
        on_commit, on_rollback = transaction_hooks.get()
        transaction_hooks.reset(token)
        for action in on_commit if getattr(req.context, "committed", False) else on_rollback:
            try:
                action()
            except Exception:
                log.exception("after-transaction action failed (request %s)", req.context.request_id)

    def _finish(self, req, resp, txn, commit):
        try:
            if commit:
                rows = getattr(req.context, "commit_audit", None)
                finish(self.database, txn, audit.insert_statement(rows) if rows else None,
                       relax_reads=not self.durable_reads)
                req.context.committed = True
            else:
                txn.__exit__(WPError, None, None)     # roll back; nothing half-written
        except Exception as ex:
            try:
                self.database.rollback()
            except Exception:                           # the connection is gone: release_connection drops it
                pass
            failure = database_failure(ex)
            if failure is None:
                log.exception("commit failed (request %s)", req.context.request_id)
                failure = WPError("internal_server_error", CRITICAL_MESSAGE, 500,
                                  request_id=req.context.request_id)
            elif commit and failure.code == "db_connect_fail":
                failure.retryable = False               # lost during COMMIT: it may have committed
                req.context.may_have_committed = True   # (its failed logins too: not written again)
            if isinstance(failure, DatabaseFailure):
                log.warning("%s at the end of request %s: %s", failure.code, req.context.request_id, ex)
                render_database_failure(req, resp, failure)
            else:
                resp.status, resp.media = failure.status, failure.to_dict()
            req.context.committed = False
            req.context.deferred_audit = audit.build_rows(req, failure.status, "request:commit")

    def _write_deferred(self, req):
        release_connection(self.database, only_if_broken=True)   # a lost server: try a fresh connection
        try:
            with tenant_scope(req.context.site.id, self.database):
                audit.write(req.context.deferred_audit)
                if not (getattr(req.context, "committed", False) or getattr(req.context, "may_have_committed", False)):
                    limits.record_noted(req)            # the failed logins the rollback took back
        except Exception as ex:
            if database_failure(ex) is None:
                log.exception("could not write the denial audit (request %s)", req.context.request_id)
            else:                                       # the database is down: the log line is the record
                log.warning("could not write the denial audit (request %s): %s", req.context.request_id, ex)


class Authenticate:
    """HTTP Basic with an application password; anything else is anonymous (DESIGN.md §7)."""

    def process_request(self, req, resp):
        credentials = auth.parse_basic(req.get_header("Authorization"))
        if credentials is None:
            return
        login, password = credentials
        req.context.attempted_login = login
        req.context.trust_score = auth.TRUST_FAILED
        tenant, ip = req.context.site.id, req.context.client_ip
        wait = limits.login_retry_after(req, tenant, ip, login)      # shared with XML-RPC (wpcompat.limits)
        if wait:
            resp.set_header("Retry-After", str(wait))
            raise limits.rate_limited_error(wait)
        try:
            req.context.user = auth.authenticate_app_password(login, password, ip)
        except WPError:
            limits.login_failed(req, tenant, ip, login)
            raise
        limits.login_succeeded(req, tenant, ip, login)
        req.context.app_password_hash = passwords.hash_app_password(password)   # which one: /introspect
        req.context.trust_score = auth.TRUST_APP_PASSWORD


class AuditTrail:
    """Writes the request's audit rows: in its transaction on success, deferred on failure."""

    def process_response(self, req, resp, resource, req_succeeded):
        if getattr(req.context, "site", None) is None or getattr(req.context, "served_from_cache", False):
            return                                   # no tenant: nothing was read; a hit audited itself
        status = response_status(req, resp)
        default_tag = getattr(resource, "audit_tag", "request") + ":" + req.method.lower()
        failed = not req_succeeded or getattr(req.context, "rest_failed", False)
        if not failed and status < 400 and getattr(req.context, "txn", None) is not None:
            try:                                     # UnitOfWork inserts them with its COMMIT
                limits.record_noted(req)             # failed logins of a multicall, a cleared count
                req.context.commit_audit = audit.build_rows(req, status, default_tag)
                return
            except Exception:
                log.exception("audit write failed (request %s)", req.context.request_id)
                error = WPError("internal_server_error", CRITICAL_MESSAGE, 500,
                                request_id=req.context.request_id)
                resp.status, resp.media = error.status, error.to_dict()
                status = 500                         # UnitOfWork now rolls back
        rows = audit.build_rows(req, status, default_tag)
        login = getattr(req.context, "attempted_login", None)
        if login and not req.context.user.is_authenticated:
            for row in rows:
                row["operation"] = str(audit.Operation.LOGIN)
                row["resource_type"] = "auth"
                row["metadata"]["event"] = "auth:login:failure"
                row["metadata"]["login"] = login
        req.context.deferred_audit = rows


def response_status(req, resp):
    """The status the client's request really ended with (an `_envelope` answer is 200 on the wire)."""
    status = getattr(req.context, "rest_status", None)
    return status if status is not None else int(str(resp.status).split()[0])
