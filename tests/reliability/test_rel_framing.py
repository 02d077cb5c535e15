"""Response framing checked by h11 (issue 11): every kind of answer uht gives is parsed by an h11
client Connection, which raises on any framing error (a wrong length, a bad chunk, a body where
none may be, bytes after the end). Each case asserts the event sequence: interim answers, the
final status, the body, the end of the message, and then either the close (when the answer says
the connection ends) or a second request on the same connection answered correctly (so the
first answer ended exactly where its framing said).

Kinds: normal, empty, redirect, HEAD (plain and streamed), 100-continue, 204, 304, errors
(400, 404, 405, 408, 413, 414, 431, 500, 501, 503, 505), streamed (start_stream()/write(),
several send()s, a stream with its own Content-Length), close-delimited (a stream to HTTP/1.0),
HTTP/1.0 with and without keep-alive; and a stream cut by a handler error, which h11 must see as
cut. On MicroPython (uht from source and from .mpy) and CPython.
"""

import socket
import time

import h11
import pytest
from hardsupport import RUNTIMES, served_module

HOST = [("Host", "x")]


def _shadow(method: str = "GET", target: str = "/", headers=None, body: bytes = b"") -> h11.Connection:  # type: ignore[no-untyped-def]
    """An h11 client that believes it sent this request (so it knows, e.g., that a HEAD answer has
    no body); returns it with the bytes h11 would send in `.wire`."""
    conn = h11.Connection(h11.CLIENT)
    headers = list(HOST if headers is None else headers)
    if body:
        headers.append(("Content-Length", str(len(body))))
    wire = conn.send(h11.Request(method=method, target=target, headers=headers))
    if body:
        wire += conn.send(h11.Data(data=body))
    wire += conn.send(h11.EndOfMessage())
    conn.wire = wire  # type: ignore[attr-defined]
    return conn


class Reader:
    """Feeds h11 from a socket; every event of one response as a compact list."""

    def __init__(self, sock: socket.socket, conn: h11.Connection) -> None:
        self.sock = sock
        self.conn = conn

    def _feed(self, timeout: float) -> None:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""  # resets are test_rel_linger's subject: here the bytes before it count
        self.conn.receive_data(data)

    def response(self, timeout: float = 5.0) -> list:
        """["100", 200, b"body", "end"] (interim statuses as strings, the final one as an int,
        the body joined), ending at EndOfMessage; h11.RemoteProtocolError on bad framing."""
        out: list = []
        body = b""
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self._feed(timeout)
                continue
            if isinstance(event, h11.InformationalResponse):
                out.append(str(event.status_code))
            elif isinstance(event, h11.Response):
                out.append(event.status_code)
                self.headers = {k.decode().lower(): v.decode() for k, v in event.headers}
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                out += [body, "end"]
                return out
            else:
                raise AssertionError("unexpected event %r after %r" % (event, out))

    def closed(self, timeout: float = 5.0) -> bool:
        """After a response that ends the connection: the next event is ConnectionClosed (no
        byte after the answer). Ends our side first, as a client that is done does."""
        assert self.conn.their_state is h11.MUST_CLOSE, self.conn.their_state
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self._feed(timeout)
                continue
            return isinstance(event, h11.ConnectionClosed)


def _check(srv, conn: h11.Connection, raw: "bytes | None", expected: list, pause: float = 0.0) -> None:  # type: ignore[no-untyped-def]
    """Send raw (None: what h11 would send; b"": nothing), parse the answer, compare events;
    then the close, or a second request on the same connection."""
    with srv.connect(5) as sock:
        if raw is None:
            raw = conn.wire  # type: ignore[attr-defined]
        if raw:
            sock.sendall(raw)
        if pause:
            time.sleep(pause)
        reader = Reader(sock, conn)
        got = reader.response(timeout=5 + pause)
        assert got == expected, "events %r, expected %r" % (got, expected)
        if conn.their_state is h11.MUST_CLOSE:
            assert reader.closed(), "bytes after an answer that ends the connection"
            return
        assert conn.their_state is h11.DONE, conn.their_state
        conn.start_next_cycle()
        sock.sendall(conn.send(h11.Request(method="GET", target="/", headers=HOST)) + conn.send(h11.EndOfMessage()))
        again = reader.response()
        assert again == [200, b"uht is up\n", "end"], "second request on the connection: %r" % again


@pytest.fixture(scope="module", params=RUNTIMES)
def srv(request):  # type: ignore[no-untyped-def]
    yield from served_module("framing_app.py", request.param)


# -- success answers -------------------------------------------------------------------------------


def test_normal(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow(), None, [200, b"uht is up\n", "end"])


def test_empty_body(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow(target="/empty"), None, [200, b"", "end"])


def test_redirect(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow(target="/redirect"), None, [302, b"", "end"])


def test_head(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow("HEAD"), None, [200, b"", "end"])


def test_head_of_a_stream(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow("HEAD", "/stream"), None, [200, b"", "end"])


def test_post_echo(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow("POST", "/echo", body=b"x" * 700), None, [200, b"x" * 700, "end"])


def test_100_continue(srv) -> None:  # type: ignore[no-untyped-def]
    """The client sends the head, waits for 100 Continue, then the body."""
    conn = h11.Connection(h11.CLIENT)
    headers = HOST + [("Content-Length", "5"), ("Expect", "100-continue")]
    with srv.connect(5) as sock:
        sock.sendall(conn.send(h11.Request(method="POST", target="/echo", headers=headers)))
        reader = Reader(sock, conn)
        event = conn.next_event()
        while event is h11.NEED_DATA:
            reader._feed(5)
            event = conn.next_event()
        assert isinstance(event, h11.InformationalResponse) and event.status_code == 100, event
        sock.sendall(conn.send(h11.Data(data=b"hello")) + conn.send(h11.EndOfMessage()))
        assert reader.response() == [200, b"hello", "end"]


def test_204(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow(target="/nocontent"), None, [204, b"", "end"])


def test_304(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow(target="/notmodified"), None, [304, b"", "end"])


# -- streamed and close-delimited --------------------------------------------------------------------


def test_stream_chunked(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow(target="/stream"), None, [200, b"part 0\npart 1\npart 2\n", "end"])


def test_several_sends_stream(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow(target="/parts"), None, [200, b"send 0\nsend 1\nsend 2\n", "end"])


def test_stream_with_its_own_length(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow(target="/sized"), None, [200, b"abcdefghijkl", "end"])


def test_stream_to_http10_is_close_delimited(srv) -> None:  # type: ignore[no-untyped-def]
    conn = _shadow(target="/stream", headers=HOST + [("Connection", "close")])
    _check(srv, conn, b"GET /stream HTTP/1.0\r\n\r\n", [200, b"part 0\npart 1\npart 2\n", "end"])
    assert conn.their_state is h11.CLOSED


def test_http10(srv) -> None:  # type: ignore[no-untyped-def]
    conn = _shadow(headers=HOST + [("Connection", "close")])
    _check(srv, conn, b"GET / HTTP/1.0\r\n\r\n", [200, b"uht is up\n", "end"])


def test_http10_keep_alive(srv) -> None:  # type: ignore[no-untyped-def]
    """HTTP/1.0 with Connection: keep-alive: a length-framed answer, and the connection carries a
    second request."""
    conn = _shadow()
    _check(srv, conn, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", [200, b"uht is up\n", "end"])


def test_stream_cut_by_a_handler_error_is_seen_as_cut(srv) -> None:  # type: ignore[no-untyped-def]
    """A handler failing after its chunked body started: the connection closes without the last
    chunk, so the client can tell the body is incomplete (h11 says so; it must not see an end)."""
    conn = _shadow(target="/cut")
    with srv.connect(5) as sock:
        sock.sendall(conn.wire)  # type: ignore[attr-defined]
        with pytest.raises(h11.RemoteProtocolError):
            Reader(sock, conn).response()


# -- errors ------------------------------------------------------------------------------------------


def _error(srv, status: int, conn: h11.Connection, raw: "bytes | None" = None, pause: float = 0.0) -> None:  # type: ignore[no-untyped-def]
    with srv.connect(5) as sock:
        if raw is None:
            raw = conn.wire  # type: ignore[attr-defined]
        if raw:
            sock.sendall(raw)
        if pause:
            time.sleep(pause)
        reader = Reader(sock, conn)
        got = reader.response(timeout=5 + pause)
        assert got[0] == status and got[-1] == "end", got
        assert reader.headers.get("content-length") == str(len(got[1])), reader.headers
        if conn.their_state is h11.MUST_CLOSE:
            assert reader.closed(), "bytes after an answer that ends the connection"


def test_400(srv) -> None:  # type: ignore[no-untyped-def]
    _error(srv, 400, _shadow(), b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n")


def test_404(srv) -> None:  # type: ignore[no-untyped-def]
    _check(srv, _shadow(target="/nope"), None, [404, b"Not Found\n", "end"])


def test_405(srv) -> None:  # type: ignore[no-untyped-def]
    conn = _shadow("DELETE", "/")
    _error(srv, 405, conn)


def test_408(srv) -> None:  # type: ignore[no-untyped-def]
    """Half a head, then nothing: 408 after head_timeout (1 s in this app)."""
    _error(srv, 408, _shadow(), b"GET / HTTP/1.1\r\nHost: x\r\n", pause=0.2)


def test_413_to_an_expect(srv) -> None:  # type: ignore[no-untyped-def]
    """Over max_body (1024), announced with Expect: 100-continue: 413 instead of 100, and the
    body is never sent (so no unread bytes: resets are test_rel_linger's subject)."""
    conn = h11.Connection(h11.CLIENT)
    headers = HOST + [("Content-Length", "2000"), ("Expect", "100-continue")]
    conn.wire = conn.send(h11.Request(method="POST", target="/echo", headers=headers))  # type: ignore[attr-defined]
    _error(srv, 413, conn)


def test_414(srv) -> None:  # type: ignore[no-untyped-def]
    _error(srv, 414, _shadow(target="/" + "a" * 300))


def test_431(srv) -> None:  # type: ignore[no-untyped-def]
    _error(srv, 431, _shadow(headers=HOST + [("X-Big", "b" * 600)]))


def test_500(srv) -> None:  # type: ignore[no-untyped-def]
    _error(srv, 500, _shadow(target="/fail"))


def test_501(srv) -> None:  # type: ignore[no-untyped-def]
    _error(srv, 501, _shadow("BREW", "/"))


def test_505(srv) -> None:  # type: ignore[no-untyped-def]
    _error(srv, 505, _shadow(), b"GET / HTTP/2.0\r\nHost: x\r\n\r\n")


def test_503(srv) -> None:  # type: ignore[no-untyped-def]
    """Both slots busy (max_connections 2): the answer comes before the client says anything."""
    busy = []
    try:
        for _ in range(2):
            s = srv.connect()
            s.sendall(b"GET /slow?s=1.2 HTTP/1.1\r\nHost: x\r\n\r\n")
            busy.append(s)
        time.sleep(0.5)
        _error(srv, 503, _shadow(), b"")
    finally:
        for s in busy:
            s.close()
        time.sleep(1.0)  # the handlers finish: the slots are free for the next test
