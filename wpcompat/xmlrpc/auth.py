"""Logging XML-RPC callers in: wp_xmlrpc_server::login() plus this project's brute-force guards.

- The username may be the login or the e-mail address; the password the login password
  (argon2, passwords.verify_password) or an application password (XML-RPC counts as an
  API request in WordPress). Users are tenant rows, so another site's user is unknown here.
- WordPress's guard: after the first failed login in an HTTP request, every later login in
  that request fails too (system.multicall cannot be used to try many passwords at once).
- Ours: failed logins are counted per client IP and per login name over a sliding window;
  past the limit, logins fail with fault 429 before any password is checked. The counts
  are wpcompat.limits' (shared with REST's Basic auth, and by every worker through the
  tenant's login_failures table); the audit trail keeps every failure.
- Every failed or refused login is audited as a denied `auth:login:failure` event.
- XML-RPC clients send the password with every call. A login password that argon2 accepted
  is remembered for a few minutes in the worker (keyed by the user, their stored hash and an
  HMAC of the password under a per-process random key), so a client's next calls do not pay
  argon2 again; a changed password changes the key. Failures are never remembered.
"""

import collections
import dataclasses
import hashlib
import hmac
import secrets
import threading
import time

from wpcompat import auth as wp_auth
from wpcompat import passwords
from wpcompat.audit import Operation, record
from wpcompat import limits
# The failed-login limiter is shared with REST's Basic auth; these names stay importable from here.
from wpcompat.limits import (MAX_FAILURES_PER_IP, MAX_FAILURES_PER_LOGIN, MAX_TRACKED_KEYS,  # noqa: F401
                             RATE_LIMITED, WINDOW_SECONDS, FailureCounter, failures)
from wpcompat.models import AppPassword
from wpcompat.xmlrpc.call import text
from wpcompat.xmlrpc.faults import Fault

TRUST_LOGIN_PASSWORD = 50
DISABLED = "XML-RPC services are disabled on this site."
_dummy_hash = []
VERIFIED_SECONDS = 300
VERIFIED_MAX = 1024
_process_key = secrets.token_bytes(32)
_verified = collections.OrderedDict()          # (user id, stored hash, HMAC(password)) → expiry
_verified_lock = threading.Lock()


def _login_password_ok(user, password):
    """passwords.verify_password, remembering a success for VERIFIED_SECONDS (see the module docstring)."""
    key = (user.id, user.password_hash, hmac.new(_process_key, password.encode("utf-8", "surrogatepass"),
                                                 hashlib.sha256).digest())
    now = time.monotonic()
    with _verified_lock:
        expiry = _verified.get(key)
        if expiry is not None and expiry > now:
            return True
    if not passwords.verify_password(user.password_hash, password):
        return False
    with _verified_lock:
        _verified[key] = now + VERIFIED_SECONDS
        _verified.move_to_end(key)
        while len(_verified) > VERIFIED_MAX:
            _verified.popitem(last=False)
    return True


def _equalize_timing(password):
    """An unknown user costs one argon2 verification too, so timing does not tell who exists."""
    if not _dummy_hash:
        _dummy_hash.append(passwords.hash_password("wpcompat-no-such-user"))
    passwords.verify_password(_dummy_hash[0], password)


def _looks_like_app_password(password):
    return len(passwords.normalize_app_password(password)) == passwords.APP_PASSWORD_LENGTH


def _try_app_password(call, user, password):
    """auth.authenticate_app_password for a user already found (one query less per call): the id of
    the application password that matches (its use recorded), or None."""
    for item in AppPassword.select().where(AppPassword.user == user.id):
        if passwords.verify_app_password(item.password_hash, password):
            wp_auth._record_use(item, call.req.context.client_ip)
            return item.id
    return None


def verify(call, username, password):
    """(user, trust score, application password id or None) when the credentials are good, else (None, 0, None)."""
    user = wp_auth.find_user(username) if username else None
    if user is None:
        _equalize_timing(password)
        return None, 0, None
    app_first = _looks_like_app_password(password)
    if app_first and (app_password := _try_app_password(call, user, password)) is not None:
        return user, wp_auth.TRUST_APP_PASSWORD, app_password
    if _login_password_ok(user, password):
        return user, TRUST_LOGIN_PASSWORD, None
    if not app_first and (app_password := _try_app_password(call, user, password)) is not None:
        return user, wp_auth.TRUST_APP_PASSWORD, app_password
    return None, 0, None


def _deny(call, username, reason):
    record(call.req, "auth:login:failure", None, operation=Operation.LOGIN, policy_decision="deny",
           login=username, reason=reason, via="xmlrpc", xmlrpc_method=call.name)


def _check_enabled(call):
    if call.site.options.get("xmlrpc_enabled", True) is False:
        call.state.disabled_status = 405
        raise Fault(405, DISABLED)


def login(call, username, password):
    """The user, or Fault 403 (bad or locked login) / 429 (rate limited) / 405 (disabled)."""
    _check_enabled(call)
    username, password = text(username), text(password)
    state = call.state
    if state.login_failed:
        _deny(call, username, "locked: an earlier login in this request failed")
        raise Fault.bad_login()
    cache_key = (username, hashlib.sha256(password.encode("utf-8", "surrogatepass")).hexdigest())
    if cache_key in state.logins:
        return _signed_in(call, state.logins[cache_key])
    tenant, ip = call.site.id, call.req.context.client_ip
    if limits.login_retry_after(call.req, tenant, ip, username):
        state.login_failed = True
        _deny(call, username, "rate limited")
        raise Fault(429, RATE_LIMITED)
    user, trust, app_password = verify(call, username, password)
    if user is None:
        state.login_failed = True
        limits.login_failed(call.req, tenant, ip, username)
        _deny(call, username, "bad credentials")
        raise Fault.bad_login()
    limits.login_succeeded(call.req, tenant, ip, username)
    state.logins[cache_key] = Caller(user, trust, username, app_password)
    return _signed_in(call, state.logins[cache_key])


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who a login signed in: what a kept answer needs to be replayed to the same credentials only."""
    user: object
    trust: int
    username: str                   # as sent: the failed-login limits are counted under it
    app_password: object = None     # the application password's id when one signed in (revoking it ends replays)


def _signed_in(call, caller):
    call.state.caller = caller
    call.req.context.user = caller.user
    call.req.context.trust_score = caller.trust
    return caller.user
