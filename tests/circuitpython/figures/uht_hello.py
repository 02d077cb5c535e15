"""uht's hello app for the side-by-side figures (figures.py): one route, served through the test
socketpool; prints the heap it holds after its first request, then the bytes allocated per request."""

import gc

import socketpool  # the board's modules first: a board has them before code.py runs
import wifi

gc.collect()
BASE = gc.mem_free()

import asyncio  # noqa: E402
import sys  # noqa: E402

from uht import HTTPServer  # noqa: E402

N = 200  # requests counted for the allocation figure
app = HTTPServer()
served = [0]


@app.route("/")
async def index(req, resp):
    served[0] += 1
    await resp.send("Hello, world!")


async def report():
    while served[0] < 1 or app._conns:
        await asyncio.sleep_ms(5)
    gc.collect()
    print("held", BASE - gc.mem_free())
    gc.disable()
    start = gc.mem_alloc()
    while served[0] < 1 + N or app._conns:
        await asyncio.sleep_ms(0)
    print("per_request", (gc.mem_alloc() - start) // N)
    gc.enable()


async def main(port):
    app.start("127.0.0.1", port, pool=socketpool.SocketPool(wifi.radio))
    if len(sys.argv) < 3:  # "serve": just serve (the smallest-heap search)
        asyncio.create_task(report())
    await app.wait_closed()


asyncio.run(main(int(sys.argv[1])))
