"""Request parsing: query, headers, bodies (length, chunked, limits), JSON and forms."""

from support import client

from uht import HTTPServer


def echo_app(**options):  # type: ignore[no-untyped-def]
    app = HTTPServer(**options)

    @app.route("/q")
    async def q(req, resp):
        await resp.send_json(req.query)

    @app.route("/h")
    async def h(req, resp):
        await resp.send_json(
            {
                "accept": req.headers["ACCEPT"],
                "x": req.headers.get("x-many"),
                "has": "Accept" in req.headers,
                "method": req.method,
                "path": req.path,
                "remote": req.remote_addr,
            }
        )

    @app.route("/body", methods=["POST"])
    async def body(req, resp):
        await resp.send(await req.body())

    @app.route("/small", methods=["POST"], max_body=4)
    async def small(req, resp):
        await resp.send(await req.body())

    @app.route("/json", methods=["POST"])
    async def js(req, resp):
        await resp.send_json({"got": await req.json()})

    @app.route("/form", methods=["POST"])
    async def form(req, resp):
        await resp.send_json(await req.form())

    @app.route("/stream", methods=["POST"], max_body=4)
    async def stream(req, resp):
        n = 0
        while True:
            part = await req.read(3)
            if not part:
                break
            assert len(part) <= 3
            n += len(part)
        await resp.send(str(n))

    return app


async def test_query_decoding_rules():
    r = await client(echo_app()).get("/q?a=1&b=x+y&c&a=2&d=%C3%A9%26&=e")
    assert r.json() == {"a": "2", "b": "x y", "c": "", "d": "é&", "": "e"}


async def test_bad_query_is_400():
    assert (await client(echo_app()).get("/q?a=%zz")).status == 400


async def test_headers_case_insensitive_and_joined():
    raw = b"GET /h HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\nX-Many: 1\r\nx-many: 2\r\nConnection: close\r\n\r\n"
    from uht.testing import TestResponse

    r = TestResponse(await client(echo_app()).raw(raw))
    assert r.json() == {
        "accept": "text/plain",
        "x": "1, 2",
        "has": True,
        "method": "GET",
        "path": "/h",
        "remote": "127.0.0.1",
    }


async def test_headers_are_read_from_the_head_one_field_at_a_time():
    # req.headers finds a field's lines in the head's bytes: only a whole name at a line's start
    # matches, never part of another name or of a value, and the mapping reads the same whether a
    # lookup or a walk over every field comes first.
    app = HTTPServer()
    seen = {}

    @app.route("/f")
    async def fields(req, resp):
        h = req.headers
        seen["lookups"] = [
            h.get("host"),
            h.get("X-HOST"),
            h.get("hostname"),
            h.get("ost"),
            h.get("name"),
            h.get("x-empty"),
            h.get("absent", "dflt"),
            h.get("x-host:"),
            h.get(""),
            "x-utf8" in h,
            "x-utf" in h,
            h["X-Utf8"],
        ]
        seen["walk"] = (len(h), sorted(h), sorted(h.items()))
        h.add("X-Added", "1")
        seen["after"] = (h.get("x-added"), h.get("x-host"), len(h))
        await resp.send("ok")

    raw = (
        b"GET /f HTTP/1.1\r\nHost: a.example:8080\r\nX-Host:\t b \r\nHostname: c\r\nx-empty:\r\n"
        b"X-Note: name: not a field\r\nx-host: d\r\nX-Utf8: caf\xc3\xa9\r\nConnection: close\r\n\r\n"
    )
    from uht.testing import TestResponse

    assert TestResponse(await client(app).raw(raw)).status == 200
    assert seen["lookups"] == [
        "a.example:8080",
        "b, d",
        "c",
        None,
        None,
        "",
        "dflt",
        None,
        None,
        True,
        False,
        "caf\u00e9",
    ]
    names = ["connection", "host", "hostname", "x-empty", "x-host", "x-note", "x-utf8"]
    assert seen["walk"][0] == 7 and seen["walk"][1] == names
    assert ("x-note", "name: not a field") in seen["walk"][2]
    assert seen["after"] == ("1", "b, d", 8)


async def test_headers_absent_field_raises_key_error():
    app = HTTPServer()

    @app.route("/k")
    async def k(req, resp):
        try:
            req.headers["x-missing"]
        except KeyError:
            await resp.send("missing")

    assert (await client(app).get("/k")).body == b"missing"


async def test_body_json_form():
    c = client(echo_app())
    assert (await c.post("/body", body=b"abc")).body == b"abc"
    assert (await c.post("/json", json={"k": [1, 2]})).json() == {"got": {"k": [1, 2]}}
    r = await c.post("/form", body="a=1&b=%41+b", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.json() == {"a": "1", "b": "A b"}


async def test_invalid_json_is_400():
    r = await client(echo_app()).post("/json", body=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status == 400


async def test_body_over_limit_is_413_before_reading():
    c = client(echo_app(max_body=8, max_discard=4))
    r = await c.post("/body", body=b"x" * 9)
    assert r.status == 413
    assert r.headers["connection"] == "close"
    assert (await c.post("/small", body=b"12345")).status == 413
    assert (await c.post("/small", body=b"1234")).body == b"1234"


async def test_streaming_read_is_not_bounded_by_max_body():
    r = await client(echo_app()).post("/stream", body=b"x" * 100)
    assert r.text == "100"


async def test_chunked_request_body():
    raw = (
        b"POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n5;ext=1\r\ndefgh\r\n0\r\nTrailer: x\r\n\r\n"
    )
    from uht.testing import TestResponse

    r = TestResponse(await client(echo_app()).raw(raw))
    assert r.body == b"abcdefgh"


async def test_chunked_body_over_limit_is_413():
    raw = b"POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"
    out = await client(echo_app()).raw(raw)
    assert out.startswith(b"HTTP/1.1 413 ")


async def test_bad_lengths_and_smuggling_are_400():
    c = client(echo_app())
    bad_heads = [
        b"Content-Length: +5",
        b"Content-Length: 1_0",
        b"Content-Length: -1",
        b"Content-Length: 5\r\nContent-Length: 6",
        b"Content-Length: 5, 6",
        b"Content-Length: 3\r\nTransfer-Encoding: chunked",
        b"Content-Length: 0x10",
    ]
    for head in bad_heads:
        out = await c.raw(b"POST /body HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n\r\nabcdefghij")
        assert out.startswith(b"HTTP/1.1 400 "), (head, out)
        assert b"Connection: close" in out


async def test_bad_chunk_sizes_are_400():
    c = client(echo_app())
    for chunks in [b"+3\r\nabc\r\n0\r\n\r\n", b"zz\r\n", b"3 \r\nabc\r\n0\r\n\r\n", b"3\r\nabcX\r\n0\r\n\r\n"]:
        out = await c.raw(b"POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
        assert out.startswith(b"HTTP/1.1 400 "), (chunks, out)


async def test_identical_repeated_content_length_is_accepted():
    out = await client(echo_app()).raw(
        b"POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"
    )
    assert out.startswith(b"HTTP/1.1 200 ") and out.endswith(b"abc")


async def test_unknown_transfer_encoding_is_501():
    out = await client(echo_app()).raw(b"POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 501 ")


async def test_expect_100_continue():
    raw = b"POST /body HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"
    out = await client(echo_app()).raw(raw)
    assert out.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    assert out.endswith(b"hi")


async def test_bare_lf_line_endings():
    out = await client(echo_app()).raw(b"GET /q?a=1 HTTP/1.1\nHost: x\n\n")
    assert out.startswith(b"HTTP/1.1 200 ") and out.endswith(b'{"a": "1"}')


async def test_body_short_of_content_length_is_400_or_close():
    out = await client(echo_app()).raw(b"POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
    assert out == b"" or out.startswith(b"HTTP/1.1 400 ")
