"""Test-only `supervisor` for the CircuitPython unix test build: a board's supervisor.ticks_ms()
(CircuitPython 10.2.1, shared-bindings/supervisor: milliseconds wrapping at 2**29, no allocation),
which adafruit_ticks, and through it asyncio and uht, use on a board. Nothing else of supervisor.

A board's count starts 65 s before its first wrap; this one does not, because this build's C
`_asyncio` stamps tasks with the unix clock masked to 29 bits (extmod/modasyncio.c), which on a
board is supervisor.ticks_ms() itself: the two clocks must agree."""

import time

_host_ticks_ms = time._host.ticks_ms  # the unix port's clock, kept by the test `time` module


def ticks_ms():  # type: ignore[no-untyped-def]
    return _host_ticks_ms() & 0x1FFFFFFF
