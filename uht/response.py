"""The Response a handler fills in: status, headers, and a body sent once or streamed."""

import time

from ._compat import IS_MICROPYTHON, gmtime
from .status import reason_for

_NOT_STARTED = 0
_STREAM_CHUNKED = 1  # HTTP/1.1 with no Content-Length: chunked transfer coding
_STREAM_RAW = 2  # the handler set Content-Length, or HTTP/1.0 (body ends when we close)
_DONE = 3

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_date_cache = [-1, ""]  # (second, text) of the last Date header


def http_date(seconds=None):  # type: ignore[no-untyped-def]
    """IMF-fixdate for now (or `seconds`), or None while the clock is not set (no NTP yet)."""
    now = int(time.time()) if seconds is None else int(seconds)
    if now == _date_cache[0]:
        return _date_cache[1]
    t = gmtime(now)
    if t[0] < 2025 and seconds is None:
        return None
    text = "%s, %02d %s %d %02d:%02d:%02d GMT" % (_DAYS[t[6]], t[2], _MONTHS[t[1] - 1], t[0], t[3], t[4], t[5])
    if seconds is None:
        _date_cache[0] = now
        _date_cache[1] = text
    return text


def check_header(name: str, value: str) -> None:
    """Refuse header injection: no CR or LF anywhere, no separators in the name."""
    for bad in ("\r", "\n"):
        if bad in name or bad in value:
            raise ValueError("CR or LF in header")
    if not name or ":" in name or " " in name:
        raise ValueError("bad header name")


class Response:
    # Per-response state starts as these class defaults: fewer instance slots, less heap per request.
    status = 200
    reason = None
    bytes_sent = 0
    _held = None  # the first body part, held to compute Content-Length
    _mode = _NOT_STARTED
    _has_length = False  # the handler set Content-Length
    _has_type = False  # the handler set Content-Type

    def __init__(self, conn, request) -> None:  # type: ignore[no-untyped-def]
        self.conn = conn
        self.request = request
        self.headers: list = []  # [name, value] pairs in the order added
        if request is None:
            self.keep_alive = False
            self.head_only = False
            self._write_timeout = None
        else:
            self.keep_alive = request.keep_alive
            self.head_only = request.method == "HEAD"
            self._write_timeout = request.server.write_timeout

    # -- the seed API --------------------------------------------------------------------------

    def _check_not_started(self) -> None:
        if self._mode != _NOT_STARTED:
            raise RuntimeError("response already started")

    def set_status_code(self, status: int) -> None:
        self._check_not_started()
        self.status = int(status)

    def set_reason_phrase(self, reason: str) -> None:
        self._check_not_started()
        check_header("x", reason)
        self.reason = reason

    def add_header(self, name: str, value) -> None:  # type: ignore[no-untyped-def]
        """Append a header; a name may repeat (Set-Cookie)."""
        self._check_not_started()
        value = str(value)
        check_header(name, value)
        self._note(name, True)
        self.headers.append([name, value])

    def _note(self, name: str, present: bool) -> None:
        if len(name) == 14 and name.lower() == "content-length":
            self._has_length = present
        elif len(name) == 12 and name.lower() == "content-type":
            self._has_type = present

    def set_header(self, name: str, value) -> None:  # type: ignore[no-untyped-def]
        """Replace every header of this name with one value."""
        self._check_not_started()
        lower = name.lower()
        self.headers = [h for h in self.headers if h[0].lower() != lower]
        self.add_header(name, value)

    def get_header(self, name: str):  # type: ignore[no-untyped-def]
        lower = name.lower()
        for h in self.headers:
            if h[0].lower() == lower:
                return h[1]
        return None

    @property
    def started(self) -> bool:
        return self._mode != _NOT_STARTED

    async def send(self, data=b"") -> None:  # type: ignore[no-untyped-def]
        """Send body bytes (str is UTF-8 encoded). One call: a response with Content-Length.
        From the second call on (or after start_stream()) the body streams."""
        if isinstance(data, str):
            data = data.encode()
        elif not isinstance(data, bytes) and (self.request is None or data is not self.request._body):
            data = bytes(data)  # the caller may reuse its buffer after we return (not req.body())
        if self._mode == _DONE:
            raise RuntimeError("response already finished")
        if self._mode == _NOT_STARTED:
            if self._held is None:
                self._held = data
                return
            await self.start_stream()
        await self._write_body(data)

    async def start_stream(self) -> None:
        """Send the head now and stream whatever follows (event streams, long downloads)."""
        if self._mode != _NOT_STARTED:
            return
        held = self._held
        self._held = None
        if self._has_length or self._no_body():
            self._mode = _STREAM_RAW
        elif self.request.version == 11:
            self._mode = _STREAM_CHUNKED
            self.headers.append(["Transfer-Encoding", "chunked"])
        else:
            self._mode = _STREAM_RAW
            self.keep_alive = False  # the body ends when the connection does
        self._default_content_type(not self._no_body())
        self.conn.write(self._head())
        if held:
            await self._write_body(held)
        else:
            await self.conn.drain(self._write_timeout)

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
        await self.conn.drain(self._write_timeout)

    async def write(self, data) -> None:  # type: ignore[no-untyped-def]
        """Stream data (bytes, bytearray or memoryview) without copying it: starts the stream if
        needed and returns once it is handed to the socket, so the caller may reuse its buffer."""
        if self._mode == _DONE:
            raise RuntimeError("response already finished")
        await self.start_stream()
        await self._write_body(data)

    async def send_file(self, path: str, **options) -> None:  # type: ignore[no-untyped-def]
        """Send a file from the filesystem (uht.static: type, ETag, ranges, gzip; see docs/static.md)."""
        from .static import send_file

        await send_file(self, path, req=self.request, **options)

    def set_cookie(self, name: str, value: str = "", **attributes) -> None:  # type: ignore[no-untyped-def]
        """Add a Set-Cookie header (uht.cookies: max_age, expires, path, domain, secure, http_only,
        same_site)."""
        from .cookies import set_cookie

        set_cookie(self, name, value, **attributes)

    def delete_cookie(self, name: str, **attributes) -> None:  # type: ignore[no-untyped-def]
        from .cookies import delete_cookie

        delete_cookie(self, name, **attributes)

    async def send_json(self, obj) -> None:  # type: ignore[no-untyped-def]
        import json

        if not self._has_type:
            self.add_header("Content-Type", "application/json")
        await self.send(json.dumps(obj))

    def redirect(self, url: str, status: int = 302) -> None:
        """Answer with a redirect to url when the handler returns."""
        self.set_status_code(status)
        self.set_header("Location", url)

    # -- finishing -----------------------------------------------------------------------------

    async def finish(self) -> None:
        """Called by the server after the handler returns: send what is still unsent."""
        mode = self._mode
        self._mode = _DONE
        if mode == _NOT_STARTED:
            body = self._held or b""
            self._held = None
            if not self._no_body():
                if not self._has_length:
                    self.headers.append(["Content-Length", str(len(body))])
                self._default_content_type(bool(body))
            head = self._head()
            if body and not self.head_only and not self._no_body():
                self.bytes_sent = len(body)
                if len(body) <= 1024:  # one write, one segment: cheaper than two for small bodies
                    head += body
                    self.conn.write(head)
                else:
                    self.conn.write(head)
                    self.conn.write(body)
            else:
                self.conn.write(head)
        elif mode == _STREAM_CHUNKED and not self.head_only:
            self.conn.write(b"0\r\n\r\n")
        elif mode == _DONE:
            return
        await self.conn.flush(self._write_timeout)

    def _no_body(self) -> bool:
        return self.status < 200 or self.status in (204, 304)

    def _default_content_type(self, has_body: bool) -> None:
        if has_body and not self._has_type:
            self.headers.append(["Content-Type", "text/plain; charset=utf-8"])

    def _head(self):  # type: ignore[no-untyped-def]
        """The status line and headers, as one bytearray the body can be appended to."""
        status = self.status
        out = bytearray(_status_line(status, self.reason))
        for name, value in self.headers:
            _append(out, name)
            out += b": "
            _append(out, value)
            out += b"\r\n"
        if not self.keep_alive:
            out += b"Connection: close\r\n"
        elif self.request is not None and self.request.version == 10:
            out += b"Connection: keep-alive\r\n"
        date = http_date()
        if date is not None:
            out += b"Date: "
            _append(out, date)
            out += b"\r\n"
        out += b"\r\n"
        return out


_status_lines: dict = {}


def _status_line(status: int, reason) -> bytes:  # type: ignore[no-untyped-def]
    if reason is None:
        line = _status_lines.get(status)
        if line is None:
            line = _status_lines[status] = ("HTTP/1.1 %d %s\r\n" % (status, reason_for(status))).encode()
        return line
    return ("HTTP/1.1 %d %s\r\n" % (status, reason)).encode()


if IS_MICROPYTHON:

    def _append(out, text: str) -> None:  # type: ignore[no-untyped-def]
        out += text  # MicroPython appends a str's UTF-8 bytes without an intermediate copy

else:

    def _append(out, text: str) -> None:  # type: ignore[no-untyped-def]
        out += text.encode()
