"""uht.cors: actual requests, preflight replacing the automatic OPTIONS answer, Vary."""

from fsupport import app_and_client

from uht.cors import CORS

ORIGIN = "http://app.example:3000"


def _app(**options):  # type: ignore[no-untyped-def]
    app, client = app_and_client()
    cors = CORS(app, **options)

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    async def items(req, resp):  # type: ignore[no-untyped-def]
        await resp.send("items")

    return app, client, cors


async def test_any_origin_without_credentials():
    app, client, cors = _app()
    r = await client.get("/api/items", headers={"Origin": ORIGIN})
    assert r.text == "items" and r.headers["access-control-allow-origin"] == "*"
    assert "vary" not in r.headers and "access-control-allow-credentials" not in r.headers
    r = await client.get("/api/items")
    assert "access-control-allow-origin" not in r.headers


async def test_listed_origins_credentials_and_expose():
    app, client, cors = _app(origins=[ORIGIN + "/"], credentials=True, expose_headers=["X-Count"])
    r = await client.get("/api/items", headers={"Origin": ORIGIN})
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["access-control-expose-headers"] == "X-Count"
    assert r.headers["vary"] == "Origin"
    r = await client.get("/api/items", headers={"Origin": "http://evil.example"})
    assert r.status == 200 and "access-control-allow-origin" not in r.headers and r.headers["vary"] == "Origin"


async def test_preflight_replaces_automatic_options():
    app, client, cors = _app(origins=[ORIGIN], max_age=600, headers=["Content-Type", "X-Token"])
    pre = {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-token"}
    r = await client.request("OPTIONS", "/api/items", headers=pre)
    assert r.status == 204 and r.body == b""
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert r.headers["access-control-allow-methods"] == "GET, HEAD, POST, PUT, PATCH, DELETE"
    assert r.headers["access-control-allow-headers"] == "Content-Type, X-Token"
    assert r.headers["access-control-max-age"] == "600"
    assert "Origin" in r.headers["vary"] and "allow" not in r.headers  # not the automatic answer
    # A plain OPTIONS (no preflight) still gets the automatic answer.
    r = await client.request("OPTIONS", "/api/items")
    assert r.status == 204 and r.headers["allow"] == "GET, HEAD, OPTIONS, POST, PUT"
    # A method the route does not take: no CORS answer, the automatic one.
    r = await client.request("OPTIONS", "/api/items", headers=dict(pre, **{"Access-Control-Request-Method": "DELETE"}))
    assert "access-control-allow-origin" not in r.headers and r.headers["allow"]
    # An origin not listed: answered, without CORS headers (the browser refuses).
    r = await client.request("OPTIONS", "/api/items", headers=dict(pre, Origin="http://evil.example"))
    assert r.status == 204 and "access-control-allow-origin" not in r.headers
    # No route at all: 404 as before.
    assert (await client.request("OPTIONS", "/nothing", headers=pre)).status == 404


async def test_wildcard_headers_echo_the_request():
    app, client, cors = _app(credentials=True)
    pre = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-a",
    }
    r = await client.request("OPTIONS", "/api/items", headers=pre)
    assert r.headers["access-control-allow-headers"] == "content-type, x-a"
    assert r.headers["access-control-allow-origin"] == ORIGIN  # never "*" with credentials
    assert r.headers["access-control-allow-credentials"] == "true"


async def test_enable_limits_cors_to_chosen_routes():
    app, client = app_and_client()
    cors = CORS(app, methods=["GET", "POST"])

    @app.route("/public", methods=["GET", "POST"])
    @cors.enable
    async def public(req, resp):  # type: ignore[no-untyped-def]
        await resp.send("public")

    @app.route("/internal", methods=["GET", "POST"])
    async def internal(req, resp):  # type: ignore[no-untyped-def]
        await resp.send("internal")

    r = await client.get("/public", headers={"Origin": ORIGIN})
    assert r.headers["access-control-allow-origin"] == "*"
    r = await client.get("/internal", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in r.headers
    pre = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    r = await client.request("OPTIONS", "/public", headers=pre)
    assert r.headers["access-control-allow-methods"] == "GET, POST"
    r = await client.request("OPTIONS", "/internal", headers=pre)
    assert "access-control-allow-origin" not in r.headers and "POST" in r.headers["allow"]


async def test_hook_added_by_hand_to_an_app():
    # CORS() without an app, its hook added with before_request: routes are those of the
    # server the request came to (was an AttributeError, 500, on every preflight).
    app, client = app_and_client()
    cors = CORS()
    app.before_request(cors.hook)

    @app.route("/api/items", methods=["GET", "PUT"])
    async def items(req, resp):  # type: ignore[no-untyped-def]
        await resp.send("items")

    pre = {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"}
    r = await client.request("OPTIONS", "/api/items", headers=pre)
    assert r.status == 204 and r.headers["access-control-allow-origin"] == "*"
    assert "PUT" in r.headers["access-control-allow-methods"]
    r = await client.get("/api/items", headers={"Origin": ORIGIN})
    assert r.text == "items" and r.headers["access-control-allow-origin"] == "*"
