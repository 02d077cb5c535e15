"""Soak: many mixed requests against rel_app under MicroPython in a small heap, over real sockets.

The heap after gc.collect() (through /_diag) and the server process's sockets are sampled along
the way; neither may grow. Run directly for the full soak:

    .venv/bin/python tests/reliability/soak.py --requests 100000 --heap 128K --out build/soak.json

(tests/reliability/test_rel_soak.py runs a shortened one in `make test`.)
"""

import argparse
import json
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import relsupport  # noqa: E402

# Heap growth tolerated between the first and the last sample: one-off allocations (a module
# loaded on first use, a cache entry, a reply table) show up as a single step of up to ~2 KB at
# some point of a run; a leak grows with the count (over 100,000 requests 4 KB is < 0.05 B each).
HEAP_SLACK = 4096
# 128K on the 64-bit unix port stands for a 64 KB board: pointers and object headers are twice
# the size, and uht's import alone holds ~48 KB here (docs/limits.md has the figures).
DEFAULT_HEAP = os.environ.get("SOAK_HEAP", "128K")


class ResponseReader:
    """Reads whole responses (Content-Length, chunked, or no body) from one socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def _more(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self._more()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._more()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read(self, head_only: bool = False):  # type: ignore[no-untyped-def]
        status = int(self._line().split(b" ")[1])
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if head_only or status in (204, 304):
            return status, headers, b""
        if headers.get(b"transfer-encoding") == b"chunked":
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    self._line()
                    return status, headers, body
                body += self._take(size)
                self._take(2)
        return status, headers, self._take(int(headers.get(b"content-length", b"0")))


class Soak:
    def __init__(self, srv, seed: int = 1) -> None:  # type: ignore[no-untyped-def]
        self.srv = srv
        self.rng = random.Random(seed)
        self.keep: "socket.socket | None" = None
        self.reader: "ResponseReader | None" = None
        self.served = 0  # responses checked
        self.kinds: dict = {}
        self.reconnects = 0

    # -- the keep-alive connection -------------------------------------------------------------

    def _keep_alive(self, data: bytes, head_only: bool = False, count: int = 1):  # type: ignore[no-untyped-def]
        for attempt in range(2):
            if self.keep is None:
                self.keep = self.srv.connect(10)
                self.reader = ResponseReader(self.keep)
            try:
                self.keep.sendall(data)
                return [self.reader.read(head_only) for _ in range(count)]  # type: ignore[union-attr]
            except (EOFError, ConnectionResetError, BrokenPipeError):
                # closed by the server while idle (timeout or eviction): a client retries
                self.keep.close()
                self.keep = None
                self.reconnects += 1
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _fresh(self, data: bytes) -> list:
        return relsupport.responses(relsupport.exchange(self.srv, data, timeout=10))

    # -- the kinds of requests -----------------------------------------------------------------

    def _get(self) -> None:
        name = "n%d" % self.rng.randrange(1000)
        (r,) = self._keep_alive(b"GET /hello/%s HTTP/1.1\r\nHost: x\r\n\r\n" % name.encode())
        assert r[0] == 200 and r[2] == b"Hello, %s!" % name.encode(), r

    def _query(self) -> None:
        a = self.rng.randrange(10**6)
        (r,) = self._keep_alive(b"GET /query?a=%d&b=x+y&c HTTP/1.1\r\nHost: x\r\n\r\n" % a)
        assert r[0] == 200 and json.loads(r[2]) == {"a": str(a), "b": "x y", "c": ""}, r

    def _post(self) -> None:
        body = os.urandom(self.rng.randrange(0, 1500))
        (r,) = self._keep_alive(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        assert r[0] == 200 and r[2] == body, r[:2]

    def _chunked(self) -> None:
        parts = [os.urandom(self.rng.randrange(1, 300)) for _ in range(self.rng.randrange(1, 5))]
        data = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
        (r,) = self._keep_alive(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + data)
        assert r[0] == 200 and r[2] == b"".join(parts), r[:2]

    def _form(self) -> None:
        body = b"a=1&b=%C3%A9+x"
        head = b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        (r,) = self._keep_alive(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        assert r[0] == 200 and json.loads(r[2]) == {"a": "1", "b": "\u00e9 x"}, r

    def _stream(self) -> None:
        (r,) = self._keep_alive(b"GET /stream?n=5 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert r[0] == 200 and r[2] == b"".join(b"part%d\n" % i for i in range(5)), r

    def _head(self) -> None:
        (r,) = self._keep_alive(b"HEAD /hello/h HTTP/1.1\r\nHost: x\r\n\r\n", head_only=True)
        assert r[0] == 200 and r[1][b"content-length"] == b"9", r

    def _not_found(self) -> None:
        (r,) = self._keep_alive(b"GET /nope/%d HTTP/1.1\r\nHost: x\r\n\r\n" % self.rng.randrange(100))
        assert r[0] == 404, r

    def _pipelined(self) -> None:
        data = b"GET /hello/p1 HTTP/1.1\r\nHost: x\r\n\r\n" * 2 + b"GET /query?p=3 HTTP/1.1\r\nHost: x\r\n\r\n"
        rs = self._keep_alive(data, count=3)
        assert [r[0] for r in rs] == [200] * 3 and rs[2][2] == b'{"p": "3"}', rs
        self.served += 2

    def _fault(self) -> None:
        (r,) = self._keep_alive(b"GET /fault/before HTTP/1.1\r\nHost: x\r\n\r\n")
        assert r[0] == 500, r

    def _close(self) -> None:
        rs = self._fresh(b"GET /hello/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert [r[0] for r in rs] == [200] and rs[0][1]["connection"] == "close", rs

    def _http10(self) -> None:
        rs = self._fresh(b"GET /hello/old HTTP/1.0\r\n\r\n")
        assert [r[0] for r in rs] == [200] and rs[0][2] == b"Hello, old!", rs

    def _malformed(self) -> None:
        bad = self.rng.choice(
            [
                b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n",
                b"GET /" + b"a" * 600 + b" HTTP/1.1\r\n\r\n",
            ]
        )
        rs = self._fresh(bad)
        assert len(rs) == 1 and rs[0][0] in (400, 414), rs

    def _reset(self) -> None:
        s = self.srv.connect(10)
        s.sendall(b"GET /big?kb=16 HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(512)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()

    KINDS = [
        ("get", 40),
        ("query", 8),
        ("post", 10),
        ("chunked", 5),
        ("form", 4),
        ("stream", 5),
        ("head", 3),
        ("not_found", 3),
        ("pipelined", 3),
        ("fault", 2),
        ("close", 10),
        ("http10", 3),
        ("malformed", 3),
        ("reset", 1),
    ]

    def one(self) -> None:
        names = [k for k, _ in self.KINDS]
        kind = self.rng.choices(names, [w for _, w in self.KINDS])[0]
        getattr(self, "_" + kind)()
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.served += 1

    def sample(self) -> dict:
        """Heap after gc.collect() and the server's open sockets/fds, with the keep-alive
        connection closed first so that every sample sees the same connections. The heap figure
        is the least of three readings: a connection still closing, or a stale pointer on the
        C stack (the collector is conservative), can hold a block for a moment; a leak holds it
        in every reading."""
        if self.keep is not None:
            self.keep.close()
            self.keep = None
        readings = []
        for _ in range(3):
            time.sleep(0.05)
            readings.append(relsupport.diag(self.srv))
        d = min(readings, key=lambda r: r["mem_alloc"])
        return {
            "served": self.served,
            "mem_alloc": d["mem_alloc"],
            "mem_free": d["mem_free"],
            "connections": d["connections"],
            "sockets": relsupport.socket_count(self.srv),
            "fds": relsupport.open_fds(self.srv),
            "t": round(time.monotonic(), 2),
        }


def run(requests: int, heap: str = DEFAULT_HEAP, samples: int = 20, seed: int = 1, log=print):  # type: ignore[no-untyped-def]
    """Run a soak; returns the figures (also used by the test)."""
    srv = relsupport.start("rel_app.py", "mpy-heap" + heap)
    try:
        soak = Soak(srv, seed)
        for _ in range(300):  # warm-up: every kind of request once at least, caches filled
            soak.one()
        first = soak.sample()
        soak.served = 0
        soak.kinds = {}
        series = [first]
        log("soak: heap %s, baseline %s" % (heap, first))
        every = max(1, requests // samples)
        start = time.monotonic()
        while soak.served < requests:
            soak.one()
            if soak.served // every != (soak.served - 1) // every or soak.served >= requests:
                series.append(soak.sample())
                log("  %s" % series[-1])
        elapsed = time.monotonic() - start
        relsupport.settle_sockets(srv, first["sockets"])
        last = soak.sample()
        series.append(last)
        alive = srv.proc.poll() is None
        report = {
            "heap": heap,
            "requests": soak.served,
            "kinds": soak.kinds,
            "reconnects": soak.reconnects,
            "seconds": round(elapsed, 1),
            "requests_per_second": round(soak.served / elapsed, 1),
            "first": first,
            "last": last,
            "max_mem_alloc": max(s["mem_alloc"] for s in series),
            "series": series,
            "server_alive": alive,
        }
        report.update(classify_log(srv.output()))
        return report
    finally:
        srv.stop()


def classify_log(log: str) -> dict:
    """Count the server's logged errors: the fault route's (expected), client resets logged as
    handler errors, and anything else (unexpected)."""
    counts = {"logged_faults": 0, "logged_resets": 0, "logged_unexpected": 0}
    for block in log.split("ERROR:uht:")[1:]:
        if "/fault/" in block.split("\n", 1)[0]:
            counts["logged_faults"] += 1
        elif "ECONNRESET" in block or "EPIPE" in block:
            counts["logged_resets"] += 1
        else:
            counts["logged_unexpected"] += 1
    counts["memory_errors"] = log.count("MemoryError")
    return counts


def check(report: dict) -> list:
    """What is wrong with a soak's figures (empty: nothing)."""
    problems = []
    first, last = report["first"], report["last"]
    if last["mem_alloc"] - first["mem_alloc"] > HEAP_SLACK:
        problems.append("heap grew: %d -> %d bytes after gc.collect()" % (first["mem_alloc"], last["mem_alloc"]))
    if last["sockets"] > first["sockets"] or last["fds"] > first["fds"]:
        problems.append(
            "sockets/fds grew: %d/%d -> %d/%d" % (first["sockets"], first["fds"], last["sockets"], last["fds"])
        )
    if not report["server_alive"]:
        problems.append("the server died")
    if report["logged_unexpected"] or report["memory_errors"]:
        problems.append(
            "server logged %d unexpected errors, %d MemoryErrors"
            % (report["logged_unexpected"], report["memory_errors"])
        )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100000)
    parser.add_argument("--heap", default=DEFAULT_HEAP)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    report = run(args.requests, args.heap, args.samples, args.seed)
    problems = check(report)
    summary = {k: v for k, v in report.items() if k != "series"}
    print(json.dumps(summary, indent=1))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
