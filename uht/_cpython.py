"""CPython's side: asyncio.start_server on uht's listening socket, host-sized defaults, and
stand-ins for MicroPython's time.ticks_*(). MicroPython never imports this module."""

import asyncio
import time

# A host has memory to spare: larger limits than a board's (HTTPServer's class attributes).
HOST_DEFAULTS = {
    "backlog": 32,
    "max_connections": 64,
    "max_request_line": 8192,
    "max_header_bytes": 16384,
    "max_headers": 100,
    "max_body": 1024 * 1024,
    "max_discard": 65536,
    "buffer_size": 2048,
    "idle_timeout": 30.0,
}


def host_defaults(cls) -> None:  # type: ignore[no-untyped-def]
    for name, value in HOST_DEFAULTS.items():
        setattr(cls, name, value)


def ticks_ms() -> int:
    return int(time.monotonic() * 1000)


def ticks_diff(a: int, b: int) -> int:
    return a - b


def ticks_add(a: int, delta: int) -> int:
    return a + delta


async def serve(app, sock) -> None:  # type: ignore[no-untyped-def]
    from ._listen import peer_name
    from .connection import Connection
    from .server import BUSY_REPLY

    async def on_streams(reader, writer) -> None:  # type: ignore[no-untyped-def]
        if app._closing or not app._admit():
            writer.write(BUSY_REPLY)
            writer.close()
            return
        conn = Connection(reader, writer, peer_name(writer.get_extra_info("peername")), app.buffer_size)
        conn.task = asyncio.current_task()
        app._conns.append(conn)
        await app._serve(conn)

    app._aio_server = await asyncio.start_server(on_streams, sock=sock, backlog=app.backlog)
