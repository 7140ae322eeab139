"""RetryingApp: a request that lost a race in the database runs again, whole, in a new transaction.

Under 32 writers a transaction can lose to another one: a deadlock or serialization failure
(SQLSTATE 40P01/40001), a unique index hit by a concurrent insert (23505: two posts taking the
same slug at once), or a connection the server dropped before the commit. The transaction was
rolled back, so nothing of it remains; the next attempt reads the winner's committed rows and
succeeds (takes the next slug suffix, finds the term that now exists). When the attempts run
out the client gets WordPress's error shape: 409 `db_duplicate_entry` or 503 `db_write_conflict` /
`db_connect_fail` with Retry-After (wpcompat.errors.database_failure).

Only requests whose body is small enough to keep in memory are retried; the failed attempt's
answer and audit rows are dropped (the retry writes its own), so a request has one outcome.
"""

import io
import logging
import random
import time

import falcon

from wpcompat.errors import ATTEMPTS_LEFT, RETRY_REQUEST
from wpcompat.response_cache import REQUEST_BODY, remember_wsgi_answer

log = logging.getLogger("wpcompat")

ATTEMPTS = 4
MAX_BUFFERED_BODY = 1 << 20          # bytes; larger bodies (uploads) get one attempt


class RetryingApp(falcon.App):
    fast_path = None        # (env, start_response, body or None if not buffered) → an answer, or None

    def __call__(self, env, start_response):
        try:
            size = int(env.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = -1
        buffered = not (size < 0 or size > MAX_BUFFERED_BODY
                        or "chunked" in env.get("HTTP_TRANSFER_ENCODING", "").lower())
        body = (env["wsgi.input"].read(size) if size else b"") if buffered else None
        if self.fast_path is not None:
            try:
                answer = self.fast_path(env, start_response, body)
            except Exception:                   # e.g. the database is down: the chain answers it properly
                log.warning("the response cache's fast path failed; answering through the app", exc_info=True)
                answer = None
            if answer is not None:
                return answer
        if body is None:
            return super().__call__(env, start_response)
        for attempt in range(1, ATTEMPTS + 1):
            attempt_env = dict(env)
            attempt_env["wsgi.input"] = io.BytesIO(body)
            attempt_env[REQUEST_BODY] = body
            attempt_env[ATTEMPTS_LEFT] = ATTEMPTS - attempt
            started = []

            def capture(status, headers, exc_info=None):
                started[:] = [status, headers, exc_info]
                return _no_write

            result = super().__call__(attempt_env, capture)
            if attempt_env.get(RETRY_REQUEST) and attempt < ATTEMPTS:
                if hasattr(result, "close"):
                    result.close()
                log.info("retrying %s %s (attempt %d lost a race)", env.get("REQUEST_METHOD"),
                         env.get("PATH_INFO"), attempt)
                time.sleep(random.uniform(0.005, 0.03) * attempt)    # let the winner commit
                continue
            status, headers, exc_info = started
            if exc_info is None:
                start_response(status, headers)
            else:
                start_response(status, headers, exc_info)
            remember_wsgi_answer(attempt_env, status, headers)      # once the server took these headers
            return result
        raise AssertionError("unreachable")


def _no_write(data):
    raise RuntimeError("wpcompat answers through the response iterable, not write()")
