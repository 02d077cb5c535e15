"""Byte-mutation fuzzer against uht under MicroPython over real sockets.

Each case is a seed request (or a pipeline of them) mutated by flips, inserts, deletes,
duplications, splices and HTTP-significant tokens, sent on a fresh connection and half-closed.
Failures: no answer and no close within the timeout (a hang), a server that dies, output that
is not well-formed HTTP/1.1 responses, more responses than requests, a 500, or a good request
not served / sockets not released at a checkpoint. Failing inputs are saved under
build/fuzz-failures/.

    .venv/bin/python tests/fuzz/mutate.py --cases 50000 --seed 7     (make fuzz)
"""

import argparse
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fuzzsupport import ALLOWED, KNOWN, double_400, parse_responses, save_failure  # noqa: E402,I001

import relsupport  # noqa: E402  (fuzzsupport puts tests/reliability on the path)

SEEDS = [
    b"GET /hello/x HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /query?a=1&b=x+y&c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /stream?n=3 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /hello/x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhello\r\n3;e=1\r\nabc\r\n0\r\nT: 1\r\n\r\n",
    b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 9\r\n\r\na=1&b=%41",
    b"PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /hello/%C3%A9 HTTP/1.1\nHost: x\n\n",
    b"GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n"
    b"hiGET /query?z HTTP/1.1\r\nHost: x\r\n\r\n",
]
TOKENS = [
    b"\r\n",
    b"\n",
    b"\r",
    b"\r\n\r\n",
    b"\x00",
    b":",
    b" ",
    b"\t",
    b"%",
    b"%0d%0a",
    b"%ff",
    b"?",
    b"/",
    b"#",
    b"Content-Length: ",
    b"Transfer-Encoding: chunked\r\n",
    b"Host: y\r\n",
    b"Connection: close\r\n",
    b"Expect: 100-continue\r\n",
    b"99999999999999999999",
    b"-1",
    b"+5",
    b"0x10",
    b"ffffffff",
    b"\xff\xfe",
    b"\xc3",
    b"HTTP/1.0",
    b"HTTP/2.0",
    b"GET / HTTP/1.1\r\n",
    b"A" * 700,
    b"X: " + b"b" * 1100 + b"\r\n",
    b";",
]


class Mutator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def case(self) -> bytes:
        rng = self.rng
        data = bytearray(rng.choice(SEEDS))
        for _ in range(rng.choice([1, 1, 1, 2, 3, 5, 8])):
            op = rng.randrange(8)
            pos = rng.randrange(len(data) + 1)
            if op == 0 and data:  # flip bits of one byte
                i = min(pos, len(data) - 1)
                data[i] ^= 1 << rng.randrange(8)
            elif op == 1:  # random bytes
                data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
            elif op == 2 and data:  # delete a range
                data[pos : pos + rng.randrange(1, 12)] = b""
            elif op == 3 and data:  # duplicate a range
                a = rng.randrange(len(data))
                data[pos:pos] = data[a : a + rng.randrange(1, 40)]
            elif op == 4:  # an HTTP-significant token
                data[pos:pos] = rng.choice(TOKENS)
            elif op == 5:  # splice with another seed
                other = rng.choice(SEEDS)
                data[pos:] = other[rng.randrange(len(other)) :]
            elif op == 6 and data:  # replace a byte with a special one
                data[min(pos, len(data) - 1)] = rng.choice(b"\r\n\x00 :%\t\x7f\x80\xff")
            elif op == 7:  # truncate
                del data[pos:]
        return bytes(data)


def _send(srv, data: bytes, timeout: float):  # type: ignore[no-untyped-def]
    """(output, closed): closed is False when the server neither answered nor closed in time."""
    s = srv.connect(timeout)
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        s.settimeout(timeout)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return b"".join(chunks), False
            except OSError:
                return b"".join(chunks), True
            if not chunk:
                return b"".join(chunks), True
            chunks.append(chunk)
    finally:
        s.close()


def judge(data: bytes, out: bytes, closed: bool) -> str:
    """Why this exchange is a failure ('' if it is not)."""
    if not closed:
        return "hang: no close within the timeout (got %r)" % out[:200]
    requests_sent = data.count(b"HTTP/") + 1  # an upper bound on the requests the server can see
    heads = [False] * requests_sent  # HEAD is not in the seeds: a mutation rarely makes one
    try:
        responses = parse_responses(out, heads)
    except ValueError as exc:
        return "malformed output: %s" % exc
    if len(responses) > requests_sent and double_400(responses):
        KNOWN["two answers to a body ending early"] = KNOWN.get("two answers to a body ending early", 0) + 1
        responses = responses[:-1]
    if len(responses) > requests_sent:
        return "%d responses to at most %d requests" % (len(responses), requests_sent)
    bad = [r[0] for r in responses if r[0] not in ALLOWED and r[0] != -1]
    if bad:
        return "unexpected statuses %r: %r" % (bad, out[:300])
    if any(r[0] == -1 for r in responses):
        return "a chunked response was cut: %r" % out[-200:]
    return ""


def fuzz(cases: int, seed: int = 1, runtime: str = "mpy", timeout: float = 5.0, checkpoint: int = 500, log=print):  # type: ignore[no-untyped-def]
    """Run `cases` mutated requests; returns (failures, stats)."""
    srv = relsupport.start("rel_app.py", runtime)
    rng = random.Random(seed)
    mutator = Mutator(rng)
    failures = []
    statuses: dict = {}
    start = time.monotonic()
    try:
        baseline = relsupport.socket_count(srv)
        fds_before = relsupport.open_fds(srv)
        for i in range(1, cases + 1):
            data = mutator.case()
            out, closed = _send(srv, data, timeout)
            why = judge(data, out, closed)
            if srv.proc.poll() is not None:
                why = "server died:\n" + srv.output()[-2000:]
            for r in relsupport.responses(out):
                statuses[r[0]] = statuses.get(r[0], 0) + 1
            if why:
                path = save_failure("mutation", data, why)
                failures.append((why, data, path))
                log("FAIL %d: %s (saved %s)" % (i, why[:200], path))
                if srv.proc.poll() is not None or len(failures) >= 10:
                    break
            if i % checkpoint == 0 or i == cases:
                relsupport.still_serves(srv)
                left = relsupport.settle_sockets(srv, baseline)
                if left > baseline:
                    failures.append(("sockets leaked: %d, baseline %d" % (left, baseline), b"", ""))
                    break
                log(
                    "  %d cases, %.0f s, sockets %d (baseline %d), statuses %r"
                    % (i, time.monotonic() - start, left, baseline, statuses)
                )
        fds_after = relsupport.open_fds(srv)
        traces = srv.output().count("Traceback")
        stats = {
            "cases": i,
            "seconds": round(time.monotonic() - start, 1),
            "statuses": statuses,
            "sockets_baseline": baseline,
            "sockets_after": relsupport.socket_count(srv),
            "fds_before": fds_before,
            "fds_after": fds_after,
            "server_tracebacks": traces,
            "known_issues": dict(KNOWN),
        }
        return failures, stats
    finally:
        srv.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="byte-mutation fuzzer against uht under MicroPython")
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runtime", default="mpy")
    args = parser.parse_args()
    failures, stats = fuzz(args.cases, args.seed, args.runtime)
    print(stats)
    for why, data, path in failures:
        print("FAIL:", why[:300], path, repr(data[:200]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
