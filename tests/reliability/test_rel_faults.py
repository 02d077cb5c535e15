"""Faults: handler exceptions before and after sending, MemoryError (raised and real), client
resets at every stage, and a shutdown under load that finishes in-flight requests."""

import socket
import subprocess
import threading
import time

import pytest
from relsupport import GOOD, exchange, recv_all, responses, settle_sockets, socket_count, statuses, still_serves


def _get(path: bytes) -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.mark.parametrize("stage", [b"before", b"memory", b"alloc", b"held"])
def test_fault_before_sending_answers_500_and_keeps_serving(srv, stage):  # type: ignore[no-untyped-def]
    """Nothing was sent yet: a clean 500, and the same connection carries the next request."""
    out = exchange(srv, _get(b"/fault/" + stage) + GOOD)
    got = responses(out)
    assert [r[0] for r in got] == [500, 200], out[:300]
    assert got[0][2] == b"Internal Server Error\n" and got[1][2] == b"Hello, ok!"
    still_serves(srv)


@pytest.mark.parametrize("stage", [b"mid", b"alloc-stream"])
def test_fault_mid_stream_closes_without_last_chunk(srv, stage):  # type: ignore[no-untyped-def]
    """Part of the body is out: the connection closes without the terminating chunk, so the
    client can tell the body is cut; a request pipelined behind it is not answered."""
    out = exchange(srv, _get(b"/fault/" + stage) + GOOD)
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and b"Transfer-Encoding: chunked" in out
    assert b"a" * 100 in out and b"b" * 100 in out
    assert not out.endswith(b"0\r\n\r\n"), out[-40:]
    assert b"Hello, ok!" not in out
    still_serves(srv)


def test_server_log_has_the_tracebacks(srv):  # type: ignore[no-untyped-def]
    exchange(srv, _get(b"/fault/before"))
    time.sleep(0.2)
    log = srv.output()
    assert "fault before send" in log and "Traceback" in log


def _reset(s: socket.socket) -> None:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()


RESET_STAGES = [
    ("connected", b""),
    ("mid request line", b"GET /hel"),
    ("mid headers", b"GET /hello/x HTTP/1.1\r\nHost: x\r\nX-A: 1"),
    ("mid body", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"),
    ("mid chunked body", b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc"),
    ("waiting for handler", _get(b"/slow?s=0.3")),
    ("during response", _get(b"/big?kb=512")),
    ("during stream", _get(b"/stream?n=5000")),
    ("after response, kept alive", GOOD),
]


@pytest.mark.parametrize("name,data", RESET_STAGES, ids=[r[0] for r in RESET_STAGES])
def test_client_reset_at_each_stage(srv, name, data):  # type: ignore[no-untyped-def]
    baseline = socket_count(srv)
    for _ in range(5):
        s = srv.connect()
        if data:
            s.sendall(data)
        if name.startswith("during") or name.startswith("after"):
            s.recv(1000)
        _reset(s)
    time.sleep(0.4 if "handler" in name else 0.05)
    assert settle_sockets(srv, baseline) <= baseline, "sockets left after resets %s" % name
    still_serves(srv)


def _slow_request(srv, results: list, seconds: str) -> None:  # type: ignore[no-untyped-def]
    try:
        out = exchange(srv, _get(b"/slow?s=" + seconds.encode()), timeout=10)
        results.append((statuses(out), responses(out)[0][2] if out else b""))
    except OSError as exc:
        results.append(repr(exc))


def test_shutdown_under_load_finishes_in_flight_requests(fresh_srv):  # type: ignore[no-untyped-def]
    """app.close() from a route while three requests sleep in handlers and one connection idles:
    the three are answered in full, the idle one is closed at once, the listening socket goes
    away, and run() returns (the process exits 0)."""
    srv = fresh_srv()
    idle = srv.connect()
    idle.sendall(GOOD)
    assert b"Hello, ok!" in idle.recv(4096)  # now kept alive, waiting for its next request
    results: list = []
    threads = [threading.Thread(target=_slow_request, args=(srv, results, "1.0")) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    out = exchange(srv, b"POST /_shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    assert statuses(out) == [200] and responses(out)[0][1]["connection"] == "close"
    start = time.monotonic()
    assert recv_all(idle, timeout=2.0) == b"" and time.monotonic() - start < 1.0
    idle.close()
    with pytest.raises(OSError):
        socket.create_connection((srv.host, srv.port), timeout=1).close()
    for t in threads:
        t.join()
    assert results == [([200], b"slept")] * 2, results  # in flight when close() came: answered
    try:
        code = srv.proc.wait(5)
    except subprocess.TimeoutExpired:
        raise AssertionError("server did not exit after close():\n" + srv.output()[-2000:])
    assert code == 0, srv.output()[-2000:]


def test_shutdown_with_a_request_mid_body(fresh_srv):  # type: ignore[no-untyped-def]
    """A request still sending its body when close() comes is finished too."""
    srv = fresh_srv()
    with srv.connect() as s:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        time.sleep(0.2)
        exchange(srv, b"POST /_shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        s.sendall(b"defghij")
        out = recv_all(s, timeout=3)
    assert statuses(out) == [200] and responses(out)[0][2] == b"abcdefghij"
    assert srv.proc.wait(5) == 0
