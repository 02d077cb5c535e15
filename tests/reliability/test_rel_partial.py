"""Requests stopped half-way at every byte boundary, stalled, and dripped slowly, over real
sockets against uht under MicroPython (rel_app: head 1 s, idle 1.5 s, body stall 1 s)."""

import socket
import threading
import time

import pytest
from relsupport import GOOD, exchange, recv_all, responses, settle_sockets, socket_count, statuses, still_serves

POST_CL = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
POST_CHUNKED = (
    b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3;x=y\r\nllo\r\n0\r\nT: 1\r\n\r\n"
)
GET_LF = b"GET /hello/lf HTTP/1.1\nHost: x\n\n"


def head_length(request: bytes) -> int:
    end = request.find(b"\r\n\r\n")
    return end + 4 if end >= 0 else request.find(b"\n\n") + 2


@pytest.mark.parametrize(
    "request_bytes", [GOOD, GET_LF, POST_CL, POST_CHUNKED], ids=["get", "get-lf", "post-cl", "post-chunked"]
)
def test_stopped_at_every_byte(srv, request_bytes):  # type: ignore[no-untyped-def]
    """The client sends the first k bytes and half-closes: a cut head is dropped without an
    answer, a cut body answers 400; the whole request is answered once."""
    head_len = head_length(request_bytes)
    wrong = []
    for k in range(1, len(request_bytes) + 1):
        got = statuses(exchange(srv, request_bytes[:k]))
        if k == len(request_bytes):
            want = [200]
        elif k < head_len:
            want = []
        else:
            want = [400]
        if got != want:
            wrong.append((k, request_bytes[:k][-12:], want, got))
    assert not wrong, "cut at these byte counts (k, tail, want, got):\n" + "\n".join(map(repr, wrong))
    still_serves(srv)


def _stalled_status(srv, data: bytes, results: dict, key) -> None:  # type: ignore[no-untyped-def]
    with srv.connect() as s:
        s.sendall(data)
        start = time.monotonic()
        out = recv_all(s, timeout=6.0)
        results[key] = (statuses(out), time.monotonic() - start)


def test_stalled_head_at_byte_boundaries_gets_408(srv):  # type: ignore[no-untyped-def]
    """The client stops mid-head and waits: 408 after head_timeout (1 s), then close. Three at a
    time (the cap is 4)."""
    cuts = [1, 3, 4, 10, 17, len(GOOD) - 3, len(GOOD) - 1]
    results: dict = {}
    for batch in (cuts[:3], cuts[3:6], cuts[6:]):
        threads = [threading.Thread(target=_stalled_status, args=(srv, GOOD[:k], results, k)) for k in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for k in cuts:
        got, took = results[k]
        assert got == [408], "cut at %d: %r" % (k, got)
        assert 0.8 < took < 2.5, "cut at %d: 408 after %.2f s" % (k, took)
    still_serves(srv)


def test_stalled_body_closes(srv):  # type: ignore[no-untyped-def]
    """A body that stops (no EOF) is given up after body_timeout: the connection closes."""
    for data in (POST_CL[:-2], POST_CHUNKED[: head_length(POST_CHUNKED) + 4]):
        results: dict = {}
        _stalled_status(srv, data, results, 0)
        got, took = results[0]
        assert got in ([], [400], [408]), got
        assert took < 3.0, "stalled body held for %.2f s" % took
    still_serves(srv)


def _drip(s: socket.socket, data: bytes, gap: float, step: int = 1) -> None:
    for i in range(0, len(data), step):
        s.sendall(data[i : i + step])
        time.sleep(gap)


def test_slow_head_within_timeout_is_served(srv):  # type: ignore[no-untyped-def]
    with srv.connect() as s:
        _drip(s, GOOD, 0.01)  # ~0.4 s for the whole head: inside head_timeout
        s.shutdown(socket.SHUT_WR)
        out = recv_all(s)
    assert statuses(out) == [200] and responses(out)[0][2] == b"Hello, ok!"


def test_slow_drip_head_is_cut_at_head_timeout(srv):  # type: ignore[no-untyped-def]
    """Slowloris: bytes keep coming, but the whole head must arrive within head_timeout."""
    long_head = b"GET /hello/slow HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: abcdefgh\r\n" * 10 + b"\r\n"
    with srv.connect() as s:
        start = time.monotonic()
        got = b""
        try:
            for i in range(len(long_head)):
                s.sendall(long_head[i : i + 1])
                time.sleep(0.02)
                if time.monotonic() - start > 6:
                    break
        except OSError:
            pass
        got = recv_all(s, timeout=3.0)
        took = time.monotonic() - start
    assert statuses(got) == [408], got[:200]
    assert took < 3.0, "a dripped head held the connection %.2f s" % took
    still_serves(srv)


def test_crlf_drip_between_requests_does_not_hold_the_connection(srv):  # type: ignore[no-untyped-def]
    with srv.connect() as s:
        s.sendall(GOOD)
        start = time.monotonic()
        closed = False
        try:
            while time.monotonic() - start < 6:
                s.sendall(b"\r\n")
                time.sleep(0.3)
        except OSError:
            closed = True
        took = time.monotonic() - start
    assert closed and took < 4.0, "stray CRLFs kept the connection %.2f s" % took
    still_serves(srv)


def test_slow_body_without_stalls_is_served(srv):  # type: ignore[no-untyped-def]
    """body_timeout bounds a stall, not the whole body: 12 bytes at 0.25 s each (3 s) pass."""
    body = b"slow-but-ok!"
    with srv.connect() as s:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
        _drip(s, body, 0.25)
        s.shutdown(socket.SHUT_WR)
        out = recv_all(s)
    assert statuses(out) == [200] and responses(out)[0][2] == body


def test_slow_chunked_body_without_stalls_is_served(srv):  # type: ignore[no-untyped-def]
    data = b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"
    with srv.connect() as s:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        _drip(s, data, 0.1)
        s.shutdown(socket.SHUT_WR)
        out = recv_all(s)
    assert statuses(out) == [200] and responses(out)[0][2] == b"abcdefg"


def test_slow_reader_is_cut_by_write_timeout(srv):  # type: ignore[no-untyped-def]
    """A client that asks for 32 MB (more than the kernel buffers hold) and never reads:
    write_timeout (2 s) ends it on the server's side, and others are served meanwhile."""
    baseline = socket_count(srv)
    s = srv.connect()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /big?kb=32768 HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)
    assert socket_count(srv) == baseline + 1
    still_serves(srv)
    left = settle_sockets(srv, baseline, wait=5.0)
    s.close()
    assert left == baseline, "the server still holds the stalled reader's socket"
    still_serves(srv)


def test_clients_vanishing_mid_response(srv):  # type: ignore[no-untyped-def]
    for i in range(20):
        s = srv.connect()
        s.sendall(b"GET /big?kb=256 HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(100 + 500 * i)
        if i % 2:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    for _ in range(10):  # gone while a chunked stream is being written
        s = srv.connect()
        s.sendall(b"GET /stream?n=2000 HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(50)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    still_serves(srv)
