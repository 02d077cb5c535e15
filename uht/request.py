"""Parsing a request head, and the Request object handlers receive (body reading included)."""

from .headers import Headers
from .status import HTTPError
from .urlcodec import parse_qs, unquote

_CHUNKED = -1  # Request._remaining for a chunked body


def digits(value: str, hex_digits: bool = False) -> int:
    """Strict unsigned integer: MicroPython's int() accepts '+5', ' 12 ' and '1_0'; HTTP does not."""
    if not value or len(value) > 15:
        raise HTTPError(400, "bad length")
    for ch in value:
        if not ("0" <= ch <= "9" or hex_digits and ("a" <= ch <= "f" or "A" <= ch <= "F")):
            raise HTTPError(400, "bad length")
    return int(value, 16 if hex_digits else 10)


class Request:
    """What a handler gets: method, path, query, headers, remote_addr, and the body on demand."""

    # Per-request state starts as these class defaults: fewer instance slots, less heap.
    _query = None
    _body = None
    _remaining = 0  # body bytes left: a count, or _CHUNKED
    _chunk_left = 0
    _expect_continue = False

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
        self.segments, self.path = _decode_path(raw_path)
        self.keep_alive = _wants_keep_alive(version, headers)
        self._frame_body(headers)

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
        fields = headers._d  # names are stored lower-case: skip get()'s .lower() on literals
        te = fields.get("transfer-encoding")
        cl = fields.get("content-length")
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
            self._remaining = digits(values[0])
        expect = fields.get("expect")
        if expect is not None:
            if expect.lower() != "100-continue":
                raise HTTPError(417)
            self._expect_continue = self._remaining != 0 and self.version == 11

    def can_discard(self, limit: int) -> bool:
        """Whether the unread body (if any) is small enough to skip so the connection can carry
        another request (a chunked one is of unknown size: no)."""
        return self._remaining == 0 or not self._expect_continue and 0 < self._remaining <= limit

    # Body reading lives in uht.body, imported on first use: GET-only apps never load it.

    async def read(self, n: int = 4096) -> bytes:
        """Up to n bytes of the body (chunked bodies decoded); b"" once it is all read. Streaming
        reads are bounded only by n: use them for bodies larger than max_body."""
        from .body import read

        return await read(self, n)

    async def body(self) -> bytes:
        """The whole body, buffered; over `max_body` (the server's, or the route's) -> 413."""
        from .body import body

        return await body(self)

    async def text(self) -> str:
        from .body import text

        return await text(self)

    async def json(self):  # type: ignore[no-untyped-def]
        from .body import json

        return await json(self)

    async def form(self) -> dict:
        from .body import form

        return await form(self)


def _wants_keep_alive(version: int, headers: Headers) -> bool:
    value = headers._d.get("connection")
    if value is None:
        return version == 11
    tokens = [t.strip().lower() for t in value.split(",")]
    return "close" not in tokens and (version == 11 or "keep-alive" in tokens)


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
    host = headers._d.get("host")
    if version == 11 and (host is None or "," in host):
        raise HTTPError(400, "missing or repeated Host header")
    return Request(server, conn, method, target, version, headers)
