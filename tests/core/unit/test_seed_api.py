"""The seed uht API keeps working (examples of the original README and seed document)."""

import asyncio

from support import client, raises

from uht import HTTPError, HTTPServer


def make():  # type: ignore[no-untyped-def]
    app = HTTPServer(backlog=4)

    @app.route("/")
    async def index(req, resp):
        await resp.send(b"Hello, world!")

    @app.route("/hello/<name>", methods=["GET", "POST"], save_headers=["Content-Type"])
    async def hello(req, resp, name):
        resp.set_status_code(202)
        resp.set_reason_phrase("Fine")
        resp.add_header("X-Name", name)
        await resp.send("Hi ")
        await resp.send(name)

    async def added(req, resp):
        await resp.send("added")

    app.add_route("/added", added, methods=["GET"], save_headers=[])

    @app.catchall()
    async def fallback(req, resp):
        resp.set_status_code(404)
        await resp.send("nothing at " + req.path)

    return app


async def test_hello_world():
    r = await client(make()).get("/")
    assert r.status == 200
    assert r.body == b"Hello, world!"
    assert r.headers["content-length"] == "13"


async def test_status_reason_headers_and_two_sends():
    r = await client(make()).get("/hello/ann")
    assert r.status == 202
    assert r.reason == "Fine"
    assert r.headers["x-name"] == "ann"
    assert r.headers["transfer-encoding"] == "chunked"
    assert r.body == b"Hi ann"


async def test_add_route_and_catchall():
    app = make()
    assert (await client(app).get("/added")).text == "added"
    r = await client(app).get("/nope/x")
    assert r.status == 404
    assert r.text == "nothing at /nope/x"


async def test_path_with_other_methods_is_405_even_with_catchall():
    r = await client(make()).post("/added")
    assert r.status == 405
    assert r.headers["allow"] == "GET, HEAD, OPTIONS"


async def test_options_answered_with_allow():
    r = await client(make()).request("OPTIONS", "/hello/x")
    assert r.status == 204
    assert r.headers["allow"] == "GET, HEAD, OPTIONS, POST"


async def test_set_status_after_send_raises():
    app = HTTPServer()
    seen = []

    @app.route("/")
    async def h(req, resp):
        await resp.send("a")
        await resp.send("b")
        seen.append(raises(RuntimeError, resp.set_status_code, 500))
        seen.append(raises(RuntimeError, resp.add_header, "X", "1"))

    r = await client(app).get("/")
    assert r.status == 200 and r.body == b"ab"
    assert len(seen) == 2


async def test_start_with_and_without_await():
    app = make()
    server = app.start("127.0.0.1", 0)
    assert hasattr(server, "wait_closed")
    server.close()
    await server.wait_closed()
    app2 = make()
    server2 = await app2.start("127.0.0.1", 0)
    server2.close()
    await asyncio.wait_for(server2.wait_closed(), 2)


async def test_http_error_from_handler():
    app = HTTPServer()

    @app.route("/")
    async def h(req, resp):
        raise HTTPError(403, "go away")

    r = await client(app).get("/")
    assert r.status == 403
    assert r.text == "go away\n"
