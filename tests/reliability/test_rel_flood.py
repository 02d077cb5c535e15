"""Connection floods above the cap (rel_app: max_connections=4): idle sockets are evicted oldest
first; when every connection is busy a newcomer gets 503 with Retry-After; nothing leaks."""

import socket
import threading
import time

from relsupport import GOOD, exchange, recv_all, responses, settle_sockets, socket_count, statuses, still_serves


def _is_closed(s: socket.socket) -> bool:
    s.settimeout(0.05)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def test_idle_flood_evicts_oldest_first(fresh_srv):  # type: ignore[no-untyped-def]
    srv = fresh_srv()
    baseline = socket_count(srv)
    idle = []
    for _ in range(20):
        idle.append(srv.connect())
        time.sleep(0.02)  # a clear order of arrival
    try:
        time.sleep(0.2)
        start = time.monotonic()
        out = exchange(srv, GOOD)
        assert statuses(out) == [200] and time.monotonic() - start < 1.0
        time.sleep(0.2)
        closed = [_is_closed(s) for s in idle]
        # the newest idle ones may still hold a slot; everything older was closed to make room
        assert all(closed[:-3]), closed
        assert closed.count(False) <= 3, closed
    finally:
        for s in idle:
            s.close()
    assert settle_sockets(srv, baseline) <= baseline


def test_kept_alive_idle_connections_make_room(fresh_srv):  # type: ignore[no-untyped-def]
    srv = fresh_srv()
    kept = []
    for _ in range(4):
        s = srv.connect()
        s.sendall(GOOD)
        assert b"Hello, ok!" in s.recv(4096)
        kept.append(s)
    fresh = []
    try:
        for _ in range(3):  # each newcomer, held open, takes the slot of the oldest kept-alive one
            fresh.append(srv.connect())
            time.sleep(0.1)
        assert [_is_closed(s) for s in kept] == [True, True, True, False]
        for s in fresh:
            s.sendall(GOOD)
            s.shutdown(socket.SHUT_WR)
            assert statuses(recv_all(s)) == [200]
    finally:
        for s in kept + fresh:
            s.close()


def _slow(srv, results: list) -> None:  # type: ignore[no-untyped-def]
    out = exchange(srv, b"GET /slow?s=1.5 HTTP/1.1\r\nHost: x\r\n\r\n", timeout=10)
    results.append(statuses(out))


def test_all_busy_gets_503_retry_after_and_close(fresh_srv):  # type: ignore[no-untyped-def]
    srv = fresh_srv()
    baseline = socket_count(srv)
    results: list = []
    threads = [threading.Thread(target=_slow, args=(srv, results)) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    with srv.connect() as s:
        s.sendall(GOOD)  # no half-close: the server itself must close
        start = time.monotonic()
        out = recv_all(s, timeout=3.0)
        took = time.monotonic() - start
    got = responses(out)
    assert [r[0] for r in got] == [503], out[:300]
    assert got[0][1]["retry-after"] == "1" and got[0][1]["connection"] == "close"
    assert took < 0.5
    for t in threads:
        t.join()
    assert results == [[200]] * 4
    still_serves(srv)
    assert settle_sockets(srv, baseline) <= baseline


def _one(srv, results: list) -> None:  # type: ignore[no-untyped-def]
    try:
        results.append(tuple(statuses(exchange(srv, GOOD, timeout=8))))
    except OSError as exc:  # a refused connect when the backlog overflows is the kernel's, not a hang
        results.append(type(exc).__name__)


def test_burst_of_connections_all_answered(fresh_srv):  # type: ignore[no-untyped-def]
    """60 clients at once against a cap of 4: each gets 200 or 503 quickly, or, when its
    request was still unread in the kernel as later ones arrived, is closed as an idle
    connection at the cap (documented eviction); none hangs."""
    srv = fresh_srv()
    baseline = socket_count(srv)
    results: list = []
    threads = [threading.Thread(target=_one, args=(srv, results)) for _ in range(60)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    print(
        "\nburst of 60: %d answered 200, %d 503, %d closed unanswered"
        % (results.count((200,)), results.count((503,)), results.count(()))
    )
    assert len(results) == 60
    assert set(results) <= {(200,), (503,), ()}, results
    assert results.count((200,)) >= 4
    assert took < 8
    assert settle_sockets(srv, baseline) <= baseline
    still_serves(srv)


def test_half_open_flood_then_service(fresh_srv):  # type: ignore[no-untyped-def]
    """30 clients each send half a head and stall: at the cap they evict each other; after
    head_timeout they are all gone, and the server answers normally."""
    srv = fresh_srv()
    baseline = socket_count(srv)
    stalled = []
    for _ in range(30):
        s = srv.connect()
        s.sendall(b"GET /hello/x HTTP/1.1\r\nHo")
        stalled.append(s)
    still_serves(srv)
    time.sleep(1.6)
    for s in stalled:
        s.close()
    assert settle_sockets(srv, baseline) <= baseline
    still_serves(srv)
