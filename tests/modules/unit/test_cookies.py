"""uht.cookies: parsing, Set-Cookie attributes, validation, deletion."""

from fsupport import app_and_client

from uht.cookies import cookie_header, delete_cookie, get_cookie, get_cookies, parse_cookies, set_cookie


def _raises_value_error(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        fn(*args, **kwargs)
    except ValueError:
        return
    raise AssertionError("ValueError not raised for %r %r" % (args, kwargs))


def test_parse_cookie_header():
    assert parse_cookies('a=1; b=two words;c="quoted" ; d=') == {"a": "1", "b": "two words", "c": "quoted", "d": ""}
    assert parse_cookies("a=first; a=second") == {"a": "first"}
    assert parse_cookies("junk; =x; ok=1; ;") == {"ok": "1"}
    assert parse_cookies("") == {}
    assert parse_cookies("tok=abc==") == {"tok": "abc=="}


def test_cookie_header_attributes():
    assert cookie_header("s", "v") == "s=v; Path=/"
    full = cookie_header(
        "s",
        "v",
        max_age=60,
        expires=0,
        path="/app",
        domain="example.org",
        secure=True,
        http_only=True,
        same_site="strict",
        partitioned=True,
    )
    assert full == (
        "s=v; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/app; Domain=example.org; "
        "Secure; HttpOnly; SameSite=Strict; Partitioned"
    )
    assert cookie_header("s", "v", path=None, expires="Wed, 21 Oct 2037 07:28:00 GMT") == (
        "s=v; Expires=Wed, 21 Oct 2037 07:28:00 GMT"
    )
    assert cookie_header("n", 5, same_site="None", secure=True) == "n=5; Path=/; Secure; SameSite=None"


def test_cookie_validation():
    for value in ("a;b", "a\r\nSet-Cookie: x=1", "a b", 'a"b', "a,b", "a\\b", "caf\u00e9", "a\x00"):
        _raises_value_error(cookie_header, "n", value)
    for name in ("", "a b", "a=b", "a;b", "a\r\n", "a:b"):
        _raises_value_error(cookie_header, name, "v")
    _raises_value_error(cookie_header, "n", "v", path="/a;b")
    _raises_value_error(cookie_header, "n", "v", domain="x\r\n")
    _raises_value_error(cookie_header, "n", "v", same_site="sometimes")
    _raises_value_error(cookie_header, "n", "v", same_site="None")  # without secure


async def test_cookies_through_requests_and_responses():
    app, client = app_and_client()

    @app.route("/login")
    async def login(req, resp):  # type: ignore[no-untyped-def]
        set_cookie(resp, "session", "abc123", max_age=3600, http_only=True, same_site="Lax")
        set_cookie(resp, "theme", "dark")
        await resp.send("ok")

    @app.route("/whoami")
    async def whoami(req, resp):  # type: ignore[no-untyped-def]
        cookies = get_cookies(req)
        assert get_cookies(req) is cookies  # parsed once per request
        await resp.send_json({"session": get_cookie(req, "session"), "all": cookies, "none": get_cookie(req, "x", "-")})

    @app.route("/logout")
    async def logout(req, resp):  # type: ignore[no-untyped-def]
        delete_cookie(resp, "session")
        await resp.send("bye")

    r = await client.get("/login")
    assert [v for n, v in r.header_list if n == "Set-Cookie"] == [
        "session=abc123; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax",
        "theme=dark; Path=/",
    ]
    r = await client.get("/whoami", headers={"Cookie": "session=abc123; theme=dark"})
    assert r.json() == {"session": "abc123", "all": {"session": "abc123", "theme": "dark"}, "none": "-"}
    r = await client.get("/whoami")
    assert r.json() == {"session": None, "all": {}, "none": "-"}
    r = await client.get("/logout")
    assert r.headers["set-cookie"] == "session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"
