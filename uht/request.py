"""Parsing a request head, and the Request object handlers receive (body reading included)."""

from .connection import ClientGone
from .headers import Headers
from .status import HTTPError
from .urlcodec import parse_qs, unquote

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_MAX_CHUNK_LINE = 256  # chunk-size line, extensions included
_CHUNKED = -1


def _digits(value: str, hex_digits: bool = False) -> int:
    """Strict unsigned integer: MicroPython's int() accepts '+5', ' 12 ' and '1_0'; HTTP does not."""
    if not value or len(value) > 15:
        raise HTTPError(400, "bad length")
    for ch in value:
        if not ("0" <= ch <= "9" or hex_digits and ("a" <= ch <= "f" or "A" <= ch <= "F")):
            raise HTTPError(400, "bad length")
    return int(value, 16 if hex_digits else 10)


class Request:
    """What a handler gets: method, path, query, headers, remote_addr, and the body on demand."""

    def __init__(self, server, conn, method: str, raw_target: bytes, version: int, headers: Headers) -> None:  # type: ignore[no-untyped-def]
        self.server = server
        self.conn = conn
        self.method = method
        self.version = version  # 10 or 11
        self.headers = headers
        self.remote_addr = conn.remote_addr
        self.params: dict = {}  # path parameters by name, also passed positionally to handlers
        self.max_body = server.max_body
        qmark = raw_target.find(b"?")
        raw_path = raw_target if qmark < 0 else raw_target[:qmark]
        self.query_string = b"" if qmark < 0 else raw_target[qmark + 1 :]
        self._query: "dict | None" = None
        self.segments, self.path = _decode_path(raw_path)
        self.keep_alive = _wants_keep_alive(version, headers)
        self._body: "bytes | None" = None
        self._remaining = 0  # body bytes left: a count, or _CHUNKED
        self._chunk_left = 0
        self._expect_continue = False
        self._frame_body(headers)

    def __repr__(self) -> str:
        return "<Request %s %s>" % (self.method, self.path)

    # -- query ---------------------------------------------------------------------------------

    @property
    def query(self) -> dict:
        if self._query is None:
            try:
                self._query = parse_qs(self.query_string)
            except ValueError:
                raise HTTPError(400, "bad query string")
        return self._query  # type: ignore[return-value]

    # -- body framing --------------------------------------------------------------------------

    def _frame_body(self, headers: Headers) -> None:
        te = headers.get("transfer-encoding")
        cl = headers.get("content-length")
        if te is not None:
            if cl is not None or self.version == 10:
                raise HTTPError(400, "ambiguous body length")  # request smuggling attempt
            if te.strip().lower() != "chunked":
                raise HTTPError(501, "unsupported transfer-encoding")
            self._remaining = _CHUNKED
        elif cl is not None:
            values = [v.strip() for v in cl.split(",")]
            for v in values:
                if v != values[0]:
                    raise HTTPError(400, "conflicting content-length")
            self._remaining = _digits(values[0])
        expect = headers.get("expect")
        if expect is not None:
            if expect.lower() != "100-continue":
                raise HTTPError(417)
            self._expect_continue = self._remaining != 0 and self.version == 11

    @property
    def content_length(self):  # type: ignore[no-untyped-def]
        """The declared body length; None for a chunked body."""
        cl = self.headers.get("content-length")
        return None if cl is None else int(cl.split(",")[0])

    def body_pending(self) -> bool:
        return self._remaining != 0

    async def _continue(self) -> None:
        if self._expect_continue:
            self._expect_continue = False
            self.conn.write(_CONTINUE)
            await self.conn.drain(self.server.write_timeout_ms)

    async def _read_raw(self, n: int) -> bytes:
        conn = self.conn
        conn.arm(self.server.body_timeout_ms)
        try:
            return await conn.read_some(n)
        except ClientGone:
            raise HTTPError(400, "body ended early")
        finally:
            conn.disarm()

    async def read(self, n: int = 4096) -> bytes:
        """Up to n bytes of the body (chunked bodies decoded); b"" once it is all read.

        Streaming reads are bounded only by n: use them for bodies larger than max_body."""
        if self._remaining == 0 or n <= 0:
            return b""
        await self._continue()
        if self._remaining == _CHUNKED:
            return await self._read_chunked(n)
        data = await self._read_raw(min(n, self._remaining))
        self._remaining -= len(data)
        return data

    async def _read_chunked(self, n: int) -> bytes:
        if self._chunk_left == 0:
            size = await self._chunk_size()
            if size == 0:
                await self._skip_trailers()
                self._remaining = 0
                return b""
            self._chunk_left = size
        data = await self._read_raw(min(n, self._chunk_left))
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            if await self._line(2) != b"":
                raise HTTPError(400, "bad chunk end")
        return data

    async def _line(self, limit: int) -> bytes:
        conn = self.conn
        conn.arm(self.server.body_timeout_ms)
        try:
            return await conn.read_line(limit)
        except ClientGone:
            raise HTTPError(400, "body ended early")
        finally:
            conn.disarm()

    async def _chunk_size(self) -> int:
        line = await self._line(_MAX_CHUNK_LINE)
        semi = line.find(b";")
        if semi >= 0:
            line = line[:semi]
        try:
            text = str(line, "utf-8")
        except UnicodeError:
            raise HTTPError(400, "bad chunk size")
        return _digits(text, True)

    async def _skip_trailers(self) -> None:
        budget = self.server.max_header_bytes
        while True:
            line = await self._line(budget)
            if not line:
                return
            budget -= len(line)
            if budget <= 0:
                raise HTTPError(431)

    async def body(self) -> bytes:
        """The whole body, buffered; over `max_body` (the server's, or the route's) -> 413."""
        if self._body is not None:
            return self._body
        limit = self.max_body
        if self._remaining > limit:
            raise HTTPError(413)
        parts = []
        size = 0
        while True:
            part = await self.read(4096)
            if not part:
                break
            size += len(part)
            if size > limit:
                raise HTTPError(413)
            parts.append(part)
        body = parts[0] if len(parts) == 1 else b"".join(parts)
        self._body = body
        return body

    async def text(self) -> str:
        try:
            return str(await self.body(), "utf-8")
        except UnicodeError:
            raise HTTPError(400, "body is not UTF-8")

    async def json(self):  # type: ignore[no-untyped-def]
        import json

        try:
            return json.loads(await self.text())
        except ValueError:
            raise HTTPError(400, "invalid JSON")

    async def form(self) -> dict:
        try:
            return parse_qs(await self.body())
        except ValueError:
            raise HTTPError(400, "bad form encoding")

    async def discard_body(self, limit: int) -> bool:
        """Read and drop up to `limit` unread body bytes so the connection can carry another
        request; False when the body is larger or the client was never told to send it."""
        if self._remaining == 0:
            return True
        if self._expect_continue:
            return False
        if self._remaining != _CHUNKED and self._remaining > limit:
            return False
        while limit > 0:
            part = await self.read(min(limit, 1024))
            if not part:
                return True
            limit -= len(part)
        return self._remaining == 0


def _wants_keep_alive(version: int, headers: Headers) -> bool:
    if headers.has_token("connection", "close"):
        return False
    return version == 11 or headers.has_token("connection", "keep-alive")


def _decode_path(raw_path: bytes):  # type: ignore[no-untyped-def]
    """Split on '/' first, then percent-decode each segment, so %2F stays inside a segment."""
    try:
        if b"%" not in raw_path:
            path = str(raw_path, "utf-8")
            return path.split("/")[1:], path
        segments = [unquote(s) for s in raw_path.split(b"/")[1:]]
    except (ValueError, UnicodeError):
        raise HTTPError(400, "bad path encoding")
    return segments, "/" + "/".join(segments)


def _parse_request_line(line: bytes):  # type: ignore[no-untyped-def]
    parts = line.split(b" ")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise HTTPError(400, "bad request line")
    method_raw, target, proto = parts
    if not method_raw.isalpha() or not method_raw.isupper():
        raise HTTPError(400, "bad method")
    if proto == b"HTTP/1.1":
        version = 11
    elif proto == b"HTTP/1.0":
        version = 10
    elif proto.startswith(b"HTTP/") and len(proto) == 8 and proto[6] == 46:  # '.'
        if not (48 <= proto[5] <= 57 and 48 <= proto[7] <= 57):
            raise HTTPError(400, "bad protocol")
        if proto[5] != 49:  # major version other than 1
            raise HTTPError(505)
        version = 11
    else:
        raise HTTPError(400, "bad protocol")
    method = str(method_raw, "utf-8")
    if target[0] != 47:  # '/'
        target = _origin_form(method, target)
    if b"\x00" in target or b"#" in target:
        raise HTTPError(400, "bad target")
    return method, target, version


def _origin_form(method: str, target: bytes) -> bytes:
    if target == b"*" and method == "OPTIONS":
        return target
    lower = target[:8].lower()
    if lower.startswith(b"http://") or lower.startswith(b"https://"):
        slash = target.find(b"/", lower.find(b"//") + 2)
        return b"/" if slash < 0 else target[slash:]
    raise HTTPError(400, "bad target")


def _parse_header_lines(lines: list, max_headers: int) -> Headers:
    headers = Headers()
    if len(lines) > max_headers:
        raise HTTPError(431, "too many headers")
    for line in lines:
        if line and line[-1] == 13:  # CR of a CRLF ending
            line = line[:-1]
        colon = line.find(b":")
        if colon <= 0 or line[0] in (32, 9):  # no name, or obsolete line folding
            raise HTTPError(400, "bad header line")
        name = line[:colon]
        if b" " in name or b"\t" in name or b"\r" in line or b"\x00" in line:
            raise HTTPError(400, "bad header line")
        try:
            headers.add(str(name, "utf-8"), str(line[colon + 1 :], "utf-8").strip())
        except UnicodeError:
            raise HTTPError(400, "header is not UTF-8")
    return headers


def parse_head(server, conn, head: bytes) -> Request:  # type: ignore[no-untyped-def]
    """Build a Request from a complete head (request line and header lines, no blank line)."""
    lines = head.split(b"\n")
    line = lines[0]
    if line and line[-1] == 13:
        line = line[:-1]
    method, target, version = _parse_request_line(line)
    headers = _parse_header_lines(lines[1:], server.max_headers)
    host = headers.get("host")
    if version == 11 and (host is None or "," in host):
        raise HTTPError(400, "missing or repeated Host header")
    return Request(server, conn, method, target, version, headers)
