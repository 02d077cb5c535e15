"""CircuitPython's transport: uht's accept loop and per-connection streams over socketpool sockets.

A CircuitPython board has no `socket` module: sockets come from `socketpool.SocketPool(wifi.radio)`,
and a `socketpool.Socket` offers `accept`, `recv_into`, `send` ... but no `read`/`write`, which
Adafruit asyncio's streams call. `select.poll` registers a `socketpool.Socket` natively, so the
running asyncio's poller waits on it here directly. CPython and MicroPython never import this module.
"""

import asyncio
from errno import EAGAIN, ENOTCONN

from ._compat import TYPE_CHECKING
from .connection import Connection
from .log import log_exception
from .status import BUSY_REPLY

if TYPE_CHECKING:
    from typing import Any

    from ._micropython import core, sleep_ms
else:
    from asyncio import core, sleep_ms

_default_pool: "Any" = None  # the pool made from wifi.radio, reused by every start()


def default_pool() -> "Any":
    """socketpool.SocketPool(wifi.radio), made once; a board without `wifi` must pass pool=."""
    global _default_pool
    if _default_pool is None:
        try:
            import wifi
        except ImportError:
            raise ValueError("no wifi module: pass pool=socketpool.SocketPool(<your radio>) to run()/start()")
        import socketpool

        _default_pool = socketpool.SocketPool(wifi.radio)
    return _default_pool


class PoolStream:
    """One client connection's stream over a socketpool.Socket: the reader and writer a
    Connection uses (readinto, write, drain, close, wait_closed). Like MicroPython's asyncio
    Stream, write() sends at once what the socket takes and keeps the rest in `out_buf` for
    drain(); `s` is the socket (the Ctrl-C path closes it directly)."""

    def __init__(self, sock: "Any") -> None:
        self.s = sock
        self.out_buf: "bytes" = b""

    async def readinto(self, buf: "Any") -> int:
        """Bytes read into buf, 0 at end of stream."""
        sock = self.s
        while True:
            await core._io_queue.queue_read(sock)
            try:
                return sock.recv_into(buf)
            except OSError as exc:
                if exc.errno == ENOTCONN:  # a non-blocking socketpool socket's end of stream
                    return 0
                if exc.errno != EAGAIN:
                    raise

    def _send(self, data: "Any") -> int:
        try:
            return self.s.send(data)
        except OSError as exc:
            if exc.errno == EAGAIN:
                return 0
            raise

    def write(self, data: "Any") -> None:
        if self.out_buf:
            self.out_buf += data
            return
        sent = self._send(data)
        if sent < len(data):
            self.out_buf = bytes(memoryview(data)[sent:])  # the caller may reuse its buffer

    async def drain(self) -> None:
        while self.out_buf:
            await core._io_queue.queue_write(self.s)
            sent = self._send(self.out_buf)
            self.out_buf = self.out_buf[sent:] if sent < len(self.out_buf) else b""

    def close(self) -> None:
        self.s.close()

    async def wait_closed(self) -> None:
        pass


def listen_socket(pool: "Any", host: str, port: int, backlog: int) -> "Any":
    addr = pool.getaddrinfo(host, port, 0, pool.SOCK_STREAM)[0]
    sock = pool.socket(addr[0], pool.SOCK_STREAM)
    try:
        sock.setsockopt(pool.SOL_SOCKET, pool.SO_REUSEADDR, 1)
        sock.bind(addr[-1])
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def start_serving(app: "Any", host: str, port: int, pool: "Any", backlog: int) -> "asyncio.Task":
    """Listen on pool (None: the one made from wifi.radio) and return the accept task."""
    if pool is None:
        pool = default_pool()
    app._listen = sock = listen_socket(pool, host, port, backlog)
    return asyncio.create_task(_accept_loop(app, sock, pool, BUSY_REPLY))


# What _refuse() reads a refused client's request into, made once: a refusal must not need memory.
_SINK = bytearray(32)


def _refuse(sock: "Any", busy_reply: bytes) -> None:
    """503 and close, as uht/_listen.py's refuse(): the request already sent (up to 2 KB) is read
    first, since closing a socket with unread bytes resets the connection and the client could lose
    the answer. The socket is non-blocking: what has not arrived yet is not waited for (EAGAIN)."""
    try:
        sock.send(busy_reply)
        reads = 64  # a counter, not a range(): nothing here may allocate
        while reads and sock.recv_into(_SINK):
            reads -= 1
    except OSError:  # EAGAIN: all read; ENOTCONN: the client is gone
        pass
    sock.close()


def _on_client(app: "Any", sock: "Any", addr: "Any", busy_reply: bytes) -> None:
    if app._closing or not app._admit():
        _refuse(sock, busy_reply)
        return
    stream = PoolStream(sock)
    app._launch(Connection(stream, stream, str(addr[0]), app.buffer_size))  # as server._on_socket


async def _accept_loop(app: "Any", listener: "Any", pool: "Any", busy_reply: bytes) -> None:
    """Accept forever; a failure to take one client never stops the loop."""
    while True:
        await core._io_queue.queue_read(listener)
        try:
            client, addr = listener.accept()
        except MemoryError:
            await sleep_ms(20)
            continue
        except OSError:  # EAGAIN: another poll wake-up; or the client already reset
            continue
        tries = 50  # as uht/_listen.py: a client with no room is tried again for about a second
        while True:
            try:
                client.setblocking(False)
                try:
                    client.setsockopt(pool.IPPROTO_TCP, pool.TCP_NODELAY, 1)  # no Nagle wait on small writes
                except (OSError, AttributeError):
                    pass
                _on_client(app, client, addr, busy_reply)
                break
            except MemoryError:  # no room for now: wait for served connections to free theirs
                tries -= 1
                if not tries:
                    _refuse(client, busy_reply)
                    break
            except Exception as exc:
                client.close()
                log_exception("accept failed", exc)
                break
            try:
                await sleep_ms(20)
            except BaseException:  # the server stopped while this client waited
                client.close()
                raise
