"""Heap probes for the board-sized apps, imported FIRST by each app so that the baseline is taken
before asyncio, the library and the app's own objects exist.

    micropython APP.py PORT MODE [TRIGGER]

MODE "held":  the heap the server holds: each time the file TRIGGER appears, the watcher removes
              it, collects and prints `HELD <bytes>` (gc.mem_alloc() now minus the baseline).
MODE "alloc": bytes allocated per request with the collector off: the handlers call tick(); after
              WARMUP requests it collects, notes gc.mem_alloc() and disables the collector; COUNT
              requests later it prints `ALLOC <bytes> <requests>` and enables it again. Both points
              sit at the same place of a request, so the difference is COUNT whole requests.
MODE "serve": no probe at all (the smallest-heap runs).
"""

import gc
import os
import sys

PORT = int(sys.argv[1])
MODE = sys.argv[2] if len(sys.argv) > 2 else "serve"
TRIGGER = sys.argv[3] if len(sys.argv) > 3 else ""
WARMUP = 10
COUNT = 500

_seen = 0
_start = 0


def tick():
    """Called once per request by each handler (a no-op unless MODE is "alloc")."""
    global _seen, _start
    if MODE != "alloc":
        return
    _seen += 1
    if _seen == WARMUP:
        gc.collect()
        _start = gc.mem_alloc()
        gc.disable()
    elif _seen == WARMUP + COUNT:
        used = gc.mem_alloc() - _start
        gc.enable()
        print("ALLOC %d %d" % (used, COUNT))


async def _watch():
    import asyncio  # already loaded by the app: a lookup, not an import

    while True:
        await asyncio.sleep_ms(20)
        try:
            os.stat(TRIGGER)
        except OSError:
            continue
        os.remove(TRIGGER)
        gc.collect()
        held = gc.mem_alloc() - _BASE
        print("HELD %d" % held)


# The baseline, taken once the probe's own functions exist: what follows is the app's.
gc.collect()
_BASE = gc.mem_alloc()


async def serve_forever():
    """What each app awaits once its server listens."""
    import asyncio

    print("READY %d" % PORT)
    if MODE == "held":
        await _watch()
    while True:
        await asyncio.sleep(3600)
