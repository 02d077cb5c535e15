"""before/after hooks, error handlers, mount."""

from support import client

from uht import HTTPError, HTTPServer


def make():  # type: ignore[no-untyped-def]
    app = HTTPServer()
    log = []

    @app.before_request
    async def before(req, resp):
        log.append("before " + req.path)
        if req.path == "/blocked":
            resp.set_status_code(401)
            await resp.send("no")
            return True
        return False

    @app.after_request
    async def after(req, resp):
        log.append("after")
        if not resp.started:
            resp.add_header("X-After", "1")

    @app.route("/")
    async def index(req, resp):
        await resp.send("hi")

    @app.route("/fail")
    async def fail(req, resp):
        raise KeyError("x")

    @app.route("/teapot")
    async def teapot(req, resp):
        raise HTTPError(418)

    @app.errorhandler(404)
    async def not_found(req, resp, exc):
        resp.set_status_code(404)
        await resp.send_json({"missing": req.path})

    @app.errorhandler(KeyError)
    async def key_error(req, resp, exc):
        resp.set_status_code(400)
        await resp.send("bad key")

    @app.catchall()
    async def never(req, resp):
        await resp.send("catchall should lose to the 404 handler")

    return app, log


async def test_hooks_run_around_handler():
    app, log = make()
    r = await client(app).get("/")
    assert r.text == "hi" and r.headers["x-after"] == "1"
    assert log == ["before /", "after"]


async def test_before_hook_can_answer():
    app, log = make()
    r = await client(app).get("/blocked")
    assert r.status == 401 and r.text == "no"


async def test_error_handlers_by_status_and_exception():
    app, _ = make()
    c = client(app)
    r = await c.get("/nowhere")
    assert r.status == 404 and r.json() == {"missing": "/nowhere"}
    r = await c.get("/fail")
    assert r.status == 400 and r.text == "bad key"
    r = await c.get("/teapot")
    assert r.status == 418 and r.reason == "Client Error"


async def test_mount_prefixes_routes():
    api = HTTPServer()

    @api.route("/items/<int:n>")
    async def item(req, resp, n):
        await resp.send_json({"n": n, "path": req.path})

    @api.route("/")
    async def root(req, resp):
        await resp.send("api root")

    app = HTTPServer()
    app.mount("/api/", api)
    c = client(app)
    assert (await c.get("/api/items/3")).json() == {"n": 3, "path": "/api/items/3"}
    assert (await c.get("/api/")).text == "api root"
    assert (await c.get("/items/3")).status == 404


def test_unknown_option_is_refused():
    try:
        HTTPServer(max_conections=3)
    except TypeError:
        return
    raise AssertionError("typo in an option name must not pass silently")


def test_options_are_attributes():
    app = HTTPServer(max_body=10, head_timeout=2.5)
    assert app.max_body == 10 and app.head_timeout == 2.5
    assert HTTPServer().max_body != 10
