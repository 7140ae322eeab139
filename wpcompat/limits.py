"""Abuse limits shared by every way in: failed-login rate limits and the JSON depth cap.

Logins (REST HTTP Basic with an application password, XML-RPC with a login or application
password) share one limiter: failures are counted per (tenant, client IP) and per
(tenant, login name) over a sliding window. Past MAX_FAILURES_PER_IP or
MAX_FAILURES_PER_LOGIN, a login is refused before any password is checked — REST answers
429 `rest_too_many_login_attempts` with `Retry-After`, XML-RPC fault 429 — until the oldest
failure leaves the window. A success clears its login's count (not the IP's).

Failures are counted in two places:
- the tenant's `login_failures` table (migrations/0014), shared by every worker and host: each
  failure is written with the request's audit rows (in its transaction when it commits, else with
  the denial's, record_noted), and every login through the app's chain reads both counts in the
  request's transaction (one query);
- the worker's memory (FailureCounter, bounded to MAX_TRACKED_KEYS keys), the only check of an
  XML-RPC answer replayed from the response cache. A replay needs the very credentials that signed
  in when the answer was kept, so it cannot be used to guess a password; this worker refuses it
  during a lockout it has seen.
The audit trail keeps every failure (`auth:login:failure`). Locking a login name out for the
window is the known price of per-login limits.
"""

import collections
import datetime
import logging
import math
import threading
import time

from wpcompat.db import db
from wpcompat.errors import WPError
from wpcompat.models import LoginFailure

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_IP = 20
MAX_FAILURES_PER_LOGIN = 10
MAX_TRACKED_KEYS = 10_000
MAX_JSON_DEPTH = 64            # nesting of arrays/objects in a JSON body; deeper → 400 rest_invalid_json
RATE_LIMITED = "Too many failed login attempts. Please try again later."

log = logging.getLogger("wpcompat.limits")


class FailureCounter:
    """Failures per key in a sliding window; at most `max_keys` keys (the oldest are forgotten)."""

    def __init__(self, window=WINDOW_SECONDS, max_keys=MAX_TRACKED_KEYS, clock=time.time):
        self.window, self.max_keys, self.clock = window, max_keys, clock
        self._failures = collections.OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key, now):
        times = self._failures.get(key)
        if not times:
            return None
        while times and now - times[0] > self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def count(self, key):
        with self._lock:
            times = self._recent(key, self.clock())
            return len(times) if times else 0

    def retry_after(self, key, cap):
        """Seconds until `key` is under `cap` failures again (0: it is)."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if not times or len(times) < cap:
                return 0
            oldest_that_counts = times[len(times) - cap]
            return _seconds_left(self.window - (now - oldest_that_counts))

    def add(self, key, cap):
        with self._lock:
            now = self.clock()
            times = self._recent(key, now) or collections.deque(maxlen=cap + 1)
            times.append(now)
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def clear(self, key):
        with self._lock:
            self._failures.pop(key, None)

    def reset(self):
        with self._lock:
            self._failures.clear()


failures = FailureCounter()


def _seconds_left(left):
    """A Retry-After: at least 1, never past the window (a failure stamped ahead of this clock, by a host
    whose clock runs ahead or before this one stepped back, must not lock out for longer)."""
    return min(WINDOW_SECONDS, max(1, math.ceil(left)))


CAPS = {"ip": MAX_FAILURES_PER_IP, "login": MAX_FAILURES_PER_LOGIN}


def _subjects(ip, login):
    """(kind, subject) of the two counts an attempt falls under."""
    return ("ip", (ip or "")[:255]), ("login", (login or "").strip().lower()[:255])


def _keys(tenant_id, ip, login):
    tenant = str(tenant_id)
    return tuple((tenant, kind, subject) for kind, subject in _subjects(ip, login))


def _wall(seconds):
    """failures.clock()'s seconds as the naive UTC the table's timestamps hold."""
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).replace(tzinfo=None)


def login_retry_after(req, tenant_id, ip, login, shared=True):
    """Seconds this login attempt must wait (0: it may try). shared: also count the tenant's
    login_failures rows (needs the request's transaction, with the tenant set); without it, only
    this worker's memory (a replayed answer, which runs no transaction)."""
    ip_key, login_key = _keys(tenant_id, ip, login)
    wait = max(failures.retry_after(ip_key, MAX_FAILURES_PER_IP),
               failures.retry_after(login_key, MAX_FAILURES_PER_LOGIN))
    if shared:
        wait = max(wait, _shared_retry_after(req, ip, login))
    return wait


def _shared_retry_after(req, ip, login):
    now = failures.clock()
    since = _wall(now - WINDOW_SECONDS)
    (ip_kind, ip_subject), (login_kind, login_subject) = _subjects(ip, login)
    rows = (LoginFailure.select(LoginFailure.kind, LoginFailure.failed_at)
            .where(((LoginFailure.kind == ip_kind) & (LoginFailure.subject == ip_subject))
                   | ((LoginFailure.kind == login_kind) & (LoginFailure.subject == login_subject)))
            .where(LoginFailure.failed_at > since)
            .order_by(LoginFailure.failed_at.desc()).tuples())
    times = {"ip": [], "login": []}
    for kind, failed_at in rows:
        times[kind].append(failed_at)
    req.context.login_failures_seen = bool(times["login"])      # a success then clears them
    wait = 0
    for kind, newest_first in times.items():
        cap = CAPS[kind]
        if len(newest_first) >= cap:
            oldest_that_counts = newest_first[cap - 1]
            wait = max(wait, _seconds_left(WINDOW_SECONDS - (_wall(now) - oldest_that_counts).total_seconds()))
    return wait


def login_failed(req, tenant_id, ip, login):
    """Count a failure here at once, and in login_failures with the request's audit rows (record_noted)."""
    ip_key, login_key = _keys(tenant_id, ip, login)
    failures.add(ip_key, MAX_FAILURES_PER_IP)
    failures.add(login_key, MAX_FAILURES_PER_LOGIN)
    _noted(req).append(("failed", ip, login, failures.clock()))


def login_succeeded(req, tenant_id, ip, login):
    failures.clear(_keys(tenant_id, ip, login)[1])
    if getattr(req.context, "login_failures_seen", False):
        _noted(req).append(("succeeded", ip, login, None))


def _noted(req):
    if not hasattr(req.context, "login_events"):
        req.context.login_events = []
    return req.context.login_events


def record_noted(req):
    """Write the request's failures (and the clearing of a login that succeeded) to login_failures, in
    the transaction that writes its audit rows, with the tenant set. In a savepoint: a failure here
    (a lock timeout, say) loses this bookkeeping, logged, never the audit rows or the request."""
    events = getattr(req.context, "login_events", None)
    if not events:
        return
    try:
        with db.atomic():
            _write_events(events)
    except Exception as error:
        log.warning("failed logins of request %s not shared with other workers: %s",
                    getattr(req.context, "request_id", "?"), error)


def _write_events(events):
    for event, ip, login, seconds in events:
        (ip_kind, ip_subject), (login_kind, login_subject) = _subjects(ip, login)
        if event == "failed":
            LoginFailure.delete().where(LoginFailure.failed_at < _wall(seconds - WINDOW_SECONDS)).execute()
            LoginFailure.insert_many([
                {"kind": ip_kind, "subject": ip_subject, "failed_at": _wall(seconds)},
                {"kind": login_kind, "subject": login_subject, "failed_at": _wall(seconds)}]).execute()
        else:
            LoginFailure.delete().where((LoginFailure.kind == login_kind)
                                        & (LoginFailure.subject == login_subject)).execute()


def rate_limited_error(retry_after):
    return WPError("rest_too_many_login_attempts", RATE_LIMITED, 429, retry_after=retry_after)


# --- JSON bodies ----------------------------------------------------------------------------
def json_depth_exceeded(value, limit=MAX_JSON_DEPTH):
    """True when `value` (decoded JSON) nests arrays/objects deeper than `limit` (no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
