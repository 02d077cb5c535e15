"""uht's CircuitPython transport (uht/_socketpool.py) under the CircuitPython unix test build, over
the test socketpool: `mpytest.py circuitpython/unit` (mk/circuitpython.mk). CircuitPython only."""

import asyncio
import sys

import socketpool

from uht import HTTPServer, _compat, _socketpool


def _pool():  # type: ignore[no-untyped-def]
    return socketpool.SocketPool(None)


def test_the_board_surface():
    assert sys.implementation.name == "circuitpython"
    for name in ("socket", "time.ticks_ms"):
        try:
            if name == "socket":
                __import__("socket")
            else:
                import time

                time.ticks_ms  # noqa: B018
        except (ImportError, AttributeError):
            continue
        raise AssertionError(name + " exists: the test build is not board-like")
    sock = _pool().socket()
    try:
        for name in ("recv", "read", "readinto", "write"):
            assert not hasattr(sock, name), name
    finally:
        sock.close()


def test_compat_takes_the_circuitpython_branch():
    assert _compat.IS_CIRCUITPYTHON and _compat.IS_MICROPYTHON
    import adafruit_ticks
    import supervisor

    assert _compat.ticks_ms is adafruit_ticks.ticks_ms is supervisor.ticks_ms  # a board's clock, no allocation
    assert "uht._listen" not in sys.modules  # it imports socket, which a board lacks


def test_connection_cap_per_port():
    # espressif: 8 lwIP sockets, one listening; raspberrypi: 5 TCP PCBs; each with one to spare
    caps = dict(_compat.STACK_CONNECTIONS)
    for platform, cap in (("Espressif", 6), ("RP2040", 4), ("RP2350", 4)):
        assert caps[platform] == cap, platform
    assert HTTPServer.max_connections == 8  # this unix build (linux) stands in for a board


def _listen_somewhere(pool):  # type: ignore[no-untyped-def]
    """A listening socket on a free loopback port (the test socket module has no getsockname)."""
    import time

    base = 20000 + int(time.monotonic_ns() // 1000) % 20000
    for port in range(base, base + 50):
        try:
            return _socketpool.listen_socket(pool, "127.0.0.1", port, 1), port
        except OSError:
            continue
    raise AssertionError("no free port")


def _pair(pool):  # type: ignore[no-untyped-def]
    """(server-side, client-side) sockets of one loopback connection, the server side non-blocking."""
    listener, port = _listen_somewhere(pool)
    listener.setblocking(True)
    client = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
    client.setsockopt(pool.SOL_SOCKET, 8, 4096)  # Linux SO_RCVBUF: small, so writes have to wait
    client.connect(("127.0.0.1", port))
    server, addr = listener.accept()
    listener.close()
    server.setblocking(False)
    server.setsockopt(pool.SOL_SOCKET, 7, 4096)  # Linux SO_SNDBUF
    assert addr[0] == "127.0.0.1"
    return server, client


async def test_stream_reads_writes_and_sees_the_end():
    pool = _pool()
    server, client = _pair(pool)
    stream = _socketpool.PoolStream(server)
    client.sendall(b"hello")
    buf = bytearray(16)
    n = await stream.readinto(memoryview(buf))
    assert bytes(buf[:n]) == b"hello"
    stream.write(b"x" * 200000)  # more than the socket buffers take at once: the rest waits in out_buf
    assert stream.out_buf
    stream.write(memoryview(b"--tail"))  # queued behind what waits, in order

    async def drain_client():
        got = 0
        view = bytearray(65536)
        client.setblocking(False)
        tail = b""
        while got < 200006:
            try:
                n = client.recv_into(view)
                got += n
                tail = (tail + bytes(view[:n]))[-6:]
            except OSError:
                await asyncio.sleep_ms(1)
        return got, tail

    reader = asyncio.create_task(drain_client())
    await stream.drain()
    assert not stream.out_buf
    assert await reader == (200006, b"--tail")
    client.close()
    n = await stream.readinto(memoryview(buf))
    assert n == 0, n  # ENOTCONN from a board socket: the end
    stream.close()


def test_a_refused_client_gets_the_whole_503():
    # _refuse() reads what the client sent before it closes: closing a socket with unread bytes
    # resets the connection, and the reset would reach the client instead of the end of the answer.
    import time

    from uht.status import BUSY_REPLY

    pool = _pool()
    server, client = _pair(pool)
    client.sendall(b"GET / HTTP/1.1\r\nHost: board\r\nX-Pad: " + b"p" * 1000 + b"\r\n\r\n")
    time.sleep(0.05)  # the request is there to be read
    _socketpool._refuse(server, BUSY_REPLY)
    got = b""
    buf = bytearray(256)
    while True:
        n = client.recv_into(buf)  # blocking: what has arrived, 0 at the end, OSError on a reset
        if not n:
            break
        got += bytes(buf[:n])
    client.close()
    assert got == BUSY_REPLY
