"""One client connection: a bounded read buffer over the stream, writes, deadlines, the data
rate it receives at, and close. With uht/_listen.py this is the transport seam: the only code
that touches a client's stream (reader.readinto, writer.write/drain/close).

All reads go through a bytearray that the connection reuses for every request it carries, so the
hot path allocates little, and no read can grow it past the limit its caller gives.
"""

from ._compat import READY, TYPE_CHECKING, ticks_add, ticks_diff, ticks_ms

if TYPE_CHECKING:
    import asyncio
    from typing import Any


class ClientGone(OSError):
    """The peer closed or reset the connection, or uht cut it (too slow, or evicted for a
    newcomer): nothing more can be said to it. An OSError, as the socket error it stands for, so
    code that catches OSError around reads and writes keeps working."""


# What the connection is doing, for the deadline sweeper and for eviction at the connection cap.
WAIT_HEAD = 0  # waiting for (the rest of) a request head
BUSY = 1  # a request is being handled
LONG_LIVED = 2  # taken over by a WebSocket or event stream
LINGER = 3  # answered; reading what the client still sends before closing (no reset)

# Why a connection was stopped (Connection.expired).
TIMEOUT = "timeout"
SLOW = "slow"  # below the minimum data rate
EVICTED = "evicted"
SHUTDOWN = "shutdown"


def peer_name(addr: "Any") -> str:
    """'ip' from whatever accept() gave: a tuple (boards, CPython) or the unix port's raw
    sockaddr_in / sockaddr_in6 bytes."""
    if isinstance(addr, tuple):
        return str(addr[0])
    if len(addr) == 16:
        return "%d.%d.%d.%d" % (addr[4], addr[5], addr[6], addr[7])
    if len(addr) == 28:
        return ":".join("%x" % (addr[i] << 8 | addr[i + 1]) for i in range(8, 24, 2))
    return "?"


class Connection:
    def __init__(self, reader: "Any", writer: "Any", remote_addr: "Any", buffer: "int | bytearray") -> None:
        """buffer: the read buffer's size, or a bytearray to read into."""
        # Every attribute a connection will ever have is set here, at accept: an instance's
        # attribute table grows as attributes are added, and growing it later (a first request, a
        # first metered read) would be an allocation that can fail in the middle of serving. At
        # accept a MemoryError only makes the client wait (uht/_listen.py).
        self.reader = reader
        self.writer = writer
        self._addr = remote_addr  # a str, or what accept() gave (made a str on first use)
        self.buf = bytearray(buffer) if isinstance(buffer, int) else buffer
        self.view = memoryview(self.buf)  # kept: slicing it is one object per read, not two
        self._readinto = reader.readinto  # (CPython's asyncio reader gets one: uht/_cpython.py)
        # Response heads are built here, for every response (see Response._head). Made with room
        # (160 bytes) for a usual head and a short body: MicroPython grows a bytearray by exactly
        # what each append needs, so a head built from empty would reallocate at almost every line.
        self.out = bytearray(160)
        self.start = 0  # unread data is buf[start:end]
        self.end = 0
        self.state = WAIT_HEAD
        self.since = ticks_ms()  # when the current state began
        self.deadline: "int | None" = None  # ticks_ms() after which the sweeper expires this connection
        self.expired: "str | None" = None  # why the sweeper or the server stopped it (TIMEOUT, SLOW ...)
        self.task: "asyncio.Task | None" = None
        self.server: "Any" = None  # the HTTPServer serving it
        self.requests = 0
        self.closed = False
        self.metered = False  # nothing is measured until a head or body begins (meter())
        self.got = 0  # the counters meter(True) starts afresh, fresh here
        self.waited = 0
        self.wait_since: "int | None" = None
        self.mark_at = 0
        self.mark_got = 0

    # A method, not a property: a class with a property makes every attribute store on its
    # instances look the class up first (MicroPython), and a connection stores a dozen per request.
    def remote_addr(self) -> str:
        """The client's IP address, as text (formatted when first asked for: most requests never do)."""
        addr = self._addr
        if not isinstance(addr, str):
            addr = self._addr = peer_name(addr)
        return addr

    # -- state and deadlines -------------------------------------------------------------------

    def set_state(self, state: int) -> None:
        self.state = state
        self.since = ticks_ms()

    def arm(self, timeout: "float | None") -> None:
        """Expire the connection if the next I/O does not finish within `timeout` seconds
        (None: never)."""
        self.deadline = None if timeout is None else ticks_add(ticks_ms(), int(timeout * 1000))

    def disarm(self) -> None:
        self.deadline = None

    # -- the data rate -------------------------------------------------------------------------
    # While metered, the connection counts the bytes it receives and the time uht spends waiting
    # for them (a handler that pauses between body reads is not charged). The sweeper judges the
    # rate over windows of that waiting time (rate_check); a newcomer at a full server takes the
    # slot of the connection furthest below the floor (uht/eviction.py: shortfall).

    def meter(self, on: bool) -> None:
        """Start counting afresh (a head or a body begins), or stop. (Stopping only clears
        `metered`: nothing reads the counts of an unmetered connection, and a request that needs
        no metering then pays one attribute write, not six.)"""
        self.metered = on
        if not on:
            return
        self.got = 0  # bytes received while metered
        self.waited = 0  # ms spent waiting for them, the current wait not included
        self.wait_since = None  # ticks_ms() when the current wait began
        self.mark_at = 0  # the current window: its start in waited time ...
        self.mark_got = 0  # ... and the bytes received before it

    def waiting_ms(self, now: int) -> int:
        if self.wait_since is None:
            return self.waited
        return self.waited + ticks_diff(now, self.wait_since)

    def rate_check(self, now: int, floor: int, grace: int, window: int) -> bool:
        """True when the rate over the last full window (after the grace) is below floor B/s."""
        if not self.metered:
            return False
        t = self.waiting_ms(now)
        if t <= grace:
            self.mark_at = t
            self.mark_got = self.got
            return False
        span = t - self.mark_at
        if span < window:
            return False
        slow = (self.got - self.mark_got) * 1000 < floor * span
        self.mark_at = t
        self.mark_got = self.got
        return slow

    def wait_begins(self) -> int:
        """A read is about to wait: its start, for wait_ends()."""
        t0 = ticks_ms()
        if self.metered:
            self.wait_since = t0
        return t0

    def wait_ends(self, t0: int, n: "int | None") -> None:
        """The read begun at t0 returned n bytes (None: it failed)."""
        if self.metered and n is not None:
            self.waited += ticks_diff(ticks_ms(), t0)
            self.got += n
        self.wait_since = None

    async def readinto(self, view: "Any") -> int:
        """One read from the stream into view (a memoryview); 0 at EOF. Metered, and a cut
        (too slow, evicted) or reset raises ClientGone."""
        t0 = self.wait_begins()
        n = None
        try:
            while n is None:  # None: woken with nothing to read (older asyncio polls spuriously)
                n = await self._readinto(view)
        except OSError:
            raise ClientGone
        except BaseException:
            if self.expired == SLOW or self.expired == EVICTED:
                raise ClientGone  # what a handler sees when its client goes away
            raise
        finally:
            self.wait_ends(t0, n)
        return n

    # -- reading -------------------------------------------------------------------------------

    def buffered(self) -> int:
        return self.end - self.start

    def reserve(self, limit: int) -> "Any":
        """Room at the end of the buffer for one read, keeping at most `limit` bytes buffered:
        compacts first, else grows the buffer up to limit (OverflowError when it is full at that
        size). Returns the view to read into."""
        if self.start and (self.end == len(self.buf) or self.start == self.end):
            self._compact()
        if self.end == len(self.buf):
            if len(self.buf) >= limit:
                raise OverflowError
            self._grow(min(limit, len(self.buf) * 2))
        return self.view[self.end :] if self.end else self.view  # (a kept-alive read: no slice)

    async def fill(self, limit: int) -> None:
        """Read more bytes into the buffer (see reserve()). Raises ClientGone at EOF."""
        n = await self.readinto(self.reserve(limit))
        if not n:
            raise ClientGone
        self.end += n

    def _compact(self) -> None:
        n = self.end - self.start
        if n:
            self.buf[:n] = self.view[self.start : self.end]
        self.start = 0
        self.end = n

    def _grow(self, size: int) -> None:
        bigger = bytearray(size)
        n = self.end - self.start
        bigger[:n] = self.view[self.start : self.end]
        self.buf = bigger
        self.view = memoryview(bigger)
        self.start = 0
        self.end = n

    def shrink(self, size: int) -> None:
        """Give back a buffer that a large head grew, between requests."""
        if len(self.buf) > size and self.end - self.start <= size:
            self._compact()
            small = bytearray(size)
            small[: self.end] = self.view[: self.end]
            self.buf = small
            self.view = memoryview(small)

    def take(self, n: int) -> bytes:
        """Remove and return up to n buffered bytes."""
        n = min(n, self.end - self.start)
        data = bytes(self.view[self.start : self.start + n])
        self.start += n
        if self.start == self.end:
            self.start = self.end = 0
        return data

    # -- writing -------------------------------------------------------------------------------

    def write(self, data: "Any") -> None:
        try:
            self.writer.write(data)
        except OSError:  # reset by the peer: a disconnect, not a handler error
            raise ClientGone

    async def flush(self, timeout: "float | None") -> None:
        """drain() only when something is left to send: MicroPython's Stream.write() sends at once
        when it can, and its drain() would then only cost a scheduler pass."""
        if self.writer.out_buf:
            await self.drain(timeout)

    async def drain(self, timeout: "float | None") -> None:
        self.arm(timeout)
        try:
            await self.writer.drain()
        except OSError:
            raise ClientGone
        finally:
            self.disarm()

    # -- closing -------------------------------------------------------------------------------

    def close(self) -> "Any":
        """Close for real, and return what to await: what the stream still does for the close
        (CPython's; MicroPython's SocketStream has closed its socket already and returns READY,
        so no coroutine is made for each connection that ends). Awaiting it may raise OSError
        when the peer has reset the connection: nothing is left to release then."""
        if self.closed:
            return READY
        self.closed = True
        self.writer.close()
        return self.writer.wait_closed()

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
