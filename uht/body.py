"""Reading request bodies: Content-Length and chunked framing, limits, JSON and forms.

Imported on first use by Request's body methods, so apps that never read a body never load it.
"""

from .connection import ClientGone
from .request import _CHUNKED, digits
from .status import HTTPError
from .urlcodec import parse_qs

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_MAX_CHUNK_LINE = 256  # chunk-size line, extensions included


async def _send_continue(req) -> None:  # type: ignore[no-untyped-def]
    if req._expect_continue:
        req._expect_continue = False
        req.conn.write(_CONTINUE)
        await req.conn.drain(req.server.write_timeout)


async def _raw(req, n: int, line: bool = False, status: int = 400) -> bytes:  # type: ignore[no-untyped-def]
    """n bytes at most from the connection (or one line of at most n), under the body timeout."""
    conn = req.conn
    conn.arm(req.server.body_timeout)
    try:
        return await (read_line(conn, n, status) if line else conn.read_some(n))
    except ClientGone:
        raise HTTPError(400, "body ended early")
    finally:
        conn.disarm()


async def read_line(conn, limit: int, status: int = 400) -> bytes:
    """One line without its line ending (CRLF or bare LF); longer than `limit` -> HTTPError."""
    scanned = conn.start
    while True:
        nl = conn.buf.find(b"\n", scanned, conn.end)
        if nl >= 0:
            line_end = nl - 1 if nl > conn.start and conn.buf[nl - 1] == 13 else nl
            line = bytes(memoryview(conn.buf)[conn.start : line_end])
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
        scanned = conn.start + seen


async def read(req, n: int) -> bytes:  # type: ignore[no-untyped-def]
    if req._remaining == 0 or n <= 0:
        return b""
    try:
        await _send_continue(req)
        if req._remaining == _CHUNKED:
            return await _read_chunked(req, n)
        data = await _raw(req, min(n, req._remaining))
        req._remaining -= len(data)
        return data
    except HTTPError:
        # The body's framing is broken: nothing more can be read from this connection.
        req._remaining = 0
        req.keep_alive = False
        raise


async def _read_chunked(req, n: int) -> bytes:  # type: ignore[no-untyped-def]
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


async def _chunk_size(req) -> int:  # type: ignore[no-untyped-def]
    line = await _raw(req, _MAX_CHUNK_LINE, True)
    semi = line.find(b";")
    if semi >= 0:
        line = line[:semi]
    try:
        return digits(str(line, "utf-8"), True)
    except UnicodeError:
        raise HTTPError(400, "bad chunk size")


async def _skip_trailers(req) -> None:  # type: ignore[no-untyped-def]
    budget = req.server.max_header_bytes
    while True:
        line = await _raw(req, budget, True, 431)
        if not line:
            return
        budget -= len(line)
        if budget <= 0:
            raise HTTPError(431)


async def body(req) -> bytes:  # type: ignore[no-untyped-def]
    if req._body is not None:
        return req._body
    limit = req.max_body
    if req._remaining > limit:
        raise HTTPError(413)
    if req._remaining > 0:
        data = await _read_exactly(req, req._remaining)
    else:
        data = await _read_chunked_body(req, limit)
    req._body = data
    return data


async def _read_exactly(req, n: int):  # type: ignore[no-untyped-def]
    """A Content-Length body straight into one buffer allocated up front: no parts to join, so
    the heap needs one block of the body's size, once (it is a bytearray: bytes-like)."""
    await _send_continue(req)
    out = bytearray(n)
    view = memoryview(out)
    conn = req.conn
    pos = min(conn.end - conn.start, n)  # what arrived with the head
    view[:pos] = memoryview(conn.buf)[conn.start : conn.start + pos]
    conn.start += pos
    readinto = conn._readinto
    conn.arm(req.server.body_timeout)
    try:
        while pos < n:
            if readinto is not None:
                got = await readinto(view[pos:])
            else:
                chunk = await conn.reader.read(n - pos)
                got = len(chunk)
                view[pos : pos + got] = chunk
            if got is None:  # woken with nothing to read
                continue
            if not got:
                req.keep_alive = False
                raise HTTPError(400, "body ended early")
            pos += got
            conn.arm(req.server.body_timeout)
    finally:
        conn.disarm()
        req._remaining = n - pos
    return out


async def _read_chunked_body(req, limit: int) -> bytes:  # type: ignore[no-untyped-def]
    parts = []
    size = 0
    while True:
        part = await read(req, 4096)
        if not part:
            break
        size += len(part)
        if size > limit:
            raise HTTPError(413)
        parts.append(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


async def text(req) -> str:  # type: ignore[no-untyped-def]
    try:
        return str(await body(req), "utf-8")
    except UnicodeError:
        raise HTTPError(400, "body is not UTF-8")


async def json(req):  # type: ignore[no-untyped-def]
    from json import loads

    try:
        return loads(await text(req))
    except ValueError:
        raise HTTPError(400, "invalid JSON")


async def form(req) -> dict:  # type: ignore[no-untyped-def]
    try:
        return parse_qs(await body(req))
    except ValueError:
        raise HTTPError(400, "bad form encoding")


async def discard(req, limit: int) -> bool:  # type: ignore[no-untyped-def]
    """Read and drop the unread body so the connection can carry another request; False when
    it cannot be (see Request.can_discard)."""
    if not req.can_discard(limit):
        return False
    while req._remaining:
        await read(req, 1024)
    return True
