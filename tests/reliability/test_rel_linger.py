"""Answers that arrive (issue 11): when uht answers without reading the whole request (413 over
max_body, 503 when every slot is busy, 405 with a body over max_discard), it must read and drop
what the client still sends (up to 64 KB and 2 s) before closing; closing with unread bytes in
the receive buffer makes the kernel send RST, and the client loses the answer to ECONNRESET.

Each try is a client that writes its whole request (up to 64 KB) before reading: it reads the
answer, then ends its side and reads until the server closes. A reset anywhere (on the send, on
the answer, or after it) fails the try; so does an answer that never completes. REL_LINGER_TRIES
tries (100) per status, on MicroPython (uht from source and from .mpy) and CPython, against
linger_app (the board's max_body 16 KB and max_discard 4 KB on every runtime).
"""

import json
import os
import socket
import time

import pytest
from hardsupport import RESETS, RUNTIMES, Answer, ask, read_answer, served_module, start, wait_closed

TRIES = int(os.environ.get("REL_LINGER_TRIES", "100"))
# The same client, writing the head first and the body 50 ms later (two writes, as most clients
# do): the body then arrives after the answer, so only lingering saves it, on every runtime.
SPLIT_TRIES = int(os.environ.get("REL_LINGER_SPLIT_TRIES", "10"))
SPLIT_GAP = 0.05

# 413: the reproduction, Content-Length 20000 > max_body with the 20,000 bytes
TOO_LARGE = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n" + b"L" * 20000
# 405: a method / does not take, with a body over max_discard (so it cannot be skipped)
NOT_ALLOWED = b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 16384\r\n\r\n" + b"P" * 16384
# 503: a 60,000-byte upload while every slot is busy (the whole request stays under 64 KB)
WHILE_FULL = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n" + b"F" * 60000


def one_try(srv, request: bytes, gap: float = 0.0) -> "tuple[str, Answer]":  # type: ignore[no-untyped-def]
    """Send `request` (in one write, or the head and then, `gap` seconds later, the body) and
    read the answer: ("ok", answer) when the answer arrived whole and the connection ended with a FIN; else
    what went wrong: "reset on send", "reset", "reset after the answer", "eof" (closed before a
    whole answer), "timeout" (no answer, or no close after the client ended its side)."""
    with srv.connect(5) as s:
        try:
            if gap:
                head_end = request.index(b"\r\n\r\n") + 4
                s.sendall(request[:head_end])
                time.sleep(gap)
                s.sendall(request[head_end:])
            else:
                s.sendall(request)
        except RESETS:
            return "reset on send", read_answer(s, 1)
        answer = read_answer(s, 5)
        if answer.ended != "complete":
            return answer.ended, answer
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:  # ENOTCONN: the connection was already reset
            return "reset after the answer", answer
        end = wait_closed(s, 5)
        return ("ok" if end == "eof" else end + " after the answer"), answer


def run_tries(srv, request: bytes, status: int, split: bool = False) -> None:  # type: ignore[no-untyped-def]
    outcomes: dict = {}
    wrong = []
    tries = SPLIT_TRIES if split else TRIES
    started = time.monotonic()
    for _ in range(tries):
        outcome, answer = one_try(srv, request, SPLIT_GAP if split else 0.0)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if answer.status != status:
            wrong.append(answer)
    took = time.monotonic() - started
    how = "head, then body" if split else "one write"
    print("\n%s %d (%s): %d tries in %.1f s: %s" % (srv.runtime, status, how, tries, took, outcomes))
    assert outcomes.get("ok", 0) == tries and not wrong, "%d tries: %s; wrong or missing answers: %d, e.g. %r" % (
        tries,
        outcomes,
        len(wrong),
        wrong[:3],
    )


@pytest.fixture(scope="module", params=RUNTIMES)
def srv(request):  # type: ignore[no-untyped-def]
    yield from served_module("linger_app.py", request.param)


def _good(srv) -> None:  # type: ignore[no-untyped-def]
    answer = ask(srv, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.status == 200 and answer.body == b"uht is up\n", answer


SPLIT = [pytest.param(False, id="one-write"), pytest.param(True, id="head-then-body")]


@pytest.mark.parametrize("split", SPLIT)
def test_413_arrives_without_reset(srv, split: bool) -> None:  # type: ignore[no-untyped-def]
    run_tries(srv, TOO_LARGE, 413, split)
    _good(srv)


@pytest.mark.parametrize("split", SPLIT)
def test_405_with_a_body_over_max_discard_arrives_without_reset(srv, split: bool) -> None:  # type: ignore[no-untyped-def]
    run_tries(srv, NOT_ALLOWED, 405, split)
    _good(srv)


@pytest.mark.parametrize("split", SPLIT)
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_503_arrives_without_reset(runtime: str, split: bool) -> None:
    """Every slot held by a handler that sleeps 30 s (and reads nothing: no one to evict)."""
    server = start("linger_app.py", runtime)
    busy = []
    try:
        cap = json.loads(ask(server, b"GET /limits HTTP/1.1\r\nHost: x\r\n\r\n").body)["max_connections"]
        for _ in range(cap):
            s = server.connect()
            s.sendall(b"GET /slow?s=30 HTTP/1.1\r\nHost: x\r\n\r\n")
            busy.append(s)
        time.sleep(0.8)  # every head read: all slots busy
        run_tries(server, WHILE_FULL, 503, split)
    finally:
        for s in busy:
            s.close()
        server.stop()


def test_small_unread_body_is_still_skipped_on_keep_alive(srv) -> None:  # type: ignore[no-untyped-def]
    """The converse (why lingering is only for answers that close): a 405 with a body within
    max_discard keeps the connection, and the next request on it is served."""
    with srv.connect(5) as s:
        s.sendall(b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + b"p" * 100)
        first = read_answer(s)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        second = read_answer(s)
    assert first.status == 405 and first.ended == "complete", first
    assert second.status == 200 and second.body == b"uht is up\n", second
