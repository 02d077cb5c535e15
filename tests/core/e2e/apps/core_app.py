"""The app the end-to-end tests drive: every core feature, with small limits so they trip fast.

<runtime> core_app.py HOST PORT
"""

import asyncio
import gc
import sys

from uht import HTTPError, HTTPServer

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
    access_log=True,
)


@app.route("/")
async def index(req, resp):
    await resp.send(b"Hello, world!")


@app.route("/hello/<name>")
async def hello(req, resp, name):
    await resp.send("Hello, %s!" % name)


@app.route("/int/<int:n>")
async def as_int(req, resp, n):
    await resp.send_json({"n": n, "type": type(n).__name__})


@app.route("/files/<path:rest>")
async def files(req, resp, rest):
    await resp.send_json({"rest": rest, "path": req.path})


@app.route("/query")
async def query(req, resp):
    await resp.send_json(req.query)


@app.route("/headers")
async def headers(req, resp):
    await resp.send_json({"x-test": req.headers.get("X-Test"), "count": len(req.headers)})


@app.route("/echo", methods=["POST", "PUT"])
async def echo(req, resp):
    await resp.send(await req.body())


@app.route("/json", methods=["POST"])
async def echo_json(req, resp):
    await resp.send_json({"got": await req.json()})


@app.route("/form", methods=["POST"])
async def form(req, resp):
    await resp.send_json(await req.form())


@app.route("/upload", methods=["POST"], max_body=100)
async def upload(req, resp):
    await resp.send(b"%d" % len(await req.body()))


@app.route("/count", methods=["POST"])
async def count(req, resp):
    """Streams the body with read(n): not bounded by max_body."""
    total = 0
    while True:
        chunk = await req.read(512)
        if not chunk:
            break
        total += len(chunk)
    await resp.send(str(total))


@app.route("/stream")
async def stream(req, resp):
    for i in range(3):
        await resp.send("part%d\n" % i)


@app.route("/events")
async def events(req, resp):
    resp.add_header("Content-Type", "text/event-stream")
    await resp.start_stream()
    for i in range(3):
        await resp.send("data: %d\n\n" % i)
        await asyncio.sleep(0.05)


@app.route("/custom")
async def custom(req, resp):
    resp.set_status_code(201)
    resp.set_reason_phrase("Made It")
    resp.add_header("Set-Cookie", "a=1")
    resp.add_header("Set-Cookie", "b=2")
    await resp.send("made")


@app.route("/late-header")
async def late_header(req, resp):
    await resp.send("x")
    await resp.send("y")
    try:
        resp.add_header("X-Late", "1")
    except RuntimeError:
        await resp.send("refused")


@app.route("/inject")
async def inject(req, resp):
    try:
        resp.add_header("X-Evil", "a\r\nSet-Cookie: pwned=1")
    except ValueError:
        await resp.send("refused")


@app.route("/redirect")
async def redirect(req, resp):
    resp.redirect(req.query.get("to", "/"))


@app.route("/raise")
async def raise_error(req, resp):
    raise ValueError("handler bug")


@app.route("/raise-late")
async def raise_late(req, resp):
    await resp.send("a")
    await resp.send("b")
    raise ValueError("handler bug after sending")


@app.route("/memerr")
async def memerr(req, resp):
    raise MemoryError


@app.route("/forbidden")
async def forbidden(req, resp):
    raise HTTPError(403, "no entry")


@app.route("/slow")
async def slow(req, resp):
    await asyncio.sleep(float(req.query.get("s", "1")))
    await resp.send("slept")


@app.route("/big")
async def big(req, resp):
    chunk = b"x" * 1024
    for _ in range(int(req.query.get("kb", "64"))):
        await resp.send(chunk)


@app.route("/item", methods=["PUT", "DELETE"])
async def item(req, resp):
    await resp.send(req.method)


@app.route("/_diag")
async def diag(req, resp):
    gc.collect()
    await resp.send_json(
        {
            "mem_free": gc.mem_free() if hasattr(gc, "mem_free") else 0,
            "connections": len(app._conns),
            "conn_requests": req.conn.requests,
        }
    )


@app.catchall()
async def catchall(req, resp):
    resp.set_status_code(404)
    await resp.send("custom not found: " + req.path)


if __name__ == "__main__":
    app.run(sys.argv[1], int(sys.argv[2]))
