"""Property tests (CPython, hypothesis) for uht.multipart: whatever the part contents (delimiter
look-alikes included), read sizes and buffer size, the parts come back exactly."""

import asyncio
import json
import os
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

import uht.multipart as multipart  # noqa: E402
from uht import HTTPServer  # noqa: E402
from uht.testing import TestClient  # noqa: E402

BOUNDARY = b"b0undary"
# Content built from pieces that look like the delimiter, so the search is stressed at every offset.
PIECES = st.sampled_from([b"\r\n--b0undary", b"\r\n--b0undar", b"\r\n--", b"\r\n", b"-", b"b0undary", b"x", b"\n"])
DELIMITER = b"\r\n--" + BOUNDARY


def _valid(content: bytes) -> bool:
    """A sender picks a boundary that its content does not contain: the first delimiter after the
    part head (which ends in CRLF) must be the one that closes the part."""
    return (b"\r\n" + content + DELIMITER).find(DELIMITER) == len(content) + 2


CONTENT = st.lists(st.one_of(PIECES, st.binary(max_size=40)), max_size=30).map(b"".join).filter(_valid)


def build(parts) -> bytes:  # type: ignore[no-untyped-def]
    out = b""
    for i, data in enumerate(parts):
        out += b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="p%d"; filename="f"\r\n\r\n' % i
        out += data + b"\r\n"
    return out + b"--" + BOUNDARY + b"--\r\n"


def app_for(buffer_size: int) -> HTTPServer:
    app = HTTPServer()

    @app.route("/u", methods=["POST"])
    async def upload(req, resp):  # type: ignore[no-untyped-def]
        got = []
        async for part in multipart.parts(req, buffer_size=buffer_size):
            data = bytearray()
            buf = bytearray(7)
            while True:
                n = await part.readinto(buf)
                if not n:
                    break
                data += buf[:n]
            got.append(data.hex())
        await resp.send_json(got)

    return app


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(CONTENT, min_size=1, max_size=4), step=st.integers(1, 64), buffer_size=st.integers(72, 300))
def test_parts_come_back_exactly(parts, step, buffer_size):
    body = build(parts)
    head = b"POST /u HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
    head += b"Content-Type: multipart/form-data; boundary=" + BOUNDARY + b"\r\n"
    head += b"Content-Length: %d\r\n\r\n" % len(body)
    raw = asyncio.run(TestClient(app_for(buffer_size)).raw(head + body, step=step))
    assert raw.startswith(b"HTTP/1.1 200"), raw[:200]
    got = json.loads(raw[raw.find(b"\r\n\r\n") + 4 :])
    assert got == [p.hex() for p in parts]


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300), step=st.integers(1, 50))
def test_garbage_never_crashes(body, step):
    head = b"POST /u HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
    head += b"Content-Type: multipart/form-data; boundary=" + BOUNDARY + b"\r\n"
    head += b"Content-Length: %d\r\n\r\n" % len(body)
    raw = asyncio.run(TestClient(app_for(64)).raw(head + body, step=step))
    assert raw[:12] in (b"HTTP/1.1 200", b"HTTP/1.1 400", b"HTTP/1.1 431"), raw[:100]
