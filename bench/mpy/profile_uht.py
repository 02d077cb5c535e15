"""Where uht's request path spends heap and time under MicroPython (a profile, not a test).

    MICROPYPATH=.frozen:<uht>:bench/apps micropython bench/mpy/profile_uht.py

Drives uht's internals directly (they may change; this script follows them) without sockets or
the asyncio scheduler: each stage runs N times with the collector off, gc.mem_alloc() gives bytes
per call, time.ticks_us() the time per call (collector off: collections cost in proportion to
the bytes). Prints one JSON line per stage: {"stage", "bytes", "us"}, or {"stage", "error"} for a
stage that could not be measured (its internals moved, or what it needs could not be set up):
every other stage is still measured.

Each stage is a factory: it looks up the internals and builds what the stage needs, and returns
the function to measure. A name that moved fails in the factory, before anything is measured.
Stage names indented by two spaces are parts of the stage above them.
"""

import gc
import io
import json
import sys
import time

N = 100
# Heads as the server's _take_head hands them to parse_head: the request line and header lines with
# their line ends, without the blank line (uht.request.parse_head). On the wire a blank line follows.
HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n"
HEAD_USER = b"GET /user/42 HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n"
BROWSER = (
    b"GET /user/42?x=1 HTTP/1.1\r\nHost: 192.168.4.1\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
    b"Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.5\r\n"
    b"Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\n"
)
REQ = HEAD + b"\r\n"
REQ_USER = HEAD_USER + b"\r\n"
POST_BODY = b'{"id": 42, "name": "sensor", "values": [1, 2, 3]}'
POST = (
    b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(POST_BODY)
) + POST_BODY
KEEP_ALIVE = 20  # requests per connection in the _serve stages


class OneShotReader:
    """readinto() hands out one request per call, forever; never suspends."""

    def __init__(self, data):
        self.data = data

    async def readinto(self, buf):
        n = len(self.data)
        buf[:n] = self.data
        return n


class CountedReader:
    """readinto() hands out one request per call, `count` times, then end of stream."""

    def __init__(self, data, count):
        self.data = data
        self.count = count

    async def readinto(self, buf):
        if not self.count:
            return 0
        self.count -= 1
        n = len(self.data)
        buf[:n] = self.data
        return n


class NullWriter:
    # MicroPython's asyncio Stream: write() sends at once when the socket takes it and keeps only
    # the rest in out_buf, which uht checks before paying for a drain(). The usual case: nothing left.
    out_buf = b""

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


class RecordingWriter(NullWriter):
    def __init__(self):
        self.data = b""

    def write(self, data):
        self.data += bytes(data)


def _stand_in_task():
    """Make asyncio's current task a stand-in. Outside the scheduler it is None, and a coroutine
    that suspends (asyncio.sleep, Event.wait, a stream's wait for data) then has MicroPython's C
    task queue push None: a segfault, which would end every stage after it. With the stand-in it
    just yields, and run() reports the stage as not measured."""
    try:
        from asyncio import core

        async def idle():
            pass

        core.cur_task = core.Task(idle())
    except Exception:
        pass  # another asyncio: a suspending stage may then end the script (bench/memory.py says so)


_stand_in_task()


def run(coro):
    """Drive a coroutine that never suspends to completion, without the scheduler. One that does
    suspend now waits for something only the scheduler gives: an error (the stage is not
    measured), where looping would hang every stage after it."""
    try:
        coro.send(None)
    except StopIteration as e:
        return e.value
    coro.close()
    raise RuntimeError("suspended: this stage now needs the asyncio scheduler")


def _is_coro(obj):
    return hasattr(obj, "send")


async def _loop(fn, n):
    for _ in range(n):
        await fn()


async def _nothing():
    pass


def _alloc(fn, n, is_async):
    """Bytes per call. Async stages run inside one outer coroutine that awaits them n times, so no
    StopIteration is raised per call (the scheduler does not raise one per await either)."""
    gc.collect()
    gc.disable()
    if is_async:
        a = gc.mem_alloc()
        run(_loop(fn, n))
        b = gc.mem_alloc()
        a2 = gc.mem_alloc()
        run(_loop(_nothing, n))  # subtract the outer loop's own cost
        b2 = gc.mem_alloc()
        per = ((b - a) - (b2 - a2)) / n
    else:
        a = gc.mem_alloc()
        for _ in range(n):
            fn()
        b = gc.mem_alloc()
        per = (b - a) / n
    gc.enable()
    gc.collect()
    return per


def _time(fn, n, is_async):
    """µs per call, without collections (their cost follows the bytes column)."""
    gc.collect()
    gc.disable()
    if is_async:
        t0 = time.ticks_us()
        run(_loop(fn, n))
    else:
        t0 = time.ticks_us()
        for _ in range(n):
            fn()
    us = time.ticks_diff(time.ticks_us(), t0) / n
    gc.enable()
    gc.collect()
    return us


def _describe(e):
    """'Type: message (innermost frame)': what moved, and where."""
    where = ""
    try:
        buf = io.StringIO()
        sys.print_exception(e, buf)
        frames = [s.strip() for s in buf.getvalue().split("\n") if s.strip().startswith("File ")]
        if frames:
            where = " (" + frames[-1] + ")"
    except Exception:
        pass
    return "%s: %s%s" % (type(e).__name__, e, where)


def measure(name, factory, n=N, per=1, baseline=None):
    """One JSON line for the stage factory() makes. per: requests one call serves (figures are per
    request); baseline: a stage factory whose cost per call is subtracted first."""
    try:
        fn = factory()
        base = baseline() if baseline is not None else None
        figures = []
        for f in (fn, base):
            if f is None:
                figures.append((0, 0))
                continue
            is_async = _is_coro(f())  # a first call (imports, buffers grown) before measuring ...
            if is_async:
                run(f())  # ... run to its end, not just created
            figures.append((_alloc(f, n, is_async), _time(f, n, is_async)))
        per_bytes = (figures[0][0] - figures[1][0]) / per
        per_us = (figures[0][1] - figures[1][1]) / per
    except Exception as e:  # uht's internals moved (or the setup they need): not measured
        gc.enable()  # it may have failed while the collector was off
        why = str(e) if isinstance(e, SetupFailed) else _describe(e)
        print('{"stage": %s, "error": %s}' % (json.dumps(name), json.dumps(why)))
        return
    print('{"stage": %s, "bytes": %d, "us": %.1f}' % (json.dumps(name), round(per_bytes), per_us))


# -- what the stages share: made on first use, a failure is the failure of each stage needing it --

_made = {}


class SetupFailed(Exception):
    pass


def shared(name, make):
    if name not in _made:
        try:
            _made[name] = (make(), None)
        except SetupFailed as e:  # what it needs failed: say what, once
            _made[name] = (None, str(e))
        except Exception as e:
            _made[name] = (None, "setup of %s failed: %s" % (name, _describe(e)))
    value, error = _made[name]
    if error is not None:
        raise SetupFailed(error)
    return value


def _make_app():
    from app_uht import make_app

    return make_app(64)


def app():
    return shared("app", _make_app)


def new_conn(reader):
    """A Connection as the server makes one at accept (HTTPServer._connection), served by app()."""
    from uht.connection import Connection

    server = app()
    conn = Connection(reader, NullWriter(), "127.0.0.1", server.buffer_size)
    conn.server = server  # what _serve sets first
    return conn


def conn():
    return shared("conn", lambda: new_conn(OneShotReader(REQ)))


def parsed(head):
    """A Request parse_head made of head, on conn()."""
    from uht.request import parse_head

    return shared("request " + str(head[: head.find(b"\r")], "utf-8"), lambda: parse_head(conn(), head))


# -- the stages ------------------------------------------------------------------------------------


def _answered(request, count):
    """How many of `count` requests on one connection HTTPServer._serve answered with a 200."""
    c = new_conn(CountedReader(request, count))
    c.writer = RecordingWriter()
    run(app()._serve(c))
    return c.writer.data.count(b"HTTP/1.1 200 ")


def _check_serves(request):
    answered = _answered(request, KEEP_ALIVE)
    if answered != KEEP_ALIVE:
        raise ValueError("_serve answered %d of %d requests with 200" % (answered, KEEP_ALIVE))
    return app()


def serving():
    """The app, once _serve is seen to answer KEEP_ALIVE GET / on one connection. _serve logs and
    swallows every error (by design), so without this a moved internal would be measured as a
    cheap, fast request."""
    return shared("_serve", lambda: _check_serves(REQ))


def serve_keep_alive(request):
    """A fresh connection carrying KEEP_ALIVE requests through HTTPServer._serve, then closed
    (b"": a connection that sends nothing)."""

    def make():
        server = serving()
        count = KEEP_ALIVE if request else 0
        if request:
            _check_serves(request)

        async def serve():
            await server._serve(new_conn(CountedReader(request, count)))

        return serve

    return make


def stage_take_head():
    """What _serve does with a head the connection's buffer already holds whole: _take_head (the
    buffer refilled with REQ each time; the stream is not read)."""
    server = app()
    c = new_conn(OneShotReader(REQ))
    size = len(REQ)

    def take_head():
        c.buf[:size] = REQ
        c.start, c.end = 0, size
        return server._take_head(c, 0)

    head = take_head()
    if head != HEAD:  # the parse stages hand parse_head what _take_head gives: check they agree
        raise ValueError("_take_head gives %r, the parse stages use %r" % (head, HEAD))
    return take_head


def stage_parse(head):
    def make():
        from uht.request import parse_head

        c = conn()
        parse_head(c, head)  # fails here (not measured) if the head or the call is wrong

        def parse():
            parse_head(c, head)

        return parse

    return make


def stage_text_is_bad():
    from uht.headers import text_is_bad

    def check():
        text_is_bad(BROWSER)

    return check


def stage_request_init():
    from uht.request import Request

    c = conn()

    def make():
        Request(c, BROWSER)

    return make


def stage_frame():
    from uht.request import Request, _frame

    req = Request(conn(), BROWSER)
    pos = BROWSER.find(b"\n") + 1

    def frame():
        _frame(req, BROWSER, pos)

    return frame


def stage_first_field():
    from uht.headermap import HeadFields

    pos = BROWSER.find(b"\n") + 1

    def first():
        HeadFields(BROWSER, pos).get("accept-language")  # what a handler reading one field pays

    return first


def stage_every_field():
    from uht.headermap import HeadFields

    pos = BROWSER.find(b"\n") + 1

    def every():
        HeadFields(BROWSER, pos).items()  # iterating, len() or items(): the whole dict

    return every


def stage_headers_get():
    headers = parsed(BROWSER).headers  # built once, on first use

    def get():
        headers.get("content-length")

    return get


def stage_find_literal():
    router = app().router
    if router.find_literal("GET", "/") is None:
        raise LookupError("no literal route for GET /")

    def find():
        router.find_literal("GET", "/")

    return find


def stage_find(path):
    def make():
        router = app().router
        req = parsed(HEAD if path == "/" else HEAD_USER)
        segments = req.segments
        if router.find("GET", path, segments)[0] is None:
            raise LookupError("no route for GET " + path)

        def find():
            router.find("GET", path, segments)

        return find

    return make


def stage_response_init():
    from uht.response import Response

    c = conn()
    req = parsed(HEAD)

    def make():
        Response(c, req)

    return make


def stage_response():
    from uht.response import Response

    c = conn()
    req = parsed(HEAD)

    async def respond():
        resp = Response(c, req)
        resp.add_header("Content-Type", "text/plain")
        await resp.send(b"Hello, world!")
        await resp.finish()

    return respond


def stage_head_bytes():
    from uht.response import Response

    c = conn()
    req = parsed(HEAD)

    def head():
        resp = Response(c, req)
        resp.add_header("Content-Type", "text/plain")
        resp._head(13)

    return head


def stage_date_now():
    from uht.headers import date_now

    if date_now() is None:
        raise ValueError("date_now() is None: the clock is not set, no Date header to measure")
    return date_now


def stage_http_date():
    from uht.headers import http_date

    return http_date


def stage_dispatch_user():
    from uht.response import Response

    server = app()
    c = conn()
    req = parsed(HEAD_USER)

    async def dispatch():
        await server._dispatch(req, Response(c, req))

    return dispatch


def stage_json_roundtrip():
    def roundtrip():
        json.dumps(json.loads(POST_BODY))

    return roundtrip


def stage_conn_setup():
    from uht.connection import Connection

    size = app().buffer_size

    def make():
        Connection(OneShotReader(REQ), NullWriter(), "127.0.0.1", size)

    return make


def stage_empty_coroutine():
    def driven():
        async def nothing():
            pass

        run(nothing())

    return driven


async def _nested3():
    return await _nested2()


async def _nested2():
    return await _nested1()


async def _nested1():
    return 1


def stage_three_nested_coroutines():
    async def nested():
        await _nested3()

    return nested


SERVE_STAGES = (5, KEEP_ALIVE)  # calls, requests per call: 100 requests, few enough connections to amortise
NO_REQUEST = serve_keep_alive(b"")

STAGES = (
    ("server._serve keep-alive GET / (per request; connection cost subtracted)", serve_keep_alive(REQ), SERVE_STAGES),
    ("  server._take_head (buffered conn)", stage_take_head, None),
    ("  parse_head GET / (wrk head)", stage_parse(HEAD), None),
    ("  router.find_literal GET / (the fast path)", stage_find_literal, None),
    ("  Response(...) constructor", stage_response_init, None),
    ("  Response: add_header + send + finish", stage_response, None),
    ("  Response() + add_header + _head()", stage_head_bytes, None),
    ("  date_now() (the Date header)", stage_date_now, None),
    ("server._serve keep-alive GET /user/42 (per request)", serve_keep_alive(REQ_USER), SERVE_STAGES),
    ("  parse_head GET /user/42", stage_parse(HEAD_USER), None),
    ("  router.find /user/42", stage_find("/user/42"), None),
    ("  Response() + server._dispatch GET /user/42 (handler)", stage_dispatch_user, None),
    ("server._serve keep-alive POST /echo (per request)", serve_keep_alive(POST), SERVE_STAGES),
    ("  json.loads + json.dumps of that body", stage_json_roundtrip, None),
    ("parse_head browser-like head, 7 headers", stage_parse(BROWSER), None),
    ("  text_is_bad (the whole head)", stage_text_is_bad, None),
    ("  Request(...) constructor", stage_request_init, None),
    ("  _frame (7 header lines)", stage_frame, None),
    ("req.headers on first use, one field read (browser head)", stage_first_field, None),
    ("req.headers, every field (items(), browser head)", stage_every_field, None),
    ("  Headers.get (absent name)", stage_headers_get, None),
    ("router.find / (the general path)", stage_find("/"), None),
    ("http_date()", stage_http_date, None),
    ("server._serve: a connection with no request (Connection, close)", NO_REQUEST, None),
    ("Connection() (per connection)", stage_conn_setup, None),
    ("an empty coroutine, driven by send() (StopIteration)", stage_empty_coroutine, None),
    ("three nested coroutine calls, awaited", stage_three_nested_coroutines, None),
)


def main():
    for name, factory, serve in STAGES:
        if serve is None:
            measure(name, factory)
        else:
            calls, per = serve
            measure(name, factory, n=calls, per=per, baseline=NO_REQUEST)


main()
