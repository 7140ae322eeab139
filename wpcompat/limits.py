"""Abuse limits shared by every way in: failed-login rate limits and the JSON depth cap.

Logins (REST HTTP Basic with an application password, XML-RPC with a login or application
password) share one limiter: failures are counted per (tenant, client IP) and per
(tenant, login name) over a sliding window. Past MAX_FAILURES_PER_IP or
MAX_FAILURES_PER_LOGIN, a login is refused before any password is checked — REST answers
429 `rest_too_many_login_attempts` with `Retry-After`, XML-RPC fault 429 — until the oldest
failure leaves the window. A success clears its login's count (not the IP's).

The counters live in the worker process, bounded to MAX_TRACKED_KEYS keys (the oldest are
forgotten), so with N gunicorn workers an attacker gets at most N times the limit; the
audit trail keeps every failure (`auth:login:failure`) for whoever needs the global view.
Locking a login name out for the window is the known price of per-login limits.
"""

import collections
import math
import threading
import time

from wpcompat.errors import WPError

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_IP = 20
MAX_FAILURES_PER_LOGIN = 10
MAX_TRACKED_KEYS = 10_000
MAX_JSON_DEPTH = 64            # nesting of arrays/objects in a JSON body; deeper → 400 rest_invalid_json
RATE_LIMITED = "Too many failed login attempts. Please try again later."


class FailureCounter:
    """Failures per key in a sliding window; at most `max_keys` keys (the oldest are forgotten)."""

    def __init__(self, window=WINDOW_SECONDS, max_keys=MAX_TRACKED_KEYS, clock=time.monotonic):
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
            return max(1, math.ceil(self.window - (now - oldest_that_counts)))

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


def _keys(tenant_id, ip, login):
    tenant = str(tenant_id)
    return (tenant, "ip", ip or ""), (tenant, "login", (login or "").strip().lower())


def login_retry_after(tenant_id, ip, login):
    """Seconds this login attempt must wait (0: it may try)."""
    ip_key, login_key = _keys(tenant_id, ip, login)
    return max(failures.retry_after(ip_key, MAX_FAILURES_PER_IP),
               failures.retry_after(login_key, MAX_FAILURES_PER_LOGIN))


def login_failed(tenant_id, ip, login):
    ip_key, login_key = _keys(tenant_id, ip, login)
    failures.add(ip_key, MAX_FAILURES_PER_IP)
    failures.add(login_key, MAX_FAILURES_PER_LOGIN)


def login_succeeded(tenant_id, ip, login):
    failures.clear(_keys(tenant_id, ip, login)[1])


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
