"""CPython's side: asyncio.start_server on uht's listening socket, host-sized defaults, and
stand-ins for MicroPython's time.ticks_*(), sys.print_exception() and micropython.const().
MicroPython never imports this module."""

import asyncio
import time
import traceback
from typing import Any, TypeVar

# A host has memory to spare: larger limits than a board's (HTTPServer's class attributes).
HOST_DEFAULTS = {
    "max_connections": 64,
    "max_request_line": 8192,
    "max_header_bytes": 16384,
    "max_headers": 100,
    "max_body": 1024 * 1024,
    "max_discard": 65536,
    "buffer_size": 2048,
    "idle_timeout": 30,
}


def host_defaults(cls: type) -> None:
    for name, value in HOST_DEFAULTS.items():
        setattr(cls, name, value)


_T = TypeVar("_T")


def const(value: _T) -> _T:
    """MicroPython's compiler folds `_NAME = const(literal)` into every use of _NAME (and stores
    no global); here it is the value itself."""
    return value


def ticks_ms() -> int:
    return int(time.monotonic() * 1000)


def ticks_diff(a: int, b: int) -> int:
    return a - b


def ticks_add(a: int, delta: int) -> int:
    return a + delta


async def sleep_ms(ms: int) -> None:
    await asyncio.sleep(ms / 1000)


def print_exception(exc: BaseException) -> None:
    traceback.print_exception(type(exc), exc, exc.__traceback__)


async def serve(app: Any, sock: Any, backlog: int) -> None:
    """asyncio's server on uht's listening socket, feeding app's connection loop."""

    async def streams(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await on_streams(app, reader, writer, writer.get_extra_info("peername"))

    app._aio_server = await asyncio.start_server(streams, sock=sock, backlog=backlog)


class Reader:
    """asyncio's StreamReader with the readinto() a Connection reads with."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream

    async def readinto(self, view: Any) -> int:
        data = await self.stream.read(len(view))
        view[: len(data)] = data
        return len(data)


async def on_streams(app: Any, stream: asyncio.StreamReader, writer: Any, addr: Any) -> None:
    """A new client: served, or answered 503 (lingering, when a place is free) at the cap."""
    from .connection import Connection
    from .status import BUSY_REPLY

    reader = Reader(stream)
    # What MicroPython's streams have: what write() could not send yet (uht drains only then).
    # asyncio's writer buffers every write: always drain.
    writer.out_buf = True
    task = asyncio.current_task()
    if app._closing or not app._admit():
        writer.write(BUSY_REPLY)
        if app._lingering >= app.max_lingering or app._closing or task is None:
            writer.close()
            return
        conn = Connection(reader, writer, "", 0)
        app._track(conn, task)
        await app._end(conn, True, None)
        return
    conn = Connection(reader, writer, addr, app.buffer_size)  # new buffers, as server._on_socket's
    if task is not None:
        app._track(conn, task)
    await app._serve(conn)
