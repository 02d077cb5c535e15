"""Streaming multipart/form-data: each part reaches the handler as a stream, so an upload far
larger than the heap goes to a file through one small buffer.

    from uht.multipart import MultipartReader
    async for part in MultipartReader(req):          # or: part = await reader.next_part()
        if part.filename:
            with open("/upload.bin", "wb") as f:
                buf = bytearray(512)
                while n := await part.readinto(buf): f.write(memoryview(buf)[:n])
        else:
            value = await part.text()                # a small form field (bounded)

Memory: one buffer of `buffer_size` bytes plus the boundary, whatever the size of the body. The
boundary is searched across read borders by keeping its length minus one byte unconsumed.
"""

from ._compat import TYPE_CHECKING
from .headermap import Headers
from .status import HTTPError

if TYPE_CHECKING:
    from typing import Any

    from .request import Request

BUFFER_SIZE = 1024
MAX_PART_HEAD = 1024  # bytes of one part's header lines
MAX_FIELD = 4096  # part.text()/part.bytes() default limit


def boundary_of(content_type: "str | None") -> bytes:
    """The boundary of a multipart/form-data Content-Type; HTTPError(400) when there is none."""
    if not content_type or not content_type.lower().startswith("multipart/"):
        raise HTTPError(415, "multipart/form-data expected")
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary":
            value = value.strip()
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1]
            if 0 < len(value) <= 70 and "\r" not in value and "\n" not in value:
                return value.encode()
    raise HTTPError(400, "bad multipart boundary")


def _param(value: str, wanted: str) -> "str | None":
    """A parameter of a Content-Disposition value (quoted or token), or None."""
    pos = 0
    while True:
        semi = _find_unquoted(value, pos)
        if semi < 0:
            return None
        pos = semi + 1
        end = _find_unquoted(value, pos)
        item = value[pos : end if end >= 0 else len(value)]
        name, eq, text = item.partition("=")
        if eq and name.strip().lower() == wanted:
            text = text.strip()
            if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
                text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            return text


def _find_unquoted(value: str, pos: int) -> int:
    quoted = False
    i = pos
    while i < len(value):
        ch = value[i]
        if ch == "\\" and quoted:
            i += 1
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return i
        i += 1
    return -1


class Part:
    """One part: name, filename (None for plain fields), headers, content_type, and its data as
    a stream: `await part.read(n)`, `await part.readinto(buf)`, or `await part.text()`."""

    def __init__(self, reader: "MultipartReader", headers: Headers) -> None:
        self._reader = reader
        self.headers = headers
        disposition = headers.get("content-disposition") or ""
        self.name = _param(disposition, "name")
        self.filename = _param(disposition, "filename")
        self.content_type = headers.get("content-type") or "text/plain"
        self.done = False

    async def readinto(self, buf: "bytearray | memoryview") -> int:
        """Fill buf with the next bytes of this part; 0 at its end."""
        if self.done:
            return 0
        n = await self._reader._part_data(buf)
        if n == 0:
            self.done = True
        return n

    async def read(self, n: int = 512) -> bytes:
        """Up to n bytes of this part; b"" at its end."""
        buf = bytearray(n)
        got = await self.readinto(buf)
        return bytes(memoryview(buf)[:got]) if got < n else bytes(buf)

    async def bytes(self, limit: int = MAX_FIELD) -> bytes:
        """The whole part, buffered: more than `limit` bytes -> HTTPError(413)."""
        out = bytearray()
        buf = bytearray(256)
        while True:
            n = await self.readinto(buf)
            if not n:
                return bytes(out)
            if len(out) + n > limit:
                raise HTTPError(413, "form field too large")
            out += memoryview(buf)[:n]

    async def text(self, limit: int = MAX_FIELD) -> str:
        try:
            return str(await self.bytes(limit), "utf-8")
        except UnicodeError:
            raise HTTPError(400, "form field is not UTF-8")

    async def skip(self) -> None:
        buf = bytearray(256)
        while await self.readinto(buf):
            pass


class MultipartReader:
    """Reads a multipart/form-data request body part by part. `await next_part()` gives the next
    Part (the rest of the previous one is skipped) or None after the last; `async for` works too.
    A body that breaks the format answers 400."""

    def __init__(self, req: "Request", buffer_size: int = BUFFER_SIZE, max_part_head: int = MAX_PART_HEAD) -> None:
        self.req = req
        # The body starts with "--boundary"; a virtual CRLF in front makes every delimiter the same.
        self.delimiter = b"\r\n--" + boundary_of(req.headers.get("content-type"))
        self.max_part_head = max_part_head
        self.buf = bytearray(max(buffer_size, 2 * len(self.delimiter) + 8))
        self.buf[:2] = b"\r\n"
        self.start = 0
        self.end = 2
        self.eof = False
        self.part: "Part | None" = None
        self.finished = False

    # -- buffer ----------------------------------------------------------------------------------

    async def _fill(self) -> bool:
        """Read more of the body into the free end of the buffer; False at the end of the body."""
        if self.eof:
            return False
        if self.start:
            n = self.end - self.start
            self.buf[:n] = memoryview(self.buf)[self.start : self.end]
            self.start, self.end = 0, n
        room = len(self.buf) - self.end
        if room == 0:
            return True
        data = await self.req.read(room)
        if not data:
            self.eof = True
            return False
        self.buf[self.end : self.end + len(data)] = data
        self.end += len(data)
        return True

    async def _need(self, n: int) -> None:
        while self.end - self.start < n:
            if not await self._fill():
                raise HTTPError(400, "multipart body ended early")

    # -- parts -----------------------------------------------------------------------------------

    async def _part_data(self, out: "bytearray | memoryview") -> int:
        """Copy part data into `out` up to the next delimiter; 0 when the delimiter is next."""
        delim = self.delimiter
        while True:
            buf = self.buf
            hit = buf.find(delim, self.start, self.end)
            if hit >= 0:
                safe = hit - self.start
            else:
                # The last len(delim)-1 bytes may begin a delimiter split across reads: keep them.
                safe = self.end - self.start - len(delim) + 1
            if safe > 0 or hit >= 0:
                n = min(safe, len(out))
                out[:n] = memoryview(buf)[self.start : self.start + n]
                self.start += n
                return n
            if not await self._fill():
                raise HTTPError(400, "multipart body ended early")

    async def _after_delimiter(self) -> bool:
        """Consume the delimiter and what follows it: True when a part follows, False at the
        closing delimiter."""
        await self._need(len(self.delimiter) + 2)
        self.start += len(self.delimiter)
        tail = bytes(self.buf[self.start : self.start + 2])
        if tail == b"--":
            self.start += 2
            return False
        # Transport padding (spaces, tabs) may precede the CRLF.
        while True:
            await self._need(1)
            ch = self.buf[self.start]
            if ch in (32, 9):
                self.start += 1
                continue
            break
        await self._need(2)
        if self.buf[self.start] == 10:
            self.start += 1
        elif bytes(self.buf[self.start : self.start + 2]) == b"\r\n":
            self.start += 2
        else:
            raise HTTPError(400, "bad multipart delimiter")
        return True

    async def _head_line(self) -> bytes:
        while True:
            nl = self.buf.find(b"\n", self.start, self.end)
            if nl >= 0:
                line = bytes(self.buf[self.start : nl])
                self.start = nl + 1
                return line[:-1] if line.endswith(b"\r") else line
            if self.end - self.start >= len(self.buf):
                raise HTTPError(431, "multipart header line too long")
            if not await self._fill():
                raise HTTPError(400, "multipart body ended early")

    async def _part_head(self) -> Headers:
        headers = Headers()
        total = 0
        while True:
            line = await self._head_line()
            if not line:
                return headers
            total += len(line)
            if total > self.max_part_head:
                raise HTTPError(431, "multipart part head too large")
            name, colon, value = line.partition(b":")
            if not colon or not name or b" " in name or b"\t" in name:
                raise HTTPError(400, "bad multipart header")
            try:
                headers.add(str(name.strip(), "utf-8"), str(value.strip(), "utf-8"))
            except UnicodeError:
                raise HTTPError(400, "multipart header is not UTF-8")

    async def next_part(self) -> "Part | None":
        """The next Part, or None after the last one."""
        if self.finished:
            return None
        if self.part is not None:
            await self.part.skip()
        else:
            await self._skip_preamble()
        if not await self._after_delimiter():
            self.finished = True
            self.part = None
            await self._drain_epilogue()
            return None
        self.part = Part(self, await self._part_head())
        return self.part

    async def _skip_preamble(self) -> None:
        scratch = bytearray(128)
        while await self._part_data(scratch):
            pass

    async def _drain_epilogue(self) -> None:
        """Read (and ignore) whatever follows the closing delimiter, so the connection can carry
        the next request."""
        while await self.req.read(256):
            pass

    def __aiter__(self) -> "MultipartReader":
        return self

    async def __anext__(self) -> "Part":
        part = await self.next_part()
        if part is None:
            raise StopAsyncIteration
        return part


def parts(req: "Request", **options: "Any") -> "MultipartReader":
    """`async for part in parts(req)`: a MultipartReader for the request."""
    return MultipartReader(req, **options)


async def save_upload(part: "Part", path: str, buffer_size: int = 512, limit: "int | None" = None) -> int:
    """Write a part to a file through one buffer; returns its size. Over `limit` bytes (None: no
    limit) -> HTTPError(413) and the partial file is removed."""
    buf = bytearray(buffer_size)
    view = memoryview(buf)
    size = 0
    with open(path, "wb") as f:
        while True:
            n = await part.readinto(buf)
            if not n:
                return size
            size += n
            if limit is not None and size > limit:
                break
            f.write(view[:n] if n < buffer_size else buf)
    import os

    os.remove(path)
    raise HTTPError(413, "upload too large")
