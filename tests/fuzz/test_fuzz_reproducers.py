"""Inputs the fuzzers found, kept as strict tests: in-process on CPython (TestClient.raw, every
read size) and over a socket against MicroPython. Each entry: (name, request bytes, the statuses
the server must answer, whether the first request is a HEAD)."""

import os
import sys

import pytest
from fuzzsupport import InProcess, parse_responses

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reliability"))

import relsupport  # noqa: E402

REPRODUCERS = [
    # grammar fuzz: an error answer to a HEAD request carried the error text as a body
    ("HEAD with repeated Host", b"HEAD /hello/x HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n", [400], True),
    ("HEAD with bad header", b"HEAD /hello/x HTTP/1.1\r\nHost: x\r\nBad\r\n\r\n", [400], True),
    # mutation fuzz: a body that ends early was answered twice
    ("Content-Length body cut", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel", [400], False),
    (
        "Expect body cut",
        b"PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\na",
        [400],
        False,
    ),
    # long grammar fuzz: the handler ignores a body that then ends early: 200, then a second 400
    ("unread body cut", b"GET /hello/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n", [200], False),
    # mutation fuzz: a query the app's int() choked on (app bug, fixed in rel_app; kept as a check)
    ("junk in a number", b"GET /stream?n=3HTTP/1.0 HTTP/1.1\r\nHost: x\r\n\r\n", [200], False),
]

client = InProcess()


def _check(out: bytes, expected: list, head: bool) -> None:
    responses = parse_responses(out, [head] + [False] * 3)
    assert [r[0] for r in responses] == expected, out[:400]
    if head:
        assert all(not r[2] for r in responses), "a HEAD response carried a body: %r" % out[:400]


@pytest.mark.parametrize("name,data,expected,head", REPRODUCERS, ids=[r[0] for r in REPRODUCERS])
def test_in_process_every_read_size(name, data, expected, head):  # type: ignore[no-untyped-def]
    for step in (0, 1, 2, 7):
        _check(client.raw(data, step=step), expected, head)


@pytest.fixture(scope="module")
def mpy_server():  # type: ignore[no-untyped-def]
    srv = relsupport.start("rel_app.py", "mpy")
    yield srv
    srv.stop()


@pytest.mark.parametrize("name,data,expected,head", REPRODUCERS, ids=[r[0] for r in REPRODUCERS])
def test_over_socket_under_micropython(mpy_server, name, data, expected, head):  # type: ignore[no-untyped-def]
    _check(relsupport.exchange(mpy_server, data), expected, head)
    relsupport.still_serves(mpy_server)
