"""The transport seam, listening side: the listening socket, the accept loop for MicroPython, and
the stream over each client socket there.

Everything uht does with sockets below HTTP is here and in uht/connection.py (reads, writes,
close). MicroPython's own start_server loses its accept loop when creating a connection task
fails (a MemoryError in a small heap) while the port stays open, so on MicroPython uht owns the
loop. On CPython, asyncio.start_server is used on the same socket (uht/_cpython.py).
"""

import socket

from ._compat import IS_MICROPYTHON, READY, TYPE_CHECKING
from .log import log_exception
from .status import BUSY_REPLY

if TYPE_CHECKING:
    from typing import Any, Callable

    from ._micropython import core, sleep_ms
elif IS_MICROPYTHON:
    from asyncio import core, sleep_ms


class SocketStream:
    """MicroPython: one client socket as the reader and writer a Connection uses (readinto, write,
    drain, close, wait_closed), doing what asyncio's Stream does for them and nothing else:
    loading asyncio's stream module would cost a board about 860 bytes of heap for good.
    write() sends at once what the socket takes and keeps the rest in `out_buf` for drain();
    `s` is the socket (the Ctrl-C path closes it directly). readinto and drain are generators,
    which MicroPython's asyncio awaits as it awaits its own Stream's."""

    out_buf: "Any" = b""

    def __init__(self, sock: "Any") -> None:
        self.s = sock

    def readinto(self, buf: "Any") -> "Any":
        """Awaitable: bytes read into buf, 0 at end of stream, None when woken with nothing."""
        yield core._io_queue.queue_read(self.s)
        return self.s.readinto(buf)

    def write(self, data: "Any") -> None:
        if not self.out_buf:
            sent = self.s.write(data)
            if sent == len(data):
                return
            if sent:
                data = memoryview(data)[sent:]
        self.out_buf += data  # a copy: the caller may reuse its buffer

    def drain(self) -> "Any":
        """Awaitable: until out_buf is sent. Always yields at least once, so a handler writing in a
        loop cannot starve the other tasks."""
        if not self.out_buf:
            return (yield from sleep_ms(0))  # (a generator on MicroPython)
        while self.out_buf:
            yield core._io_queue.queue_write(self.s)
            sent = self.s.write(self.out_buf)
            if sent:
                self.out_buf = self.out_buf[sent:]
        return None

    def close(self) -> None:
        # Here, not in wait_closed() as asyncio's Stream does: creating that coroutine can fail
        # for want of memory, and the socket must be released all the same.
        self.s.close()

    def wait_closed(self) -> "Any":
        """Awaitable: close() has done it all (READY: no coroutine for each connection that ends)."""
        return READY


def listen_socket(host: str, port: int, backlog: int) -> "Any":
    addr = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    sock = socket.socket(addr[0], socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr[-1])
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _readable(sock: "Any") -> "Any":
    """Awaitable: until sock is readable (MicroPython awaits a generator)."""
    yield core._io_queue.queue_read(sock)


async def accept_loop(sock: "Any", on_client: "Callable[[Any, Any], bool]") -> None:
    """MicroPython: accept forever; a failure to take one client never stops the loop.
    on_client(client, addr) takes the client, or returns False when the heap has no room for it yet."""
    while True:
        await _readable(sock)
        try:
            client, addr = sock.accept()
        except MemoryError:
            await sleep_ms(20)
            continue
        except OSError:
            continue
        tries = 50  # a client the heap has no room for is tried again every 20 ms, for about a second
        while True:
            try:
                client.setblocking(False)
                try:
                    client.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY: no Nagle wait on small writes
                except (OSError, AttributeError):
                    pass  # not every port has it
                if on_client(client, addr):
                    break
            except MemoryError:
                pass
            except Exception as exc:
                client.close()
                log_exception("accept failed", exc)
                break
            # The heap is full for now: the connections being served free theirs as they finish.
            # The newcomer waits (the backlog behind it) rather than being dropped.
            tries -= 1
            if not tries:
                refuse(client)
                break
            try:
                await sleep_ms(20)
            except BaseException:  # the server stopped while this client waited
                client.close()
                raise


# What refuse() reads a refused client's request into, made once: a refusal must not need memory.
_SINK = bytearray(32)


def refuse(client: "Any") -> None:
    """503 and close, for a client that cannot be taken: a constant, straight to the socket, so it
    needs no memory. The request already sent (up to 2 KB) is read first: closing a socket with
    unread bytes resets the connection, and the client could lose the answer."""
    try:
        client.write(BUSY_REPLY)
        reads = 64  # a counter, not a range(): nothing here may allocate
        while reads and client.readinto(_SINK):
            reads -= 1
    except OSError:
        pass
    client.close()
