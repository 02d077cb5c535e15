"""uht.auth: Basic credentials, 401 challenges, decorator and app-wide hook."""

import binascii

from fsupport import app_and_client

from uht.auth import basic_auth, compare, protect


def _basic(user: str, password: str) -> dict:
    token = binascii.b2a_base64((user + ":" + password).encode()).strip()
    return {"Authorization": "Basic " + str(token, "ascii")}


def test_compare():
    assert compare("secret", "secret") and compare(b"", b"")
    assert not compare("secret", "secreT") and not compare("secret", "secret2")
    assert not compare("", "x") and not compare("x", "")
    assert compare("pässwort", "pässwort")


async def test_decorator_answers_401_until_credentials_match():
    app, client = app_and_client()

    @app.route("/admin/<name>")
    @basic_auth({"admin": "s3cret:with:colons"}, realm="Board")
    async def admin(req, resp, name):  # type: ignore[no-untyped-def]
        await resp.send("hello %s as %s" % (name, req.user))

    @app.route("/open")
    async def open_(req, resp):  # type: ignore[no-untyped-def]
        await resp.send("open")

    r = await client.get("/admin/x")
    assert r.status == 401
    assert r.headers["www-authenticate"] == 'Basic realm="Board", charset="UTF-8"'
    for headers in (
        _basic("admin", "wrong"),
        _basic("nobody", "s3cret:with:colons"),
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic !!!notbase64"},
        {"Authorization": "Basic " + str(binascii.b2a_base64(b"nocolon").strip(), "ascii")},
        {"Authorization": "Basic"},
    ):
        r = await client.get("/admin/x", headers=headers)
        assert r.status == 401, headers
    r = await client.get("/admin/x", headers=_basic("admin", "s3cret:with:colons"))
    assert r.status == 200 and r.text == "hello x as admin"
    assert (await client.get("/open")).text == "open"


async def test_protect_prefix_with_async_check():
    app, client = app_and_client()
    calls = []

    async def check(user, password):  # type: ignore[no-untyped-def]
        calls.append(user)
        return user == "ops" and password == "pw"

    protect(app, check=check, realm="ops", prefix="/private")

    @app.route("/private")
    async def private_root(req, resp):  # type: ignore[no-untyped-def]
        await resp.send("root " + req.user)

    @app.route("/private/data")
    async def private(req, resp):  # type: ignore[no-untyped-def]
        await resp.send("data")

    @app.route("/privateer")
    async def other(req, resp):  # type: ignore[no-untyped-def]
        await resp.send("not protected")

    assert (await client.get("/private/data")).status == 401
    assert (await client.get("/private", headers=_basic("ops", "no"))).status == 401
    assert (await client.get("/private", headers=_basic("ops", "pw"))).text == "root ops"
    assert (await client.get("/private/data", headers=_basic("ops", "pw"))).text == "data"
    assert (await client.get("/privateer")).text == "not protected"
    assert (await client.get("/nothing-here")).status == 404
    assert calls == ["ops", "ops", "ops"]


async def test_protect_lets_cors_preflights_through():
    from uht.cors import CORS

    app, client = app_and_client()
    CORS(app, origins=["http://ui.example"], credentials=True)
    protect(app, {"u": "p"})

    @app.route("/api", methods=["GET", "PUT"])
    async def api(req, resp):  # type: ignore[no-untyped-def]
        await resp.send("api")

    pre = {"Origin": "http://ui.example", "Access-Control-Request-Method": "PUT"}
    r = await client.request("OPTIONS", "/api", headers=pre)
    assert r.status == 204 and r.headers["access-control-allow-origin"] == "http://ui.example"
    assert (await client.request("PUT", "/api", headers={"Origin": "http://ui.example"})).status == 401
    r = await client.request("PUT", "/api", headers=dict(_basic("u", "p"), Origin="http://ui.example"))
    assert r.text == "api" and r.headers["access-control-allow-credentials"] == "true"
    assert (await client.request("OPTIONS", "/api")).status == 401  # a plain OPTIONS is not a preflight
