"""Helpers for the hardening suite (issue 11): one framed response read off a socket, paced body
senders, the availability probe that runs beside an attack, and server runtimes.

Everything here talks to the server over loopback sockets only.
"""

import os
import socket
import threading
import time

import relsupport

# The runtimes of the hardening tests: MicroPython with uht from source, uht and the app from .mpy
# in a 128 KB heap, and CPython. REL_HARD_RUNTIMES=mpy,... to change.
RUNTIMES = os.environ.get("REL_HARD_RUNTIMES", "mpy,mpy-heap128K,cpython").split(",")
RESETS = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class Answer:
    """One response as the client saw it: status (0: none), lower-case headers, body, and how
    the exchange ended ("complete", "eof" when the server closed mid-response or before any,
    "reset", "timeout")."""

    def __init__(self) -> None:
        self.raw = b""
        self.status = 0
        self.headers: dict = {}
        self.body = b""
        self.ended = "timeout"

    def __repr__(self) -> str:
        return "<Answer %d %s %r>" % (self.status, self.ended, self.raw[:200])


def _parse_head(answer: Answer, head: bytes) -> None:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    answer.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
    for line in lines[1:]:
        name, _, value = line.partition(":")
        answer.headers[name.strip().lower()] = value.strip()


def _body_complete(answer: Answer, rest: bytes, head_only: bool) -> bool:
    """Whether `rest` (the bytes after the head) holds the whole body; sets answer.body."""
    if head_only or answer.status < 200 or answer.status in (204, 304):
        return True
    if "content-length" in answer.headers:
        n = int(answer.headers["content-length"])
        answer.body = rest[:n]
        return len(rest) >= n
    if answer.headers.get("transfer-encoding", "").lower() == "chunked":
        answer.body = rest
        if not rest.endswith(b"0\r\n\r\n"):
            return False
        answer.body = relsupport._dechunk(rest, 0)[0]
        return True
    answer.body = rest  # close-delimited: complete only at EOF
    return False


def _close_delimited(answer: Answer) -> bool:
    """A final answer whose body ends when the connection does (no length, not chunked)."""
    headers = answer.headers
    return (
        answer.status >= 200
        and "content-length" not in headers
        and headers.get("transfer-encoding", "").lower() != "chunked"
    )


def read_answer(sock: socket.socket, timeout: float = 5.0, head_only: bool = False) -> Answer:
    """Read one final response (1xx interim answers skipped) until its framing says it is
    complete, the server closes, the peer resets, or `timeout` passes."""
    answer = Answer()
    deadline = time.monotonic() + timeout
    data = b""
    while True:
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            answer.headers = {}
            _parse_head(answer, data[:end])
            if 100 <= answer.status < 200:
                data = data[end + 4 :]
                continue
            if _body_complete(answer, data[end + 4 :], head_only):
                answer.ended = "complete"
                break
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except RESETS:
            answer.ended = "reset"
            break
        if not chunk:
            answer.ended = "complete" if _close_delimited(answer) else "eof"
            break
        data += chunk
        answer.raw += chunk
    return answer


def wait_closed(sock: socket.socket, timeout: float) -> str:
    """Read until the server closes: "eof", "reset", or "timeout" (still open); bytes that
    arrive meanwhile are dropped."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout"
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return "eof"
        except socket.timeout:
            return "timeout"
        except RESETS:
            return "reset"


def ask(srv, raw: bytes, timeout: float = 5.0, head_only: bool = False) -> Answer:  # type: ignore[no-untyped-def]
    """Send one raw request on a fresh connection and read the answer."""
    with srv.connect(timeout) as s:
        try:
            s.sendall(raw)
        except RESETS:
            pass
        return read_answer(s, timeout, head_only)


def serves_normally(srv) -> None:  # type: ignore[no-untyped-def]
    """GET /, GET /big (64 KB) and POST /echo of rate_app are answered correctly, each on a fresh
    connection; a few retries over 2 s (sockets of a finished attack may still be closing)."""
    checks = [
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"uht is up\n"),
        (b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n", b"b" * 65536),
        (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + b"e" * 1000, b"e" * 1000),
    ]
    for raw, body in checks:
        answer = None
        for _ in range(5):
            answer = ask(srv, raw)
            if answer.status == 200 and answer.ended == "complete":
                break
            time.sleep(0.4)
        assert answer is not None and answer.status == 200 and answer.body == body, "%r answered %r\n%s" % (
            raw[:40],
            answer,
            srv.output()[-2000:],
        )


# -- paced senders ---------------------------------------------------------------------------------


class PacedBody(threading.Thread):
    """Send `head`, then `total` body bytes at `rate` bytes/s in pieces of `piece` bytes, on the
    clock (late pieces catch up, so the average rate holds on a loaded machine); stop at the
    first sign that the server cut the connection, or after `limit` seconds.

    After the run: cut_after (seconds from the end of the head to the cut, or None), answer
    (what the server said: an Answer; status 0 when it closed without a word)."""

    def __init__(  # type: ignore[no-untyped-def]
        self, srv, head: bytes, total: int, rate: float, piece: int, limit: float, answer_timeout: float = 10
    ) -> None:
        super().__init__(daemon=True)
        self.sock = srv.connect(10)
        self.head = head
        self.total = total
        self.rate = rate
        self.piece = piece
        self.limit = limit
        self.answer_timeout = answer_timeout
        self.sent = 0
        self.cut_after: "float | None" = None  # seconds from the end of the head
        self.cut_at: "float | None" = None  # time.monotonic() of the cut
        self.answer: "Answer | None" = None
        self.error: "BaseException | None" = None

    def _server_spoke(self) -> bool:
        """Readable: the server answered (a 408) or closed."""
        self.sock.settimeout(0)
        try:
            self.sock.recv(1, socket.MSG_PEEK)  # bytes (an answer) or b"" (closed)
            return True
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            self.sock.settimeout(10)

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # reported by the test
            self.error = exc

    def _run(self) -> None:
        self.sock.sendall(self.head)
        start = time.monotonic()
        while self.sent < self.total:
            now = time.monotonic()
            if now - start > self.limit:
                return
            if self._server_spoke():
                self._cut(start)
                return
            due = min(self.total, int((now - start) * self.rate) + self.piece)
            if due > self.sent:
                try:
                    self.sock.sendall(b"d" * (due - self.sent))
                except RESETS:
                    self._cut(start)
                    return
                self.sent = due
            time.sleep(self.piece / self.rate / 2)
        self.answer = read_answer(self.sock, self.answer_timeout)

    def _cut(self, start: float) -> None:
        self.cut_at = time.monotonic()
        self.cut_after = self.cut_at - start
        self.answer = read_answer(self.sock, 2)

    def close(self) -> None:
        self.sock.close()


# -- availability probe ----------------------------------------------------------------------------


def probe_once(srv, results: list, at: float = 0.0, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    """GET / on a fresh connection; appends (ok, status or error, seconds taken, `at`): ok when
    200 and the whole body arrive within `timeout` of the start (connect included)."""
    start = time.monotonic()
    try:
        with socket.create_connection((srv.host, srv.port), timeout=timeout) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
            answer = read_answer(s, max(0.01, timeout - (time.monotonic() - start)))
        took = time.monotonic() - start
        ok = answer.status == 200 and answer.body == b"uht is up\n" and took <= timeout
        results.append((ok, answer.status, round(took, 2), at))
    except OSError as exc:
        results.append((False, type(exc).__name__, round(time.monotonic() - start, 2), at))


def probe_for(srv, seconds: float, every: float = 0.5) -> list:  # type: ignore[no-untyped-def]
    """A probe every `every` seconds for `seconds` (each in its own thread, so a slow answer does
    not delay the next probe); the list of probe_once's tuples (`at`: seconds since the first
    probe) once all have finished."""
    results: list = []
    threads = []
    start = time.monotonic()
    n = 0
    while n * every < seconds:
        delay = start + n * every - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t = threading.Thread(target=probe_once, args=(srv, results, n * every), daemon=True)
        t.start()
        threads.append(t)
        n += 1
    for t in threads:
        t.join(10)
    return results


def start(app: str, runtime: str):  # type: ignore[no-untyped-def]
    return relsupport.start(app, runtime)


def served_module(app: str, runtime: str):  # type: ignore[no-untyped-def]
    """Body of a module-scoped server fixture (`yield from served_module(...)`): the app under the
    runtime for the whole module, then no socket left beyond those it held at start, and alive."""
    proc = start(app, runtime)
    baseline = relsupport.socket_count(proc)
    yield proc
    try:
        left = relsupport.settle_sockets(proc, baseline, wait=8.0)
        assert left <= baseline, "server holds %d sockets, %d before the module" % (left, baseline)
        assert proc.proc.poll() is None, "server died:\n" + proc.output()[-3000:]
    finally:
        proc.stop()
