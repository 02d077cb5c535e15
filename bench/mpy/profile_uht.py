"""Where uht's request path spends heap and time under MicroPython (a profile, not a test).

    MICROPYPATH=.frozen:<uht>:bench/apps micropython bench/mpy/profile_uht.py

Drives uht's internals directly (they may change; this script follows them) without sockets or
the asyncio scheduler: each stage runs N times with the collector off, gc.mem_alloc() gives bytes
per call, time.ticks_us() the time per call (collector off: collections cost in proportion to
the bytes). Prints one JSON line per stage.
"""

import gc
import time

from app_uht import make_app

import uht.request as rq
from uht.connection import Connection
from uht.request import parse_head
from uht.response import Response, http_date

N = 100
HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8081"
HEAD_USER = b"GET /user/42 HTTP/1.1\r\nHost: 127.0.0.1:8081"
BROWSER = (
    b"GET /user/42?x=1 HTTP/1.1\r\nHost: 192.168.4.1\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
    b"Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.5\r\n"
    b"Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nUpgrade-Insecure-Requests: 1"
)
REQ = HEAD + b"\r\n\r\n"
POST_BODY = b'{"id": 42, "name": "sensor", "values": [1, 2, 3]}'
POST = (
    b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(POST_BODY)
) + POST_BODY


class OneShotReader:
    """readinto() hands out one request per call, forever; never suspends."""

    def __init__(self, data):
        self.data = data

    async def readinto(self, buf):
        n = len(self.data)
        buf[:n] = self.data
        return n


class NullWriter:
    def __init__(self):
        self.n = 0

    def write(self, data):
        self.n += len(data)

    async def drain(self):
        pass

    def close(self):
        pass

    async def wait_closed(self):
        pass


def run(coro):
    """Drive a coroutine that never suspends to completion, without the scheduler."""
    try:
        while True:
            coro.send(None)
    except StopIteration as e:
        return e.value


def _is_coro(obj):
    return hasattr(obj, "send")


async def _loop(fn, n):
    for _ in range(n):
        await fn()


def _alloc(fn, n):
    """Bytes per call. Async stages run inside one outer coroutine that awaits them n times, so no
    StopIteration is raised per call (the scheduler does not raise one per await either)."""
    gc.collect()
    gc.disable()
    if _is_coro(fn()):
        a = gc.mem_alloc()
        run(_loop(fn, n))
        b = gc.mem_alloc()
        a2 = gc.mem_alloc()
        run(_loop(_nothing, n))  # subtract the outer loop's own cost
        b2 = gc.mem_alloc()
        per = ((b - a) - (b2 - a2)) // n
    else:
        a = gc.mem_alloc()
        for _ in range(n):
            fn()
        b = gc.mem_alloc()
        per = (b - a) // n
    gc.enable()
    gc.collect()
    return per


async def _nothing():
    pass


def measure(name, fn, n=N):
    try:
        r = fn()
        if _is_coro(r):
            run(r)
        per = _alloc(fn, n)
    except Exception as e:  # uht's internals moved: report the stage as not measured
        print('{"stage": "%s", "error": "%s"}' % (name, repr(e).replace('"', "'")))
        return
    gc.collect()
    gc.disable()  # time without collections: their cost follows the bytes column
    if _is_coro(fn()):
        t0 = time.ticks_us()
        run(_loop(fn, n))
    else:
        t0 = time.ticks_us()
        for _ in range(n):
            fn()
    us = time.ticks_diff(time.ticks_us(), t0) / n
    gc.enable()
    gc.collect()
    print('{"stage": "%s", "bytes": %d, "us": %.1f}' % (name, per, us))


app = make_app(64)
conn = Connection(OneShotReader(REQ), NullWriter(), "127.0.0.1", app.buffer_size)


def _head_of(head):
    """The head as the server's _read_head hands it to parse_head (bytes or str, by version)."""
    c = Connection(OneShotReader(head + b"\r\n\r\n"), NullWriter(), "127.0.0.1", 2048)
    return run(app._read_head(c))


H_ROOT = _head_of(HEAD)
H_USER = _head_of(HEAD_USER)
H_BROWSER = _head_of(BROWSER)


def stage_parse():
    parse_head(app, conn, H_ROOT)


def stage_parse_user():
    parse_head(app, conn, H_USER)


def stage_parse_browser():
    parse_head(app, conn, H_BROWSER)


def stage_request_line():
    rq._parse_request_line(H_ROOT[:14])


def stage_headers_get():
    req.headers.get("content-length")


def stage_response_init():
    Response(conn, req)


def stage_http_date():
    http_date()


req = parse_head(app, conn, H_ROOT)
req_user = parse_head(app, conn, H_USER)


def stage_route():
    app.router.find("GET", "/", req.segments)


def stage_route_user():
    app.router.find("GET", "/user/42", req_user.segments)


async def stage_response():
    resp = Response(conn, req)
    resp.add_header("Content-Type", "text/plain")
    await resp.send(b"Hello, world!")
    await resp.finish()


def stage_head_bytes():
    resp = Response(conn, req)
    resp.add_header("Content-Type", "text/plain")
    resp._head()


async def stage_read_head():
    await app._read_head(conn)


async def stage_handle():
    await app._handle(conn, req)


async def stage_handle_user():
    await app._handle(conn, req_user)


async def stage_full():
    """_read_head + parse + _handle, as _serve does per request."""
    head = await app._read_head(conn)
    r = parse_head(app, conn, head)
    conn.requests += 1
    await app._handle(conn, r)


post_conn = Connection(OneShotReader(POST), NullWriter(), "127.0.0.1", app.buffer_size)


async def stage_full_post():
    head = await app._read_head(post_conn)
    r = parse_head(app, post_conn, head)
    post_conn.requests += 1
    await app._handle(post_conn, r)


def stage_json_roundtrip():
    import json

    json.dumps(json.loads(POST_BODY))


def stage_conn_setup():
    Connection(OneShotReader(REQ), NullWriter(), "127.0.0.1", app.buffer_size)


def stage_empty_coroutine():
    async def nothing():
        pass

    run(nothing())


async def _nested3():
    return await _nested2()


async def _nested2():
    return await _nested1()


async def _nested1():
    return 1


async def stage_three_nested_coroutines():
    await _nested3()


for name, fn in (
    ("parse_head GET / (wrk head)", stage_parse),
    ("parse_head GET /user/42", stage_parse_user),
    ("parse_head browser-like head, 7 headers", stage_parse_browser),
    ("  _parse_request_line", stage_request_line),
    ("  Headers.get (absent name)", stage_headers_get),
    ("  Response(...) constructor", stage_response_init),
    ("  http_date()", stage_http_date),
    ("router.find /", stage_route),
    ("router.find /user/42", stage_route_user),
    ("Response: add_header + send + finish", stage_response),
    ("Response._head() only", stage_head_bytes),
    ("server._read_head (buffered conn)", stage_read_head),
    ("server._handle GET / (dispatch+handler+finish)", stage_handle),
    ("server._handle GET /user/42", stage_handle_user),
    ("read_head+parse+handle GET / (no sockets)", stage_full),
    ("read_head+parse+handle POST /echo (no sockets)", stage_full_post),
    ("  json.loads + json.dumps of that body", stage_json_roundtrip),
    ("Connection() (per connection)", stage_conn_setup),
    ("an empty coroutine, driven by send() (StopIteration)", stage_empty_coroutine),
    ("three nested coroutine calls, awaited", stage_three_nested_coroutines),
):
    measure(name, fn)
