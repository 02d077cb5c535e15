"""The hello app on microdot (one route), the same app as hello_uht.py and hello_asyncio.py."""

import probe  # noqa: I001  (first: the heap baseline)

import asyncio

from microdot import Microdot

app = Microdot()


@app.route("/")
async def index(request):
    probe.tick()
    return "Hello, world!"


async def main():
    asyncio.create_task(app.start_server("127.0.0.1", probe.PORT))
    await probe.serve_forever()


asyncio.run(main())
