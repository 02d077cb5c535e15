"""Memory pressure and hostile pacing: a body the heap cannot hold (503), error answers that need
no allocation, the data-rate meter, lingering after an answer that left the body unread."""

from support import client

from uht import HTTPServer
from uht.connection import Connection
from uht.eviction import shortfall
from uht.status import BUSY_REPLY, constant_answer
from uht.testing import MemoryReader, MemoryWriter


def app(**options):  # type: ignore[no-untyped-def]
    a = HTTPServer(**options)

    @a.route("/echo", methods=["POST"], max_body=1 << 45)
    async def echo(req, resp):
        await resp.send(await req.body())

    @a.route("/small", methods=["POST"])
    async def small(req, resp):
        await resp.send(await req.body())

    @a.route("/", methods=["GET"])
    async def index(req, resp):
        await resp.send("ok")

    return a


async def test_body_the_heap_cannot_hold_is_503_with_retry_after_and_close():
    raw = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 35184372088832\r\n\r\nabc"
    out = await client(app()).raw(raw)
    assert out.startswith(b"HTTP/1.1 503 "), out[:80]
    assert b"Retry-After: 1\r\n" in out and b"Connection: close\r\n" in out


async def test_server_serves_after_a_503_for_memory():
    a = app()
    await client(a).raw(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 35184372088832\r\n\r\n")
    out = await client(a).raw(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
    assert out.startswith(b"HTTP/1.1 200 ") and out.endswith(b"abc")


def test_constant_answers_are_complete_responses():
    for status in (400, 408, 413, 414, 431, 500, 503, 404, 599):  # the nearest of 400/408/500/503
        raw = constant_answer(status)
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 ") and b"Connection: close" in head
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        assert length == len(body)
    assert BUSY_REPLY.startswith(b"HTTP/1.1 503 ") and b"Retry-After: 1\r\n" in BUSY_REPLY


def meter(got: int, waited: int) -> Connection:
    conn = Connection(MemoryReader(b""), MemoryWriter(), "t", 16)
    conn.meter(True)
    conn.got = got
    conn.waited = waited
    return conn


def test_rate_is_not_judged_during_the_grace():
    conn = meter(0, 1999)
    assert not conn.rate_check(0, 100, 2000, 5000)


def test_rate_below_the_floor_over_a_window_is_cut():
    conn = meter(0, 2000)
    assert not conn.rate_check(0, 100, 2000, 5000)  # the window starts at the end of the grace
    conn.waited = 7000
    conn.got = 499  # under 100 B/s over the 5 s window
    assert conn.rate_check(0, 100, 2000, 5000)


def test_a_kilobyte_per_second_is_never_cut():
    conn = meter(0, 0)
    for second in range(1, 30):
        conn.waited = second * 1000
        conn.got = second * 1024
        assert not conn.rate_check(0, 100, 2000, 5000)


def test_a_fast_start_then_a_trickle_is_cut_within_a_window():
    conn = meter(0, 0)
    conn.waited, conn.got = 2000, 60000
    assert not conn.rate_check(0, 100, 2000, 5000)
    conn.waited, conn.got = 7000, 60010
    assert conn.rate_check(0, 100, 2000, 5000)


def test_time_not_spent_waiting_is_not_charged():
    conn = meter(0, 0)
    conn.got = 1000
    conn.waited = 1500  # a handler that paused between reads for a minute is not in here
    assert shortfall(conn, 0, 100) == 0  # not waiting for data right now
    conn.wait_since = 0
    assert conn.waiting_ms(0) == 1500


def test_shortfall_counts_bytes_behind_the_floor():
    conn = meter(0, 90)
    conn.wait_since = 0
    assert shortfall(conn, 0, 100) == 0  # under 0.1 s measured: not judged
    conn.waited = 2000
    conn.got = 10
    assert shortfall(conn, 0, 100) == 190  # 200 bytes due at 100 B/s over 2 s, 10 came
    slow_longer = meter(10, 4000)
    slow_longer.wait_since = 0
    assert shortfall(slow_longer, 0, 100) > shortfall(conn, 0, 100)
    fast = meter(2048, 2000)  # 1 KB/s
    fast.wait_since = 0
    assert shortfall(fast, 0, 100) == 0


async def test_413_reads_the_unsent_body_before_closing():
    body = b"x" * 5000
    reader = MemoryReader(b"POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + body, 512)
    writer = MemoryWriter()
    a = app(max_body=100, max_discard=0)
    conn = Connection(reader, writer, "t", a.buffer_size)
    await a._serve(conn)
    assert bytes(writer.data).startswith(b"HTTP/1.1 413 ")
    assert reader.pos == len(reader.data)  # every byte the client sent was read before the close


async def test_linger_is_bounded_by_its_budget():
    body = b"x" * 200000
    reader = MemoryReader(b"POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + body, 4096)
    writer = MemoryWriter()
    a = app(max_body=100, max_discard=0)
    await a._serve(Connection(reader, writer, "t", a.buffer_size))
    assert bytes(writer.data).startswith(b"HTTP/1.1 413 ")
    assert 65536 <= reader.pos < 65536 + 4096 + 200  # the 64 KB budget, then close


async def test_no_linger_past_max_lingering():
    reader = MemoryReader(b"POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000, 512)
    a = app(max_body=100, max_discard=0)
    a._lingering = a.max_lingering
    await a._serve(Connection(reader, MemoryWriter(), "t", a.buffer_size))
    assert reader.pos < 5000  # closed at once


async def test_backlog_default_follows_max_connections_on_a_host():
    a = HTTPServer(max_connections=12)
    assert a.backlog is None  # chosen in start(): max_connections on a host, 2 on a board


async def test_websocket_message_the_heap_cannot_hold_closes_1009():
    """A frame announcing more than the heap can allocate (with max_size out of the way) is the
    peer's excess: close 1009, not a MemoryError in the handler (1011)."""
    from uht import websocket

    a = HTTPServer()
    websocket.install(a)
    seen = []

    @a.websocket("/ws", max_size=1 << 50)
    async def echo(req, ws):
        seen.append(await ws.receive())

    key = "dGhlIHNhbXBsZSBub25jZQ=="
    head = (
        "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key
    ).encode()
    frame = bytes((0x82, 0x80 | 127)) + (1 << 45).to_bytes(8, "big") + b"\x01\x02\x03\x04" + b"x" * 64
    out = await client(a).raw(head + frame)
    assert out.startswith(b"HTTP/1.1 101 ")
    body = out[out.find(b"\r\n\r\n") + 4 :]
    assert body[0] == 0x88 and body[2:4] == (1009).to_bytes(2, "big"), body[:20]
    assert seen == [None]
