"""The app the reliability suite, the socket fuzzer and the soak drive: few routes, small limits,
fault routes, a diagnostics route and a shutdown route. Small enough for a 64 KB heap from .mpy.

<runtime> rel_app.py HOST PORT
"""

import asyncio
import gc
import sys

from uht import HTTPServer

app = HTTPServer(
    max_connections=4,
    max_request_line=512,
    max_header_bytes=1024,
    max_headers=20,
    max_body=2048,
    head_timeout=1.0,
    idle_timeout=1.5,
    body_timeout=1.0,
    write_timeout=2.0,
)


def _int(req, name, default):
    """A query number; anything else gives the default (the fuzzers send garbage here)."""
    value = req.query.get(name, "")
    return int(value) if value.isdigit() and len(value) < 6 else default


@app.route("/hello/<name>", methods=["GET", "POST"])
async def hello(req, resp, name):
    await resp.send("Hello, %s!" % name)


@app.route("/echo", methods=["POST", "PUT"])
async def echo(req, resp):
    await resp.send(await req.body())


@app.route("/form", methods=["POST"])
async def form(req, resp):
    await resp.send_json(await req.form())


@app.route("/query")
async def query(req, resp):
    await resp.send_json(req.query)


@app.route("/stream")
async def stream(req, resp):
    for i in range(_int(req, "n", 3)):
        await resp.send("part%d\n" % i)


@app.route("/big")
async def big(req, resp):
    chunk = b"x" * 1024
    for _ in range(_int(req, "kb", 64)):
        await resp.send(chunk)


@app.route("/slow")
async def slow(req, resp):
    await asyncio.sleep(float(req.query.get("s", "1")))
    await resp.send("slept")


@app.route("/redirect")
async def redirect(req, resp):
    resp.redirect(req.query.get("to", "/"))


@app.route("/set-header")
async def set_header(req, resp):
    resp.add_header(req.query.get("name", "X-A"), req.query.get("value", ""))
    await resp.send("set")


@app.route("/fault/<stage>")
async def fault(req, resp, stage):
    if stage == "before":
        raise ValueError("fault before send")
    if stage == "memory":
        raise MemoryError
    if stage == "alloc":  # a real allocation failure, far beyond any heap
        junk = bytearray(1 << 30)
        await resp.send(junk)
    await resp.send("a" * 100)
    if stage == "held":  # one send() is held until the handler returns: still a clean 500
        raise ValueError("fault after the first send")
    await resp.send("b" * 100)
    if stage == "alloc-stream":
        junk = bytearray(1 << 30)
        await resp.send(junk)
    raise ValueError("fault mid-stream")


@app.route("/_diag")
async def diag(req, resp):
    gc.collect()
    free = getattr(gc, "mem_free", int)  # CPython (the in-process fuzzer) has no heap figures: 0
    used = getattr(gc, "mem_alloc", int)
    await resp.send_json({"mem_free": free(), "mem_alloc": used(), "connections": len(app._conns)})


@app.route("/_shutdown", methods=["POST"])
async def shutdown(req, resp):
    app.close()  # busy connections finish their request; idle ones close now
    await resp.send("closing")


if __name__ == "__main__":
    app.run(sys.argv[1], int(sys.argv[2]))
