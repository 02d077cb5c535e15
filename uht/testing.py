"""An in-process test client: the same parser, router and writer as the socket server, over
in-memory streams. Runs on MicroPython too (the firmware tests use it on a device)."""

from ._compat import TYPE_CHECKING
from .connection import Connection
from .headermap import Headers

if TYPE_CHECKING:
    from typing import Any


class MemoryReader:
    """A stream that yields `data` in reads of at most `step` bytes, then EOF."""

    def __init__(self, data: bytes, step: int = 0) -> None:
        self.data = data
        self.pos = 0
        self.step = step

    def _next(self, n: int) -> bytes:
        if self.step:
            n = min(n, self.step)
        chunk = self.data[self.pos : self.pos + n]
        self.pos += len(chunk)
        return chunk

    async def read(self, n: int = -1) -> bytes:
        return self._next(len(self.data) if n < 0 else n)

    async def readinto(self, buf: "Any") -> int:
        chunk = self._next(len(buf))
        buf[: len(chunk)] = chunk
        return len(chunk)


class MemoryWriter:
    out_buf = b""  # what write() could not send yet: nothing, ever

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = False

    def write(self, data: "Any") -> None:
        if self.closed:
            raise OSError("closed")
        self.data.extend(data)

    async def drain(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    async def wait_closed(self) -> None:
        self.closed = True


class TestResponse:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        head_end = raw.find(b"\r\n\r\n")
        if head_end < 0:
            raise ValueError("no complete response: %r" % raw[:200])
        lines = str(raw[:head_end], "utf-8").split("\r\n")
        version, status, self.reason = (lines[0].split(" ", 2) + [""])[:3]
        self.status = int(status)
        self.headers = Headers()  # last value wins, as a dict would keep it
        self.header_list: list = []  # every (name, value) in order, repeats included
        for line in lines[1:]:
            name, value = line.split(":", 1)
            self.headers._d[name.lower()] = value.strip()
            self.header_list.append((name, value.strip()))
        body = raw[head_end + 4 :]
        if (self.headers.get("transfer-encoding") or "").lower() == "chunked":
            body = _dechunk(body)
        elif "content-length" in self.headers:
            body = body[: int(self.headers["content-length"])]
        self.body = bytes(body)

    @property
    def text(self) -> str:
        return str(self.body, "utf-8")

    def json(self) -> "Any":
        import json

        return json.loads(self.text)


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while True:
        nl = data.find(b"\r\n", pos)
        size = int(data[pos:nl].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out.extend(data[nl + 2 : nl + 2 + size])
        pos = nl + 4 + size


class TestClient:
    """`await client.get(path)` etc. return a TestResponse (.status, .headers, .body, .text, .json())."""

    __test__ = False  # not a pytest test class

    def __init__(self, app: "Any", remote_addr: str = "127.0.0.1") -> None:
        self.app = app
        self.remote_addr = remote_addr

    async def raw(self, data: bytes, step: int = 0) -> bytes:
        """Feed raw request bytes (in reads of `step` bytes if given); return all bytes written."""
        writer = MemoryWriter()
        conn = Connection(MemoryReader(data, step), writer, self.remote_addr, self.app.buffer_size)
        await self.app._serve(conn)
        return bytes(writer.data)

    async def request(
        self, method: str, path: str, body: "Any" = b"", headers: "Any" = None, json: "Any" = None
    ) -> TestResponse:
        headers = dict(headers or {})
        if json is not None:
            import json as _json

            body = _json.dumps(json)
            headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        lower = [k.lower() for k in headers]
        if "host" not in lower:
            headers["Host"] = "testclient"
        if body and "content-length" not in lower and "transfer-encoding" not in lower:
            headers["Content-Length"] = str(len(body))
        lines = ["%s %s HTTP/1.1" % (method, path)]
        for name, value in headers.items():
            lines.append("%s: %s" % (name, value))
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        return TestResponse(await self.raw(raw))

    async def get(self, path: str, headers: "Any" = None) -> TestResponse:
        return await self.request("GET", path, headers=headers)

    async def head(self, path: str, headers: "Any" = None) -> TestResponse:
        return await self.request("HEAD", path, headers=headers)

    async def post(self, path: str, body: "Any" = b"", headers: "Any" = None, json: "Any" = None) -> TestResponse:
        return await self.request("POST", path, body, headers, json)

    async def put(self, path: str, body: "Any" = b"", headers: "Any" = None, json: "Any" = None) -> TestResponse:
        return await self.request("PUT", path, body, headers, json)

    async def delete(self, path: str, headers: "Any" = None) -> TestResponse:
        return await self.request("DELETE", path, headers=headers)


__all__ = ["TestClient", "TestResponse", "MemoryReader", "MemoryWriter"]
