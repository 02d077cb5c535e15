"""Small differences between MicroPython, CircuitPython and CPython, in one place."""

import sys

__all__ = ["IS_MICROPYTHON", "IS_CIRCUITPYTHON", "IS_HOST", "ticks_add", "ticks_diff", "ticks_ms", "gmtime"]
__all__ += ["print_exception", "awaitable"]

IS_CIRCUITPYTHON = sys.implementation.name == "circuitpython"
# CircuitPython is a MicroPython fork: the same core, so MicroPython's code paths and defaults.
IS_MICROPYTHON = IS_CIRCUITPYTHON or sys.implementation.name == "micropython"
# A board has no operating system underneath: it serves every interface on port 80 by default.
IS_HOST = sys.platform in ("linux", "darwin", "win32", "cygwin")

if IS_CIRCUITPYTHON:
    from ._circuitpython import gmtime, print_exception, ticks_add, ticks_diff, ticks_ms
else:
    from time import gmtime

    try:
        from time import ticks_add, ticks_diff, ticks_ms  # type: ignore[attr-defined]
    except ImportError:  # CPython
        from ._cpython import ticks_add, ticks_diff, ticks_ms

    def print_exception(exc: BaseException) -> None:  # type: ignore[no-redef]
        """Print a traceback to stderr on either runtime."""
        if IS_MICROPYTHON:
            sys.print_exception(exc)  # type: ignore[attr-defined]
        else:
            import traceback

            traceback.print_exception(type(exc), exc, exc.__traceback__)


async def itself(value):  # type: ignore[no-untyped-def]
    """A coroutine that returns its argument: makes objects awaitable on both runtimes."""
    return value


def awaitable(obj):  # type: ignore[no-untyped-def]
    """For `__await__`: awaiting obj gives obj (MicroPython awaits through `__iter__`)."""
    coro = itself(obj)
    return coro.__await__() if hasattr(coro, "__await__") else coro
