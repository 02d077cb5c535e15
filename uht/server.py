"""HTTPServer: routes, limits, the per-connection request loop, and starting/stopping."""

import asyncio

if False:  # for type checkers only
    import socket

from ._compat import IS_CIRCUITPYTHON, IS_HOST, IS_MICROPYTHON, awaitable, ticks_diff, ticks_ms

if not IS_CIRCUITPYTHON:  # CircuitPython has no socket module: its transport is uht/_socketpool.py
    from ._listen import accept_loop, listen_socket, peer_name
from .connection import BUSY, WAIT_HEAD, ClientGone, Connection
from .log import log_exception, logger
from .request import parse_head
from .response import Response
from .router import Route, Router
from .status import HTTPError

_STANDARD_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE")
BUSY_REPLY = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 19\r\nConnection: close\r\n\r\nServer is too busy\n"
)


class HTTPServer:
    """An HTTP/1.0 and 1.1 server.

    Every limit is a keyword of the constructor and an attribute of the same name; the defaults
    below are sized for a board (CPython on a host gets larger ones: uht/_cpython.py). Timeouts are
    in seconds. See docs/limits.md for what each one answers.
    """

    backlog = 4  # listen() backlog
    max_connections = 8  # open connections; at the cap idle ones are evicted, else 503
    max_request_line = 1024  # bytes -> 414
    max_header_bytes = 2048  # bytes of header lines -> 431
    max_headers = 32  # header lines -> 431
    max_body = 16384  # body()/json()/form() bytes -> 413 (per route: route(max_body=...))
    max_discard = 4096  # unread body bytes skipped to keep a connection alive
    buffer_size = 512  # initial read buffer per connection (grows to the head limits)
    head_timeout = 10.0  # to receive a request head -> 408
    idle_timeout = 5.0  # keep-alive wait for the next request
    body_timeout = 10.0  # stall while reading a body
    write_timeout = 10.0  # stall while sending
    max_long_lived = None  # WebSocket/event-stream connections (None: half of max_connections)
    access_log = False  # True: print a line per request; or a callable taking the line

    def __init__(self, backlog=None, **options) -> None:  # type: ignore[no-untyped-def]
        if backlog is not None:
            self.backlog = backlog
        for name, value in options.items():
            if not hasattr(HTTPServer, name) or name.startswith("_"):
                raise TypeError("unknown option " + name)
            setattr(self, name, value)
        self.router = Router()
        self._catchall = None
        self._before: list = []
        self._after: list = []
        self._error_handlers: dict = {}
        self._conns: list = []
        self._listen: "socket.socket | None" = None
        self._accept_task: "asyncio.Task | None" = None
        self._sweeper: "asyncio.Task | None" = None
        self._aio_server: "asyncio.Server | None" = None
        self._closing = False
        self._closed = asyncio.Event()

    # -- registering handlers ----------------------------------------------------------------------

    def add_route(self, url: str, f, methods=None, save_headers=None, max_body=None) -> None:  # type: ignore[no-untyped-def]
        """Route url to `async def f(req, resp, *path_params)`. save_headers is accepted for
        compatibility with the original uht: every header is kept anyway."""
        if not url.startswith("/"):
            raise ValueError("route must start with /: " + url)
        names = tuple(m.upper() for m in (methods or ["GET"]))
        self.router.add(Route(url, f, names, max_body))

    def route(self, url: str, methods=None, save_headers=None, max_body=None):  # type: ignore[no-untyped-def]
        def decorate(f):  # type: ignore[no-untyped-def]
            self.add_route(url, f, methods, save_headers, max_body)
            return f

        return decorate

    def catchall(self):  # type: ignore[no-untyped-def]
        """Handler for paths no route matches (instead of 404)."""

        def decorate(f):  # type: ignore[no-untyped-def]
            self._catchall = f
            return f

        return decorate

    def before_request(self, f):  # type: ignore[no-untyped-def]
        """`async def f(req, resp)` runs before every handler; a truthy return skips the handler
        (the hook has answered)."""
        self._before.append(f)
        return f

    def after_request(self, f):  # type: ignore[no-untyped-def]
        """`async def f(req, resp)` runs after every handler, before unsent parts go out."""
        self._after.append(f)
        return f

    def errorhandler(self, status_or_exception):  # type: ignore[no-untyped-def]
        """`async def f(req, resp, exc)` answers an error status (404, 405, 500 ...) or an
        exception type raised by handlers. A 404 handler takes over from the catch-all."""

        def decorate(f):  # type: ignore[no-untyped-def]
            self._error_handlers[status_or_exception] = f
            return f

        return decorate

    def mount(self, prefix: str, app: "HTTPServer") -> None:
        """Serve app's routes (as defined now) under prefix, e.g. mount("/api", api)."""
        from ._rare import mount

        mount(self, prefix, app)

    def route_for(self, req, method: str):  # type: ignore[no-untyped-def]
        """(route, params) that would handle req's path with method, or (None, allowed methods)."""
        return self.router.find(method, req.lookup_path, req.segments)

    def claim_long_lived(self, req) -> None:  # type: ignore[no-untyped-def]
        """Mark req's connection long-lived (WebSocket, event stream): no idle or head timeouts,
        never evicted at the cap, counted against max_long_lived (503 when that is reached)."""
        from ._rare import claim_long_lived

        claim_long_lived(self, req)

    # -- handling one request ----------------------------------------------------------------------

    async def _handle(self, conn, req):  # type: ignore[no-untyped-def]
        resp = Response(conn, req)
        try:
            method = req.method
            if method not in _STANDARD_METHODS and method not in self.router.methods_in_use:
                raise HTTPError(501)
            lookup = req.lookup_path
            route = None if lookup is None else self.router.find_literal(method, lookup)
            params: "list | tuple" = ()
            if route is None:
                route, params = self.router.find(method, lookup, req.segments)
            answered = False
            for hook in self._before:
                if await hook(req, resp):
                    answered = True  # the hook has answered: no handler runs
                    break
            if answered:
                pass
            elif route is not None:
                if route.max_body is not None:
                    req.max_body = route.max_body
                await route.handler(req, resp, *params)
            else:
                from ._rare import no_route

                await no_route(self, req, resp, params)
            for hook in self._after:
                await hook(req, resp)
        except asyncio.CancelledError:
            raise
        except ClientGone:
            raise
        except Exception as exc:  # MemoryError included: the server must outlive a handler
            from ._rare import answer_error  # loaded on the first error only

            await answer_error(self, req, resp, exc)
        if self._closing or not req.can_discard(self.max_discard):
            resp.keep_alive = False  # say so in the head: this connection ends after the response
        await resp.finish()
        return resp

    # -- the connection loop -------------------------------------------------------------------------

    async def _read_head(self, conn):  # type: ignore[no-untyped-def]
        """The next request head (request line and headers, without the blank line), or None when
        the client closed between requests."""
        conn.set_state(WAIT_HEAD)
        waiting_idle = conn.requests > 0 and not conn.buffered()
        conn.arm(self.idle_timeout if waiting_idle else self.head_timeout)
        max_line = self.max_request_line
        scanned = 0  # bytes after conn.start already searched for the end of the head
        while True:
            buf, start, end = conn.buf, conn.start, conn.end
            if scanned == 0:
                while start < end and buf[start] in (10, 13):  # stray CRLF between requests
                    start += 1
                conn.start = start
            frm = max(start, start + scanned - 2)
            stop = buf.find(b"\n\r\n", frm, end)
            stop2 = buf.find(b"\n\n", frm, end)
            if stop < 0 or 0 <= stop2 < stop:
                stop = stop2
            first_nl = buf.find(b"\n", start, end)
            if first_nl < 0:
                if end - start > max_line:
                    raise HTTPError(414)
            elif first_nl - start > max_line + 1:
                raise HTTPError(414)
            elif (stop if stop >= 0 else end) - first_nl > self.max_header_bytes + 2:
                raise HTTPError(431)
            if stop >= 0:
                try:
                    head = str(memoryview(buf)[start:stop], "utf-8")
                except UnicodeError:
                    raise HTTPError(400, "head is not UTF-8")
                conn.start = stop + (3 if buf[stop + 1] == 13 else 2)
                conn.disarm()
                return head
            scanned = end - start
            try:
                await conn.fill(max_line + self.max_header_bytes + 4)
            except OverflowError:
                raise HTTPError(431)
            except ClientGone:
                if scanned:
                    raise
                return None
            if waiting_idle:
                waiting_idle = False
                conn.arm(self.head_timeout)

    async def _serve(self, conn) -> None:  # type: ignore[no-untyped-def]
        head = None
        try:
            while not self._closing:
                head = await self._read_head(conn)
                if head is None:
                    break
                conn.set_state(BUSY)
                req = parse_head(self, conn, head)
                conn.requests += 1
                resp = await self._handle(conn, req)
                keep = resp.keep_alive and not self._closing
                if keep and req._remaining:
                    from .body import discard

                    try:
                        keep = await discard(req, self.max_discard)
                    except HTTPError:
                        keep = False  # already answered: just close
                if self.access_log:
                    self._log("%s %s %s %d %d" % (req.remote_addr, req.method, req.path, resp.status, resp.bytes_sent))
                if not keep:
                    break
                req = resp = head = None  # type: ignore[assignment]  # free them while idle
                conn.shrink(self.buffer_size)
        except HTTPError as exc:
            from ._rare import reply_error

            await reply_error(self, conn, exc, head is not None and head.startswith("HEAD "))
        except asyncio.CancelledError:
            if conn.expired == "timeout" and conn.state == WAIT_HEAD and conn.buffered():
                from ._rare import reply_error

                await reply_error(self, conn, HTTPError(408))
        except (ClientGone, OSError):
            pass
        except MemoryError:
            logger.warning("out of memory serving %s", conn.remote_addr)
        except Exception as exc:
            log_exception("error serving %s" % conn.remote_addr, exc)
        finally:
            if conn in self._conns:
                self._conns.remove(conn)
            await conn.close()
            if self._closing and not self._conns:
                self._stopped()

    def _log(self, line: str) -> None:
        if callable(self.access_log):
            self.access_log(line)
        else:
            print(line)

    # -- admitting connections -------------------------------------------------------------------------

    def _admit(self) -> bool:
        """Room for one more connection? At the cap, the connection that has waited longest for a
        request head is closed to make room; when all are busy, there is none."""
        active = 0
        victim = None
        for c in self._conns:
            if c.expired is None:
                active += 1
                if c.state == WAIT_HEAD and (victim is None or ticks_diff(c.since, victim.since) < 0):
                    victim = c
        if active < self.max_connections:
            return True
        if victim is None:
            return False
        self._expire(victim, "evicted")
        return True

    def _expire(self, conn, why: str) -> None:  # type: ignore[no-untyped-def]
        conn.expired = why
        if conn.task is not None:
            _cancel(conn.task)
            conn.task = None

    def _on_socket(self, sock, addr) -> None:  # type: ignore[no-untyped-def]
        """MicroPython: a freshly accepted, non-blocking client socket."""
        if self._closing or not self._admit():
            try:
                sock.write(BUSY_REPLY)
            except OSError:
                pass
            sock.close()
            return
        stream = asyncio.StreamWriter(sock, {"peername": addr})  # type: ignore[call-arg,arg-type]
        conn = Connection(stream, stream, peer_name(addr), self.buffer_size)
        conn.task = asyncio.create_task(self._serve(conn))
        self._conns.append(conn)

    async def _sweep(self) -> None:
        """One task enforces every deadline: a timeout per read would cost heap on each read."""
        while True:
            await asyncio.sleep(0.25)
            now = ticks_ms()
            for conn in self._conns:
                deadline = conn.deadline
                if deadline is not None and conn.expired is None and ticks_diff(now, deadline) >= 0:
                    self._expire(conn, "timeout")

    # -- starting and stopping -------------------------------------------------------------------------

    def start(self, host=None, port=None, pool=None) -> "HTTPServer":  # type: ignore[no-untyped-def]
        """Listen and serve in the background of the running event loop. No address: 0.0.0.0:80
        on a board, 127.0.0.1:8081 on a host. pool: CircuitPython's socketpool.SocketPool (None:
        one made from wifi.radio); other runtimes ignore it."""
        if host is None:
            host = "127.0.0.1" if IS_HOST else "0.0.0.0"
        if port is None:
            port = 8081 if IS_HOST else 80
        self._closing = False
        self._closed = asyncio.Event()
        if IS_CIRCUITPYTHON:
            from ._socketpool import start_serving

            self._accept_task = start_serving(self, host, port, pool, BUSY_REPLY)
        elif IS_MICROPYTHON:
            self._listen = sock = listen_socket(host, port, self.backlog)
            self._accept_task = asyncio.create_task(accept_loop(sock, self._on_socket))
        else:
            self._listen = sock = listen_socket(host, port, self.backlog)
            from ._cpython import serve  # CPython only: MicroPython never loads it

            self._accept_task = asyncio.create_task(serve(self, sock))
        self._sweeper = asyncio.create_task(self._sweep())
        logger.info("serving on %s:%d", host, port)
        return self  # close(), wait_closed(); awaiting it gives itself, so `await start()` works too

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def __await__(self):  # type: ignore[no-untyped-def]
        return awaitable(self)

    __iter__ = __await__

    async def arun(self, host=None, port=None, pool=None) -> None:  # type: ignore[no-untyped-def]
        self.start(host, port, pool)
        await self.wait_closed()

    def run(self, host=None, port=None, pool=None) -> None:  # type: ignore[no-untyped-def]
        """Serve until stopped. After Ctrl-C the port is released, so running again works."""
        try:
            asyncio.run(self.arun(host, port, pool))
        finally:
            from ._rare import close_sockets_now

            close_sockets_now(self)

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
            if conn.state != BUSY and conn.expired is None:
                self._expire(conn, "shutdown")
        if not self._conns:
            self._stopped()

    def _stopped(self) -> None:
        if self._sweeper is not None:
            _cancel(self._sweeper)
            self._sweeper = None
        self._closed.set()


def _cancel(task) -> None:  # type: ignore[no-untyped-def]
    """Cancel, tolerating MicroPython's "can't cancel self": after Ctrl-C interrupts
    asyncio.run(), its current task still points at the interrupted one, which may be this."""
    try:
        task.cancel()
    except RuntimeError:
        pass


if not IS_MICROPYTHON:
    from ._cpython import host_defaults

    host_defaults(HTTPServer)
elif IS_CIRCUITPYTHON:
    from ._socketpool import board_defaults  # connections per port's network stack

    board_defaults(HTTPServer)
