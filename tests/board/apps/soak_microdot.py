"""The soak app on microdot: GET / (hello), POST /echo (the body back), GET /fail (a handler that
raises). The same app as soak_uht.py."""

import probe  # noqa: I001  (first: the heap baseline)

import asyncio

from microdot import Microdot

app = Microdot()


@app.route("/")
async def index(request):
    return "Hello, world!"


@app.route("/echo", methods=["POST"])
async def echo(request):
    return request.body, 200, {"Content-Type": "application/octet-stream"}


@app.route("/fail")
async def fail(request):
    raise ValueError("soak: a handler that fails")


async def main():
    asyncio.create_task(app.start_server("127.0.0.1", probe.PORT))
    await probe.serve_forever()


asyncio.run(main())
