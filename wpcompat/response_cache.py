"""Anonymous REST answers kept in the worker's memory while the tenant's content is unchanged.

A headless front end asks the same public questions over and over (the latest posts, a post,
the categories); WordPress answers each by booting itself and querying MySQL again. wpcompat
keeps the finished answer — status, headers, body and the audit events it recorded — under
the request (tenant, scheme and host, method, path, query string) and the tenant's *content
generation*, a counter the database moves on in every transaction that writes the tenant's
content (migrations/0011, triggers: REST, XML-RPC, the importer and the CMS writing its
tables directly all move it). An answer is served again only while the counter is where it
was when the answer was built, and at most `max_age` seconds.

For REST, only what anybody may read is kept: GET and HEAD without credentials (no Authorization
header, no `password` for a protected post, no method override) and without a body (its
parameters would change the answer; keyed on the URL alone, a body could poison it),
answered 200 and committed. Nothing a logged-in REST user, an editor or a PHI reader sees is ever held
here; XML-RPC's signed-in reads are the exception described below, kept for their own caller only.

A hit is still audited: one round trip sends the tenant, checks the generation and inserts
the request's audit rows only if it still matches, and commits (on PostgreSQL one implicit
transaction, so a stale entry writes nothing and the request runs as a miss). Under `wpcompat
serve` on PostgreSQL the audit writer runs that statement for the hits of all workers waiting
together, one commit for them all (audit_writer.py); the worker writes itself when it cannot.

XML-RPC sends the credentials inside every call, so its reads are signed-in answers. The answer
to a call of a read-only method marked `keep_answer` (posts, pages, terms: xmlrpc/table.py) is
kept for the caller alone: under the exact request body (which holds the username and password;
the key holds only a keyed BLAKE2b of it, under a random per-process key), the tenant, host,
scheme and client IP. A later identical call replays it only while
- the tenant's generation has not moved (users are content tables: a changed password, role or
  account moves it, so the next call signs in afresh),
- the application password that signed in still exists (checked in the same gated INSERT),
- the login is not locked out by the failed-login limits (wpcompat.limits), and the site's
  settings (XML-RPC switched off) are unchanged,
and is audited as the caller (user, trust score, method, ids), marked `served_from: cache`.
Answers that may hold anything PHI-grade are never kept (xmlrpc/structs.PostBatch.holds_phi: a post
at level phi or with an LGPD finding, a page's ancestors, a field flagged or defined as PHI, PHI
media), and neither are faults, writes, system.multicall or calls with an Authorization header, an
Origin or a query string.
"""

import collections
import dataclasses
import hashlib
import secrets
import threading
import time
import uuid

import falcon
from gunicorn.http.message import TOKEN_RE            # gunicorn's own header checks (process_headers)
from gunicorn.http.wsgi import HEADER_VALUE_RE
from gunicorn.util import is_hoppish

from wpcompat import audit, limits
from wpcompat.audit_writer import WriterClient, hit_values, insert_hits
from wpcompat.db import GENERATION_SQL, is_postgres, release_connection, settle_serving_role, tenant_scope, uuid_param
from wpcompat.middleware import RestHeaders, start_context
from wpcompat.models.base import utcnow
from wpcompat.rest.request import parse_params, without_nul
from wpcompat.worker import RAW_ANSWER

REST_PREFIX = "/wp-json"
XMLRPC_PATH = "/xmlrpc.php"
WSGI_ENTRY = "wpcompat.response_cache.entry"
REQUEST_BODY = "wpcompat.request_body"   # the body RetryingApp buffered (XML-RPC keys on it)
LARGEST_ENTRY = 8 * 1024 * 1024          # an answer larger than this (or an eighth of the cache) is not kept
MAX_ENTRIES = 20_000                     # per worker, however small the answers
ENTRY_OVERHEAD = 1024                    # bytes counted per entry for the objects around its data
LONGEST_QUERY = 2048                     # a longer query string is answered, never kept
LONGEST_XMLRPC_BODY = 16 * 1024          # a longer call is answered, never kept
_body_key = secrets.token_bytes(32)      # keys an XML-RPC body's digest (it holds a password)

APP_PASSWORD_SQL = "SELECT 1 FROM app_passwords WHERE id = {p}"


@dataclasses.dataclass
class Entry:
    site: object                 # the Site snapshot it was built for (settings are part of the answer)
    generation: int
    status: object
    headers: list
    content_type: str
    body: bytes
    events: list                 # audit.AuditEvent, replayed on each hit
    default_tag: str
    rest_route: str
    stored_at: float
    wsgi: tuple = None           # (status, headers) as sent, but X-Request-ID: for fast_answer
    raw_head: bytes = None       # those headers as KeepAliveWorker writes them (None: not latin-1, or hop-by-hop)
    caller: object = None        # XML-RPC: the xmlrpc.auth.Caller it was built for (None: anonymous REST)
    audit_rows: list = None      # the rows each hit writes, but what is its own (replay_rows)


PER_REQUEST = ("request_id", "ip", "user_agent")      # audit metadata each hit fills in itself


def replay_template(req, default_tag):
    """The audit rows of a kept answer as every hit writes them (audit.build_rows of the request that
    built it, marked served_from: cache), without what each hit makes its own: id, time, request id,
    IP and user agent."""
    rows = audit.build_rows(req, 200, default_tag)
    for row in rows:
        del row["id"], row["created_at"]
        for name in PER_REQUEST:
            row["metadata"].pop(name, None)
        row["metadata"]["served_from"] = "cache"          # the auditor sees which answers were replayed
    return rows


def replay_rows(req, template):
    """This hit's audit rows: the template with its own id, time, request id, IP and user agent."""
    own = {"request_id": req.context.request_id, "ip": req.context.client_ip, "user_agent": req.user_agent}
    now = utcnow()
    return [{**row, "id": uuid.uuid4(), "created_at": now, "metadata": {**own, **row["metadata"]}}
            for row in template]


class Store:
    """An LRU of entries bounded in bytes (everything an entry holds, not only its body) and in count,
    shared by the worker's threads."""

    def __init__(self, max_bytes, max_age, max_entries=MAX_ENTRIES):
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.max_entries = max_entries
        self._entries = collections.OrderedDict()      # key → (entry, its size)
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0].stored_at > self.max_age:
                self._remove(key)
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key, entry):
        size = entry_size(key, entry)
        if size > min(LARGEST_ENTRY, self.max_bytes // 8):
            return
        with self._lock:
            self._remove(key)
            self._entries[key] = (entry, size)
            self._bytes += size
            while self._bytes > self.max_bytes or len(self._entries) > self.max_entries:
                self._remove(next(iter(self._entries)))

    def drop(self, key):
        with self._lock:
            self._remove(key)

    def _remove(self, key):
        found = self._entries.pop(key, None)
        if found is not None:
            self._bytes -= found[1]

    @property
    def size(self):
        return self._bytes

    def __len__(self):
        return len(self._entries)


def entry_size(key, entry):
    """What an entry costs the worker, about: its body, key, headers and events, and the objects around them."""
    headers = sum(len(name) + len(str(value)) for name, value in entry.headers)
    events = sum(len(event.tag) + len(repr(event.extra)) for event in entry.events)
    return len(entry.body) + sum(len(str(part)) for part in key) + headers + events + ENTRY_OVERHEAD


def request_key(req):
    """The key of a request whose answer may be shared by everybody, or None."""
    if req.method not in ("GET", "HEAD") or not req.path.startswith(REST_PREFIX):
        return None
    if req.get_header("Authorization") or req.get_header("X-HTTP-Method-Override"):
        return None
    if req.content_length or req.get_header("Transfer-Encoding"):
        return None                        # a body's parameters count as WordPress merges them: not in the key
    if len(req.query_string) > LONGEST_QUERY:
        return None
    query = req.query_string
    # Only a query holding one of these can name `_method` or `password` as the route reads parameters
    # (percent-escapes, NULs, PHP's `.`/` `/`[` → `_`); any other skips the parse.
    if "%" in query or "method" in query or "password" in query:
        params = without_nul(parse_params(query))              # the parameters as the route will read them
        if "_method" in params or "password" in params:
            return None
    return (req.context.site.id, req.scheme, req.netloc, req.method, req.path, req.query_string)


def xmlrpc_key(req, body):
    """The key of an XML-RPC call that may be replayed to the same caller, or None (see the module docstring)."""
    if req.method != "POST" or req.path != XMLRPC_PATH or not body or len(body) > LONGEST_XMLRPC_BODY:
        return None
    if req.query_string or req.get_header("Authorization") or req.get_header("Origin"):
        return None           # a Basic login is checked by the chain; CORS headers are per request
    digest = hashlib.blake2b(body, key=_body_key, digest_size=32).digest()
    return (req.context.site.id, req.scheme, req.netloc, "XMLRPC", req.context.client_ip, digest)


class ResponseCache:
    """The middleware: answers a hit before the unit of work begins; keeps a committed miss.

    Placed after TenantFromHost and before UnitOfWork, so its process_response runs once the
    unit of work has committed.
    """

    def __init__(self, database, store, dumps, settings, directory, req_options):
        self.database = database
        self.store = store
        self.dumps = dumps
        self.durable_reads = settings.audit_reads_durable
        self.writer = (WriterClient(settings.audit_writer_socket)
                       if settings.audit_writer and settings.audit_writer_socket and is_postgres(database) else None)
        self.settings = settings
        self.directory = directory
        self.req_options = req_options

    def fast_answer(self, env, start_response, body=None):
        """A hit answered at the WSGI door, before Falcon and the middleware chain; None: not one.

        The same request key, site check and gated audit as process_request; the status and
        headers are the ones the chain sent when the answer was built (WSGI_ENTRY), with this
        request's own X-Request-ID. A REST request with an Origin (its CORS headers are its own)
        or a body never comes this way; an XML-RPC call comes with its body (RetryingApp read it)."""
        method, path = env.get("REQUEST_METHOD"), env.get("PATH_INFO", "")
        if method == "POST" and path == XMLRPC_PATH:
            if not body:
                return None
        elif method not in ("GET", "HEAD") or not path.startswith(REST_PREFIX) \
                or env.get("HTTP_ORIGIN") or env.get("CONTENT_LENGTH") not in (None, "", "0"):
            return None
        req = falcon.Request(env, options=self.req_options)
        site = self.directory.lookup(req.get_header("Host") and req.host)
        if site is None:
            return None
        start_context(req, self.settings)
        req.context.site = site
        key = xmlrpc_key(req, body) if method == "POST" else request_key(req)
        entry = self.store.get(key) if key is not None else None
        if entry is None or entry.wsgi is None or not (entry.site is site or entry.site == site):
            return None
        if method == "POST" and (entry.caller is None or not self._may_replay_to(req, entry.caller)):
            return None
        try:
            if not self._audit_if_current(req, entry):
                self.store.drop(key)
                return None
        finally:
            release_connection(self.database)
        status, headers = entry.wsgi
        raw = env.get(RAW_ANSWER)
        if raw is not None and entry.raw_head is not None:          # KeepAliveWorker writes it in one send
            raw.append((status, headers, entry.raw_head, req.context.request_id, entry.body))
            return []
        start_response(status, [*headers, ("x-request-id", req.context.request_id)])
        return [] if req.method == "HEAD" else [entry.body]

    def process_request(self, req, resp):
        if req.method == "POST":                    # an XML-RPC call: kept here, replayed only at the door
            req.context.cache_key = xmlrpc_key(req, req.env.get(REQUEST_BODY))
            return
        key = request_key(req)
        req.context.cache_key = key
        if key is None:
            return
        entry = self.store.get(key)
        site = req.context.site
        if entry is None:
            return
        if not (entry.site is site or entry.site == site) or not self._audit_if_current(req, entry):
            self.store.drop(key)
            return
        req.context.served_from_cache = True
        req.context.rest_route, req.context.rest_status = entry.rest_route, 200
        resp.status = entry.status
        for name, value in entry.headers:
            resp.set_header(name, value)
        resp.content_type = entry.content_type
        resp.data = entry.body
        resp.complete = True               # no unit of work, no routing: the answer is ready

    def process_response(self, req, resp, resource, req_succeeded):
        key = getattr(req.context, "cache_key", None)
        if key is None or getattr(req.context, "served_from_cache", False):
            return
        generation = getattr(req.context, "content_generation", None)
        if not (req_succeeded and generation is not None and getattr(req.context, "committed", False)):
            return
        if getattr(req.context, "rest_failed", False) or not str(resp.status).startswith("200"):
            return
        caller = None
        if req.method == "POST":                    # only a read-only XML-RPC call that signed in and succeeded
            caller = getattr(req.context, "xmlrpc_caller", None)
            if caller is None or req.context.user is not caller.user:
                return
        elif req.context.user.is_authenticated or getattr(req.context, "rest_status", None) != 200:
            return
        if resp.stream is not None or any(event.operation == audit.Operation.ACCESS
                                          for event in req.context.audit_events):
            return
        if resp.text is not None:
            body = resp.text.encode()
        elif resp.data is not None:
            body = resp.data
        elif resp.media is not None:
            body = self.dumps(resp.media)
        else:
            return
        headers = [(name, value) for name, value in resp.headers.items()
                   if name not in ("content-type", "content-length", "x-request-id")]
        default_tag = getattr(resource, "audit_tag", "request") + ":" + req.method.lower()
        entry = Entry(req.context.site, generation, resp.status, headers, resp.content_type, body,
                      list(req.context.audit_events), default_tag, getattr(req.context, "rest_route", None),
                      time.monotonic(), caller=caller, audit_rows=replay_template(req, default_tag))
        self.store.put(key, entry)
        req.env[WSGI_ENTRY] = entry        # RetryingApp records the status and headers it sends

    @staticmethod
    def _may_replay_to(req, caller):
        """The checks a kept XML-RPC answer needs besides the gated audit: not locked out; signed in as then."""
        if limits.login_retry_after(req, req.context.site.id, req.context.client_ip, caller.username,
                                    shared=False):   # this worker's count only (limits.py: why)
            return False                            # the chain answers fault 429, as a fresh login would
        req.context.user, req.context.trust_score = caller.user, caller.trust
        return True

    def _audit_if_current(self, req, entry):
        """Write the hit's audit rows if the tenant's content is still at entry.generation; say whether."""
        context = req.context
        rows = replay_rows(req, entry.audit_rows)
        app_password = entry.caller.app_password if entry.caller is not None else None
        if self.writer is not None:        # the audit writer, if it answers (audit_writer.py)
            written = self.writer.write(context.site.id, entry.generation, rows, app_password, self.durable_reads)
            if written is not None:
                return written == len(rows)
            rows = [{**row, "id": uuid.uuid4()} for row in rows]      # the writer may still commit its own
        written = 0
        database = self.database
        release_connection(database, only_if_broken=True)
        try:
            database.connect(reuse_if_open=True)
            if is_postgres(database):
                settle_serving_role(database)
                values = hit_values(context.site.id, entry.generation, rows, app_password)
                written = len(insert_hits(database, context.site.id, values, self.durable_reads))
            else:
                written = self._sqlite_gated(context.site.id, entry.generation, rows, app_password)
        except Exception:                  # the request runs as a miss and meets the failure there
            release_connection(database, only_if_broken=True)
        return written == len(rows)        # else stale (nothing was written) or failed: the request runs as a miss

    def _sqlite_gated(self, tenant, generation, rows, app_password=None):
        with tenant_scope(tenant, self.database) as transaction:
            current = self.database.execute_sql(GENERATION_SQL.format(p="?"), (uuid_param(tenant),)).fetchone()[0]
            revoked = app_password is not None and self.database.execute_sql(
                APP_PASSWORD_SQL.format(p="?"), (uuid_param(app_password),)).fetchone() is None
            if current != generation or revoked:
                transaction.rollback()
                return 0
            self.database.execute_sql(*audit.insert_statement(rows))
            return len(rows)


def remember_wsgi_answer(env, status, headers):
    """After the chain answered: the status and headers an entry made in this request was sent with, but
    this request's own (its id; the CORS headers its Origin added: the door replays only to callers
    without an Origin)."""
    entry = env.get(WSGI_ENTRY)
    if entry is not None and status.startswith("200"):
        kept = [(name, value) for name, value in headers if name.lower() not in OWN_HEADERS]
        entry.wsgi = (status, kept)
        entry.raw_head = _raw_head(kept)


def _raw_head(headers):
    """The header lines gunicorn would write for `headers`, or None when it would write or refuse them
    otherwise (process_headers: names that are not tokens, values with control characters or white space
    at either end, hop-by-hop names): such answers keep going through start_response."""
    if not all(isinstance(name, str) and isinstance(value, str) and TOKEN_RE.fullmatch(name)
               and HEADER_VALUE_RE.fullmatch(value) and value == value.strip(" \t") and not is_hoppish(name)
               for name, value in headers):
        return None
    try:
        return "".join(f"{name}: {value}\r\n" for name, value in headers).encode("latin-1")
    except UnicodeEncodeError:
        return None


OWN_HEADERS = frozenset(("x-request-id", *RestHeaders.ORIGIN_HEADERS))
