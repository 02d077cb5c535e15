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

    def __init__(self, server, conn, method: str, target: str, version: int, headers: Headers) -> None:  # type: ignore[no-untyped-def]
        self.server = server
        self.conn = conn
        self.method = method
        self.version = version  # 10 or 11
        self.headers = headers
        self.remote_addr = conn.remote_addr
        self.max_body = server.max_body
        qmark = target.find("?")
        if qmark < 0:
            self._raw_query = ""
        else:
            self._raw_query = target[qmark + 1 :]
            target = target[:qmark]
        if "%" in target:
            self._segments = _decode_segments(target)
            self.path = "/" + "/".join(self._segments)
            # a decoded '/' inside a segment must not reach a literal route of that spelling
            self.lookup_path = self.path if len(self._segments) == self.path.count("/") else None
        else:
            self.path = self.lookup_path = target
        self.keep_alive = _wants_keep_alive(version, headers)
        self._frame_body(headers)

    _segments = None

    @property
    def segments(self) -> list:
        """The decoded path segments (split before decoding: '%2F' stays inside one)."""
        if self._segments is None:
            self._segments = self.path.split("/")[1:]
        return self._segments  # type: ignore[return-value]

    @property
    def cookies(self) -> dict:
        """Cookies sent with the request (parsed by uht.cookies on first use)."""
        from .cookies import get_cookies

        return get_cookies(self)

    @property
    def has_body(self) -> bool:
        """Whether body bytes remain unread."""
        return self._remaining != 0

    @property
    def query_string(self) -> bytes:
        return self._raw_query.encode()

    # -- query ---------------------------------------------------------------------------------

    @property
    def query(self) -> dict:
        if self._query is None:
            try:
                self._query = parse_qs(self._raw_query.encode())
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


def _decode_segments(path: str) -> list:
    """Split on '/' first, then percent-decode each segment, so %2F stays inside a segment."""
    try:
        return [unquote(s.encode()) for s in path.split("/")[1:]]
    except ValueError:
        raise HTTPError(400, "bad path encoding")


def _parse_request_line(line: str):  # type: ignore[no-untyped-def]
    parts = line.split(" ")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise HTTPError(400, "bad request line")
    method, target, proto = parts
    if not method.isalpha() or not method.isupper():
        raise HTTPError(400, "bad method")
    if proto == "HTTP/1.1":
        version = 11
    elif proto == "HTTP/1.0":
        version = 10
    elif (
        proto.startswith("HTTP/") and len(proto) == 8 and proto[6] == "." and proto[5].isdigit() and proto[7].isdigit()
    ):
        if proto[5] != "1":
            raise HTTPError(505)
        version = 11
    else:
        raise HTTPError(400, "bad protocol")
    if target[0] != "/":
        target = _origin_form(method, target)
    if "#" in target:
        raise HTTPError(400, "bad target")
    return method, target, version


def _origin_form(method: str, target: str) -> str:
    if target == "*" and method == "OPTIONS":
        return target
    lower = target[:8].lower()
    if lower.startswith("http://") or lower.startswith("https://"):
        slash = target.find("/", lower.find("//") + 2)
        return "/" if slash < 0 else target[slash:]
    raise HTTPError(400, "bad target")


def parse_head(server, conn, head: str) -> Request:  # type: ignore[no-untyped-def]
    """Build a Request from a complete head (request line and header lines, no blank line),
    already decoded as UTF-8. Headers are sliced out of the head without splitting it into lines:
    two small strings per header (a lower-cased name and a value)."""
    if "\x00" in head or head.count("\r") != head.count("\r\n") + (1 if head.endswith("\r") else 0):
        raise HTTPError(400, "NUL or bare CR in head")
    eol = head.find("\n")
    if eol < 0:
        eol = len(head)
    line_end = eol - 1 if eol > 0 and head[eol - 1] == "\r" else eol
    method, target, version = _parse_request_line(head[:line_end])
    headers = Headers()
    fields = headers._d
    lowered = None
    count = 0
    pos = eol + 1
    size = len(head)
    while pos < size:
        eol = head.find("\n", pos)
        if eol < 0:
            eol = size
        end = eol - 1 if head[eol - 1] == "\r" else eol
        colon = head.find(":", pos, end)
        first = head[pos]
        if colon <= pos or first == " " or first == "\t":  # no name, or obsolete line folding
            raise HTTPError(400, "bad header line")
        count += 1
        if count > server.max_headers:
            raise HTTPError(431, "too many headers")
        if lowered is None:
            lowered = head.lower()  # one copy serves every header name
        name = lowered[pos:colon]
        if " " in name or "\t" in name:
            raise HTTPError(400, "bad header line")
        value = head[colon + 1 : end]
        if value and (value[0] in " \t" or value[-1] in " \t"):
            value = value.strip()
        old = fields.get(name)
        fields[name] = value if old is None else old + ", " + value
        pos = eol + 1
    host = fields.get("host")
    if version == 11 and (host is None or "," in host):
        raise HTTPError(400, "missing or repeated Host header")
    return Request(server, conn, method, target, version, headers)
