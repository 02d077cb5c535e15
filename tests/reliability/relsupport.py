"""Helpers for the reliability and fuzz suites: servers under MicroPython, raw socket exchanges,
response parsing, and socket/heap accounting of the server process.

The server fixtures come from tests/core/e2e/conftest.py (loaded by path, under its own module name,
so the two conftest modules never clash in one pytest run).
"""

import importlib.util
import json
import os
import socket
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
APPS = os.path.join(HERE, "apps")


def _load_e2e():  # type: ignore[no-untyped-def]
    path = os.path.join(ROOT, "tests", "core", "e2e", "conftest.py")
    spec = importlib.util.spec_from_file_location("uht_e2e_fixtures", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


e2e = _load_e2e()
ServerProcess = e2e.ServerProcess
free_port = e2e.free_port
BIN = e2e.BIN
MICROPYTHON = e2e.MICROPYTHON
recv_all = e2e.recv_all


def app_path(name: str) -> str:
    """An app script: ours (tests/reliability/apps) or the core app (tests/core/e2e/apps)."""
    mine = os.path.join(APPS, name)
    return mine if os.path.exists(mine) else os.path.join(e2e.APPS, name)


def start(app: str, runtime: str = "mpy"):  # type: ignore[no-untyped-def]
    """`app` served under a runtime spec of tests/runtimes.py (`mpy-mpy@128K`: uht and the app from
    .mpy in a 128 KB heap); `mpy-heap<size>` is the older name of `mpy-mpy@<size>`."""
    if runtime.startswith("mpy-heap"):
        runtime = "mpy-mpy@" + runtime[len("mpy-heap") :]
    return ServerProcess(app_path(app), runtime)


# -- talking to a server ---------------------------------------------------------------------------


def exchange(srv, data: bytes, half_close: bool = True, timeout: float = 5.0) -> bytes:  # type: ignore[no-untyped-def]
    """Send raw bytes (then half-close unless told not to); all the server says until it closes."""
    with srv.connect(timeout) as s:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:  # EPIPE, ECONNRESET, ENOTCONN
            pass  # the server answered and closed before taking it all: read what it said
        return recv_all(s, timeout)


def responses(raw: bytes) -> list:
    """Split a byte stream into (status, headers dict lower-case, body) triples; framing by
    Content-Length or chunked; a trailing fragment that is not a response is kept as (0, {}, rest)."""
    out = []
    pos = 0
    while pos < len(raw):
        end = raw.find(b"\r\n\r\n", pos)
        if not raw.startswith(b"HTTP/1.1 ", pos) or end < 0:
            out.append((0, {}, raw[pos:]))
            break
        lines = raw[pos:end].decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers: dict = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        pos = end + 4
        if status < 200 or status in (204, 304):
            body = b""
        elif "content-length" in headers:
            n = int(headers["content-length"][0])
            body = raw[pos : pos + n]
            pos += n
        elif headers.get("transfer-encoding") == ["chunked"]:
            body, pos = _dechunk(raw, pos)
        else:
            body = raw[pos:]
            pos = len(raw)
        out.append((status, {k: ", ".join(v) for k, v in headers.items()}, body))
    return out


def _dechunk(raw: bytes, pos: int):  # type: ignore[no-untyped-def]
    body = b""
    while True:
        nl = raw.find(b"\r\n", pos)
        if nl < 0:
            return body, len(raw)
        size = int(raw[pos:nl].split(b";")[0], 16)
        pos = nl + 2
        if size == 0:
            return body, raw.find(b"\r\n", pos) + 2
        body += raw[pos : pos + size]
        pos += size + 2


def statuses(raw: bytes) -> list:
    return [r[0] for r in responses(raw)]


GOOD = b"GET /hello/ok HTTP/1.1\r\nHost: x\r\n\r\n"


def still_serves(srv, attempts: int = 3) -> None:  # type: ignore[no-untyped-def]
    """The next good request is answered correctly (a fresh connection)."""
    last = b""
    for _ in range(attempts):
        last = exchange(srv, GOOD)
        if statuses(last) == [200] and responses(last)[0][2] == b"Hello, ok!":
            return
        time.sleep(0.3)  # a 503 while earlier sockets drain is allowed, not a lost server
    raise AssertionError("good request not served after hostile input: %r\n%s" % (last[:300], srv.output()[-2000:]))


def open_fds(srv) -> int:  # type: ignore[no-untyped-def]
    return len(os.listdir("/proc/%d/fd" % srv.proc.pid))


def socket_count(srv) -> int:  # type: ignore[no-untyped-def]
    """The server process's open sockets (the PyPI micropython runs inside CPython: compare
    counts before and after, never absolutes)."""
    n = 0
    base = "/proc/%d/fd" % srv.proc.pid
    for fd in os.listdir(base):
        try:
            if os.readlink(os.path.join(base, fd)).startswith("socket:"):
                n += 1
        except OSError:
            pass
    return n


def settle_sockets(srv, baseline: int, wait: float = 6.0) -> int:  # type: ignore[no-untyped-def]
    """Wait until the server's socket count falls back to baseline (closes are asynchronous);
    return the last count seen."""
    deadline = time.monotonic() + wait
    count = socket_count(srv)
    while count > baseline and time.monotonic() < deadline:
        time.sleep(0.1)
        count = socket_count(srv)
    return count


def diag(srv) -> dict:  # type: ignore[no-untyped-def]
    """The app's /_diag: heap free after gc.collect() and the open connection count."""
    raw = exchange(srv, b"GET /_diag HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return json.loads(responses(raw)[0][2])
