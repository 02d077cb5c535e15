"""Heap a library's import holds, under MicroPython: `micropython import_cost.py MODULE [NAME]`.

asyncio (frozen) is imported first: both libraries need it, so the figure is the library's own.
Prints one JSON line {"module", "bytes"}.
"""

import asyncio  # noqa: F401
import gc
import sys

mod = sys.argv[1]
name = sys.argv[2] if len(sys.argv) > 2 else None
gc.collect()
before = gc.mem_alloc()
m = __import__(mod)
if name:
    getattr(m, name)
gc.collect()
after = gc.mem_alloc()
print('{"module": "%s", "bytes": %d}' % (mod, after - before))
