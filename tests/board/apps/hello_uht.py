"""The hello app on uht (one route), the same app as hello_microdot.py and hello_asyncio.py."""

import probe  # noqa: I001  (first: the heap baseline)

import asyncio

from uht import HTTPServer

app = HTTPServer()


@app.route("/")
async def index(req, resp):
    probe.tick()
    await resp.send("Hello, world!")


async def main():
    await app.start("127.0.0.1", probe.PORT)
    await probe.serve_forever()


asyncio.run(main())
