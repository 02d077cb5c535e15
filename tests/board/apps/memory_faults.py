"""The hello app with memory faults on demand, for tests/board/test_board_faults.py: GET /arm?take=N
makes the next N attempts to take a client (HTTPServer._on_socket) raise MemoryError,
/arm?head=N the next N attempts to take a request head (HTTPServer._take_head), and
/arm?parse=N the next N request heads' parsing; /arm?reserve=N sets app.accept_reserve, and GET
/hold/MS answers after MS milliseconds; every other GET / answers "Hello, world!"."""

import probe  # noqa: I001  (first: the heap baseline)

import asyncio

import uht.server
from uht import HTTPServer

app = HTTPServer()
faults = {"take": 0, "head": 0, "parse": 0}


@app.route("/")
async def index(req, resp):
    await resp.send("Hello, world!")


@app.route("/arm")
async def arm(req, resp):
    for name, value in req.query.items():
        if name == "reserve":
            app.accept_reserve = int(value)  # bytes that must be free to take a client while others are served
        else:
            faults[name] = int(value)
    await resp.send("armed")


@app.route("/hold/<int:ms>")
async def hold(req, resp, ms):
    """Keeps its connection busy for ms milliseconds: a client being served."""
    await asyncio.sleep_ms(ms)
    await resp.send("held")


def faulty(name, real):
    def call(*args):
        if faults[name]:
            faults[name] -= 1
            raise MemoryError
        return real(*args)

    return call


app._on_socket = faulty("take", app._on_socket)  # what start() hands the accept loop
app._take_head = faulty("head", app._take_head)  # found on the instance first by _serve
uht.server.parse_head = faulty("parse", uht.server.parse_head)


async def main():
    await app.start("127.0.0.1", probe.PORT)
    await probe.serve_forever()


asyncio.run(main())
