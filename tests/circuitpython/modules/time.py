"""Test-only `time` for the CircuitPython unix test build: a board's time module (CircuitPython
10.2.1, shared-bindings/time: monotonic, monotonic_ns, sleep, time, localtime, mktime, struct_time),
without the unix port's ticks_ms/ticks_add/ticks_diff/sleep_ms."""

import sys

# The unix port's own `time` is an extensible built-in: it is found once no path holds a time.py.
_me = sys.modules["time"]
_path = sys.path[:]
del sys.modules["time"]
sys.path[:] = [".frozen"]
try:
    import time as _host
finally:
    sys.path[:] = _path
    sys.modules["time"] = _me

def monotonic_ns():  # type: ignore[no-untyped-def]
    return _host.ticks_ms() * 1000000  # the unix port's monotonic clock (wraps after 2**30 ms)


def monotonic():  # type: ignore[no-untyped-def]
    return _host.ticks_ms() / 1000


sleep = _host.sleep
time = _host.time
localtime = _host.localtime
mktime = _host.mktime
struct_time = tuple

del sys, _me, _path
