"""HTTP/1.0 and 1.1 framing: keep-alive, pipelining, HEAD, 501/505, request-line and header limits."""

from support import client

from uht import HTTPServer


def app(**options):  # type: ignore[no-untyped-def]
    a = HTTPServer(**options)

    @a.route("/")
    async def index(req, resp):
        await resp.send("hello")

    @a.route("/two")
    async def two(req, resp):
        await resp.send("a")
        await resp.send("b")

    @a.route("/live")
    async def live(req, resp):
        await resp.start_stream()
        await resp.send("x")

    @a.route("/custom", methods=["BREW"])
    async def brew(req, resp):
        await resp.send("coffee")

    @a.route("/nobody")
    async def nobody(req, resp):
        resp.set_status_code(204)

    return a


def responses(raw: bytes) -> list:
    return [p for p in raw.split(b"HTTP/1.1 ")[1:]]


async def test_pipelined_requests_answered_in_order():
    raw = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
    out = await client(app()).raw(raw)
    parts = responses(out)
    assert len(parts) == 3
    assert parts[0].endswith(b"hello") and b"0\r\n\r\n" in parts[1] and parts[2].endswith(b"hello")


async def test_pipelined_in_one_byte_reads():
    raw = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
    out = await client(app()).raw(raw, step=1)
    assert len(responses(out)) == 2


async def test_connection_close_honoured():
    raw = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
    out = await client(app()).raw(raw)
    assert len(responses(out)) == 1
    assert b"Connection: close\r\n" in out


async def test_http10_closes_unless_keep_alive():
    out = await client(app()).raw(b"GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n")
    assert len(responses(out)) == 1 and b"Connection: close" in out
    out = await client(app()).raw(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n")
    assert len(responses(out)) == 2 and b"Connection: keep-alive" in out


async def test_http10_streams_close_delimited():
    out = await client(app()).raw(b"GET /two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    assert b"Transfer-Encoding" not in out and b"Connection: close" in out and out.endswith(b"ab")


async def test_start_stream_sends_head_at_once():
    out = await client(app()).raw(b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in out and out.endswith(b"1\r\nx\r\n0\r\n\r\n")


async def test_head_for_get_routes():
    r = await client(app()).head("/")
    assert r.status == 200 and r.headers["content-length"] == "5" and r.body == b""
    out = await client(app()).raw(b"HEAD /two HTTP/1.1\r\nHost: x\r\n\r\n")
    assert out.endswith(b"\r\n\r\n") and b"0\r\n" not in out


async def test_unknown_method_501_custom_method_routed():
    c = client(app())
    assert (await c.request("FROB", "/")).status == 501
    assert (await c.request("BREW", "/custom")).text == "coffee"
    assert (await c.request("BREW", "/")).status == 405


async def test_versions():
    c = client(app())
    assert (await c.raw(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n")).startswith(b"HTTP/1.1 505 ")
    assert (await c.raw(b"GET / HTTP/1.9\r\nHost: x\r\n\r\n")).startswith(b"HTTP/1.1 200 ")
    assert (await c.raw(b"GET / FTP/1.0\r\n\r\n")).startswith(b"HTTP/1.1 400 ")


async def test_malformed_request_lines_are_400():
    c = client(app())
    for line in [b"GET /", b"GET  / HTTP/1.1", b"get / HTTP/1.1", b"GET x HTTP/1.1", b"G\x00T / HTTP/1.1", b"\xff\xfe"]:
        out = await c.raw(line + b"\r\nHost: x\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 400 "), (line, out)


async def test_missing_host_on_11_is_400():
    assert (await client(app()).raw(b"GET / HTTP/1.1\r\n\r\n")).startswith(b"HTTP/1.1 400 ")


async def test_absolute_form_target():
    out = await client(app()).raw(b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert out.endswith(b"hello")


async def test_header_syntax_errors_are_400():
    c = client(app())
    for header in [b"NoColon", b"Bad Name: x", b" folded: x", b"X: a\x00b", b": empty", b"X: \xff"]:
        out = await c.raw(b"GET / HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 400 "), (header, out)


async def test_request_line_limit_414():
    c = client(app(max_request_line=64))
    assert (await c.raw(b"GET /" + b"a" * 100 + b" HTTP/1.1\r\nHost: x\r\n\r\n")).startswith(b"HTTP/1.1 414 ")
    # refused before the line ends: the server does not wait for a newline that never comes
    assert (await c.raw(b"GET /" + b"a" * 100)).startswith(b"HTTP/1.1 414 ")


async def test_header_limits_431():
    c = client(app(max_header_bytes=256, max_headers=5))
    big = b"X-Big: " + b"b" * 300 + b"\r\n"
    assert (await c.raw(b"GET / HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n")).startswith(b"HTTP/1.1 431 ")
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(6))
    assert (await c.raw(b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")).startswith(b"HTTP/1.1 431 ")
    five = b"".join(b"X-%d: 1\r\n" % i for i in range(4))
    assert (await c.raw(b"GET / HTTP/1.1\r\nHost: x\r\n" + five + b"\r\n")).startswith(b"HTTP/1.1 200 ")


async def test_no_body_statuses():
    r = await client(app()).get("/nobody")
    assert r.status == 204 and "content-length" not in r.headers and "content-type" not in r.headers


async def test_leading_blank_lines_ignored():
    assert (await client(app()).raw(b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")).endswith(b"hello")


async def test_options_star():
    out = await client(app()).raw(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 204 ") and b"Allow: BREW, GET, HEAD, OPTIONS" in out
