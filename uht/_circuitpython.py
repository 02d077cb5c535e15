"""CircuitPython's side of uht/_compat.py: its clock and traceback printing, and a clear error on
a build that cannot serve. MicroPython and CPython never import this module."""

try:
    import select

    select.poll  # noqa: B018  (asyncio waits on sockets through it)
    import asyncio  # noqa: F401
except (ImportError, AttributeError):
    raise ImportError(
        "uht needs a CircuitPython build with async/await and select.poll (not SAMD21 or other "
        "small builds), and Adafruit's asyncio and adafruit_ticks in /lib"
    )

# No time.gmtime: a board's clock has no time zone, its localtime() is UTC (as NTP sets it).
from time import localtime as gmtime

# No sys.print_exception: the built-in traceback module prints one from the exception alone.
from traceback import print_exception

# A board's time has no ticks_*: adafruit_ticks (asyncio's own clock) uses supervisor.ticks_ms().
from adafruit_ticks import ticks_add, ticks_diff, ticks_ms

# A constant tuple: no list on the heap.
__all__ = ("gmtime", "print_exception", "ticks_add", "ticks_diff", "ticks_ms")
