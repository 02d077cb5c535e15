"""Reading request bodies: Content-Length and chunked framing, limits, JSON and forms.

Imported on first use by Request's body methods, so apps that never read a body never load it.
It imports nothing from uht/request.py: the request reaches down to it, never the other way.
"""

from ._compat import TYPE_CHECKING, const, sleep_ms
from .connection import ClientGone
from .headers import name_is_token, text_is_bad
from .status import HTTPError
from .urlcodec import parse_qs

if TYPE_CHECKING:
    from typing import Any

    from .connection import Connection
    from .request import Request

CHUNKED = -1  # Request._remaining for a chunked body
_CONTINUE = const(b"HTTP/1.1 100 Continue\r\n\r\n")
_MAX_CHUNK_LINE = const(256)  # chunk-size line, extensions included
# A body buffer the heap has no room for is tried again every 20 ms, this many times (a second),
# before the 503: connections that are finishing (lingering, or closed by their client and not yet
# noticed) free theirs meanwhile, as a newcomer waits at accept (uht/_listen.py) and a head does.
_ROOM_TRIES = const(50)


def digits(value: "str | bytes", hex_digits: bool = False) -> int:
    """Strict unsigned integer: MicroPython's int() accepts '+5', ' 12 ' and '1_0'; HTTP does not."""
    if not value or len(value) > 15:
        raise HTTPError(400, "bad length")
    for ch in value if isinstance(value, bytes) else value.encode():
        if not (48 <= ch <= 57 or hex_digits and (97 <= ch <= 102 or 65 <= ch <= 70)):
            raise HTTPError(400, "bad length")
    return int(value, 16 if hex_digits else 10)


async def _send_continue(req: "Request") -> None:
    if req._expect_continue:
        req._expect_continue = False
        req.conn.write(_CONTINUE)
        await req.conn.drain(req.server.write_timeout)


async def _raw(req: "Request", n: int, line: bool = False, status: int = 400) -> bytes:
    """n bytes at most from the connection (or one line of at most n), under the body timeout."""
    conn = req.conn
    conn.arm(req.server.body_timeout)
    try:
        if line:
            return await read_line(conn, n, status)
        if conn.start == conn.end:
            conn.start = conn.end = 0
            try:
                await conn.fill(len(conn.buf))
            except ClientGone:
                if conn.expired is not None:
                    raise  # cut by uht: the same as a client that went away
                raise HTTPError(400, "body ended early")
        return conn.take(n)
    finally:
        conn.disarm()


async def read_line(conn: "Connection", limit: int, status: int = 400) -> bytes:
    """One line without its line ending (CRLF or bare LF); longer than `limit` -> HTTPError."""
    scanned = conn.start
    while True:
        nl = conn.buf.find(b"\n", scanned, conn.end)
        if nl >= 0:
            line_end = nl - 1 if nl > conn.start and conn.buf[nl - 1] == 13 else nl
            line = bytes(conn.view[conn.start : line_end])
            conn.start = nl + 1
            if len(line) > limit:
                raise HTTPError(status)
            return line
        if conn.end - conn.start > limit + 1:
            raise HTTPError(status)
        seen = conn.end - conn.start  # compaction in fill() moves start: keep it relative
        try:
            await conn.fill(seen + limit + 2)
        except OverflowError:
            raise HTTPError(status)
        except ClientGone:
            if conn.expired is not None:
                raise
            raise HTTPError(400, "body ended early")
        scanned = conn.start + seen


async def read(req: "Request", n: int) -> bytes:
    if req._remaining == 0 or n <= 0:
        return b""
    try:
        await _send_continue(req)
        if req._remaining == CHUNKED:
            return await _read_chunked(req, n)
        data = await _raw(req, min(n, req._remaining))
        req._remaining -= len(data)
        return data
    except (HTTPError, ClientGone):
        # The body's framing is broken: nothing more can be read from this connection.
        req._remaining = 0
        req.keep_alive = False
        raise


async def _read_chunked(req: "Request", n: int) -> bytes:
    if req._chunk_left == 0:
        size = await _chunk_size(req)
        if size == 0:
            await _skip_trailers(req)
            req._remaining = 0
            return b""
        req._chunk_left = size
    data = await _raw(req, min(n, req._chunk_left))
    req._chunk_left -= len(data)
    if req._chunk_left == 0 and await _raw(req, 2, True) != b"":
        raise HTTPError(400, "bad chunk end")
    return data


async def _chunk_size(req: "Request") -> int:
    line = await _raw(req, _MAX_CHUNK_LINE, True)
    semi = line.find(b";")
    if semi >= 0:
        line = line[:semi]
    return digits(line, True)


def fields_are_bad(block: bytes) -> bool:
    """Whether a block of field lines is malformed. `block` starts with the LF that ends the line
    before the first field and ends with the last field's line end."""
    if text_is_bad(block):
        return True
    pos = 1
    size = len(block)
    while pos < size:
        eol = block.find(b"\n", pos)
        if not name_is_token(block, pos, block.find(b":", pos, eol)):
            return True
        pos = eol + 1
    return False


async def _skip_trailers(req: "Request") -> None:
    """Trailer fields are read and dropped, with the same syntax rules as header fields."""
    budget = req.server.max_header_bytes
    while True:
        line = await _raw(req, budget, True, 431)
        if not line:
            return
        if fields_are_bad(b"\n" + line + b"\n"):
            raise HTTPError(400, "bad trailer field")
        budget -= len(line)
        if budget <= 0:
            raise HTTPError(431)


async def body(req: "Request") -> "bytes | bytearray":
    if req._body is not None:
        return req._body
    limit = req.max_body
    if req._remaining > limit:
        raise HTTPError(413)
    if req._remaining > 0:
        data: "bytes | bytearray" = await _read_exactly(req, req._remaining)
    else:
        data = await _read_chunked_body(req, limit)
    req._body = data
    return data


def _no_room(req: "Request") -> HTTPError:
    """A body the heap cannot hold is the server's condition, not the handler's bug: 503, try
    again later, and the connection closes (the body stays unread)."""
    req.keep_alive = False
    return HTTPError(503, "no memory for the body", [("Retry-After", "1")])


async def _read_exactly(req: "Request", n: int) -> bytearray:
    """A Content-Length body straight into one buffer allocated up front: no parts to join, so
    the heap needs one block of the body's size, once (it is a bytearray: bytes-like)."""
    tries = _ROOM_TRIES
    while True:
        try:
            out = bytearray(n)
            break
        except OverflowError:  # past a 32-bit board's machine word
            raise _no_room(req)
        except MemoryError:
            tries -= 1
            if not tries:
                raise _no_room(req)
        await sleep_ms(20)
    await _send_continue(req)
    view = memoryview(out)
    conn = req.conn
    pos = min(conn.end - conn.start, n)  # what arrived with the head
    view[:pos] = conn.view[conn.start : conn.start + pos]
    conn.start += pos
    if conn.start == conn.end:
        conn.start = conn.end = 0
    timeout = req.server.body_timeout
    try:
        while pos < n:
            conn.arm(timeout)
            got = await conn.readinto(view[pos:])
            if not got:
                req.keep_alive = False
                raise HTTPError(400, "body ended early")
            pos += got
    except ClientGone:
        req.keep_alive = False
        raise
    finally:
        conn.disarm()
        req._remaining = n - pos
    return out


async def _read_chunked_body(req: "Request", limit: int) -> bytes:
    parts = []
    size = 0
    try:
        while True:
            part = await read(req, 4096)
            if not part:
                break
            size += len(part)
            if size > limit:
                raise HTTPError(413)
            parts.append(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    except MemoryError:
        parts = []
        raise _no_room(req)


async def text(req: "Request") -> str:
    try:
        return str(await body(req), "utf-8")
    except UnicodeError:
        raise HTTPError(400, "body is not UTF-8")


async def json(req: "Request") -> "Any":
    from json import loads

    try:
        return loads(await text(req))
    except ValueError:
        raise HTTPError(400, "invalid JSON")


async def form(req: "Request") -> dict:
    try:
        return parse_qs(await body(req))
    except ValueError:
        raise HTTPError(400, "bad form encoding")


async def discard(req: "Request", limit: int) -> bool:
    """Read and drop the unread body so the connection can carry another request; False when
    it cannot be (see Request.can_discard)."""
    if not req.can_discard(limit):
        return False
    while req._remaining:
        await read(req, 1024)
    return True
