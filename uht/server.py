"""HTTPServer: routes, limits, the per-connection request loop, and starting/stopping."""

import asyncio

from ._compat import (
    IS_CIRCUITPYTHON,
    IS_HOST,
    IS_MICROPYTHON,
    TYPE_CHECKING,
    awaitable,
    const,
    port_max_connections,
    sleep_ms,
    ticks_add,
    ticks_diff,
    ticks_ms,
)

if not IS_CIRCUITPYTHON:  # CircuitPython has no socket module: its transport is uht/_socketpool.py
    from ._listen import SocketStream, accept_loop, listen_socket, refuse
from . import log
from .connection import ClientGone, Connection
from .request import Request, parse_head
from .response import Response
from .router import Route, Router
from .status import BUSY_REPLY, HTTPError, constant_answer

if TYPE_CHECKING:
    from typing import Any, Callable

    from ._micropython import GCModule

# uht/connection.py's states and reasons, as constants MicroPython's compiler puts into each use:
# no global to hold them, no lookup on every request. (`# = module.NAME`: a test checks they agree.)
_WAIT_HEAD = const(0)  # = connection.WAIT_HEAD
_BUSY = const(1)  # = connection.BUSY
_LONG_LIVED = const(2)  # = connection.LONG_LIVED
_LINGER = const(3)  # = connection.LINGER
_TIMEOUT = const("timeout")  # = connection.TIMEOUT
_SLOW = const("slow")  # = connection.SLOW
_SHUTDOWN = const("shutdown")  # = connection.SHUTDOWN

_READ_PER_REQUEST = const(
    (
        "idle_timeout",
        "head_timeout",
        "max_request_line",
        "max_header_bytes",
        "buffer_size",
        "write_timeout",
        "access_log",
        "_closing",
        "_before",
        "_after",
    )
)
_STANDARD_METHODS = const(("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"))
__all__ = ("HTTPServer", "BUSY_REPLY")  # a constant tuple: no list on the heap


class HTTPServer:
    """An HTTP/1.0 and 1.1 server.

    Every limit is a keyword of the constructor and an attribute of the same name; the defaults
    below are sized for a board (CPython on a host gets larger ones: uht/_cpython.py). Timeouts are
    in seconds. See docs/limits.md for what each one answers.
    """

    backlog: "int | None" = None  # listen() backlog (None: max_connections on a host, 2 on a board)
    max_connections = port_max_connections()  # open connections; at the cap idle/slow ones are evicted, else 503
    max_request_line = 1024  # bytes -> 414
    max_header_bytes = 2048  # bytes of header lines -> 431
    max_headers = 32  # header lines -> 431
    max_body = 16384  # body()/json()/form() bytes -> 413 (per route: route(max_body=...))
    max_discard = 4096  # unread body bytes skipped to keep a connection alive
    buffer_size = 512  # initial read buffer per connection (grows to the head limits)
    head_timeout = 10  # to receive a request head -> 408 (whole seconds: no float per request)
    idle_timeout = 5  # keep-alive wait for the next request
    body_timeout = 10  # stall while reading a body
    write_timeout = 10  # stall while sending
    min_rate = 100  # bytes/s a head or body must average over min_rate_window, after the grace
    min_rate_grace = 2.0  # seconds of waiting for a head or body before its rate is judged
    min_rate_window = 5.0  # seconds of waiting the rate is averaged over
    linger_bytes = 65536  # after an answer that left request bytes unread: read and drop up to this ...
    linger_timeout = 2.0  # ... for at most this long, before closing (a close with unread bytes resets)
    linger_quiet = 0.5  # ... and stop once the client has sent nothing for this long
    max_lingering = 2  # connections lingering at once (past that: close at once)
    max_long_lived = None  # WebSocket/event-stream connections (None: half of max_connections)
    access_log = False  # True: print a line per request; or a callable taking the line
    collect_every = 8  # MicroPython heaps up to 256 KB: collect each time 1/8 of it is allocated (0: never)
    accept_reserve = 3072  # on those heaps: bytes free to take a client while others are served (else it waits)

    def __init__(self, backlog: "int | None" = None, **options: "Any") -> None:
        if backlog is not None:
            self.backlog = backlog
        for name, value in options.items():
            if not hasattr(HTTPServer, name) or name.startswith("_"):
                raise TypeError("unknown option " + name)
            setattr(self, name, value)
        self.router = Router()
        self._conns: "list[Connection]" = []
        # The limits and state every request reads, copied from the class defaults into the
        # instance: MicroPython finds an instance's own attribute at the first lookup and a class
        # default only at the second, and these reads were 3 % of a keep-alive GET's instructions
        # (bench/instructions.py). The heap pays about 90 bytes, once per server.
        for name in _READ_PER_REQUEST:
            setattr(self, name, getattr(self, name))

    # What an app only sometimes has starts as these class defaults (immutable ones: each server
    # gets its own list or dict when it adds to them), so a server costs little heap.
    _catchall: "Callable | None" = None
    _before: "Any" = ()
    _after: "Any" = ()
    _error_handlers: "Any" = {}  # never added to: errorhandler() gives the server its own dict
    _lingering = 0
    _listen: "Any" = None
    _accept_task: "asyncio.Task | None" = None
    _sweeper: "asyncio.Task | None" = None
    _aio_server: "Any" = None
    _closing = False
    _gc: "GCModule | None" = None  # the gc module, where start() made the heap collect often (_collect_often)

    # -- registering handlers ----------------------------------------------------------------------

    def add_route(
        self, url: str, f: "Callable", methods: "Any" = None, save_headers: "Any" = None, max_body: "int | None" = None
    ) -> None:
        """Route url to `async def f(req, resp, *path_params)`. save_headers is accepted for
        compatibility with the original uht: every header is kept anyway."""
        if not url.startswith("/"):
            raise ValueError("route must start with /: " + url)
        names = tuple(m.upper() for m in (methods or ["GET"]))
        self.router.add(Route(url, f, names, max_body))

    def route(
        self, url: str, methods: "Any" = None, save_headers: "Any" = None, max_body: "int | None" = None
    ) -> "Callable":
        def decorate(f: "Callable") -> "Callable":
            self.add_route(url, f, methods, save_headers, max_body)
            return f

        return decorate

    def catchall(self) -> "Callable":
        """Handler for paths no route matches (instead of 404)."""

        def decorate(f: "Callable") -> "Callable":
            self._catchall = f
            return f

        return decorate

    def before_request(self, f: "Callable") -> "Callable":
        """`async def f(req, resp)` runs before every handler; a truthy return skips the handler
        (the hook has answered)."""
        self._before = list(self._before) + [f]
        return f

    def after_request(self, f: "Callable") -> "Callable":
        """`async def f(req, resp)` runs after every handler, before unsent parts go out."""
        self._after = list(self._after) + [f]
        return f

    def errorhandler(self, status_or_exception: "Any") -> "Callable":
        """`async def f(req, resp, exc)` answers an error status (404, 405, 500 ...) or an
        exception type raised by handlers. A 404 handler takes over from the catch-all."""

        def decorate(f: "Callable") -> "Callable":
            handlers = dict(self._error_handlers)  # its own dict, never the class default
            handlers[status_or_exception] = f
            self._error_handlers = handlers
            return f

        return decorate

    def mount(self, prefix: str, app: "HTTPServer") -> None:
        """Serve app's routes (as defined now) under prefix, e.g. mount("/api", api)."""
        prefix = prefix.rstrip("/")
        sub = app.router
        for routes in list(sub.static.values()) + list(sub.by_length.values()) + [sub.rest_routes]:
            for r in routes:
                self.router.add(Route(prefix + r.pattern, r.handler, r.methods, r.max_body))

    def route_for(self, req: Request, method: str) -> "Any":
        """(route, params) that would handle req's path with method, or (None, allowed methods)."""
        return self.router.find(method, req.lookup_path, req.segments)

    def claim_long_lived(self, req: Request) -> None:
        """Mark req's connection long-lived (WebSocket, event stream): no idle or head timeouts,
        never evicted at the cap, counted against max_long_lived (503 when that is reached).
        The connection ends with the handler, so its Request is never reused: `req` and
        `req.headers` stay valid for as long as the handler's tasks hold them."""
        cap = self.max_long_lived
        if cap is None:
            cap = max(1, self.max_connections // 2)  # dashboards left open never take every slot
        if cap:
            count = 0
            for c in self._conns:
                if c.state == _LONG_LIVED:
                    count += 1
            if count >= cap:
                raise HTTPError(503, headers=[["Retry-After", "5"]])
        req.conn.meter(False)
        req.conn.set_state(_LONG_LIVED)
        req.keep_alive = False

    # -- handling one request ----------------------------------------------------------------------

    async def _dispatch(self, req: Request, resp: Response) -> None:
        """Hooks, the route's handler (or what no route answers), hooks."""
        method = req.method
        if method not in _STANDARD_METHODS and method not in self.router.methods_in_use:
            raise HTTPError(501)
        lookup = req.lookup_path
        route = None if lookup is None else self.router.find_literal(method, lookup)
        params: "Any" = ()
        if route is None:
            route, params = self.router.find(method, lookup, req.segments)
        for hook in self._before:
            if await hook(req, resp):
                break  # the hook has answered: no handler runs
        else:
            if route is not None:
                if route.max_body is not None:
                    req.max_body = route.max_body
                await route.handler(req, resp, *params)
            else:
                from .errors import no_route

                await no_route(self, req, resp, params)
        for hook in self._after:
            await hook(req, resp)

    async def _failed(self, req: Request, resp: Response, exc: Exception) -> None:
        """A handler failed: its error answer, or a constant 500 when memory is too short for one."""
        try:
            from .errors import answer_error

            await answer_error(self, req, resp, exc)
        except MemoryError:  # not even an error answer fits: a constant one, and close
            try:
                if not resp.started:
                    resp.conn.write(constant_answer(500))
            except OSError:
                pass
            resp._mode = 3  # done: nothing more goes out
            resp.started = True
            resp.keep_alive = False

    async def _reply_error(self, conn: Connection, exc: "HTTPError | int", head_only: bool) -> None:
        """An error found before a handler ran (an HTTPError, or just its status): its answer, or
        a constant one when memory is too short to build it (or to load the code that does)."""
        status = exc if isinstance(exc, int) else exc.status
        try:
            from .errors import reply_error

            if isinstance(exc, int):
                exc = HTTPError(exc)
        except MemoryError:
            _write_constant(conn, status)
            return
        await reply_error(self, conn, exc, head_only)

    # -- the connection loop -------------------------------------------------------------------------

    # Reading a request head: _serve begins the wait and reads the stream itself, and takes the
    # head out of the buffer with this. (No coroutine of its own: its frame would be made for
    # every request, and was a quarter of a kept-alive GET's allocations.)

    def _take_head(self, conn: Connection, scanned: int) -> "bytes | None":
        """The head at the start of the buffer (request line and header lines with their line
        ends, without the blank line), taken out of it; None while it is not whole. `scanned`:
        bytes after conn.start already searched for its end. 414 or 431 once it cannot fit."""
        buf, start, end = conn.buf, conn.start, conn.end
        if scanned == 0:
            while start < end and buf[start] in (10, 13):  # stray CRLF between requests
                start += 1
            conn.start = start
        if start == end:
            return None
        frm = start + scanned - 2 if scanned > 2 else start
        stop = buf.find(b"\n\r\n", frm, end)
        stop2 = buf.find(b"\n\n", frm, end)
        if stop < 0 or 0 <= stop2 < stop:
            stop = stop2
        first_nl = buf.find(b"\n", start, end)
        if first_nl < 0:
            if end - start > self.max_request_line:
                raise HTTPError(414)
        elif first_nl - start > self.max_request_line + 1:
            raise HTTPError(414)
        elif (stop if stop >= 0 else end) - first_nl > self.max_header_bytes + 2:
            raise HTTPError(431)
        if stop < 0:
            return None
        after = stop + (3 if buf[stop + 1] == 13 else 2)  # where the body (or a next request) begins
        if after < end and buf[start] == 80 and self._gc is not None:
            # Body bytes came with the head of a POST, PUT or PATCH ("P": pipelined GETs are not
            # worth it): in a small heap, collect first, so that this request's objects take the
            # lowest free gaps and leave the largest block for its body. Without it they land
            # wherever the last requests' allocations left off, and split the free space: in the
            # 32 KB soak, 4 KB echoes then failed 503 in 5 seeds of 10.
            self._gc.collect()
        head = bytes(conn.view[start : stop + 1])  # (a MemoryError here takes nothing out)
        if after == end:
            conn.start = conn.end = 0  # all read: the next read needs no compaction
        else:
            conn.start = after
        conn.deadline = None
        conn.metered = False
        return head

    async def _serve(self, conn: Connection) -> None:
        """Every request of one connection, then close. Nothing escapes it: a task that fails is
        logged by the event loop, and logging allocates."""
        conn.server = self
        head = None
        req = None
        resp: "Response | None" = None
        linger = False
        waits = 0
        try:
            while not self._closing:
                try:
                    # The wait for a head begins: its deadline and metering. (Inlined set_state,
                    # arm and meter: this runs for every request.)
                    head = None
                    conn.state = _WAIT_HEAD
                    conn.since = ticks_ms()
                    waiting_idle = conn.requests > 0 and conn.start == conn.end  # kept alive, idle
                    timeout = self.idle_timeout if waiting_idle else self.head_timeout
                    conn.deadline = ticks_add(conn.since, int(1000 * timeout))
                    if waiting_idle:
                        conn.metered = False
                    elif conn.requests:
                        conn.meter(True)
                    else:
                        conn.metered = True  # a new connection's counters are as __init__ made them
                    woke = scanned = 0
                    while True:
                        if conn.start < conn.end:  # (a kept-alive connection's buffer is empty)
                            head = self._take_head(conn, scanned)
                            if head is not None:
                                break
                        if woke:
                            # The first bytes after an idle wait came, and not yet a whole head:
                            # from here on the head's own timeout and data rate apply. (A head
                            # that arrives whole, the usual case, never needs them.)
                            conn.deadline = ticks_add(ticks_ms(), int(1000 * self.head_timeout))
                            conn.meter(True)
                            conn.got = woke  # the first bytes of this head
                            woke = 0
                        scanned = conn.end - conn.start
                        if conn.end == 0:  # an empty buffer (a kept-alive wait): all of it, no call
                            view = conn.view
                        else:
                            try:
                                view = conn.reserve(self.max_request_line + self.max_header_bytes + 4)
                            except OverflowError:
                                raise HTTPError(431)
                        # The stream is read here, as conn.fill() would (conn.readinto() and the
                        # end moved), without its two coroutines. A cut or a cancel goes up as it
                        # is; a reset is an end of stream.
                        t0 = conn.wait_begins() if conn.metered else None  # (a kept-alive wait is not)
                        n = None
                        try:
                            while n is None:  # None: woken with nothing to read
                                n = await conn._readinto(view)
                        except OSError:
                            n = 0
                        if t0 is not None:
                            conn.wait_ends(t0, n)
                        if not n:
                            if scanned or conn.expired is not None:
                                raise ClientGone
                            break  # closed between requests
                        conn.end += n
                        if waiting_idle:
                            waiting_idle = False
                            woke = conn.end - conn.start  # bytes received after the idle wait
                except MemoryError:
                    # No room yet for the head or the read's generator: connections being served
                    # free theirs as they finish, so wait, as a newcomer does at accept, before
                    # the 503 below. Nothing of the head has been taken from the buffer.
                    waits += 1
                    if waits > 50:
                        raise
                    await sleep_ms(20)
                    continue
                waits = 0
                if head is None:
                    break
                conn.state = _BUSY  # (since matters only while waiting for a head)
                req = parse_head(conn, head)
                conn.requests += 1
                if req._remaining:
                    conn.meter(True)  # the body's rate counts from the end of the head
                resp = Response(conn, req)
                # Without hooks the route is found here and its handler called from this loop:
                # no coroutine of _dispatch's (which answers what has no route: 404, 405, 501).
                route = None
                params: "Any" = ()
                if not self._before and not self._after and not req._slash_in_segment:
                    router = self.router
                    route = router.find_literal(req.method, req.path)
                    if route is None and (router.by_length or router.rest_routes):
                        route, params = router.find(req.method, req.path, req.segments)
                try:
                    if route is not None:
                        if route.max_body is not None:
                            req.max_body = route.max_body
                        if params:
                            await route.handler(req, resp, *params)
                        else:
                            await route.handler(req, resp)
                    else:
                        await self._dispatch(req, resp)
                except ClientGone:
                    raise
                except Exception as exc:  # MemoryError included: the server must outlive a handler
                    await self._failed(req, resp, exc)
                conn.metered = False
                unread = req._remaining  # (read once: a class default, two lookups each time)
                if self._closing or unread and not req.can_discard(self.max_discard):
                    resp.keep_alive = False  # say so in the head: this connection ends after the response
                if resp.finish_now() and conn.writer.out_buf:  # (MicroPython's write sent it: no drain)
                    await conn.drain(self.write_timeout)
                keep = resp.keep_alive and not self._closing
                if keep and unread:
                    from .body import discard

                    try:
                        keep = await discard(req, self.max_discard)
                    except HTTPError:
                        keep = False  # already answered: just close
                if self.access_log:
                    self._log(
                        "%s %s %s %d %d" % (conn.remote_addr(), req.method, req.path, resp.status, resp.bytes_sent)
                    )
                if not keep:
                    linger = req._remaining != 0 and conn.state == _BUSY
                    break
                req = resp = head = None  # free them while idle
                if len(conn.buf) > self.buffer_size:
                    conn.shrink(self.buffer_size)
        except HTTPError as exc:
            # (An exception raised in an except clause is not caught by its siblings: each await
            # here is guarded itself, as even the coroutine it creates may not fit.)
            try:
                await self._reply_error(conn, exc, head is not None and head.startswith(b"HEAD "))
            except MemoryError:
                _write_constant(conn, exc.status)
            except OSError:
                pass
            # The client may still be sending: a head cut short, bytes after it, or a body.
            linger = conn.buffered() > 0 or head is None or req is not None and req._remaining != 0
        except (asyncio.CancelledError, ClientGone):
            why = conn.expired
            if (why == _TIMEOUT or why == _SLOW) and conn.state == _WAIT_HEAD and conn.buffered():
                try:
                    await self._reply_error(conn, 408, False)
                except MemoryError:
                    _write_constant(conn, 408)
                except OSError:
                    pass
        except OSError:
            pass
        except MemoryError:
            if resp is None or not resp.started:
                _write_constant(conn, 503)  # the server's condition, not the client's: try again later
                linger = True  # the request may be unread: closing now could reset the answer away
            try:
                log.warning("out of memory serving %s", conn.remote_addr())
            except MemoryError:
                pass
        except Exception as exc:
            try:
                log.log_exception("error serving %s" % conn.remote_addr(), exc)
            except MemoryError:
                pass
        finally:
            try:
                if linger and conn.expired is None:
                    await self._end(conn, True, req)
                else:
                    await self._close(conn)
            except MemoryError:  # not even _end's coroutine fits: close at once, without it
                if conn in self._conns:
                    self._conns.remove(conn)
                try:
                    conn.writer.s.close()  # MicroPython's stream: the socket; nothing to allocate
                    if self._closing and not self._conns:
                        self._stopped()
                except BaseException:  # CPython's stream has no `s` (and never gets here)
                    pass
            except Exception:  # CPython: the close found the connection reset; nothing left to release
                pass
            # A finished coroutine keeps its locals until it is freed itself, and a stale word on
            # a stack can keep it: let go of the last request (its head and body) here.
            req = resp = head = None

    async def _end(self, conn: Connection, linger: bool, req: "Request | None") -> None:
        """Close the connection, lingering first when the client may still be sending."""
        try:
            if linger:
                budget = self.linger_bytes
                if req is not None and req._remaining > 0:
                    budget = min(budget, req._remaining)
                await self._linger(conn, budget)
        except BaseException:  # a cancel or a reset while lingering: closing is all that is left
            pass
        finally:
            try:
                await self._close(conn)
            except Exception:  # already reset by the peer: nothing left to release
                pass

    def _close(self, conn: Connection) -> "Any":
        """Unlist and close the connection; returns what to await (Connection.close()). A plain
        method, not a coroutine: closing without lingering is what every connection does."""
        if conn in self._conns:
            self._conns.remove(conn)
        closing = conn.close()
        # Likewise the connection's buffers and task, should a stale word keep the connection.
        conn.task = None
        conn.buf = conn.out = _NO_BUFFER
        conn.view = _NO_VIEW
        if self._closing and not self._conns:
            self._stopped()
        return closing

    async def _linger(self, conn: Connection, budget: int) -> None:
        if self._lingering >= self.max_lingering:
            return
        self._lingering += 1
        try:
            from .errors import linger  # only after answers that left the request unread

            conn.set_state(_LINGER)
            conn.meter(False)
            await linger(conn, budget, self.linger_timeout, self.linger_quiet)
        finally:
            self._lingering -= 1
            conn.disarm()

    def _log(self, line: str) -> None:
        if callable(self.access_log):
            self.access_log(line)
        else:
            print(line)

    # -- admitting connections -------------------------------------------------------------------------

    def _admit(self) -> bool:
        """Room for one more connection? At the cap, uht/eviction.py makes room by closing an
        idle, lingering or slow connection, when there is one (loaded at the first full house; when
        even that load fails for want of memory there is no room: the newcomer gets BUSY_REPLY)."""
        if len(self._conns) < self.max_connections:
            return True  # (the usual case: fewer listed than the cap, so fewer active too)
        active = 0
        for c in self._conns:
            if c.expired is None and (c.state != _LINGER or not IS_HOST):
                active += 1
        if active < self.max_connections:
            return True
        try:
            from .eviction import pick_victim
        except MemoryError:
            return False
        victim, why = pick_victim(self._conns, self.min_rate, IS_HOST)
        if victim is None:
            return False
        self._expire(victim, why)
        return True

    def _expire(self, conn: Connection, why: str) -> None:
        conn.expired = why
        if conn.task is not None:
            _cancel(conn.task)
            conn.task = None

    def _track(self, conn: Connection, task: "asyncio.Task") -> None:
        conn.task = task
        self._conns.append(conn)

    def _on_socket(self, sock: "Any", addr: "Any") -> bool:
        """MicroPython: a freshly accepted, non-blocking client socket. False: the heap has no room
        for it yet (the accept loop tries again)."""
        # (_admit's usual answer inlined: this runs for every connection.)
        if self._closing or len(self._conns) >= self.max_connections and not self._admit():
            if not IS_HOST or self._lingering >= self.max_lingering or self._closing:
                refuse(sock)  # a board's slots are full: no room to linger either
                return True
            try:
                sock.write(BUSY_REPLY)  # a constant, straight to the socket: nothing to allocate
            except OSError:
                pass
            try:
                stream = SocketStream(sock)
                conn = Connection(stream, stream, "", 0)
                self._track(conn, asyncio.create_task(self._end(conn, True, None)))
            except MemoryError:
                sock.close()
            return True
        gc = self._gc
        if gc is not None and self._conns and not self._room_to_accept(gc):
            return False
        # A new client gets new buffers, which live as long as it does (so do _cpython's and
        # _socketpool's). A pool of closed connections' buffers was measured against this on the
        # board-sized build: with the collector run often, buffers made afresh land low in the
        # heap and go with their connection, and the mixed soak passes in a 32 KB heap; kept
        # buffers sat wherever the first connections had left them and made it need 36-40 KB.
        stream = SocketStream(sock)
        self._launch(Connection(stream, stream, addr, self.buffer_size))
        return True

    def _room_to_accept(self, gc: "GCModule") -> bool:
        """A heap start() collects often: is accept_reserve free, after a collection if need be?
        Taking clients until the heap is full can leave every connection with its head read and
        no room to take it, each waiting for another to finish: with 8 clients connecting at once
        to a 20 KB heap, one run in 20 ended with some of them answered 503 after their second."""
        if gc.mem_free() >= self.accept_reserve:
            return True
        gc.collect()
        return gc.mem_free() >= self.accept_reserve

    def _launch(self, conn: Connection) -> None:
        """Serve conn in a task of its own. Listed before its task exists, and unlisted if the task
        cannot be made: a MemoryError leaves nothing behind, and the accept loop tries the client
        again."""
        self._conns.append(conn)
        try:
            conn.task = asyncio.create_task(self._serve(conn))
        except MemoryError:
            self._conns.remove(conn)
            raise

    async def _sweep(self) -> None:
        """One task enforces every deadline and the minimum data rate: a timeout per read would
        cost heap on each read."""
        while True:
            await asyncio.sleep(0.25)
            self._check_deadlines()

    def _check_deadlines(self) -> None:
        # Not inlined in _sweep: the sweeper's frame lives as long as the server, and a loop variable
        # there would keep the last connection it looked at (its task, its finished request and
        # body) alive after it closed.
        now = ticks_ms()
        floor = self.min_rate
        grace = int(self.min_rate_grace * 1000)
        window = int(self.min_rate_window * 1000)
        for conn in self._conns:
            if conn.expired is not None:
                continue
            deadline = conn.deadline
            if deadline is not None and ticks_diff(now, deadline) >= 0:
                self._expire(conn, _TIMEOUT)
            elif floor and conn.rate_check(now, floor, grace, window):
                self._expire(conn, _SLOW)

    # -- starting and stopping -------------------------------------------------------------------------

    def start(self, host: "str | None" = None, port: "int | None" = None, pool: "Any" = None) -> "HTTPServer":
        """Listen and serve in the background of the running event loop. No address: 0.0.0.0:80
        on a board, 127.0.0.1:8081 on a host."""
        if host is None:
            host = "127.0.0.1" if IS_HOST else "0.0.0.0"
        if port is None:
            port = 8081 if IS_HOST else 80
        backlog = self.backlog
        if backlog is None:
            backlog = self.max_connections if IS_HOST else 2
        self._closing = False
        if IS_MICROPYTHON and self.collect_every and self._gc is None:  # (a restart keeps it)
            self._gc = _collect_often(self.collect_every)
        if IS_CIRCUITPYTHON:
            from ._socketpool import start_serving  # socketpool sockets

            self._accept_task = start_serving(self, host, port, pool, backlog)
        elif IS_MICROPYTHON:
            self._listen = sock = listen_socket(host, port, backlog)
            self._accept_task = asyncio.create_task(accept_loop(sock, self._on_socket))
        else:
            self._listen = sock = listen_socket(host, port, backlog)
            from ._cpython import serve  # CPython only: MicroPython never loads it

            self._accept_task = asyncio.create_task(serve(self, sock, backlog))
        self._sweeper = asyncio.create_task(self._sweep())
        log.info("serving on %s:%d", host, port)
        return self  # close(), wait_closed(); awaiting it gives itself, so `await start()` works too

    async def wait_closed(self) -> None:
        """Until the server has stopped. The sweeper task runs exactly as long as the server does,
        so waiting for it is waiting for the stop, with no Event (whose asyncio module would cost
        a board 600 bytes of heap)."""
        sweeper = self._sweeper
        if sweeper is None:
            return  # never started, or already stopped
        try:
            await sweeper
        except asyncio.CancelledError:
            if self._sweeper is not None:
                raise  # not the stop: this waiter itself was cancelled

    def __await__(self) -> "Any":
        return awaitable(self)

    __iter__ = __await__

    async def arun(self, host: "str | None" = None, port: "int | None" = None, pool: "Any" = None) -> None:
        self.start(host, port, pool)
        await self.wait_closed()

    def run(self, host: "str | None" = None, port: "int | None" = None, pool: "Any" = None) -> None:
        """Serve until stopped. After Ctrl-C the port is released, so running again works."""
        try:
            asyncio.run(self.arun(host, port, pool))
        finally:
            self._close_sockets_now()

    def _close_sockets_now(self) -> None:
        """After run() ends (Ctrl-C included): release the port and every client socket at once,
        with no event loop left to do it, so running again works."""
        self._closing = True
        if self._listen is not None:
            self._listen.close()
            self._listen = None
        for conn in self._conns:
            conn.close_now()
        self._conns = []
        self._lingering = 0
        if IS_MICROPYTHON:
            asyncio.new_event_loop()  # drop tasks an interrupted run left behind

    def close(self) -> None:
        """Stop accepting; idle connections close now, busy ones after their current request."""
        if self._closing:
            return
        self._closing = True
        if self._accept_task is not None:
            _cancel(self._accept_task)
        if self._aio_server is not None:
            self._aio_server.close()
        if self._listen is not None:
            self._listen.close()
            self._listen = None
        for conn in self._conns:
            if conn.state != _BUSY and conn.expired is None:
                self._expire(conn, _SHUTDOWN)
        if not self._conns:
            self._stopped()

    def _stopped(self) -> None:
        sweeper = self._sweeper
        if sweeper is not None:
            self._sweeper = None  # first: wait_closed() tells the stop from its own cancellation by it
            _cancel(sweeper)


def _write_constant(conn: Connection, status: int) -> None:
    """The constant answer for status, straight to the stream: nothing to allocate."""
    try:
        conn.write(constant_answer(status))
    except OSError:
        pass


_NO_BUFFER = bytearray()  # what a closed connection holds instead of its buffers
_NO_VIEW = memoryview(_NO_BUFFER)


# The largest heap _collect_often() makes collect often: an ESP8266 (about 38 KB), an ESP32 without
# PSRAM, a Pico W. Above it (a Pico 2 W, PSRAM, a host) a 4 KB block is always to be found, and
# since a collection costs in proportion to the heap, collecting 8 times as often would only cost
# CPU: on the 64-bit unix port (a 2 MB heap) 8 % of the instructions of a keep-alive request, 11 %
# of a connection's (bench/instructions.py).
_COLLECT_OFTEN_UP_TO = 256 * 1024


def _collect_often(fraction: int) -> "GCModule | None":
    """Set gc.threshold to 1/fraction of a small heap, unless the app has set one, and return
    the gc module (None when it did not). MicroPython collects only when the heap is full by default,
    so until then every allocation is made further up the heap, and whatever lives on (a module
    loaded by a first POST, a connection's buffers) lands wherever that front happens to be: a few
    such islands leave no free block large enough for a 4 KB body in a 32 KB heap. Collecting often
    keeps the front low."""
    if TYPE_CHECKING:
        from ._micropython import gc
    else:
        import gc

    threshold = getattr(gc, "threshold", None)  # CircuitPython has none
    if threshold is not None and threshold() == -1:
        heap = gc.mem_free() + gc.mem_alloc()
        if heap <= _COLLECT_OFTEN_UP_TO:
            threshold(heap // fraction)
            return gc
    return None


def _cancel(task: "asyncio.Task") -> None:
    """Cancel, tolerating MicroPython's "can't cancel self": after Ctrl-C interrupts
    asyncio.run(), its current task still points at the interrupted one, which may be this."""
    try:
        task.cancel()
    except RuntimeError:
        pass


if not IS_MICROPYTHON:
    from ._cpython import host_defaults

    host_defaults(HTTPServer)
