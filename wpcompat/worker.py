"""KeepAliveWorker: gunicorn's sync worker, keeping up to two client connections open between requests.

gunicorn's sync worker closes the connection after every answer: each request then pays for a new
TCP connection and its teardown on both sides (on the benchmark's loopback, ~150 µs of CPU per
request, as much as a cached answer's own Python). gthread keeps connections, but its thread pool
costs about what keep-alive saves, and a worker there takes every connection it can accept, so a
client's connections can all land on one process (one core).

This worker serves one request at a time, like the sync worker, from at most HELD connections:
- a worker holding HELD connections stops accepting; the others take the next clients;
- an answer is sent with `Connection: close` when this worker is full and a client waits in the
  listen queue (the slot goes round instead of clients waiting behind kept connections), when the
  worker is stopping or restarting (max_requests), and when keep-alive is off (`keepalive` 0);
- a full worker gives the slot of a connection idle for YIELD_AFTER (a quarter second) to a client
  waiting in the listen queue (its own client sees it closed, as after any keep-alive timeout,
  and opens a new one);
- a kept connection idle for gunicorn's `keepalive` seconds (`wpcompat serve --keep-alive`, 2 by
  default) is closed, unless its next request came meanwhile (while the worker served another: it is
  answered, never cut off); a new connection is served once its request arrives (one that says
  nothing holds a slot, not the worker);
- connections take turns, one request each per round: a request pipelined behind another (already in
  the parser's buffer) is answered in the next round, after the other connection's;
- a connection is closed after an answer shorter than its Content-Length, and when its client sent a
  body the application did not read and does not finish sending it within a second;
- while its answers are slow (the application took SLOW_ANSWER, 10 ms, or more for the last one) a
  worker keeps one connection only: a second one would wait behind the slow answers of the first
  while other workers may be free, which doubles the slowest latencies (uncached lists of 100,000
  posts: p99 60–110 ms held against 48–56 closed). So a slow answer is sent with `Connection: close`
  when the worker holds another connection (unless this client already sent its next request: it is
  served in turn), its client's next connection goes to the shared listen queue, and a worker with
  one connection answering slowly closes it when a client waits there; it still accepts a second
  connection (a client is never left waiting behind a busy one), and a fast answer restores HELD.
When the worker stops (a reload, a stop, max_requests), a request a held connection had already sent
is answered, with `Connection: close`, before the others are closed.
An answer the response cache replays (RAW_ANSWER) is written as prepared bytes in one send: the same
status line, `Server`, `Date` and `Connection` headers gunicorn writes, then the kept headers, without
gunicorn validating and formatting each of them again on every hit.
A slow client holds the worker for its request as it does in the sync worker: the README's
buffering proxy in front is still what absorbs slow clients.
"""

import errno
import os
import select
import time
from datetime import datetime

from gunicorn import http, util
from gunicorn.http import wsgi
from gunicorn.workers.sync import SyncWorker

RAW_ANSWER = "wpcompat.raw_answer"   # environ: a list the response cache may put (status, headers, head, id, body) in
HELD = 2                 # connections per worker: wrk's 8 over 5 workers all find a slot
SLOW_ANSWER = 0.010      # seconds: after an answer this slow the worker keeps one connection only
YIELD_AFTER = 0.25       # seconds a kept connection must have been idle before a waiting client may take its slot
DRAIN_SECONDS = 1.0      # to read the rest of a body the application left unread, else the connection closes


class Connection:
    __slots__ = ("sock", "addr", "listener", "parser", "idle_since")

    def __init__(self, sock, addr, listener, cfg):
        self.sock, self.addr, self.listener = sock, addr, listener
        self.parser = http.get_parser(cfg, sock, addr)
        self.idle_since = time.monotonic()

    def buffered(self):
        """Whether a pipelined request already sits in the parser's buffer (select would not see it)."""
        return self.parser.unreader.buf.getbuffer().nbytes > 0


def readable(fds, timeout):
    """The fds among `fds` with something to read (poll: no limit on fd numbers, unlike select)."""
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN | select.POLLPRI)
    try:
        events = poller.poll(None if timeout is None else max(0, int(timeout * 1000 + 0.999)))
    except InterruptedError:
        return []
    ready = {fd for fd, _event in events}
    return [fd for fd in fds if (fd if isinstance(fd, int) else fd.fileno()) in ready]


class KeepAliveWorker(SyncWorker):

    def run(self):
        for listener in self.sockets:
            listener.setblocking(0)
        self.held = []
        self.capacity = HELD     # connections it keeps after an answer: 1 while its answers are slow
        try:
            while self.alive:
                self.notify()
                for ready in self._wait():
                    if isinstance(ready, Connection):
                        if ready in self.held:           # not given up for a newcomer meanwhile
                            self._serve(ready)
                    elif ready is not self.PIPE[0]:
                        self._accept(ready)
                self._close_idle()
                if not self.is_parent_alive():
                    break
            self._answer_waiting()
        finally:
            for connection in list(self.held):
                self._drop(connection, graceful=False)

    def _answer_waiting(self):
        """Stopping: a request a held connection already sent (while this worker served another) is still
        answered, with `Connection: close`, rather than cut off unread (its client would see a reset)."""
        for connection in list(self.held):
            if connection in self.held and (connection.buffered() or readable([connection.sock], 0)):
                self._serve(connection)

    def _wait(self):
        """What is ready, one request per connection per round: connections with a request (a pipelined
        one already in the parser's buffer, which poll cannot see, or bytes on the socket), listeners with
        a client, the signal pipe. A full worker watches the listeners only while it has a connection idle
        long enough to give up for a waiting client."""
        now = time.monotonic()
        buffered = [connection for connection in self.held if connection.buffered()]
        watched = {connection.sock: connection for connection in self.held if connection not in buffered}
        timeout = 0 if buffered else (self.timeout or 0.5)
        listening = len(self.held) < HELD
        if self.held:
            oldest = min(connection.idle_since for connection in self.held)
            if self.cfg.keepalive:
                timeout = min(timeout, oldest + self.cfg.keepalive - now)
            if not listening:
                listening = now - oldest >= YIELD_AFTER
                if not listening:
                    timeout = min(timeout, oldest + YIELD_AFTER - now)
        fds = list(watched) + [self.PIPE[0]] + (self.sockets if listening else [])
        ready = readable(fds, max(0.0, timeout))
        if self.PIPE[0] in ready:
            os.read(self.PIPE[0], 1)
        return buffered + [watched.get(fd, fd) for fd in ready]

    def _accept(self, listener):
        if len(self.held) >= HELD:
            victims = self._idle_for(YIELD_AFTER)
            if not victims:
                return
        try:
            sock, addr = listener.accept()
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return                                   # another worker took it
            raise
        if len(self.held) >= HELD:                       # the longest idle connection gives up its slot
            self._drop(min(victims, key=lambda connection: connection.idle_since), graceful=False)
        sock.setblocking(1)
        util.close_on_exec(sock)
        self.held.append(Connection(sock, addr, listener, self.cfg))   # served once its request arrives

    def _idle_for(self, seconds):
        """Held connections idle for `seconds` with nothing sent since (a request that arrived meanwhile
        is served, never cut off)."""
        limit = time.monotonic() - seconds
        idle = [connection for connection in self.held if connection.idle_since <= limit and not connection.buffered()]
        if not idle:
            return []
        asking = set(readable([connection.sock for connection in idle], 0))
        return [connection for connection in idle if connection.sock not in asking]

    def _serve(self, connection):
        """One request on the connection; the connection is dropped unless it may be kept."""
        req = None
        try:
            req = next(connection.parser)
            keep = self._handle(connection, req)
            if keep and connection.parser.finish_body(deadline=time.monotonic() + DRAIN_SECONDS):
                connection.idle_since = time.monotonic()
                return
        except (http.errors.NoMoreData, StopIteration):
            pass                                         # the client closed the connection
        except OSError as error:
            if error.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing request.")
        except BaseException as error:                   # gunicorn's answer to a bad request (400, 431, …)
            self.handle_error(req, connection.sock, connection.addr, error)
        self._drop(connection)

    def _handle(self, connection, req):
        """Answer `req` as the sync worker does; whether the connection may carry another request."""
        environ, resp = {}, None
        try:
            self.cfg.pre_request(self, req)
            started = datetime.now()
            resp, environ = wsgi.create(req, connection.sock, connection.addr,
                                        connection.listener.getsockname(), self.cfg)
            self.nr += 1
            if self.nr >= self.max_requests:
                self.log.info("Autorestarting worker after current request.")
                self.alive = False
            if not (self.alive and self.cfg.keepalive) or self._others_waiting():
                resp.force_close()
            began = time.monotonic()
            environ[RAW_ANSWER] = raw = []
            answer = self.wsgi(environ, resp.start_response)
            self.capacity = HELD if time.monotonic() - began < SLOW_ANSWER else 1
            if not self.alive:                           # stopping since the request came: say so (headers go lazily)
                resp.force_close()
            elif len(self.held) > self.capacity and not connection.buffered():
                resp.force_close()                       # slow answers: its client queues for any free worker
            try:
                if raw:
                    _send_raw(resp, req, *raw[0])
                elif isinstance(answer, environ["wsgi.file_wrapper"]):
                    resp.write_file(answer)
                else:
                    for chunk in answer:
                        resp.write(chunk)
                resp.close()
            finally:
                self.log.access(resp, req, environ, datetime.now() - started)
                if hasattr(answer, "close"):
                    answer.close()
            if (resp.response_length is not None and resp.sent < resp.response_length and req.method != "HEAD"
                    and resp.status_code >= 200 and resp.status_code not in (204, 304)):
                return False                             # a body shorter than announced: the next answer would be misread
            return not resp.should_close()
        except OSError:                                  # the client went away: _serve closes quietly
            raise
        except Exception:
            if resp is not None and resp.headers_sent:   # too late for an error answer: close to say so
                self.log.exception("Error handling request")
                raise StopIteration() from None
            raise
        finally:
            try:
                self.cfg.post_request(self, req, environ, resp)
            except Exception:
                self.log.exception("Exception in post_request hook")

    def _others_waiting(self):
        """This worker is full and a client waits to be accepted."""
        return len(self.held) >= self.capacity and bool(readable(self.sockets, 0))

    def _close_idle(self):
        if self.cfg.keepalive:
            for connection in self._idle_for(self.cfg.keepalive):
                self._drop(connection, graceful=False)

    def _drop(self, connection, graceful=True):
        """Close a connection: after an answer, as the sync worker does (FIN, then wait briefly for the
        client's); an idle one at once (nothing of it is unread, and its client may not notice for long)."""
        if connection in self.held:
            self.held.remove(connection)
        if graceful:
            util.close_graceful(connection.sock)
            return
        try:
            connection.sock.close()
        except OSError:
            pass


_date = [0, ""]


def _http_date():
    """gunicorn's Date header value, formatted once a second."""
    now = int(time.time())
    if now != _date[0]:
        _date[:] = [now, util.http_date(now)]
    return _date[1]


def _send_raw(resp, req, status, headers, head, request_id, body):
    """Write a replayed answer as gunicorn's Response would (status line, Server, Date, Connection, the kept
    headers `head` (bytes), X-Request-ID; no body for HEAD), and leave `resp` as if it had: its status,
    length and bytes sent are what the access log and the keep-alive decision read."""
    resp.status, resp.status_code = status, int(status.split(None, 1)[0])
    resp.headers = [*headers, ("x-request-id", request_id)]        # as sent (access log, post_request)
    resp.response_length = len(body)
    connection = "close" if resp.should_close() else "keep-alive"
    out = (f"HTTP/{req.version[0]}.{req.version[1]} {status}\r\nServer: {resp.version}\r\nDate: {_http_date()}\r\n"
           f"Connection: {connection}\r\n").encode("latin-1") + head + f"x-request-id: {request_id}\r\n\r\n".encode()
    if req.method != "HEAD":
        out += body
    util.write(resp.sock, out)
    resp.headers_sent = True
    resp.sent = 0 if req.method == "HEAD" else len(body)
