"""The lingering-close tests' app (issue 11, "answers that arrive"): the board's body limits on
every runtime (CPython's defaults are a host's: 1 MB bodies, 64 KB discarded), everything else
as `HTTPServer()` has it.

  GET /          a short text (any other method: 405)
  POST /echo     the body back (over max_body: 413 before reading it)
  GET /slow?s=N  answers after N seconds: a busy slot
  GET /limits    max_connections, max_body, max_discard

<runtime> linger_app.py HOST PORT
"""

import asyncio
import sys

from uht import HTTPServer

app = HTTPServer(max_body=16384, max_discard=4096)


@app.route("/")
async def index(req, resp):
    await resp.send("uht is up\n")


@app.route("/echo", methods=["POST"])
async def echo(req, resp):
    await resp.send(await req.body())


@app.route("/slow")
async def slow(req, resp):
    await asyncio.sleep(float(req.query.get("s", "1")))
    await resp.send("slept")


@app.route("/limits")
async def limits(req, resp):
    await resp.send_json(
        {"max_connections": app.max_connections, "max_body": app.max_body, "max_discard": app.max_discard}
    )


if __name__ == "__main__":
    app.run(sys.argv[1], int(sys.argv[2]))
