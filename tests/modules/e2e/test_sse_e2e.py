"""Server-Sent Events end to end: httpx-sse (and raw httpx) against tests/modules/e2e/apps/ws_app.py
under MicroPython (source and .mpy in a small heap) and CPython."""

import os
import socket
import time

import httpx
import pytest
import runtimes
from httpx_sse import connect_sse

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps", "ws_app.py")


# uht with websocket and sse from .mpy plus this app hold ~81 KB on the 64-bit unix port (docs/websocket.md),
# about twice a board's figure; a 3000-byte message needs two contiguous 3 KB blocks (payload, then the
# bytes/str handed to the handler), which a fragmented 128K heap could not always give: 144K here.
RUNTIMES = runtimes.select(["mpy", "mpy-mpy@144K", "board32", "mpy121", "cpython"])


@pytest.fixture(params=RUNTIMES)
def srv(request, start_server):  # type: ignore[no-untyped-def]
    return start_server(APP, request.param)


def test_events_with_fields(srv):  # type: ignore[no-untyped-def]
    with httpx.Client(timeout=5) as client, connect_sse(client, "GET", srv.url + "/events") as source:
        assert source.response.headers["content-type"] == "text/event-stream"
        events = list(source.iter_sse())
    ticks = [e for e in events if e.event == "tick"]
    assert [e.json() for e in ticks] == [{"n": i} for i in range(5)]
    assert [e.id for e in ticks] == [str(i) for i in range(5)]
    assert events[0].retry == 1000  # the retry field comes first, with the first event
    assert events[-1].event == "end" and events[-1].data == "bye"


def test_resume_from_last_event_id(srv):  # type: ignore[no-untyped-def]
    headers = {"Last-Event-ID": "4"}
    with httpx.Client(timeout=5) as client, connect_sse(client, "GET", srv.url + "/events", headers=headers) as src:
        ids = [e.id for e in src.iter_sse() if e.event == "tick"]
    assert ids == ["5", "6", "7", "8", "9"]


def test_keep_alive_comments_on_the_wire(srv):  # type: ignore[no-untyped-def]
    with httpx.Client(timeout=5) as client, client.stream("GET", srv.url + "/events") as r:
        text = "".join(r.iter_text())
    assert r.headers["transfer-encoding"] == "chunked"
    assert text.count(": keep-alive\n\n") >= 1, text


def test_client_leaving_frees_the_slot(srv):  # type: ignore[no-untyped-def]
    with httpx.Client(timeout=5) as client:
        with connect_sse(client, "GET", srv.url + "/forever") as source:
            seen = []
            for event in source.iter_sse():
                seen.append(int(event.data))
                if len(seen) == 3:
                    break
        assert seen == [1, 2, 3]
        deadline = time.monotonic() + 5
        while client.get(srv.url + "/_conns").json()["long_lived"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get(srv.url + "/_conns").json()["long_lived"] == 0


def test_client_that_stops_reading_is_dropped(srv):  # type: ignore[no-untyped-def]
    """The stream fills the socket buffers; after write_timeout (1 s) the server gives up."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /sse-flood HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(15) == b"HTTP/1.1 200 OK"  # the stream runs; from now on nothing is read
    try:
        deadline = time.monotonic() + 10
        with httpx.Client(timeout=5) as client:
            assert client.get(srv.url + "/_conns").json()["long_lived"] == 1
            while client.get(srv.url + "/_conns").json()["long_lived"] and time.monotonic() < deadline:
                time.sleep(0.2)
            assert client.get(srv.url + "/_conns").json()["long_lived"] == 0
    finally:
        s.close()
