"""The hardening suite's app (issue 11): `HTTPServer()` with its defaults, as a user gets it, and the
routes the slow-rate, lingering-close and framing tests drive.

  GET /          a short text
  GET /big       64 KB in 8 sends (streamed)
  POST /echo     the body back (buffered: `await req.body()`)
  GET /slow?s=N  answers after sleeping N seconds (a busy slot that reads nothing)
  POST /pause    reads the body 10 bytes at a time with a 1 s pause between reads, as a handler
                 writing each piece to flash would; answers the byte count
  GET /limits    the server's limits as JSON (the suite sizes its floods from them)

<runtime> rate_app.py HOST PORT
"""

import asyncio
import sys

from uht import HTTPServer

app = HTTPServer()


@app.route("/")
async def index(req, resp):
    await resp.send("uht is up\n")


@app.route("/big")
async def big(req, resp):
    part = b"b" * 8192
    for _ in range(8):
        await resp.send(part)


@app.route("/echo", methods=["POST"])
async def echo(req, resp):
    await resp.send(await req.body())


@app.route("/slow")
async def slow(req, resp):
    await asyncio.sleep(float(req.query.get("s", "1")))
    await resp.send("slept")


@app.route("/pause", methods=["POST"])
async def pause(req, resp):
    total = 0
    while True:
        piece = await req.read(10)
        if not piece:
            break
        total += len(piece)
        await asyncio.sleep(1)  # the handler's own work: not time spent waiting for the client
    await resp.send(str(total))


@app.route("/limits")
async def limits(req, resp):
    await resp.send_json(
        {
            "max_connections": app.max_connections,
            "max_body": app.max_body,
            "max_discard": app.max_discard,
            "backlog": app.backlog,
        }
    )


if __name__ == "__main__":
    app.run(sys.argv[1], int(sys.argv[2]))
