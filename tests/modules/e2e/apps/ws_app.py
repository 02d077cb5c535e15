"""The app the WebSocket/SSE end-to-end tests drive: echo, push, idle, and a long-lived cap of 2.

<runtime> ws_app.py HOST PORT
"""

import asyncio
import gc
import sys

from uht import HTTPServer, sse, websocket

app = HTTPServer(
    max_connections=6, max_long_lived=2, max_body=4096, head_timeout=2.0, idle_timeout=2.0, write_timeout=1.0
)
websocket.install(app)
sse.install(app)


@app.route("/hello")
async def hello(req, resp):
    await resp.send("hello")


@app.websocket("/echo", max_size=4096)  # past websocket.DEFAULT_MAX_SIZE (2 KB on MicroPython)
async def echo(req, ws):
    async for msg in ws:
        if isinstance(msg, str) and msg == "close-me":
            await ws.close(4001, "asked to")
            break
        await ws.send(msg)


@app.websocket("/push/<int:count>")
async def push(req, ws, count):
    # The server talks first: a dashboard's live values.
    for i in range(count):
        await ws.send('{"n": %d}' % i)
        await asyncio.sleep(0.01)
    await ws.close(1000, "done")


@app.websocket("/idle", ping_interval=0.5, idle_timeout=1.5)
async def idle(req, ws):
    async for msg in ws:
        await ws.send(msg)


@app.websocket("/flood", ping_interval=0.5, idle_timeout=None)
async def flood(req, ws):
    # A task pushes while the handler receives: a client that stops reading stalls the pusher's drain.
    async def push():
        block = "x" * 4000
        try:
            while True:
                await ws.send(block)
        except websocket.ConnectionClosed:
            pass

    pusher = asyncio.create_task(push())
    try:
        async for msg in ws:
            await ws.send(msg)
    finally:
        pusher.cancel()


@app.sse("/events", retry=1000, keepalive=0.3)
async def events(req, stream):
    start = 0
    if stream.last_event_id:
        start = int(stream.last_event_id) + 1
    for i in range(start, start + 5):
        await stream.send({"n": i}, event="tick", id=i)
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.7)  # keep-alive comments go out meanwhile
    await stream.send("bye", event="end")


@app.sse("/forever", keepalive=0.2)
async def forever(req, stream):
    n = 0
    while True:
        n += 1
        await stream.send(str(n))
        await asyncio.sleep(0.1)


@app.sse("/sse-flood", keepalive=0.2)
async def sse_flood(req, stream):
    block = "y" * 2000
    while True:
        await stream.send(block)


@app.route("/_conns")
async def conns(req, resp):
    gc.collect()
    alloc = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
    long_lived = len([c for c in app._conns if c.state == 2])
    await resp.send_json({"connections": len(app._conns), "long_lived": long_lived, "mem_alloc": alloc})


@app.route("/_shutdown", methods=["POST"])
async def shutdown(req, resp):
    app.close()
    await resp.send("closing")


if __name__ == "__main__":
    app.run(sys.argv[1], int(sys.argv[2]))
