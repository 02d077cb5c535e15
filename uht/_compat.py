"""Small differences between MicroPython and CPython, and between ports, in one place."""

import sys

__all__ = (  # a constant tuple: in flash when frozen, where a list would be built in the heap
    "IS_MICROPYTHON",
    "IS_CIRCUITPYTHON",
    "IS_HOST",
    "gmtime",
    "ticks_add",
    "ticks_diff",
    "ticks_ms",
    "print_exception",
    "awaitable",
    "sleep_ms",
    "READY",
    "const",
)

IS_CIRCUITPYTHON = sys.implementation.name == "circuitpython"
# CircuitPython is a MicroPython fork: the same core, so MicroPython's code paths and defaults.
IS_MICROPYTHON = IS_CIRCUITPYTHON or sys.implementation.name == "micropython"
# A board has no operating system underneath: it serves every interface on port 80 by default.
IS_HOST = sys.platform in ("linux", "darwin", "win32", "cygwin")
# Type checkers read MicroPython-only names from the stub uht/_micropython.pyi (mypy takes any
# name TYPE_CHECKING as true); at run time this is False and the branches below choose.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from time import gmtime
    from typing import Any, Iterator

    from ._micropython import const, print_exception, sleep_ms, ticks_add, ticks_diff, ticks_ms
elif IS_CIRCUITPYTHON:
    # _circuitpython first: importing it checks that the build can serve.
    from ._circuitpython import gmtime, ticks_add, ticks_diff, ticks_ms  # noqa: I001
    from ._circuitpython import print_exception
    from asyncio import sleep_ms  # Adafruit's asyncio has it
    from micropython import const
elif IS_MICROPYTHON:
    from asyncio import sleep_ms
    from sys import print_exception  # (to stdout, as MicroPython prints every traceback)
    from time import gmtime, ticks_add, ticks_diff, ticks_ms

    from micropython import const
else:
    from time import gmtime

    from ._cpython import const, print_exception, sleep_ms, ticks_add, ticks_diff, ticks_ms

# Connections each port's network stack holds for clients, less one to spare: the stack must
# still accept a newcomer for uht to evict an idle or slow connection in its favour. Found in the
# pinned trees (docs/limits.md: "Connections and the network stack"). An image that raises its
# stack's limit passes its own figure: HTTPServer(max_connections=...) or, for every server, sets
# HTTPServer.max_connections before creating one.
# (A constant tuple: in flash when frozen.)
STACK_CONNECTIONS = (
    ("rp2", 4),  # lwIP MEMP_NUM_TCP_PCB 5 (the listening PCB is a separate pool)
    ("esp32", 8),  # ESP-IDF CONFIG_LWIP_MAX_SOCKETS 10, the listening socket included
    ("esp8266", 4),  # the SDK's lwIP: MEMP_NUM_TCP_PCB 5 (espconn's default maximum)
    ("RP2040", 4),  # CircuitPython raspberrypi: 5 PCBs
    ("RP2350", 4),
    ("Espressif", 6),  # CircuitPython espressif: 8 sockets, the listening one included
)
BOARD_CONNECTIONS = 8  # a port not listed, and the unix port standing in for a board


def port_max_connections() -> int:
    for platform, count in STACK_CONNECTIONS:
        if platform == sys.platform:
            return count
    return BOARD_CONNECTIONS


# What a plain method returns for its caller to await when nothing is left to wait for: awaiting it
# is done at once and makes no coroutine (Response.send(), Connection.close()). MicroPython awaits
# what it can iterate: an empty tuple. CPython and CircuitPython await through `__await__`.
if IS_CIRCUITPYTHON or not IS_MICROPYTHON:

    class _Ready:
        def __await__(self) -> "Iterator[None]":
            return iter(())

    READY: "Any" = _Ready()
else:
    READY = ()


async def itself(value: object) -> object:
    """A coroutine that returns its argument: makes objects awaitable on both runtimes."""
    return value


def awaitable(obj: object) -> "object":
    """For `__await__`: awaiting obj gives obj (MicroPython awaits through `__iter__`)."""
    coro = itself(obj)
    return coro.__await__() if hasattr(coro, "__await__") else coro
