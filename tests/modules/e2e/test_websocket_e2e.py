"""WebSocket end to end: the `websockets` client (and raw sockets) against tests/modules/e2e/apps/
ws_app.py running under MicroPython (source and .mpy in a small heap) and CPython."""

import os
import socket
import struct
import time

import pytest
import requests
import runtimes
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps", "ws_app.py")


# uht with websocket and sse from .mpy plus this app hold ~81 KB on the 64-bit unix port (docs/websocket.md),
# about twice a board's figure; a 3000-byte message needs two contiguous 3 KB blocks (payload, then the
# bytes/str handed to the handler), which a fragmented 128K heap could not always give: 144K here.
RUNTIMES = runtimes.select(["mpy", "mpy-mpy@144K", "board32", "mpy121", "cpython"])


@pytest.fixture(params=RUNTIMES)
def srv(request, start_server):  # type: ignore[no-untyped-def]
    return start_server(APP, request.param)


def ws_url(srv, path: str) -> str:  # type: ignore[no-untyped-def]
    return "ws://127.0.0.1:%d%s" % (srv.port, path)


def test_echo_text_binary_and_large(srv):  # type: ignore[no-untyped-def]
    with connect(ws_url(srv, "/echo"), open_timeout=5) as ws:
        ws.send("héllo wörld")
        assert ws.recv(timeout=5) == "héllo wörld"
        ws.send(b"\x00\x01\xfe\xff")
        assert ws.recv(timeout=5) == b"\x00\x01\xfe\xff"
        big = bytes(i % 256 for i in range(3000))  # 16-bit length, several unmask blocks
        ws.send(big)
        assert ws.recv(timeout=5) == big
        ws.send(["frag", "mented ", "text"])  # a fragmented message
        assert ws.recv(timeout=5) == "fragmented text"
        pong = ws.ping(b"are you there")
        assert pong.wait(5)
    assert ws.close_code == 1000


def test_server_closes_with_code_and_reason(srv):  # type: ignore[no-untyped-def]
    with connect(ws_url(srv, "/echo")) as ws:
        ws.send("close-me")
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=5)
    assert info.value.rcvd.code == 4001 and info.value.rcvd.reason == "asked to"


def test_server_pushes_first(srv):  # type: ignore[no-untyped-def]
    with connect(ws_url(srv, "/push/20")) as ws:
        got = [ws.recv(timeout=5) for _ in range(20)]
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=5)
    assert got == ['{"n": %d}' % i for i in range(20)]
    assert info.value.rcvd.code == 1000


def test_message_over_the_limit_closes_1009(srv):  # type: ignore[no-untyped-def]
    with connect(ws_url(srv, "/echo"), max_size=None) as ws:
        ws.send(b"x" * 5000)  # the app's max_body is 4096
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=5)
    assert info.value.rcvd.code == 1009
    assert requests.get(srv.url + "/hello", timeout=5).text == "hello"


def test_bad_handshakes_get_426_and_400(srv):  # type: ignore[no-untyped-def]
    r = requests.get(srv.url + "/echo", timeout=5)
    assert r.status_code == 426 and r.headers["Upgrade"] == "websocket"
    headers = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"}
    r = requests.get(srv.url + "/echo", headers=dict(headers, **{"Sec-WebSocket-Key": "short"}), timeout=5)
    assert r.status_code == 400


def _handshake(srv, path=b"/idle"):  # type: ignore[no-untyped-def]
    s = srv.connect()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(
        b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101 ")
    return s


def _read_frame(s):  # type: ignore[no-untyped-def]
    b0, b1 = s.recv(1)[0], s.recv(1)[0]
    n = b1 & 0x7F
    data = b""
    while len(data) < n:
        data += s.recv(n - len(data))
    return b0 & 0x0F, data


def test_idle_client_is_pinged_then_closed_1001(srv):  # type: ignore[no-untyped-def]
    s = _handshake(srv)
    s.settimeout(5)
    start = time.monotonic()
    op, payload = _read_frame(s)
    assert op == 9  # ping after ping_interval (0.5 s) of silence
    op, payload = _read_frame(s)
    elapsed = time.monotonic() - start
    assert op == 8 and struct.unpack("!H", payload[:2])[0] == 1001
    assert 1.2 < elapsed < 3.5, elapsed
    s.close()


def test_client_answering_pings_stays_connected(srv):  # type: ignore[no-untyped-def]
    with connect(ws_url(srv, "/idle")) as ws:  # websockets answers pings by itself
        time.sleep(2.5)
        ws.send("still here")
        assert ws.recv(timeout=5) == "still here"


def test_masked_frames_from_a_raw_client_and_abrupt_disconnect(srv):  # type: ignore[no-untyped-def]
    s = _handshake(srv)
    mask = b"\x01\x02\x03\x04"
    payload = b"raw"
    s.sendall(bytes((0x81, 0x80 | 3)) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    assert _read_frame(s) == (1, b"raw")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # RST
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if requests.get(srv.url + "/_conns", timeout=5).json()["long_lived"] == 0:
            break
        time.sleep(0.1)
    assert requests.get(srv.url + "/_conns", timeout=5).json()["long_lived"] == 0


def test_long_lived_cap_leaves_room_for_ordinary_requests(srv):  # type: ignore[no-untyped-def]
    with connect(ws_url(srv, "/echo")) as first:
        stream = requests.get(srv.url + "/forever", stream=True, timeout=5)  # an SSE stream counts too
        try:
            assert stream.status_code == 200
            next(stream.iter_lines())
            with pytest.raises(InvalidStatus) as info:
                connect(ws_url(srv, "/echo"), open_timeout=5)
            assert info.value.response.status_code == 503
            assert requests.get(srv.url + "/events", timeout=5).status_code == 503
            with requests.Session() as session:  # ordinary requests still get through, keep-alive too
                for _ in range(10):
                    assert session.get(srv.url + "/hello", timeout=5).text == "hello"
            first.send("still fine")
            assert first.recv(timeout=5) == "still fine"
        finally:
            stream.close()
    deadline = time.monotonic() + 5
    while True:  # both slots come back once the server notices
        try:
            with connect(ws_url(srv, "/echo"), open_timeout=5) as again:
                again.send("x")
                assert again.recv(timeout=5) == "x"
            break
        except InvalidStatus:
            assert time.monotonic() < deadline, "long-lived slot never freed"
            time.sleep(0.2)


def test_server_shutdown_says_going_away(srv):  # type: ignore[no-untyped-def]
    with connect(ws_url(srv, "/echo")) as ws:
        ws.send("x")
        assert ws.recv(timeout=5) == "x"
        assert requests.post(srv.url + "/_shutdown", timeout=5).text == "closing"
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=5)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1001
    srv.proc.wait(10)  # the server finishes once its connections are gone


def test_client_that_stops_reading_is_dropped(srv):  # type: ignore[no-untyped-def]
    """A task pushes, the client reads nothing: the stalled drain hits write_timeout (1 s) and the
    connection goes, even though the handler's receive() is waiting (and pinging) meanwhile."""
    s = _handshake(srv, b"/flood")
    try:
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            if requests.get(srv.url + "/_conns", timeout=5).json()["long_lived"] == 0:
                break
            time.sleep(0.2)
        assert requests.get(srv.url + "/_conns", timeout=5).json()["long_lived"] == 0
        assert time.monotonic() < deadline
    finally:
        s.close()


@pytest.fixture(params=[spec for spec in RUNTIMES if spec != "cpython"])
def micropython_srv(request, start_server):  # type: ignore[no-untyped-def]
    """The app under the MicroPython runtimes only (gc.mem_alloc is MicroPython's)."""
    return start_server(APP, request.param)


def test_heap_does_not_grow_with_messages(micropython_srv):  # type: ignore[no-untyped-def]
    srv = micropython_srv
    with connect(ws_url(srv, "/echo")) as ws:

        def exchange(n: int) -> None:
            for i in range(n):
                ws.send("message %d" % i if i % 2 else b"\x00" * (i % 700))
                ws.recv(timeout=5)

        exchange(50)  # warm up: lazy imports, buffers at their size
        before = requests.get(srv.url + "/_conns", timeout=5).json()["mem_alloc"]
        exchange(300)
        after = requests.get(srv.url + "/_conns", timeout=5).json()["mem_alloc"]
    assert after - before < 2048, (before, after)
