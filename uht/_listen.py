"""The transport seam, listening side: the listening socket, and the accept loop for MicroPython.

Everything uht does with sockets below HTTP is here and in uht/connection.py (reads, writes,
close). MicroPython's own start_server loses its accept loop when creating a connection task
fails (a MemoryError in a small heap) while the port stays open, so on MicroPython uht owns the
loop. On CPython, asyncio.start_server is used on the same socket (uht/_cpython.py).
"""

import socket

from ._compat import IS_MICROPYTHON, TYPE_CHECKING
from .log import log_exception

if TYPE_CHECKING:
    from typing import Any, Callable

    from ._micropython import core, sleep_ms
elif IS_MICROPYTHON:
    from asyncio import core, sleep_ms


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


async def accept_loop(sock: "Any", on_client: "Callable[[Any, Any], None]") -> None:
    """MicroPython: accept forever; a failure to take one client never stops the loop."""
    while True:
        await _readable(sock)
        try:
            client, addr = sock.accept()
        except MemoryError:
            await sleep_ms(20)
            continue
        except OSError:
            continue
        try:
            client.setblocking(False)
            try:
                client.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY: no Nagle wait on small writes
            except (OSError, AttributeError):
                pass  # not every port has it
            on_client(client, addr)
        except MemoryError:
            client.close()
            await sleep_ms(20)
        except Exception as exc:
            client.close()
            log_exception("accept failed", exc)
