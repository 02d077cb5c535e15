"""Grammar-aware fuzzing of uht's parser on CPython, through uht.testing.TestClient.raw(): requests
built from HTTP's grammar with hostile choices at every part, pipelined, fed in reads of random
sizes. Any exception, hang, leaked task, malformed or extra response, 500, or an answer that
depends on how the bytes were split, fails.

FUZZ_EXAMPLES sets the number of cases per test (make test: 300; make fuzz: many more).
"""

import os
import re

from fuzzsupport import ALLOWED, KNOWN, UNPARSED_HEAD_ERRORS, InProcess, double_400, parse_responses, save_failure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") is None,  # reproducible in make test
    suppress_health_check=list(HealthCheck),
    database=None,
)

client = InProcess()

EOLS = st.sampled_from([b"\r\n", b"\r\n", b"\n"])
SMALL_BYTES = st.binary(max_size=12)
TOKENS = [
    b"",
    b" ",
    b"\t",
    b"\r",
    b"\n",
    b"\x00",
    b":",
    b"%",
    b"%2F",
    b"%ff",
    b"%zz",
    b"\xff",
    b"\xc3\xa9",
    b",",
    b";",
    b"?",
    b"#",
]
TOKEN = st.sampled_from(TOKENS)


def _join(parts) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(parts)


METHODS = st.one_of(
    st.sampled_from([b"GET", b"POST", b"PUT", b"HEAD", b"DELETE", b"OPTIONS", b"PATCH"]),
    st.sampled_from([b"FROB", b"get", b"G@T", b"", b"GET\x00", b"CONNECT", b"TRACE", b"A" * 300]),
    st.binary(max_size=8),
)
SEGMENT = st.lists(st.one_of(st.sampled_from([b"a", b"hello", b"x", b"..", b"."]), TOKEN, SMALL_BYTES), max_size=4).map(
    _join
)
PATHS = st.one_of(
    st.sampled_from(
        [b"/hello/x", b"/echo", b"/form", b"/query?a=1&b", b"/stream?n=2", b"/nope", b"*", b"/", b"/_diag"]
    ),
    st.lists(SEGMENT, min_size=1, max_size=4).map(lambda s: b"/" + b"/".join(s)),
    st.tuples(st.sampled_from([b"/query?", b"/hello/q?"]), st.lists(SEGMENT, max_size=4)).map(
        lambda t: t[0] + b"&".join(t[1])
    ),
    st.sampled_from([b"http://h/hello/abs", b"HTTPS://h", b"//x", b"/" + b"a" * 600]),
)
VERSIONS = st.one_of(
    st.sampled_from([b"HTTP/1.1", b"HTTP/1.1", b"HTTP/1.0"]),
    st.sampled_from(
        [b"HTTP/2.0", b"HTTP/1.9", b"HTTP/0.9", b"HTTP/1", b"http/1.1", b"HTTP/1.1 ", b"", b"HTTP/9.9", b"HTTP/a.b"]
    ),
)
HEADER_NAMES = st.one_of(
    st.sampled_from(
        [b"Host", b"Content-Length", b"Transfer-Encoding", b"Connection", b"Expect", b"X-A", b"Content-Type"]
    ),
    st.tuples(st.sampled_from([b"X", b"Host", b"Content-Length"]), TOKEN).map(_join),
    st.binary(max_size=10),
)
HEADER_VALUES = st.one_of(
    st.sampled_from(
        [b"x", b"0", b"5", b"chunked", b"close", b"keep-alive", b"100-continue", b"+5", b" 12 ", b"1_0", b"-1"]
    ),
    st.sampled_from([b"gzip, chunked", b"chunked, chunked", b"5, 6", b"99999999999999999999", b"a" * 1100]),
    st.tuples(SMALL_BYTES, TOKEN, SMALL_BYTES).map(_join),
)
HEADERS = st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=6)
BODY = st.binary(max_size=64)


@st.composite
def framed_body(draw):  # type: ignore[no-untyped-def]
    """(extra header lines, body bytes, whether body bytes may spill into another request) with
    correct or lying framing."""
    body = draw(BODY)
    kind = draw(
        st.sampled_from(["none", "cl", "cl", "cl-short", "cl-long", "chunked", "chunked", "chunked-bad", "huge"])
    )
    if kind == "none":
        return [], b"", bool(body)
    if kind.startswith("cl"):
        n = len(body) + {"cl": 0, "cl-short": -1, "cl-long": 3}[kind]
        return [(b"Content-Length", b"%d" % max(n, 0))], body, kind == "cl-short"
    if kind == "huge":
        return [(b"Content-Length", b"3000")], body, False
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=3)))
    pieces = [body[a:b] for a, b in zip([0] + cuts, cuts + [len(body)]) if b > a]
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    if kind == "chunked-bad":
        at = draw(st.integers(0, len(chunks)))
        chunks = chunks[:at] + draw(TOKEN) + chunks[at + 1 :]
    return [(b"Transfer-Encoding", b"chunked")], chunks, kind == "chunked-bad"


@st.composite
def hostile_request(draw):  # type: ignore[no-untyped-def]
    eol = draw(EOLS)
    method = draw(METHODS)
    line = method + draw(st.sampled_from([b" ", b" ", b"  ", b"\t"])) + draw(PATHS) + b" " + draw(VERSIONS)
    headers = []
    if draw(st.integers(0, 9)):  # now and then no Host at all
        headers.append((b"Host", b"x"))
    headers += draw(HEADERS)
    extra, body, spills = draw(framed_body())
    headers += extra
    headers = draw(st.permutations(headers))
    head = line + eol + b"".join(n + b": " + v + eol for n, v in headers) + eol
    # How many requests uht may see in these bytes: one, unless a line break drawn into a name,
    # value or target ends the head early (the rest is another, garbage, request), or the
    # framing lies (leftover body bytes start another one).
    data = head + body
    lines = head.count(b"\n")
    answers = 1 if lines == len(headers) + 2 else 1 + data.count(b"\n\n") + data.count(b"\n\r\n")
    framing = [n for n, _ in headers if n.lower() in (b"content-length", b"transfer-encoding")]
    if spills or len(framing) != len(extra):  # lying framing, or drawn headers that reframe the body
        answers = max(answers, 1 + data.count(b"\n\n") + data.count(b"\n\r\n"))
    return head.startswith(b"HEAD "), data, answers  # a HEAD as uht tells one


def _without_dates(raw: bytes) -> bytes:
    return re.sub(rb"Date: [^\r]*\r\n", b"", raw)


def _check(data: bytes, heads: list, step: int, most: int) -> None:
    try:
        whole = client.raw(data)
        parts = client.raw(data, step=step)
        assert _without_dates(whole) == _without_dates(parts), "answer depends on read sizes (step %d)" % step
        responses = parse_responses(whole, heads)
        statuses = [r[0] for r in responses]
        if len(responses) > most and double_400(responses):
            KNOWN["two answers to a body ending early"] = KNOWN.get("two answers to a body ending early", 0) + 1
            responses = responses[:-1]
        assert len(responses) <= most, "more responses (%d) than requests (%d)" % (len(responses), most)
        assert set(statuses) <= ALLOWED, "unexpected statuses %r" % statuses
        for r in responses[:-1]:  # only the last may close the connection
            assert r[1].get(b"connection") != [b"close"], "answered after saying Connection: close"
    except Exception as exc:  # keep the input for the reproducer list
        path = save_failure("grammar", data, "%s: %s (step %d)" % (type(exc).__name__, exc, step))
        raise AssertionError("%s\ninput saved to %s: %r" % (exc, path, data[:600])) from exc


@SETTINGS
@given(st.lists(hostile_request(), min_size=1, max_size=3), st.integers(1, 64))
def test_hostile_pipelines(requests, step):  # type: ignore[no-untyped-def]
    _check(b"".join(r[1] for r in requests), [r[0] for r in requests], step, sum(r[2] for r in requests))


@st.composite
def valid_request(draw):  # type: ignore[no-untyped-def]
    """A request the app must answer 200 with a body we can predict."""
    eol = draw(EOLS)
    kind = draw(st.sampled_from(["hello", "echo-cl", "echo-chunked", "query"]))
    extra = [
        (b"X-%d" % i, draw(st.text("abc XYZ-_;=,", max_size=20)).strip().encode())
        for i in range(draw(st.integers(0, 5)))
    ]
    if kind == "hello":
        name = draw(st.text("abcdef0123-_~.é", min_size=1, max_size=20))
        from urllib.parse import quote

        line, body, headers, want = (
            b"GET /hello/" + quote(name).encode() + b" HTTP/1.1",
            b"",
            [],
            ("Hello, %s!" % name).encode(),
        )
    elif kind == "query":
        a = draw(st.text("abc é+&=", max_size=10))
        from urllib.parse import quote_plus

        line, body, headers = b"GET /query?a=" + quote_plus(a).encode() + b" HTTP/1.1", b"", []
        want = ('{"a": %s}' % __import__("json").dumps(a)).encode()
    else:
        body = draw(st.binary(max_size=300))
        if kind == "echo-cl":
            headers = [(b"Content-Length", b"%d" % len(body))]
            framed = body
        else:
            headers = [(b"Transfer-Encoding", b"chunked")]
            framed = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
        line, want = b"POST /echo HTTP/1.1", body
        body = framed
    headers = draw(st.permutations([(b"Host", b"h")] + headers + extra))
    return line + eol + b"".join(n + b": " + v + eol for n, v in headers) + eol + body, want


@SETTINGS
@given(st.lists(valid_request(), min_size=1, max_size=4), st.integers(1, 40))
def test_valid_pipelines_answered_in_order(requests, step):  # type: ignore[no-untyped-def]
    data = b"".join(r[0] for r in requests)
    out = client.raw(data, step=step)
    try:
        responses = parse_responses(out)
        assert [r[0] for r in responses] == [200] * len(requests)
        assert [r[2] for r in responses] == [r[1] for r in requests]
    except Exception as exc:
        path = save_failure("valid", data, "%s: %s (step %d)" % (type(exc).__name__, exc, step))
        raise AssertionError("%s\ninput saved to %s: %r\noutput %r" % (exc, path, data[:600], out[:600])) from exc


def teardown_module(module):  # type: ignore[no-untyped-def]
    print(
        "\ngrammar fuzz: %d examples per test; known issues seen: %r; errors to unparsed HEAD lines: %d"
        % (EXAMPLES, KNOWN, UNPARSED_HEAD_ERRORS[0])
    )
