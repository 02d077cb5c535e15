"""CPython's side: asyncio.start_server on uht's listening socket, host-sized defaults, and
stand-ins for MicroPython's time.ticks_*() and sys.print_exception(). MicroPython never imports
this module."""

import asyncio
import time
import traceback
from typing import Any, Callable

# A host has memory to spare: larger limits than a board's (HTTPServer's class attributes).
HOST_DEFAULTS = {
    "max_connections": 64,
    "max_request_line": 8192,
    "max_header_bytes": 16384,
    "max_headers": 100,
    "max_body": 1024 * 1024,
    "max_discard": 65536,
    "buffer_size": 2048,
    "idle_timeout": 30.0,
}


def host_defaults(cls: type) -> None:
    for name, value in HOST_DEFAULTS.items():
        setattr(cls, name, value)


def ticks_ms() -> int:
    return int(time.monotonic() * 1000)


def ticks_diff(a: int, b: int) -> int:
    return a - b


def ticks_add(a: int, delta: int) -> int:
    return a + delta


def print_exception(exc: BaseException) -> None:
    traceback.print_exception(type(exc), exc, exc.__traceback__)


async def serve(sock: Any, backlog: int, on_streams: Callable[..., Any]) -> "asyncio.Server":
    """asyncio's server on uht's socket: on_streams(reader, writer, peer address) per client."""

    async def streams(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await on_streams(reader, writer, writer.get_extra_info("peername"))

    return await asyncio.start_server(streams, sock=sock, backlog=backlog)
