"""The Response a handler fills in: status, headers, and a body sent once or streamed."""

from ._compat import IS_MICROPYTHON, READY, TYPE_CHECKING, const
from .headers import check_header, date_now, http_date
from .status import reason_for

if TYPE_CHECKING:
    from typing import Any, Awaitable

    from .connection import Connection
    from .request import Request

__all__ = ("Response", "http_date", "check_header")  # a constant tuple: no list on the heap

_NOT_STARTED = const(0)
_STREAM_CHUNKED = const(1)  # HTTP/1.1 with no Content-Length: chunked transfer coding
_STREAM_RAW = const(2)  # the handler set Content-Length, or HTTP/1.0 (body ends when we close)
_DONE = 3
_STARTED = const("response already started")


class Response:
    # Per-response state starts as these class defaults: fewer instance slots, less heap per request.
    status = 200
    reason: "str | None" = None
    bytes_sent = 0
    _mode = _NOT_STARTED
    # Whether the head has gone out (or the response is over): True whenever _mode is not
    # _NOT_STARTED. An attribute, not a property: a class with a property makes every attribute
    # load and store on its instances look the class up for descriptors first (MicroPython).
    started = False
    _has_length = False  # the handler set Content-Length
    _has_type = False  # the handler set Content-Type

    _held: "Any" = None  # the first body part, held to compute Content-Length
    # (name, value) pairs in the order added: the class's empty tuple until the first one, then a list.
    headers: "list[tuple[str, str]] | tuple[()]" = ()
    keep_alive = True
    head_only = False
    _write_timeout: "float | None" = None

    def __init__(self, conn: "Connection", request: "Request | None") -> None:
        # Two attributes set per response; everything else is a class default until it changes.
        self.conn = conn
        self.request = request
        if request is None:
            self.keep_alive = False
        else:
            if not request.keep_alive:
                self.keep_alive = False
            if request.method == "HEAD":
                self.head_only = True

    # -- the seed API --------------------------------------------------------------------------

    # (Each setter checks `started` itself: a helper would be one more call per header, and one
    # more function object in the heap.)

    def set_status_code(self, status: int) -> None:
        if self.started:
            raise RuntimeError(_STARTED)
        self.status = int(status)

    def set_reason_phrase(self, reason: str) -> None:
        if self.started:
            raise RuntimeError(_STARTED)
        check_header("x", reason)
        self.reason = reason

    def add_header(self, name: str, value: "Any") -> None:
        """Append a header; a name may repeat (Set-Cookie)."""
        if self.started:
            raise RuntimeError(_STARTED)
        if not isinstance(value, str):
            value = str(value)
        check_header(name, value)
        # The handler's own Content-Type or Content-Length, in any spelling: finish() adds neither.
        n = len(name)
        if n == 12 and (name == "Content-Type" or name.lower() == "content-type"):
            self._has_type = True
        elif n == 14 and (name == "Content-Length" or name.lower() == "content-length"):
            self._has_length = True
        headers = self.headers
        if not headers:
            headers = self.headers = []
        headers.append((name, value))

    def _add(self, name: str, value: str) -> None:
        if not self.headers:
            self.headers = []
        self.headers.append((name, value))

    def set_header(self, name: str, value: "Any") -> None:
        """Replace every header of this name with one value."""
        if self.started:
            raise RuntimeError(_STARTED)
        lower = name.lower()
        self.headers = [h for h in self.headers if h[0].lower() != lower]
        self.add_header(name, value)

    def get_header(self, name: str) -> "str | None":
        lower = name.lower()
        for h in self.headers:
            if h[0].lower() == lower:
                return h[1]
        return None

    def send(self, data: "Any" = b"") -> "Awaitable[None]":
        """Send body bytes (str is UTF-8 encoded); await what it returns. One call: a response with
        Content-Length. From the second call on (or after start_stream()) the body streams.
        (Not a coroutine function: the usual single send() only keeps the body for finish(), and
        returns an awaitable that is done at once, so that no coroutine is made for it.)"""
        if isinstance(data, str):
            data = data.encode()
        elif not isinstance(data, bytes) and (self.request is None or data is not self.request._body):
            data = bytes(data)  # the caller may reuse its buffer after we return (not req.body())
        mode = self._mode
        if mode == _DONE:
            raise RuntimeError("response already finished")
        if mode == _NOT_STARTED and self._held is None:
            self._held = data
            return READY  # (done at once: no coroutine for the usual single send)
        return self.write(data)

    async def start_stream(self) -> None:
        """Send the head now and stream whatever follows (event streams, long downloads)."""
        if self._mode != _NOT_STARTED:
            return
        held = self._held
        if self._has_length or self._no_body():
            mode = _STREAM_RAW
        elif self.request is not None and self.request.version == 11:
            mode = _STREAM_CHUNKED
            self._add("Transfer-Encoding", "chunked")
        else:
            mode = _STREAM_RAW
            self.keep_alive = False  # the body ends when the connection does
        self._default_content_type(not self._no_body())
        out = self._head(None)  # before the response counts as started (see finish_now)
        self._mode = mode
        self.started = True
        self._held = None
        self.conn.write(out)
        if held:
            await self._write_body(held)
        else:
            await self.conn.drain(self._timeout())

    async def _write_body(self, data: bytes) -> None:
        if not data or self.head_only or self._no_body():
            return
        if self._mode == _STREAM_CHUNKED:
            if len(data) <= 128:  # small writes in a row meet Nagle and delayed ACKs: make it one
                chunk = bytearray(("%x\r\n" % len(data)).encode())
                chunk += data
                chunk += b"\r\n"
                self.conn.write(chunk)
            else:
                self.conn.write(("%x\r\n" % len(data)).encode())
                self.conn.write(data)
                self.conn.write(b"\r\n")
        else:
            self.conn.write(data)
        self.bytes_sent += len(data)
        await self.conn.drain(self._timeout())

    async def write(self, data: "Any") -> None:
        """Stream data (bytes, bytearray or memoryview) without copying it: starts the stream if
        needed and returns once it is handed to the socket, so the caller may reuse its buffer."""
        if self._mode == _DONE:
            raise RuntimeError("response already finished")
        await self.start_stream()
        await self._write_body(data)

    def send_file(self, path: str, **options: "Any") -> "Awaitable[None]":
        """Send a file from the filesystem (uht.static: type, ETag, ranges, gzip; see docs/static.md);
        await what it returns (uht.static's coroutine: one for the call, not two)."""
        from .static import send_file

        return send_file(self, path, req=self.request, **options)

    def set_cookie(self, name: str, value: str = "", **attributes: "Any") -> None:
        """Add a Set-Cookie header (uht.cookies: max_age, expires, path, domain, secure, http_only,
        same_site)."""
        from .cookies import set_cookie

        set_cookie(self, name, value, **attributes)

    def delete_cookie(self, name: str, **attributes: "Any") -> None:
        from .cookies import delete_cookie

        delete_cookie(self, name, **attributes)

    async def send_json(self, obj: "Any") -> None:
        import json

        if not self._has_type:
            self.add_header("Content-Type", "application/json")
        await self.send(json.dumps(obj))

    def redirect(self, url: str, status: int = 302) -> None:
        """Answer with a redirect to url when the handler returns."""
        self.set_status_code(status)
        self.set_header("Location", url)

    # -- finishing -----------------------------------------------------------------------------

    def _timeout(self) -> "float | None":
        if self._write_timeout is not None:
            return self._write_timeout
        server = self.conn.server
        return None if server is None else server.write_timeout

    async def finish(self) -> None:
        """Called by the server after the handler returns: send what is still unsent."""
        if self.finish_now():
            await self.conn.flush(self._timeout())

    def finish_now(self) -> bool:
        """finish() up to the wait for the socket: True when something was written."""
        mode = self._mode
        if mode == _NOT_STARTED:
            body = self._held or b""
            no_body = self.status != 200 and self._no_body()  # (200, the usual status, has a body)
            if not no_body and not self._has_type:
                self._default_content_type(bool(body))
            # Built before the response counts as started: should the head not fit in the heap,
            # nothing has gone out and the server can still answer 503.
            out = self._head(None if no_body or self._has_length else len(body))
            if not body or self.head_only or no_body:
                body = b""
            elif len(body) <= 1024:  # one write, one segment: cheaper than two for small bodies
                out += body
                self.bytes_sent = len(body)
                body = b""
            self._mode = _DONE
            self.started = True
            self._held = None
            self.conn.write(out)
            if body:
                self.bytes_sent = len(body)
                self.conn.write(body)
            return True
        self._mode = _DONE
        self.started = True
        if mode == _STREAM_CHUNKED and not self.head_only:
            self.conn.write(b"0\r\n\r\n")
        elif mode == _DONE:
            return False
        return True

    def _no_body(self) -> bool:
        status = self.status
        return status < 200 or status == 204 or status == 304

    def _default_content_type(self, has_body: bool) -> None:
        if has_body and not self._has_type:
            self._add("Content-Type", "text/plain; charset=utf-8")

    def _head(self, length: "int | None") -> bytearray:
        """The status line and headers (with Content-Length when given), in the connection's
        output buffer: reused by every response it carries (what is written is copied by the
        stream when it cannot go out at once), so a head costs no allocation once it has grown."""
        out = self.conn.out
        if self.status == 200 and self.reason is None:
            out[:] = b"HTTP/1.1 200 OK\r\n"  # (the usual status line: no call to find it)
        else:
            out[:] = _status_line(self.status, self.reason)
        for name, value in self.headers:
            _append_field(out, name, value)
        if length is not None:
            # Content-Length in decimal, appended digit by digit: formatting it would allocate.
            out += b"Content-Length: "
            unit = 1
            while unit * 10 <= length:
                unit *= 10
            while unit:
                out.append(48 + length // unit % 10)
                unit //= 10
            out += b"\r\n"
        if not self.keep_alive:
            out += b"Connection: close\r\n"
        elif self.request is not None and self.request.version == 10:
            out += b"Connection: keep-alive\r\n"
        date = date_now()
        if date is not None:
            out += b"Date: "
            out += date
            out += b"\r\n"
        out += b"\r\n"
        return out


# The usual status lines as constants (in flash when frozen); others are made for the response.
# (200 without a reason of its own is written by Response._head itself: it never asks here.)
_STATUS_LINES = const(
    (
        (404, b"HTTP/1.1 404 Not Found\r\n"),
        (204, b"HTTP/1.1 204 No Content\r\n"),
        (302, b"HTTP/1.1 302 Found\r\n"),
        (304, b"HTTP/1.1 304 Not Modified\r\n"),
        (101, b"HTTP/1.1 101 Switching Protocols\r\n"),
    )
)


def _status_line(status: int, reason: "str | None") -> bytes:
    if reason is None:
        for code, line in _STATUS_LINES:
            if code == status:
                return line
        reason = reason_for(status)
    return ("HTTP/1.1 %d %s\r\n" % (status, reason)).encode()


if IS_MICROPYTHON:

    def _append_field(out: bytearray, name: str, value: str) -> None:
        """`name: value` and its line end. (MicroPython appends a str's UTF-8 bytes to a bytearray
        without an intermediate copy.)"""
        # The same bytearray, typed Any: MicroPython's bytearray takes a str through its buffer
        # protocol, which CPython's, and so typeshed's, does not have.
        buf: "Any" = out
        buf += name
        buf += b": "
        buf += value
        buf += b"\r\n"

else:

    def _append_field(out: bytearray, name: str, value: str) -> None:
        out += name.encode() + b": " + value.encode() + b"\r\n"
