"""Strict field syntax (RFC 9110): header and trailer names are tokens, values hold no control
character but HTAB; anything else is 400 and the connection closes. Also the lazy req.headers."""

from support import client

from uht import HTTPServer
from uht.body import fields_are_bad


def app():  # type: ignore[no-untyped-def]
    a = HTTPServer()

    @a.route("/", methods=["GET", "POST"])
    async def index(req, resp):
        if req.has_body:
            await req.body()
        await resp.send("ok")

    @a.route("/h")
    async def headers(req, resp):
        h = req.headers
        await resp.send("%s|%s|%s|%d" % (h.get("x-a"), h.get("x-b"), h["host"], len(h)))

    return a


def request_with(field: bytes) -> bytes:
    return b"GET / HTTP/1.1\r\nHost: x\r\n" + field + b"\r\n\r\n"


async def answer(raw: bytes):  # type: ignore[no-untyped-def]
    return await client(app()).raw(raw)


BAD_FIELDS = [
    b"X\x01Y: 1",
    b"X(Y: 1",
    b'X"Y: 1',
    b"X)Y: 1",
    b"X,Y: 1",
    b"X/Y: 1",
    b"X;Y: 1",
    b"X<Y: 1",
    b"X=Y: 1",
    b"X>Y: 1",
    b"X?Y: 1",
    b"X@Y: 1",
    b"X[Y: 1",
    b"X\\Y: 1",
    b"X]Y: 1",
    b"X{Y: 1",
    b"X}Y: 1",
    b"X\xc3\xa9: 1",
    b"X\tY: 1",
    b"X Y: 1",
    b"X : 1",
    b": 1",
    b"no colon",
    b" folded: 1",
    b"\x01Transfer-Encoding: chunked",
    b"X: a\x01b",
    b"X: \x1b[31m",
    b"X: a\x7fb",
    b"X: a\x0bb",
    b"X: a\x0cb",
    b"X: a\rb",
    b"X: a\x00b",
]


async def test_every_malformed_field_is_400_and_close():
    for field in BAD_FIELDS:
        out = await answer(request_with(field))
        assert out.startswith(b"HTTP/1.1 400 "), (field, out[:60])
        assert b"Connection: close\r\n" in out, field
        assert out.count(b"HTTP/1.1 ") == 1, field  # nothing after it is served


async def test_token_names_and_free_values_pass():
    fields = [
        b"X-A.b_c~!#$%&'*+^`|: v",
        b"X: tab\there",
        b"X: caf\xc3\xa9",
        b"X: a:b(c)\"d\"",
        b"X:",
        b"X:   spaced   ",
    ]
    for field in fields:
        out = await answer(request_with(field))
        assert out.startswith(b"HTTP/1.1 200 "), (field, out[:60])


async def test_control_character_in_target_is_400():
    out = await answer(b"GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400 ")


async def test_bad_field_after_a_good_request_ends_the_connection():
    good = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    out = await answer(good + request_with(b"X(Y: 1") + good)
    assert out.count(b"HTTP/1.1 200 ") == 1 and out.count(b"HTTP/1.1 400 ") == 1


async def test_trailer_fields_are_checked_too():
    head = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
    ok = await answer(head + b"X-T: fine\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200 ")
    for trailer in (b"X(T: 1", b"X-T: a\x01b", b"X-T: a\x7f", b" X: 1", b"nocolon"):
        out = await answer(head + trailer + b"\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 400 "), (trailer, out[:60])


async def test_headers_are_parsed_on_demand_with_repeats_joined():
    raw = b"GET /h HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a:  2 \r\nX-B:\tv\t\r\n\r\n"
    out = await answer(raw)
    assert out.endswith(b"1, 2|v|x|3"), out


async def test_headers_stay_valid_after_the_next_request_on_the_connection():
    """A handler may keep req (a task it started): the head belongs to the request alone."""
    a = HTTPServer()
    kept = []

    @a.route("/keep")
    async def keep(req, resp):
        kept.append(req)
        await resp.send("k")

    raw = b"GET /keep HTTP/1.1\r\nHost: one\r\nX-N: 1\r\n\r\nGET /keep HTTP/1.1\r\nHost: two\r\nX-N: 2\r\n\r\n"
    await client(a).raw(raw)
    assert [r.headers["host"] for r in kept] == ["one", "two"]
    assert [r.headers.get("x-n") for r in kept] == ["1", "2"]
    assert kept[0].path == "/keep" and kept[0].method == "GET"


def test_fields_are_bad_block_rules():
    assert not fields_are_bad(b"\nA: b\r\nC-D: e f\r\n")
    assert fields_are_bad(b"\nA: b\r\nC D: e\r\n")
    assert fields_are_bad(b"\nA: b\rc\r\n")
    assert fields_are_bad(b"\nA: b\x00\r\n")
    assert not fields_are_bad(b"\n")
