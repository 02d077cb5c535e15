"""Starts and stops a uht server, then prints the collector threshold start() left and the heap's
size: `THRESHOLD <gc.threshold()> <heap bytes>` (tests/board/test_board_collect.py)."""

import asyncio
import gc

from uht import HTTPServer


async def main():
    app = HTTPServer()
    app.start("127.0.0.1", 0)
    print("THRESHOLD %d %d" % (gc.threshold(), gc.mem_free() + gc.mem_alloc()))
    app.close()


asyncio.run(main())
