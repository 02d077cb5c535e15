"""Limits, timeouts, pipelining and the connection cap over real sockets."""

import socket
import threading
import time

import requests
from conftest import raw_exchange


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else 0


def test_pipelined_requests(server):
    out = raw_exchange(
        server,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/p HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    assert out.count(b"HTTP/1.1 200 OK") == 3 and out.index(b"Hello, world!") < out.index(b"Hello, p!")


def test_limits(server):
    assert status_of(raw_exchange(server, b"GET /" + b"a" * 600 + b" HTTP/1.1\r\nHost: x\r\n\r\n")) == 414
    assert status_of(raw_exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"b" * 1100 + b"\r\n\r\n")) == 431
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(25))
    assert status_of(raw_exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")) == 431
    smuggle = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    assert status_of(raw_exchange(server, smuggle)) == 400
    assert status_of(raw_exchange(server, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +4\r\n\r\nabcd")) == 400
    # a 64 KB header line is refused without reading it all
    assert status_of(raw_exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"c" * 65536 + b"\r\n\r\n")) == 431
    assert requests.get(server.url + "/", timeout=5).status_code == 200


def test_half_sent_head_times_out_with_408(server):
    with server.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        data = s.recv(4096)
        elapsed = time.monotonic() - start
        assert status_of(data) == 408
        assert s.recv(4096) == b""  # and closed
    assert elapsed < 4  # head_timeout is 1 s (plus the sweeper's granularity)


def test_idle_keep_alive_closed(server):
    with server.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"Hello, world!" in s.recv(4096)
        start = time.monotonic()
        assert s.recv(4096) == b""  # idle_timeout 1.5 s, then closed without a response
        assert time.monotonic() - start < 5


def test_stalled_body_times_out(server):
    with server.connect() as s:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        data = s.recv(4096)
        assert data == b"" or status_of(data) in (400, 408)
    assert requests.get(server.url + "/", timeout=5).status_code == 200


def test_idle_sockets_evicted_at_the_cap(server):
    idle = [server.connect() for _ in range(6)]  # cap is 4: browsers park sockets like this
    try:
        time.sleep(0.2)
        start = time.monotonic()
        r = requests.get(server.url + "/hello/x", timeout=5)
        assert r.text == "Hello, x!"
        assert time.monotonic() - start < 1.0  # no waiting for a timeout
    finally:
        for s in idle:
            s.close()


def test_all_busy_gets_503(server):
    results = []

    def slow():
        results.append(requests.get(server.url + "/slow?s=1.5", timeout=10).status_code)

    threads = [threading.Thread(target=slow) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    r = requests.get(server.url + "/", timeout=5)
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"
    for t in threads:
        t.join()
    assert results == [200, 200, 200, 200]
    assert requests.get(server.url + "/", timeout=5).status_code == 200


def test_aborted_clients_leak_no_sockets(server):
    requests.get(server.url + "/", timeout=5)
    before = server.open_fds()
    for i in range(30):
        s = server.connect()
        if i % 3 == 0:
            s.sendall(b"GET /big?kb=256 HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(100)
        elif i % 3 == 1:
            s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # reset
    # The listen queue is first in, first out: once this request is answered, every aborted client
    # above has been accepted, so the count below cannot rise again behind the check.
    assert requests.get(server.url + "/", timeout=5).status_code == 200
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and server.open_fds() > before:
        time.sleep(0.2)
    assert server.open_fds() <= before
