"""The soak app on uht: GET / (hello), POST /echo (the body back, read through `await req.body()`),
GET /fail (a handler that raises). The same app as soak_microdot.py."""

import probe  # noqa: I001  (first: the heap baseline)

import asyncio

from uht import HTTPServer

app = HTTPServer()


@app.route("/")
async def index(req, resp):
    await resp.send("Hello, world!")


@app.route("/echo", methods=["POST"])
async def echo(req, resp):
    resp.add_header("Content-Type", "application/octet-stream")
    await resp.send(await req.body())


@app.route("/fail")
async def fail(req, resp):
    raise ValueError("soak: a handler that fails")


async def main():
    await app.start("127.0.0.1", probe.PORT)
    await probe.serve_forever()


asyncio.run(main())
