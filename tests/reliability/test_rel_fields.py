"""Strict field syntax (issue 11): a header name must be an RFC 9110 token, a value must be free of
control characters other than horizontal tab; otherwise 400 and close, in trailers too. A proxy
in front that reads such a field differently is how request smuggling starts.

Each bad request gets exactly one answer, 400 with `Connection: close`, the connection ends, and
the next good request (a new connection) is served. The good cases beside them (every tchar in a
name, HTAB and UTF-8 text in a value, visible separators in a value) must still be served, so a
check that rejects too much fails too. Against rate_app (defaults), on MicroPython (uht from
source and from .mpy) and CPython.
"""

import socket

import pytest
from hardsupport import RUNTIMES, ask, read_answer, served_module, wait_closed

BAD_NAMES = {
    "ctl-0x01": b"X\x01Y: 1",
    "ctl-0x1f": b"X\x1fY: 1",
    "del": b"X\x7fY: 1",
    "paren": b"X(Y: 1",
    "close-paren": b"X)Y: 1",
    "dquote": b'X"Y: 1',
    "comma": b"X,Y: 1",
    "slash": b"X/Y: 1",
    "semicolon": b"X;Y: 1",
    "less": b"X<Y: 1",
    "equals": b"X=Y: 1",
    "greater": b"X>Y: 1",
    "question": b"X?Y: 1",
    "at": b"X@Y: 1",
    "bracket": b"X[Y]: 1",
    "backslash": b"X\\Y: 1",
    "brace": b"X{Y}: 1",
    "non-ascii-utf8": b"X\xc3\xa9Y: 1",
    "zero-width-space": b"\xe2\x80\x8bX-A: 1",
    "non-utf8": b"X\xffY: 1",  # already 400 before issue 11 (the head is not UTF-8)
    "space-before-colon": b"X-A : 1",  # already 400 before issue 11
    "tab-in-name": b"X\tY: 1",  # already 400 before issue 11
}

BAD_VALUES = {
    "ctl-0x01": b"X-A: a\x01b",
    "esc": b"X-A: a\x1bb",
    "del": b"X-A: a\x7fb",
    "vt": b"X-A: a\x0bb",
    "ff": b"X-A: a\x0cb",
    "ctl-0x1f": b"X-A: a\x1fb",
    "leading-backspace": b"X-A: \x08a",
    "trailing-0x01": b"X-A: a\x01",
    "escape-sequence": b"X-A: 1\r\nX-B: \x1b[2J",
    "nul": b"X-A: a\x00b",  # already 400 before issue 11
    "bare-cr": b"X-A: a\rb",  # already 400 before issue 11
}

GOOD_FIELDS = {
    "every-tchar": b"X!#$%&'*+-.^_`|~09azAZ: 1",
    "htab-inside-value": b"X-A: a\tb",
    "htab-around-value": b"X-A:\ta\t",
    "utf8-value": b"X-A: caf\xc3\xa9",
    "empty-value": b"X-A:",
    "separators-in-value": b'X-A: "q" (c) <a@b>, k=v; [x]/{y}?\\',
}


def _get_with(field: bytes) -> bytes:
    return b"GET / HTTP/1.1\r\nHost: x\r\n" + field + b"\r\nAccept: */*\r\n\r\n"


def _chunked_with_trailer(trailer: bytes) -> bytes:
    return (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n" + trailer + b"\r\n\r\n"
    )


BAD_REQUESTS = {}
for _name, _field in BAD_NAMES.items():
    BAD_REQUESTS["name-" + _name] = _get_with(_field)
for _name, _field in BAD_VALUES.items():
    BAD_REQUESTS["value-" + _name] = _get_with(_field)
# The case: a name that a lenient reader would take for Transfer-Encoding once it drops
# the control byte; uht must not frame the body by Content-Length beside it.
BAD_REQUESTS["name-ctl-transfer-encoding"] = (
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\x01Transfer-Encoding: chunked\r\n\r\nhello"
)
BAD_REQUESTS["trailer-name-ctl"] = _chunked_with_trailer(b"X\x01Y: 1")
BAD_REQUESTS["trailer-name-paren"] = _chunked_with_trailer(b"X(Y: 1")
BAD_REQUESTS["trailer-value-ctl"] = _chunked_with_trailer(b"X-T: a\x01b")
BAD_REQUESTS["trailer-value-del"] = _chunked_with_trailer(b"X-T: a\x7fb")


@pytest.fixture(scope="module", params=RUNTIMES)
def srv(request):  # type: ignore[no-untyped-def]
    yield from served_module("rate_app.py", request.param)


def _next_good_request_served(srv) -> None:  # type: ignore[no-untyped-def]
    answer = ask(srv, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.status == 200 and answer.body == b"uht is up\n", "good request after: %r\n%s" % (
        answer,
        srv.output()[-1500:],
    )


@pytest.mark.parametrize("raw", list(BAD_REQUESTS.values()), ids=list(BAD_REQUESTS))
def test_bad_field_gets_400_and_close(srv, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    with srv.connect(5) as s:
        s.sendall(raw)
        answer = read_answer(s, 5)
        extra = b""
        ended = answer.ended
        if ended == "complete":
            try:
                s.shutdown(socket.SHUT_WR)
                s.settimeout(5)
                extra = s.recv(65536)  # b"": the server closed after its one answer
            except OSError as exc:
                extra = repr(exc).encode()
            ended = wait_closed(s, 5) if extra == b"" else "more bytes"
    assert answer.status == 400, "answered %r" % answer
    assert answer.headers.get("connection", "").lower() == "close", answer
    assert ended == "eof", "after the 400: %s %r" % (ended, extra[:200])
    _next_good_request_served(srv)


@pytest.mark.parametrize("field", list(GOOD_FIELDS.values()), ids=list(GOOD_FIELDS))
def test_good_field_is_served(srv, field: bytes) -> None:  # type: ignore[no-untyped-def]
    answer = ask(srv, _get_with(field))
    assert answer.status == 200 and answer.body == b"uht is up\n", answer


def test_good_trailer_is_served(srv) -> None:  # type: ignore[no-untyped-def]
    answer = ask(srv, _chunked_with_trailer(b"X-T: a\tb"))
    assert answer.status == 200 and answer.body == b"hello", answer
