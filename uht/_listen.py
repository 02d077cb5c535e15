"""Listening sockets, and the accept loop for MicroPython.

MicroPython's own start_server loses its accept loop when creating a connection task fails (a
MemoryError in a small heap) while the port stays open, so on MicroPython uht owns the loop. On
CPython, asyncio.start_server is used on the same socket.
"""

import socket

from .log import log_exception


def listen_socket(host: str, port: int, backlog: int):  # type: ignore[no-untyped-def]
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


def peer_name(addr) -> str:  # type: ignore[no-untyped-def]
    """'ip' from whatever accept() gave: a tuple (boards, CPython) or the unix port's raw
    sockaddr_in / sockaddr_in6 bytes."""
    if isinstance(addr, tuple):
        return str(addr[0])
    if len(addr) == 16:
        return "%d.%d.%d.%d" % (addr[4], addr[5], addr[6], addr[7])
    if len(addr) == 28:
        return ":".join("%x" % (addr[i] << 8 | addr[i + 1]) for i in range(8, 24, 2))
    return "?"


def _readable(sock):  # type: ignore[no-untyped-def]
    from asyncio import core  # type: ignore[attr-defined]

    yield core._io_queue.queue_read(sock)  # type: ignore[attr-defined]


async def accept_loop(sock, on_client) -> None:  # type: ignore[no-untyped-def]
    """MicroPython: accept forever; a failure to take one client never stops the loop."""
    import asyncio

    while True:
        await _readable(sock)
        try:
            client, addr = sock.accept()
        except MemoryError:
            await asyncio.sleep_ms(20)  # type: ignore[attr-defined]
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
            await asyncio.sleep_ms(20)  # type: ignore[attr-defined]
        except Exception as exc:
            client.close()
            log_exception("accept failed", exc)
