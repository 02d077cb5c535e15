"""Parsing a request head, and the Request object handlers receive.

The head is kept as the bytes it arrived as; parsing checks every field's syntax and picks out
the few fields the server needs (framing, connection, host) in one pass over its lines, without
building a dict. `req.headers` is built from those bytes the first time a handler asks for it,
and stays valid for as long as anything holds the request (the head bytes belong to it alone).
"""

from ._compat import TYPE_CHECKING, const
from .headers import name_is_token, text_is_bad
from .status import HTTPError

if TYPE_CHECKING:
    from typing import Any, Awaitable

    from .connection import Connection
    from .headermap import Headers

_CHUNKED = const(-1)  # = body.CHUNKED: Request._remaining for a chunked body
# The usual methods as constant strings: no str to allocate for them.
_METHODS = const(
    (
        ("GET", b"GET"),
        ("POST", b"POST"),
        ("HEAD", b"HEAD"),
        ("PUT", b"PUT"),
        ("DELETE", b"DELETE"),
        ("PATCH", b"PATCH"),
        ("OPTIONS", b"OPTIONS"),
    )
)


class Request:
    """What a handler gets: method, path, query, headers, remote_addr, and the body on demand.

    Four attributes are set per request (conn, _head, method, path); everything else is a class
    default until a request differs from it, or is derived on use (__getattr__): less heap per
    request."""

    _body: "bytes | bytearray | None" = None
    _remaining = 0  # body bytes left: a count, or _CHUNKED
    _chunk_left = 0
    _expect_continue = False
    _slash_in_segment = False  # a decoded '/' inside a segment (see lookup_path)
    _raw_query = ""
    keep_alive = True
    version = 11  # 10 or 11
    method: str  # (both set by parse_head, before it returns the request)
    path: str
    # Derived on first use by __getattr__ (not properties: a class with a property makes every
    # attribute store on its instances look the class up first, in MicroPython, and a request is
    # stored to a few times each). The first four are then kept; the others change with the
    # request (a body read, a route's max_body) and are derived on every use.
    headers: "Headers"  # names lower-case; repeated ones joined with ", "
    segments: list  # the decoded path segments (split before decoding: '%2F' stays inside one)
    query: dict
    cookies: dict  # parsed by uht.cookies
    max_body: int  # largest body body()/json()/form() read: the route's (set here), else the server's
    server: "Any"
    remote_addr: str
    lookup_path: "str | None"  # what literal routes are looked up by (None: a '/' decoded in a segment)
    has_body: bool  # whether body bytes remain unread
    query_string: bytes

    def __init__(self, conn: "Connection", head: bytes) -> None:
        self.conn = conn
        self._head = head

    if not TYPE_CHECKING:  # (mypy reads the annotations above, and flags any other name)

        def __getattr__(self, name):
            # Called only for a name neither the instance nor the class has.
            if name == "headers":
                from .headermap import HeadFields  # loaded by the first handler that asks

                head = self._head
                value = self.headers = HeadFields(head, head.find(b"\n") + 1)
            elif name == "segments":
                value = self.segments = self.path.split("/")[1:]
            elif name == "server":
                value = self.conn.server
            elif name == "max_body":
                value = self.conn.server.max_body
            elif name == "remote_addr":
                value = self.conn.remote_addr()
            elif name == "lookup_path":
                value = None if self._slash_in_segment else self.path
            elif name == "has_body":
                value = self._remaining != 0
            elif name == "query":
                from .urlcodec import parse_qs  # only for requests whose handler reads the query

                try:
                    value = self.query = parse_qs(self._raw_query.encode())
                except ValueError:
                    raise HTTPError(400, "bad query string")
            elif name == "query_string":
                value = self._raw_query.encode()
            elif name == "cookies":
                from .cookies import parse_cookies

                value = self.cookies = parse_cookies(self.headers.get("cookie") or "")
            else:
                raise AttributeError(name)
            return value

    def _set_target(self, target: str) -> None:
        qmark = target.find("?")
        if qmark >= 0:
            self._raw_query = target[qmark + 1 :]
            target = target[:qmark]
        if "%" in target:
            segments = self.segments = _decode_segments(target)
            path = "/" + "/".join(segments)
            self.path = path
            if len(segments) != path.count("/"):
                self._slash_in_segment = True
        else:
            self.path = target

    def can_discard(self, limit: int) -> bool:
        """Whether the unread body (if any) is small enough to skip so the connection can carry
        another request (a chunked one is of unknown size: no)."""
        return self._remaining == 0 or not self._expect_continue and 0 < self._remaining <= limit

    # Body reading lives in uht.body, imported on first use: GET-only apps never load it. These
    # are not coroutine functions: each returns uht.body's coroutine for the caller to await, so a
    # body read makes one coroutine, not two.

    def read(self, n: int = 4096) -> "Awaitable[bytes]":
        """Up to n bytes of the body (chunked bodies decoded); b"" once it is all read. Streaming
        reads are bounded only by n: use them for bodies larger than max_body."""
        from .body import read

        return read(self, n)

    def body(self) -> "Awaitable[bytes | bytearray]":
        """The whole body, buffered; over `max_body` (the server's, or the route's) -> 413."""
        from .body import body

        return body(self)

    def text(self) -> "Awaitable[str]":
        from .body import text

        return text(self)

    def json(self) -> "Awaitable[Any]":
        from .body import json

        return json(self)

    def form(self) -> "Awaitable[dict]":
        from .body import form

        return form(self)


def _decode_segments(path: str) -> list:
    """Split on '/' first, then percent-decode each segment, so %2F stays inside a segment."""
    from .urlcodec import unquote  # only for paths with a percent-escape

    try:
        return [unquote(s.encode()) for s in path.split("/")[1:]]
    except ValueError:
        raise HTTPError(400, "bad path encoding")


def _version(proto: bytes) -> int:
    digit = 48 <= proto[5] <= 57 and 48 <= proto[7] <= 57 if len(proto) == 8 else False
    if digit and proto.startswith(b"HTTP/") and proto[6] == 46:
        if proto[5] != 49:
            raise HTTPError(505)
        return 11
    raise HTTPError(400, "bad protocol")


def _origin_form(method: str, target: str) -> str:
    if target == "*" and method == "OPTIONS":
        return target
    lower = target[:8].lower()
    if lower.startswith("http://") or lower.startswith("https://"):
        slash = target.find("/", lower.find("//") + 2)
        return "/" if slash < 0 else target[slash:]
    raise HTTPError(400, "bad target")


def parse_head(conn: "Connection", head: bytes) -> Request:
    """Build a Request from a complete head: the request line and header lines, each with its
    line end (CRLF or LF), without the blank line. Every field's syntax is checked (RFC 9110:
    names are tokens, values hold no control character but HTAB) -> 400: the head as a whole
    here, each name in _frame's pass over the lines. (The request line is read here, not in a
    function of its own: a call less for every request.)"""
    if text_is_bad(head):
        raise HTTPError(400, "bad header field")
    eol = head.find(b"\n")
    req = Request(conn, head)
    line_end = eol - 1 if eol > 0 and head[eol - 1] == 13 else eol
    sp1 = head.find(b" ", 0, line_end)
    sp2 = head.find(b" ", sp1 + 1, line_end)
    if sp1 <= 0 or sp2 <= sp1 + 1 or head.find(b" ", sp2 + 1, line_end) >= 0:
        raise HTTPError(400, "bad request line")
    for name, raw in _METHODS:  # the usual methods: a constant str, nothing to decode
        if sp1 == len(raw) and head.startswith(raw):
            method = name
            break
    else:
        method = str(head[:sp1], "utf-8")
        if not method.isalpha() or not method.isupper():
            raise HTTPError(400, "bad method")
    req.method = method
    if line_end - sp2 != 9 or not head.startswith(b"HTTP/1.1", sp2 + 1):  # not the usual: look closer
        if line_end - sp2 == 9 and head.startswith(b"HTTP/1.0", sp2 + 1):
            req.version = 10
        elif _version(head[sp2 + 1 : line_end]) == 10:
            req.version = 10
    if sp2 == sp1 + 2 and head[sp1 + 1] == 47:
        req.path = "/"  # the index, as a constant
    else:
        target = str(head[sp1 + 1 : sp2], "utf-8")
        if target[0] != "/":
            target = _origin_form(method, target)
        if "#" in target:
            raise HTTPError(400, "bad target")
        req._set_target(target)
    if head.count(b"\n") - 1 > conn.server.max_headers:
        raise HTTPError(431, "too many headers")
    _frame(req, head, eol + 1)
    return req


def _named(head: bytes, pos: int, name: bytes) -> bool:
    """Whether the field at pos is called name (lower-case, same length): no slice, no copy."""
    for i in range(len(name)):
        if head[pos + i] | 32 != name[i]:  # ASCII letters fold to lower case; '-' stays
            return False
    return True


def _frame(req: Request, head: bytes, pos: int) -> None:
    """The fields the server acts on: body framing, Expect, Connection, Host. Only their values
    are sliced out; every other field costs two find()s."""
    length = te = connection = expect = None
    hosts = 0
    size = len(head)
    while pos < size:
        eol = head.find(b"\n", pos)
        colon = head.find(b":", pos, eol)
        n = colon - pos
        # "Host" and "Connection" as clients spell them are tokens: no byte-by-byte check for them.
        usual = n == 4 and head.startswith(b"Host", pos) or n == 10 and head.startswith(b"Connection", pos)
        if not usual and not name_is_token(head, pos, colon):
            raise HTTPError(400, "bad header field")
        if n == 4:
            if usual or _named(head, pos, b"host"):
                hosts += 1
                if head.find(b",", colon, eol) >= 0:
                    hosts += 1  # a list of hosts: as bad as two fields
        elif n == 14 or n == 17 or n == 10 or n == 6:
            end = eol - 1 if head[eol - 1] == 13 else eol
            if n == 14 and _named(head, pos, b"content-length"):
                for v in head[colon + 1 : end].split(b","):
                    v = v.strip()
                    if length is not None and v != length:
                        raise HTTPError(400, "conflicting content-length")
                    length = v
            elif n == 17 and _named(head, pos, b"transfer-encoding"):
                value = head[colon + 1 : end].strip()
                te = value if te is None else te + b", " + value
            elif n == 10 and (usual or _named(head, pos, b"connection")):
                value = head[colon + 1 : end].strip()
                connection = value if connection is None else connection + b"," + value
            elif n == 6 and _named(head, pos, b"expect"):
                expect = head[colon + 1 : end].strip()
        pos = eol + 1
    version = req.version  # (read once: a class default of a class with properties is a slow read)
    if version == 11 and hosts != 1:
        raise HTTPError(400, "missing or repeated Host header")
    if connection is None:
        if version == 10:
            req.keep_alive = False
    elif connection == b"close" or connection != b"keep-alive" and not _keep_alive(version, connection):
        req.keep_alive = False  # (the usual values need no call)
    if te is not None:
        if length is not None or version == 10:
            raise HTTPError(400, "ambiguous body length")  # request smuggling attempt
        if te.lower() != b"chunked":
            raise HTTPError(501, "unsupported transfer-encoding")
        req._remaining = _CHUNKED
    elif length is not None:
        from .body import digits

        req._remaining = digits(length)
    if expect is not None:
        if expect.lower() != b"100-continue":
            raise HTTPError(417)
        req._expect_continue = req._remaining != 0 and version == 11


def _keep_alive(version: int, value: bytes) -> bool:
    if value == b"close" or value == b"keep-alive":  # the usual values: no list to build
        return value != b"close"
    tokens = [t.strip().lower() for t in value.split(b",")]
    return b"close" not in tokens and (version == 11 or b"keep-alive" in tokens)
