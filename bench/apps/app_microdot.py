"""The benchmark app on microdot: GET / (text), GET /user/<id> (path parameter), POST /echo (JSON).

    python app_microdot.py PORT [BACKLOG] [mem]

microdot has no connection cap; the listen backlog is what limits it, so it is raised to BACKLOG
(asyncio.start_server defaults to 5 on MicroPython) by wrapping asyncio.start_server. With `mem`,
GET /__mem answers the heap in use (MicroPython) for the memory benchmarks.
"""

import asyncio
import sys

from benchmem import mem_report
from microdot import Microdot

app = Microdot()


@app.route("/")
async def index(request):
    return "Hello, world!", 200, {"Content-Type": "text/plain"}


@app.route("/user/<uid>")
async def user(request, uid):
    return "user " + uid, 200, {"Content-Type": "text/plain"}


@app.route("/echo", methods=["POST"])
async def echo(request):
    return request.json


def add_mem_route():
    @app.route("/__mem")
    async def mem(request):
        return mem_report(request.args.get("op", "")), 200, {"Content-Type": "text/plain"}


def raise_backlog(backlog):
    start_server = asyncio.start_server

    async def wrapped(cb, host, port, **kw):
        kw.pop("ssl", None)
        kw.pop("start_serving", None)
        kw["backlog"] = backlog
        return await start_server(cb, host, port, **kw)

    asyncio.start_server = wrapped


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
    raise_backlog(int(sys.argv[2]) if len(sys.argv) > 2 else 64)
    if "mem" in sys.argv[3:]:
        add_mem_route()
    print("READY", port)
    app.run("127.0.0.1", port)
