"""The framing tests' app (issue 11, h11 checks): one route per kind of answer uht gives, and small
limits so every error status is quick to provoke (max_connections 2 for 503, head_timeout 1 s
for 408).

<runtime> framing_app.py HOST PORT
"""

import asyncio
import sys

from uht import HTTPServer

app = HTTPServer(
    max_connections=2,
    max_request_line=256,
    max_header_bytes=512,
    max_body=1024,
    head_timeout=1.0,
)


@app.route("/")
async def index(req, resp):
    await resp.send("uht is up\n")


@app.route("/empty")
async def empty(req, resp):
    pass  # 200 with an empty body


@app.route("/echo", methods=["POST"])
async def echo(req, resp):
    await resp.send(await req.body())


@app.route("/nocontent", methods=["GET", "DELETE"])
async def nocontent(req, resp):
    resp.set_status_code(204)


@app.route("/notmodified")
async def notmodified(req, resp):
    resp.set_status_code(304)
    resp.add_header("ETag", '"v1"')


@app.route("/redirect")
async def redirect(req, resp):
    resp.redirect("/")


@app.route("/stream")
async def stream(req, resp):
    await resp.start_stream()
    for i in range(3):
        await resp.write(("part %d\n" % i).encode())


@app.route("/parts")
async def parts(req, resp):
    for i in range(3):
        await resp.send("send %d\n" % i)  # the second send() makes it a stream


@app.route("/sized")
async def sized(req, resp):
    resp.add_header("Content-Length", "12")
    await resp.write(b"abcdef")
    await resp.write(b"ghijkl")


@app.route("/cut")
async def cut(req, resp):
    await resp.start_stream()
    await resp.write(b"first part\n")
    raise ValueError("a handler bug after the stream started")


@app.route("/fail")
async def fail(req, resp):
    raise ValueError("a handler bug")


@app.route("/slow")
async def slow(req, resp):
    await asyncio.sleep(float(req.query.get("s", "1")))
    await resp.send("slept")


if __name__ == "__main__":
    app.run(sys.argv[1], int(sys.argv[2]))
