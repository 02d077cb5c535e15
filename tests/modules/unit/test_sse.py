"""uht.sse through the in-process test client.

Portable: pytest on CPython and `micropython tests/mpytest.py tests/modules/unit`.
"""

import asyncio

from uht import HTTPServer, sse
from uht.connection import Connection
from uht.testing import MemoryReader, MemoryWriter, TestClient


def parse_events(text: str):  # type: ignore[no-untyped-def]
    """A small EventSource-style parser: list of dicts (event, id, retry, data, comments)."""
    events = []
    current: dict = {}
    for line in text.split("\n"):
        if line == "":
            if current:
                events.append(current)
            current = {}
        elif line.startswith(":"):
            current.setdefault("comments", []).append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data" and "data" in current:
                current["data"] += "\n" + value
            else:
                current[name] = value
    return events


def make_app():  # type: ignore[no-untyped-def]
    app = HTTPServer()
    sse.install(app)

    @app.sse("/events", retry=2500)
    async def events(req, stream):  # type: ignore[no-untyped-def]
        await stream.send("first")
        await stream.send("two\nlines", event="multi", id=7)
        await stream.send({"temp": 21.5}, event="reading")
        await stream.send(b"raw bytes", id="x-1")
        await stream.comment("just a comment")

    @sse.route(app, "/resume/<name>", keepalive=None)
    async def resume(req, stream, name):  # type: ignore[no-untyped-def]
        await stream.send(name + " from " + str(stream.last_event_id))

    @sse.route(app, "/quiet", keepalive=0.05)
    async def quiet(req, stream):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.3)
        await stream.send("after the wait")

    return app


def test_format_event_fields_and_lines():
    assert sse.format_event("x") == b"data: x\n\n"
    assert sse.format_event("a\r\nb\rc", event="e", id=3, retry=100) == (
        b"event: e\nid: 3\nretry: 100\ndata: a\ndata: b\ndata: c\n\n"
    )
    assert sse.format_event([1, 2]) == b"data: [1, 2]\n\n"
    assert sse.format_event(retry=5) == b"retry: 5\n\n"
    for bad in ({"event": "a\nb"}, {"id": "1\r"}, {"id": "a\x00"}):
        try:
            sse.format_event("x", **bad)
        except ValueError:
            continue
        raise AssertionError("accepted %r" % (bad,))


async def test_stream_headers_and_events():
    r = await TestClient(make_app()).get("/events")
    assert r.status == 200
    assert r.headers["content-type"] == "text/event-stream"
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers["transfer-encoding"] == "chunked"
    assert r.headers["connection"] == "close"
    events = parse_events(r.text)
    assert events[0] == {"retry": "2500"}
    assert events[1] == {"data": "first"}
    assert events[2] == {"event": "multi", "id": "7", "data": "two\nlines"}
    assert events[3]["event"] == "reading" and events[3]["data"] in ('{"temp": 21.5}', '{"temp":21.5}')
    assert events[4] == {"id": "x-1", "data": "raw bytes"}
    assert events[5] == {"comments": ["just a comment"]}


async def test_last_event_id_and_path_params():
    r = await TestClient(make_app()).get("/resume/kitchen", headers={"Last-Event-ID": "41"})
    assert parse_events(r.text) == [{"data": "kitchen from 41"}]


async def test_keep_alive_comments_while_quiet():
    r = await TestClient(make_app()).get("/quiet")
    events = parse_events(r.text)
    assert events[-1] == {"data": "after the wait"}
    keepalives = [e for e in events if e.get("comments") == ["keep-alive"]]
    assert len(keepalives) >= 2, r.text


async def test_head_gets_headers_only():
    r = await TestClient(make_app()).head("/events")
    assert r.status == 200
    assert r.headers["content-type"] == "text/event-stream"
    assert r.body == b""


async def test_http10_streams_until_close():
    raw = await TestClient(make_app()).raw(b"GET /resume/a HTTP/1.0\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding" not in head
    assert b"Connection: close" in head
    assert body == b"data: a from None\n\n"


class BreakingWriter(MemoryWriter):
    """A client that goes away after `room` writes."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, data) -> None:  # type: ignore[no-untyped-def]
        self.room -= 1
        if self.room < 0:
            raise OSError(32)  # EPIPE
        super().write(data)


async def test_client_gone_ends_the_handler_quietly():
    app = HTTPServer()
    outcome = []

    @sse.route(app, "/forever", keepalive=None)
    async def forever(req, stream):  # type: ignore[no-untyped-def]
        n = 0
        try:
            while n < 1000:
                n += 1
                await stream.send(str(n))
        finally:
            outcome.append((n, stream.closed))

    writer = BreakingWriter(6)
    conn = Connection(MemoryReader(b"GET /forever HTTP/1.1\r\nHost: t\r\n\r\n"), writer, "test", 512)
    await app._serve(conn)
    assert outcome and outcome[0][1] is True and outcome[0][0] < 10, outcome
    assert writer.closed
    assert b"500" not in bytes(writer.data)
