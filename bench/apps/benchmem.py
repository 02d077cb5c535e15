"""Heap probes shared by the benchmark apps (the /__mem route), for MicroPython and CPython.

op: "" reports the heap in use; "collect" collects first; "off"/"on" disable/enable the collector.
Answers "alloc total" where alloc is gc.mem_alloc() (0 on CPython) and total is
micropython.mem_total() when the runtime counts allocations (-1 otherwise).
"""

import gc

try:
    import micropython

    _mem_total = getattr(micropython, "mem_total", None)
except ImportError:
    _mem_total = None


def mem_report(op):
    if op == "collect":
        gc.collect()
    elif op == "off":
        gc.disable()
    elif op == "on":
        gc.enable()
    alloc = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
    total = _mem_total() if _mem_total else -1
    return "%d %d" % (alloc, total)
