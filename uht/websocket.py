"""WebSocket (RFC 6455) for uht. Opt-in: the core never imports this module.

    from uht import HTTPServer, websocket

    app = HTTPServer(max_long_lived=4)
    websocket.install(app)  # adds app.websocket(path); or use websocket.route(app, path)

    @app.websocket("/echo")
    async def echo(req, ws):
        while True:
            msg = await ws.receive()  # str (text), bytes (binary), None once closed
            if msg is None:
                break
            await ws.send(msg)

A WebSocket counts as a long-lived connection (`app.claim_long_lived`): at `max_long_lived` the
handshake answers 503, and ordinary requests keep their connection slots.
"""

import asyncio
import binascii
import hashlib

from ._compat import IS_MICROPYTHON, TYPE_CHECKING, const, ticks_add, ticks_diff, ticks_ms
from .connection import ClientGone
from .status import HTTPError

if TYPE_CHECKING:
    from typing import Any, Callable

    from .request import Request
    from .response import Response
    from .server import HTTPServer

_GUID = const(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
_CONT, _TEXT, _BINARY, _CLOSE, _PING, _PONG = 0, 1, 2, 8, 9, 10
OPEN, CLOSING, CLOSED = 0, 1, 2
_BLOCK = const(256)  # unmasking works on blocks of this many bytes: bounded heap, C-speed XOR


class ConnectionClosed(Exception):
    """send() after the connection closed (or while it was closing)."""


class _Fail(Exception):
    """A protocol violation: fail the connection with this close code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


def accept_key(key: str) -> str:
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key."""
    data = key.encode() + _GUID
    if hasattr(hashlib, "sha1"):
        digest = hashlib.sha1(data).digest()
    else:  # built without TLS: hashlib has no sha1
        from ._ws_sha1 import sha1

        digest = sha1(data)
    return str(binascii.b2a_base64(digest), "ascii").strip()


def _has_token(headers: "Any", name: str, token: str) -> bool:
    # headers: the request's Headers; Any because Headers.get(name, "") is typed str | None.
    for item in headers.get(name, "").split(","):
        if item.strip().lower() == token:
            return True
    return False


def _check_handshake(req: "Request") -> str:
    """The client's key, or an HTTPError saying what is wrong with the upgrade request."""
    headers: "Any" = req.headers  # Any: see _has_token
    if not _has_token(headers, "upgrade", "websocket") or not _has_token(headers, "connection", "upgrade"):
        raise HTTPError(426, "WebSocket upgrade required", [["Upgrade", "websocket"], ["Sec-WebSocket-Version", "13"]])
    if headers.get("sec-websocket-version", "").strip() != "13":
        raise HTTPError(426, "WebSocket version 13 required", [["Sec-WebSocket-Version", "13"]])
    if req.version != 11 or req.method != "GET" or req.has_body:
        raise HTTPError(400, "bad WebSocket handshake")
    key = headers.get("sec-websocket-key", "").strip()
    try:
        if len(binascii.a2b_base64(key)) != 16:
            raise ValueError
    except Exception:  # MicroPython raises ValueError, CPython binascii.Error
        raise HTTPError(400, "bad Sec-WebSocket-Key")
    return key


async def accept(
    req: "Any",
    resp: "Response",
    protocols: "tuple | list | None" = None,
    origins: "tuple | list | set | None" = None,
    **options: "Any",
) -> "WebSocket":
    """Answer the upgrade (101) and return a WebSocket. Bad handshakes raise HTTPError (426 or
    400), an Origin header not in `origins` 403, a full long-lived cap 503. `protocols`: subprotocols
    this endpoint speaks, in order of preference. Options: see WebSocket. The caller must
    `await ws.close()` when done (route() does it)."""
    # req is a Request; Any for req.headers.get(name, ""): see _has_token.
    key = _check_handshake(req)
    origin = req.headers.get("origin")  # browsers send it; other clients cannot be hijacked
    if origins is not None and origin is not None and origin not in origins:
        raise HTTPError(403, "origin not allowed")
    chosen = None
    if protocols:
        offered = [p.strip() for p in req.headers.get("sec-websocket-protocol", "").split(",")]
        for p in protocols:
            if p in offered:
                chosen = p
                break
    req.server.claim_long_lived(req)
    resp.set_status_code(101)
    resp.add_header("Upgrade", "websocket")
    resp.add_header("Connection", "Upgrade")
    resp.add_header("Sec-WebSocket-Accept", accept_key(key))
    if chosen:
        resp.add_header("Sec-WebSocket-Protocol", chosen)
    resp.keep_alive = True  # no "Connection: close" next to "Connection: Upgrade" in the head
    await resp.start_stream()
    resp.keep_alive = False  # when the handler returns, the server closes the socket
    return WebSocket(req, chosen, **options)


def route(app: "HTTPServer", path: str, **options: "Any") -> "Callable":
    """Decorator: `async def handler(req, ws, *path_params)` serves WebSockets at path. The
    connection closes (1000) when the handler returns, 1011 when it raises."""

    def decorate(handler: "Callable") -> "Callable":
        async def upgrade(req: "Request", resp: "Response", *params: "str | int") -> None:
            ws = await accept(req, resp, **options)
            try:
                await handler(req, ws, *params)
            except (ClientGone, OSError, ConnectionClosed):
                ws.state = CLOSED
            except asyncio.CancelledError:
                if ws.conn.expired == "shutdown":
                    ws.going_away()
                raise
            except Exception as exc:
                from .log import log_exception

                log_exception("error in WebSocket handler for " + req.path, exc)
                await ws.close(1011, "server error")
            await ws.close()

        app.add_route(path, upgrade, methods=["GET"])
        return handler

    return decorate


def install(app: "Any") -> None:
    """Give app a `websocket(path, **options)` decorator, the same as route(app, path)."""
    # app is an HTTPServer; Any because HTTPServer does not declare the `websocket` attribute set here.
    app.websocket = lambda path, **options: route(app, path, **options)


class WebSocket:
    """One WebSocket connection, server side.

    max_size: largest message in bytes, fragments together (default: DEFAULT_MAX_SIZE, never
        more than the app's max_body); bigger, or more than the heap can hold, closes with 1009.
    ping_interval: seconds without a frame from the client before a ping is sent (None: never).
    idle_timeout: seconds without a frame before the connection closes with 1001 (None: never).
    close_timeout: seconds to wait for the client's answer to our close frame.
    """

    state = OPEN
    close_code: "int | None" = None  # what the client sent (1005 when its close frame had no code; 1006: lost)
    close_reason = ""
    _pinged = False
    _reading = False
    _skip = 0  # payload bytes of a refused frame still to discard
    _write_deadline: "int | None" = None  # while a drain is in progress: when it times out
    _drainer: "asyncio.Task | None" = None  # the task in that drain

    def __init__(
        self,
        req: "Request",
        subprotocol: "str | None" = None,
        max_size: "int | None" = None,
        ping_interval: "int | float | None" = 20,
        idle_timeout: "int | float | None" = 60,
        close_timeout: "int | float" = 2,
    ) -> None:
        self.request = req
        self.conn = req.conn
        self.subprotocol = subprotocol
        self.max_size = min(DEFAULT_MAX_SIZE, req.server.max_body) if max_size is None else max_size
        self.ping_interval = ping_interval
        self.idle_timeout = idle_timeout
        self.close_timeout = close_timeout
        self._write_timeout = req.server.write_timeout
        self._frame_timeout = req.server.body_timeout
        self._last_rx = ticks_ms()
        self._lock = asyncio.Lock()
        # The connection's task: the sweeper wakes it. Any: typeshed's current_task() may be None,
        # never the case in a handler.
        self._task: "Any" = asyncio.current_task()

    def __aiter__(self) -> "WebSocket":
        return self

    async def __anext__(self) -> "str | bytes":
        msg = await self.receive()
        if msg is None:
            raise StopAsyncIteration
        return msg

    # -- receiving ----------------------------------------------------------------------------------

    async def receive(self) -> "str | bytes | None":
        """The next message: str for text, bytes for binary; None once the connection is closed
        (close_code then says why). Pings are answered here: keep a receive() running."""
        if self.state == CLOSED:
            return None
        self._reading = True
        kind = 0  # opcode of the message being assembled
        parts: list = []
        size = 0
        try:  # one coroutine for the whole message: every frame level costs heap per connection
            while True:
                fin, op, payload = await self._frame(self.max_size - size)
                if op >= _CLOSE:
                    if await self._control(op, payload):
                        return None
                    continue
                if op == _CONT:
                    if not kind:
                        raise _Fail(1002, "unexpected continuation frame")
                elif kind:
                    raise _Fail(1002, "expected a continuation frame")
                else:
                    kind = op
                if self.state != OPEN:
                    continue  # we sent close: data is discarded until the client's close arrives
                parts.append(payload)
                size += len(payload)
                if fin:
                    try:
                        data = parts[0] if len(parts) == 1 else b"".join(parts)
                        parts = []
                        return _utf8(data) if kind == _TEXT else bytes(data)
                    except MemoryError:
                        parts = []
                        raise _Fail(1009, "message too big")
        except _Fail as fail:
            await self._fail(fail.code, fail.reason)
        except (ClientGone, OSError):
            self._lost()
        finally:
            self._reading = False
        return None

    async def _control(self, op: int, payload: bytearray) -> bool:
        """Handle a control frame; True when it closed the connection."""
        if op == _PING:
            if self.state == OPEN:
                await self._send_frame(_PONG, payload)
        elif op == _CLOSE:
            code, reason = _parse_close(payload)
            self.close_code = code
            self.close_reason = reason
            if self.state == OPEN:  # the client started the closing handshake: echo its code
                self.state = CLOSING
                await self._send_close(1000 if code == 1005 else code, "")
            self.state = CLOSED
            return True
        return False

    async def _frame(self, budget: int) -> "tuple[int, int, bytearray]":
        """(fin, opcode, unmasked payload) of the next frame."""
        conn = self.conn
        while self._skip:
            while conn.end == conn.start:
                await self._wait_for_data()
            n = min(self._skip, conn.end - conn.start)
            conn.take(n)
            self._skip -= n
        while conn.end - conn.start < 2:
            await self._wait_for_data()
        conn.arm(self._frame_timeout)  # a started frame must arrive within the body timeout
        if self._write_deadline is not None:
            conn.deadline = self._write_deadline  # a drain elsewhere: its deadline stands
        try:
            buf, at = conn.buf, conn.start
            b0, b1 = buf[at], buf[at + 1]
            op = b0 & 0x0F
            if b0 & 0x70:
                raise _Fail(1002, "reserved bits set")
            if 2 < op < 8 or op > 10:
                raise _Fail(1002, "unknown opcode")
            if not b1 & 0x80:
                raise _Fail(1002, "client frames must be masked")
            length = b1 & 0x7F
            extra = 2 if length == 126 else 8 if length == 127 else 0
            await self._need(2 + extra + 4)
            buf, at = conn.buf, conn.start  # fill() may have moved or replaced the buffer
            if extra:
                length = int.from_bytes(bytes(buf[at + 2 : at + 2 + extra]), "big")
            mask = bytes(buf[at + 2 + extra : at + 6 + extra])
            conn.start = at + 6 + extra
            if op >= _CLOSE:
                if length > 125 or not b0 & 0x80:
                    raise _Fail(1002, "bad control frame")
            elif length > budget:
                self._skip = length  # skipped while waiting for the client's close frame
                raise _Fail(1009, "message too big")
            try:
                payload = await self._read_exactly(length)
            except (MemoryError, OverflowError):  # the heap (or a 32-bit size) cannot hold it: the peer's excess
                self._skip = length  # it failed before reading any of it: skipped like a refused frame
                raise _Fail(1009, "message too big")
        finally:
            conn.deadline = self._write_deadline  # None, or the deadline of a drain elsewhere
        return b0 & 0x80, op, _unmask(payload, mask)

    async def _need(self, n: int) -> None:
        conn = self.conn
        while conn.end - conn.start < n:
            await conn.fill(max(len(conn.buf), n))
            self._seen()

    async def _read_exactly(self, n: int) -> bytearray:
        """n payload bytes as a bytearray (unmasked in place next). What the connection has
        buffered is copied; the rest is read straight into the payload: no chunk objects to
        fragment a small heap."""
        conn = self.conn
        data = bytearray(n)
        view = memoryview(data)
        got = min(n, conn.end - conn.start)
        if got:
            view[:got] = memoryview(conn.buf)[conn.start : conn.start + got]
            conn.start += got
        while got < n:
            count = await conn.readinto(view[got:])  # (every stream has readinto: Connection)
            if not count:
                raise ClientGone
            got += count
            self._seen()
        return data

    def _seen(self) -> None:
        self._last_rx = ticks_ms()
        self._pinged = False

    async def _wait_for_data(self) -> None:
        """Wait for bytes between frames, pinging an idle client and closing a silent one. The
        server's deadline sweeper wakes us (a cancel with conn.expired == "timeout")."""
        conn = self.conn
        if self._write_deadline is not None:
            # Another task is draining: only its write deadline may wake us, because cancelling
            # this read also drops that task's wait on the socket (MicroPython's IOQueue keeps
            # one entry per socket).
            conn.deadline = self._write_deadline
        else:
            wake = self._next_wake()
            conn.arm(wake / 1000 if wake is not None else None)
        try:
            await conn.fill(max(len(conn.buf), 16))
            self._seen()
            return
        except asyncio.CancelledError:
            if conn.expired != "timeout":
                raise
            conn.expired = None  # let the sweeper watch this connection again
            if conn.task is None:
                conn.task = self._task  # the server forgets the task it cancelled: give it back
            if hasattr(self._task, "uncancel"):
                self._task.uncancel()
            if self._write_deadline is not None:  # a send stalled past write_timeout: drop it all
                drainer = self._drainer
                if drainer is not None:
                    drainer.cancel()
                raise ClientGone
        finally:
            conn.deadline = self._write_deadline  # None, or the deadline of a drain elsewhere
        await self._on_quiet()

    def _next_wake(self) -> "int | None":
        """Milliseconds until the next ping, idle close or close-handshake give-up (None: never)."""
        now = ticks_ms()
        due = []
        if self.state != OPEN:
            due.append(self._close_deadline)
        else:
            if self.idle_timeout is not None:
                due.append(ticks_add(self._last_rx, int(self.idle_timeout * 1000)))
            if self.ping_interval is not None and not self._pinged:
                due.append(ticks_add(self._last_rx, int(self.ping_interval * 1000)))
        if not due:
            return None
        return max(0, min(ticks_diff(d, now) for d in due))

    async def _on_quiet(self) -> None:
        now = ticks_ms()
        if self.state != OPEN:
            if ticks_diff(now, self._close_deadline) >= 0:
                raise ClientGone  # no answer to our close frame: just drop the connection
            return
        quiet = ticks_diff(now, self._last_rx)
        if self.idle_timeout is not None and quiet >= self.idle_timeout * 1000:
            raise _Fail(1001, "idle timeout")
        if self.ping_interval is not None and not self._pinged and quiet >= self.ping_interval * 1000:
            self._pinged = True
            await self._send_frame(_PING, b"uht")

    # -- sending ------------------------------------------------------------------------------------

    async def send(self, data: "str | bytes | bytearray | memoryview") -> None:
        """Send a message: str as text, bytes-like as binary. Raises ConnectionClosed once the
        connection is closing or closed. Safe to call from several tasks."""
        if self.state != OPEN:
            raise ConnectionClosed(self.close_code)
        if isinstance(data, str):
            await self._send_frame(_TEXT, data.encode())
        else:
            await self._send_frame(_BINARY, data)

    async def ping(self, data: "bytes | bytearray | memoryview" = b"") -> None:
        if self.state != OPEN:
            raise ConnectionClosed(self.close_code)
        await self._send_frame(_PING, data)

    async def _send_frame(self, op: int, payload: "bytes | bytearray | memoryview") -> None:
        n = len(payload)
        if n < 126:
            head = bytes((0x80 | op, n))
        elif n < 65536:
            head = bytes((0x80 | op, 126, n >> 8, n & 255))
        else:
            head = bytes((0x80 | op, 127)) + n.to_bytes(8, "big")
        conn = self.conn
        try:
            # No await until the frame is written: frames from several tasks never mix. A small
            # frame goes in one write: two small segments would meet Nagle and delayed ACKs.
            if n <= 1024:
                conn.write(head + bytes(payload) if n else head)
            else:
                conn.write(head)
                conn.write(payload)
            if conn.writer.out_buf:  # MicroPython sent it already: no drain
                async with self._lock:  # one drain at a time: MicroPython allows one writer wait
                    await self._drain()
        except OSError:
            self._lost()
            raise ConnectionClosed(1006)

    async def _drain(self) -> None:
        """drain() under the write timeout, then restore whatever deadline a receive() set."""
        conn = self.conn
        saved = conn.deadline
        conn.arm(self._write_timeout)
        self._write_deadline = conn.deadline
        self._drainer = asyncio.current_task()
        try:
            await conn.writer.drain()
        finally:
            self._write_deadline = self._drainer = None
            conn.deadline = saved

    # -- closing ------------------------------------------------------------------------------------

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake and wait (close_timeout) for the client's answer, unless
        another task is in receive(), which will see it. Does nothing once closed."""
        if self.state != OPEN:
            return
        try:
            await self._send_close(code, reason)
        except ConnectionClosed:
            return
        if not self._reading:
            await self._finish_closing()

    async def _finish_closing(self) -> None:
        """Read until the client's close frame (or close_timeout): closing the socket with
        unread data would reset it, and the client could lose our close frame."""
        try:
            while self.state != CLOSED:
                fin, op, payload = await self._frame(self.max_size)
                if op >= _CLOSE:
                    await self._control(op, payload)
        except (_Fail, ClientGone, OSError, ConnectionClosed):
            pass
        self.state = CLOSED

    def going_away(self) -> None:
        """Say 1001 without waiting (the server is shutting down): one write, no drain."""
        if self.state == OPEN:
            self.state = CLOSED
            try:
                self.conn.write(b"\x88\x02\x03\xe9")  # close frame, code 1001
            except OSError:
                pass

    async def _send_close(self, code: int, reason: str) -> None:
        self.state = CLOSING
        self._close_deadline = ticks_add(ticks_ms(), int(self.close_timeout * 1000))
        payload = bytes((code >> 8, code & 255)) + reason.encode()[:123]
        await self._send_frame(_CLOSE, payload)

    async def _fail(self, code: int, reason: str) -> None:
        """Fail the connection: say why (when we still may) and stop reading."""
        if self.state == OPEN:
            self.close_code = code
            self.close_reason = reason
            try:
                await self._send_close(code, reason)
            except ConnectionClosed:
                self.state = CLOSED
                return
            await self._finish_closing()
        self.state = CLOSED

    def _lost(self) -> None:
        if self.state != CLOSED:
            if self.close_code is None:
                self.close_code = 1006
            self.state = CLOSED


def _parse_close(payload: "bytes | bytearray") -> "tuple[int, str]":
    if not payload:
        return 1005, ""
    if len(payload) == 1:
        raise _Fail(1002, "bad close frame")
    code = payload[0] << 8 | payload[1]
    if code < 1000 or 1004 <= code <= 1006 or 1015 <= code < 3000 or code >= 5000:
        raise _Fail(1002, "bad close code")
    return code, _utf8(payload[2:])


# A message is held whole (frames joined, then bytes/str made of it): about three times its size
# at the peak. On a board-sized heap (32 KB) 4 KB messages can fail to find room; 2 KB fit.
# CPython on a host: the app's max_body.
DEFAULT_MAX_SIZE = 2048 if IS_MICROPYTHON else 1 << 30


def _unmask(data: "bytes | bytearray", mask: bytes) -> bytearray:
    """XOR data with the 4-byte mask, in blocks through big ints: C speed on MicroPython, and
    never more than a few blocks of heap."""
    n = len(data)
    out = data if isinstance(data, bytearray) else bytearray(data)
    if n <= 16:
        for i in range(n):
            out[i] ^= mask[i & 3]
        return out
    key = int.from_bytes(mask * (_BLOCK // 4), "big")
    view = memoryview(out)
    for at in range(0, n, _BLOCK):
        size = min(_BLOCK, n - at)
        k = key if size == _BLOCK else key >> ((_BLOCK - size) * 8)
        view[at : at + size] = (int.from_bytes(view[at : at + size], "big") ^ k).to_bytes(size, "big")
    return out


def _utf8(data: "bytes | bytearray") -> str:
    """Decode text strictly; invalid UTF-8 fails the connection with 1007."""
    try:
        text = str(data, "utf-8")
    except UnicodeError:
        raise _Fail(1007, "invalid UTF-8")
    if IS_MICROPYTHON and len(text) != len(data):
        _strict_utf8(data)  # MicroPython lets overlong forms and surrogates through
    return text


def _strict_utf8(data: "bytes | bytearray") -> None:
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        if 0xC2 <= b <= 0xDF:
            i += 2
            continue
        second = data[i + 1] if i + 1 < n else 0
        if b == 0xE0 and second < 0xA0 or b == 0xED and second > 0x9F:
            raise _Fail(1007, "invalid UTF-8")
        if 0xE0 <= b <= 0xEF:
            i += 3
            continue
        if b == 0xF0 and second < 0x90 or b == 0xF4 and second > 0x8F or b > 0xF4:
            raise _Fail(1007, "invalid UTF-8")
        if b >= 0xF0:
            i += 4
            continue
        raise _Fail(1007, "invalid UTF-8")
