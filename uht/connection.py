"""One client connection: a bounded read buffer over the stream, writes, deadlines, close.

All reads go through a bytearray that the connection reuses for every request it carries, so the
hot path allocates little, and no read can grow it past the limit its caller gives.
"""

if False:  # for type checkers only
    import asyncio

from ._compat import ticks_add, ticks_ms


class ClientGone(OSError):
    """The peer closed or reset the connection: nothing more can be said to it. An OSError, as
    the socket error it stands for, so code that catches OSError around writes keeps working."""


# What the connection is doing, for the deadline sweeper and for eviction at the connection cap.
WAIT_HEAD = 0  # waiting for (the rest of) a request head
BUSY = 1  # a request is being handled
LONG_LIVED = 2  # taken over by a WebSocket or event stream


class Connection:
    def __init__(self, reader, writer, remote_addr, buffer_size: int) -> None:  # type: ignore[no-untyped-def]
        self.reader = reader
        self.writer = writer
        self.remote_addr = remote_addr
        self.buf = bytearray(buffer_size)
        self.start = 0  # unread data is buf[start:end]
        self.end = 0
        self._readinto = getattr(reader, "readinto", None)
        self.state = WAIT_HEAD
        self.since = ticks_ms()  # when the current state began
        self.deadline = None  # ticks_ms() after which the sweeper expires this connection
        self.expired = None  # why the sweeper or the server stopped it: "timeout", "evicted", ...
        self.task: "asyncio.Task | None" = None
        self.requests = 0
        self.closed = False

    # -- state and deadlines -------------------------------------------------------------------

    def set_state(self, state: int) -> None:
        self.state = state
        self.since = ticks_ms()

    def arm(self, timeout) -> None:  # type: ignore[no-untyped-def]
        """Expire the connection if the next I/O does not finish within `timeout` seconds
        (None: never)."""
        self.deadline = None if timeout is None else ticks_add(ticks_ms(), int(timeout * 1000))

    def disarm(self) -> None:
        self.deadline = None

    # -- reading -------------------------------------------------------------------------------

    def buffered(self) -> int:
        return self.end - self.start

    async def fill(self, limit: int) -> None:
        """Read more bytes into the buffer, keeping at most `limit` buffered (grows the buffer up
        to that, compacts first). Raises ClientGone at EOF."""
        if self.start and (self.end == len(self.buf) or self.start == self.end):
            self._compact()
        if self.end == len(self.buf):
            if len(self.buf) >= limit:
                raise OverflowError
            self._grow(min(limit, len(self.buf) * 2))
        if self._readinto is not None:
            n = None
            while n is None:  # None: woken with nothing to read (older asyncio polls spuriously)
                n = await self._readinto(memoryview(self.buf)[self.end :])
        else:
            data = await self.reader.read(len(self.buf) - self.end)
            n = len(data)
            self.buf[self.end : self.end + n] = data
        if not n:
            raise ClientGone
        self.end += n

    def _compact(self) -> None:
        n = self.end - self.start
        if n:
            self.buf[:n] = memoryview(self.buf)[self.start : self.end]
        self.start = 0
        self.end = n

    def _grow(self, size: int) -> None:
        bigger = bytearray(size)
        n = self.end - self.start
        bigger[:n] = memoryview(self.buf)[self.start : self.end]
        self.buf = bigger
        self.start = 0
        self.end = n

    def shrink(self, size: int) -> None:
        """Give back a buffer that a large head grew, between requests."""
        if len(self.buf) > size and self.end - self.start <= size:
            self._compact()
            small = bytearray(size)
            small[: self.end] = memoryview(self.buf)[: self.end]
            self.buf = small

    def take(self, n: int) -> bytes:
        """Remove and return up to n buffered bytes."""
        n = min(n, self.end - self.start)
        data = bytes(memoryview(self.buf)[self.start : self.start + n])
        self.start += n
        if self.start == self.end:
            self.start = self.end = 0
        return data

    async def read_some(self, n: int) -> bytes:
        """Up to n bytes: what is buffered, or one read from the stream."""
        if self.start == self.end:
            self.start = self.end = 0
            await self.fill(len(self.buf))
        return self.take(n)

    # -- writing -------------------------------------------------------------------------------

    def write(self, data) -> None:  # type: ignore[no-untyped-def]
        try:
            self.writer.write(data)
        except OSError:  # reset by the peer: a disconnect, not a handler error
            raise ClientGone

    async def flush(self, timeout) -> None:  # type: ignore[no-untyped-def]
        """drain() only when something is left to send: MicroPython's Stream.write() sends at once
        when it can, and its drain() would then only cost a scheduler pass."""
        if getattr(self.writer, "out_buf", True):
            await self.drain(timeout)

    async def drain(self, timeout) -> None:  # type: ignore[no-untyped-def]
        self.arm(timeout)
        try:
            await self.writer.drain()
        except OSError:
            raise ClientGone
        finally:
            self.disarm()

    async def close(self) -> None:
        """Close for real: on MicroPython only wait_closed() closes the socket."""
        if self.closed:
            return
        self.closed = True
        try:
            self.writer.close()
            await self.writer.wait_closed()
        except Exception:  # already reset by the peer: nothing left to release
            pass

    def close_now(self) -> None:
        """Synchronous close of the socket (Ctrl-C path, when no event loop runs any more)."""
        if self.closed:
            return
        self.closed = True
        try:
            sock = getattr(self.writer, "s", None)  # MicroPython's Stream keeps the socket here
            if sock is not None:
                sock.close()
            else:
                self.writer.close()
        except Exception:
            pass
