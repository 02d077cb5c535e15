"""uht.websocket through the in-process test client: raw frames in, raw frames out.

Portable: pytest on CPython and `micropython tests/mpytest.py tests/modules/unit`.
"""

from uht import HTTPServer, websocket
from uht.testing import TestClient

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 section 1.3 example
ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
MASK = b"\x37\xfa\x21\x3d"


def handshake(path="/ws", extra="", version="HTTP/1.1", key=KEY, ws_version="13"):  # type: ignore[no-untyped-def]
    return (
        "GET %s %s\r\nHost: t\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
        "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: %s\r\n%s\r\n" % (path, version, key, ws_version, extra)
    ).encode()


def frame(op, payload=b"", fin=True, masked=True, rsv=0, mask=MASK):  # type: ignore[no-untyped-def]
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload)
    b0 = (0x80 if fin else 0) | rsv | op
    m = 0x80 if masked else 0
    if n < 126:
        head = bytes((b0, m | n))
    elif n < 65536:
        head = bytes((b0, m | 126, n >> 8, n & 255))
    else:
        head = bytes((b0, m | 127)) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def close_frame(code=1000, reason=b""):  # type: ignore[no-untyped-def]
    return frame(8, bytes((code >> 8, code & 255)) + reason)


def parse(raw: bytes):  # type: ignore[no-untyped-def]
    """(status, head text, [(fin, opcode, payload)]) of what the server wrote."""
    end = raw.find(b"\r\n\r\n")
    head = str(raw[:end], "utf-8")
    status = int(head.split(" ")[1])
    frames = []
    pos = end + 4
    while status == 101 and pos < len(raw):
        b0, b1 = raw[pos], raw[pos + 1]
        assert not b1 & 0x80, "server frames are never masked"
        n = b1 & 0x7F
        pos += 2
        if n == 126:
            n = int.from_bytes(raw[pos : pos + 2], "big")
            pos += 2
        elif n == 127:
            n = int.from_bytes(raw[pos : pos + 8], "big")
            pos += 8
        frames.append((bool(b0 & 0x80), b0 & 0x0F, raw[pos : pos + n]))
        pos += n
    return status, head, frames


def close_code(f) -> int:  # type: ignore[no-untyped-def]
    assert f[1] == 8, f
    return f[2][0] << 8 | f[2][1]


def make_app(**options):  # type: ignore[no-untyped-def]
    app = HTTPServer(max_body=1024)
    websocket.install(app)
    seen = {}

    @app.websocket("/ws", **options)
    async def echo(req, ws):  # type: ignore[no-untyped-def]
        while True:
            msg = await ws.receive()
            if msg is None:
                break
            await ws.send(msg)
        seen["code"] = ws.close_code
        seen["reason"] = ws.close_reason

    @app.websocket("/rooms/<name>")
    async def room(req, ws, name):  # type: ignore[no-untyped-def]
        async for msg in ws:
            await ws.send(name + ":" + msg)

    @app.websocket("/boom")
    async def boom(req, ws):  # type: ignore[no-untyped-def]
        await ws.receive()
        raise ValueError("handler bug")

    @app.websocket("/bye")
    async def bye(req, ws):  # type: ignore[no-untyped-def]
        await ws.send("hello")
        await ws.close(4000, "done")

    @app.route("/plain")
    async def plain(req, resp):  # type: ignore[no-untyped-def]
        ws = await websocket.accept(req, resp, protocols=["v2", "v1"], origins=["http://ok"])
        await ws.send("proto " + str(ws.subprotocol))
        await ws.close()

    return app, seen


async def exchange(data: bytes, app=None):  # type: ignore[no-untyped-def]
    if app is None:
        app, _ = make_app()
    return parse(await TestClient(app).raw(data))


def test_accept_key_matches_rfc_example():
    assert websocket.accept_key(KEY) == ACCEPT


async def test_handshake_and_echo_text_and_binary():
    status, head, frames = await exchange(
        handshake() + frame(1, "héllo") + frame(2, b"\x00\xff\x10") + close_frame(1000, b"bye")
    )
    assert status == 101
    assert "Sec-WebSocket-Accept: " + ACCEPT in head
    assert "Upgrade: websocket" in head and "Connection: Upgrade" in head
    assert "Connection: close" not in head
    assert frames[0] == (True, 1, "héllo".encode())
    assert frames[1] == (True, 2, b"\x00\xff\x10")
    assert close_code(frames[2]) == 1000
    assert len(frames) == 3


async def test_close_code_and_reason_reach_the_handler():
    app, seen = make_app()
    status, _, frames = await exchange(handshake() + close_frame(4001, b"see you"), app)
    assert close_code(frames[0]) == 4001  # echoed
    assert seen == {"code": 4001, "reason": "see you"}


async def test_close_without_code_is_answered_1000():
    app, seen = make_app()
    _, _, frames = await exchange(handshake() + frame(8), app)
    assert close_code(frames[0]) == 1000
    assert seen["code"] == 1005


async def test_lost_connection_gives_none_and_1006():
    app, seen = make_app()
    _, _, frames = await exchange(handshake() + frame(1, "x"), app)
    assert frames == [(True, 1, b"x")]
    assert seen["code"] == 1006


async def test_fragmented_message_with_ping_in_between():
    data = handshake() + frame(1, "frag", fin=False) + frame(9, b"p1") + frame(0, "men", fin=False)
    data += frame(0, "ted") + close_frame()
    _, _, frames = await exchange(data)
    assert frames[0] == (True, 10, b"p1")  # pong with the ping's payload, at once
    assert frames[1] == (True, 1, b"fragmented")
    assert close_code(frames[2]) == 1000


async def test_pong_is_ignored():
    _, _, frames = await exchange(handshake() + frame(10, b"unsolicited") + frame(1, "a") + close_frame())
    assert frames[0] == (True, 1, b"a")


async def test_medium_and_large_messages_roundtrip():
    app = HTTPServer()
    websocket.install(app)

    @app.websocket("/ws", max_size=100000)  # past the heap-sized default (websocket.DEFAULT_MAX_SIZE)
    async def echo(req, ws):  # type: ignore[no-untyped-def]
        async for msg in ws:
            await ws.send(msg)

    medium = bytes(i % 251 for i in range(300))
    large = bytes((i * 7) % 256 for i in range(70000))
    _, _, frames = await exchange(handshake() + frame(2, medium) + frame(2, large) + close_frame(), app)
    assert frames[0] == (True, 2, medium)
    assert frames[1] == (True, 2, large)


async def test_message_too_big_closes_1009():
    _, _, frames = await exchange(handshake() + frame(2, b"x" * 1025))
    assert close_code(frames[0]) == 1009
    assert len(frames) == 1


async def test_fragments_count_together_against_the_size_limit():
    data = handshake() + frame(2, b"x" * 600, fin=False) + frame(0, b"y" * 600)
    _, _, frames = await exchange(data)
    assert close_code(frames[0]) == 1009


async def test_invalid_utf8_closes_1007():
    for bad in (b"\xff\xfe", b"\xc0\x80", b"\xed\xa0\x80", b"ok\xf5\x80\x80\x80", b"\xe0\x80\xaf"):
        _, _, frames = await exchange(handshake() + frame(1, bad))
        assert close_code(frames[0]) == 1007, bad


async def test_valid_multibyte_text_passes():
    text = "aé€𝄞"
    _, _, frames = await exchange(handshake() + frame(1, text) + close_frame())
    assert frames[0] == (True, 1, text.encode())


async def test_protocol_errors_close_1002():
    cases = [
        frame(1, "x", masked=False),  # clients must mask
        frame(1, "x", rsv=0x40),  # no extension negotiated
        frame(3, "x"),  # reserved opcode
        frame(0, "x"),  # continuation with nothing to continue
        frame(1, "a", fin=False) + frame(1, "b"),  # new message inside a fragmented one
        frame(9, b"x" * 126),  # control frame too long
        frame(9, b"x", fin=False),  # fragmented control frame
        close_frame(999),  # invalid close code
        frame(8, b"\x03"),  # one-byte close payload
    ]
    for bad in cases:
        _, _, frames = await exchange(handshake() + bad)
        assert close_code(frames[-1]) == 1002, bad


async def test_path_parameters_and_async_for():
    _, _, frames = await exchange(handshake("/rooms/kitchen") + frame(1, "hi") + close_frame())
    assert frames[0] == (True, 1, b"kitchen:hi")


async def test_handler_exception_closes_1011():
    _, _, frames = await exchange(handshake("/boom") + frame(1, "x"))
    assert close_code(frames[0]) == 1011


async def test_server_initiated_close_waits_for_the_answer():
    _, _, frames = await exchange(handshake("/bye") + close_frame(4000))
    assert frames[0] == (True, 1, b"hello")
    assert close_code(frames[1]) == 4000
    assert frames[1][2][2:] == b"done"
    assert len(frames) == 2  # the client's answer is not answered again


async def test_accept_with_subprotocol_and_origin():
    extra = "Origin: http://ok\r\nSec-WebSocket-Protocol: v1, v2\r\n"
    status, head, frames = await exchange(handshake("/plain", extra) + close_frame())
    assert status == 101
    assert "Sec-WebSocket-Protocol: v2" in head
    assert frames[0] == (True, 1, b"proto v2")


async def test_origin_not_allowed_is_403():
    status, _, _ = await exchange(handshake("/plain", "Origin: http://evil\r\n"))
    assert status == 403
    status, _, _ = await exchange(handshake("/plain") + close_frame())  # no Origin: not a browser
    assert status == 101


async def test_bad_handshakes():
    app, _ = make_app()
    client = TestClient(app)
    r = await client.get("/ws")  # a plain GET
    assert r.status == 426 and r.headers["upgrade"] == "websocket"
    status, head, _ = await exchange(handshake(ws_version="8"))
    assert status == 426 and "Sec-WebSocket-Version: 13" in head
    status, _, _ = await exchange(handshake(key="c2hvcnQ="))  # decodes to 5 bytes, not 16
    assert status == 400
    status, _, _ = await exchange(handshake(key="not base64!!"))
    assert status == 400
    status, _, _ = await exchange(handshake(version="HTTP/1.0"))
    assert status == 400
    r = await client.post("/ws", body=b"x")
    assert r.status == 405


def test_unmask_matches_bytewise_xor():
    from uht.websocket import _unmask

    for n in (0, 1, 5, 16, 17, 255, 256, 257, 1000, 4099):
        data = bytes((i * 13) % 256 for i in range(n))
        expected = bytes(b ^ MASK[i % 4] for i, b in enumerate(data))
        assert bytes(_unmask(data, MASK)) == expected, n


def test_pure_python_sha1_fallback():
    from uht._ws_sha1 import sha1

    assert sha1(b"abc") == bytes.fromhex("a9993e364706816aba3e25717850c26c9cd0d89d")
    assert sha1(b"") == bytes.fromhex("da39a3ee5e6b4b0d3255bfef95601890afd80709")
    long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"  # FIPS 180 two-block vector
    assert sha1(long) == bytes.fromhex("84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    assert sha1(b"a" * 1000) == bytes.fromhex("291e9a6c66994949b57ba5e650361e98fc36b1ba")


async def test_frames_split_across_reads():
    """Headers, masks and payloads arriving a few bytes at a time (one to seven per read)."""
    app = HTTPServer()
    websocket.install(app)

    @app.websocket("/ws", max_size=100000)  # past the heap-sized default (websocket.DEFAULT_MAX_SIZE)
    async def echo(req, ws):  # type: ignore[no-untyped-def]
        async for msg in ws:
            await ws.send(msg)

    medium = bytes(i % 253 for i in range(700))
    data = handshake() + frame(1, "a", fin=False) + frame(9, b"p") + frame(0, "bc") + frame(2, medium)
    data += close_frame(1000)
    for step in (1, 2, 3, 7):
        raw = await TestClient(app).raw(data, step)
        _, _, frames = parse(raw)
        assert frames[0] == (True, 10, b"p"), step
        assert frames[1] == (True, 1, b"abc"), step
        assert frames[2] == (True, 2, medium), step
        assert close_code(frames[3]) == 1000, step
