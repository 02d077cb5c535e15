"""uht.multipart: parts as streams, boundaries split across reads, chunked bodies, bad input."""

from fsupport import app_and_client

import uht.multipart as multipart

BOUNDARY = "----uhtBoundary7MA4YWxk"


def _body(fields, files, boundary=BOUNDARY, preamble=b"", epilogue=b""):  # type: ignore[no-untyped-def]
    out = bytearray(preamble)
    for name, value in fields:
        out += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n' % (boundary, name)).encode()
        out += value + b"\r\n"
    for name, filename, ctype, data in files:
        out += ("--%s\r\n" % boundary).encode()
        out += ('Content-Disposition: form-data; name="%s"; filename="%s"\r\n' % (name, filename)).encode()
        out += ("Content-Type: %s\r\n\r\n" % ctype).encode()
        out += data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode() + epilogue
    return bytes(out)


def _app(buffer_size=multipart.BUFFER_SIZE):  # type: ignore[no-untyped-def]
    app, client = app_and_client()

    @app.route("/upload", methods=["POST"])
    async def upload(req, resp):  # type: ignore[no-untyped-def]
        result = []
        async for part in multipart.parts(req, buffer_size=buffer_size):
            if part.filename is None:
                result.append([part.name, await part.text()])
            else:
                data = bytearray()
                while True:
                    chunk = await part.read(100)
                    if not chunk:
                        break
                    data += chunk
                result.append([part.name, part.filename, part.content_type, len(data), _digest(data)])
        await resp.send_json(result)

    return app, client


def _digest(data) -> int:  # type: ignore[no-untyped-def]
    total = 0
    for i, b in enumerate(data):
        total = (total * 31 + b + i) & 0xFFFFFF
    return total


def _request(body: bytes, boundary=BOUNDARY, extra="") -> bytes:  # type: ignore[no-untyped-def]
    head = (
        "POST /upload HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=%s\r\n"
        % boundary
    )
    return (head + "Content-Length: %d\r\n%s\r\n" % (len(body), extra)).encode() + body


def _status(raw: bytes) -> int:
    return int(raw[9:12])


def _json(raw: bytes):  # type: ignore[no-untyped-def]
    import json

    return json.loads(raw[raw.find(b"\r\n\r\n") + 4 :])


# A file whose content holds near-misses of the delimiter, so the search must not stop early.
TRICKY = (b"\r\n--" + BOUNDARY[:-1].encode() + b"X\r\n-" + b"\r\n--" * 7 + bytes(range(256))) * 9


def test_boundary_of():
    assert multipart.boundary_of("multipart/form-data; boundary=abc") == b"abc"
    assert multipart.boundary_of('multipart/form-data; charset=x; boundary="a b:c"') == b"a b:c"
    for bad in ("multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=" + "x" * 71):
        try:
            multipart.boundary_of(bad)
        except Exception as exc:
            assert exc.status == 400  # type: ignore[attr-defined]
        else:
            raise AssertionError(bad)


async def test_fields_and_files():
    app, client = _app()
    body = _body([("a", b"1"), ("b", "é ü".encode())], [("f", "x.bin", "application/octet-stream", TRICKY)])
    raw = await client.raw(_request(body))
    assert _status(raw) == 200, raw[:200]
    assert _json(raw) == [
        ["a", "1"],
        ["b", "é ü"],
        ["f", "x.bin", "application/octet-stream", len(TRICKY), _digest(TRICKY)],
    ]


async def test_boundary_split_across_every_read_size():
    body = _body(
        [("a", b"value")], [("f", "t.txt", "text/plain", TRICKY[:700])], preamble=b"ignored\r\n", epilogue=b"bye"
    )
    expected = [["a", "value"], ["f", "t.txt", "text/plain", 700, _digest(TRICKY[:700])]]
    for step in (1, 2, 3, 7, 31, 64, 200):
        for buffer_size in (48, 100, 1024):
            app, client = _app(buffer_size)
            raw = await client.raw(_request(body), step=step)
            assert _status(raw) == 200 and _json(raw) == expected, (step, buffer_size, raw[:300])


async def test_chunked_upload():
    app, client = _app()
    body = _body([("k", b"v")], [("f", "c.bin", "application/octet-stream", TRICKY)])
    chunked = bytearray()
    for i in range(0, len(body), 333):
        piece = body[i : i + 333]
        chunked += ("%x\r\n" % len(piece)).encode() + piece + b"\r\n"
    chunked += b"0\r\n\r\n"
    head = "POST /upload HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
    head += "Content-Type: multipart/form-data; boundary=%s\r\n\r\n" % BOUNDARY
    raw = await client.raw(head.encode() + bytes(chunked), step=50)
    assert _json(raw) == [["k", "v"], ["f", "c.bin", "application/octet-stream", len(TRICKY), _digest(TRICKY)]]


async def test_next_part_skips_unread_data_and_keeps_alive():
    app, client = app_and_client()

    @app.route("/names", methods=["POST"])
    async def names(req, resp):  # type: ignore[no-untyped-def]
        reader = multipart.MultipartReader(req)
        seen = []
        while True:
            part = await reader.next_part()
            if part is None:
                break
            seen.append(part.name)  # never reads the data
        await resp.send(",".join(seen))

    body = _body([("a", b"x" * 3000), ("b", b"y")], [("c", "f", "text/plain", TRICKY)], epilogue=b"tail")
    one = "POST /names HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=%s\r\n" % BOUNDARY
    one = (one + "Content-Length: %d\r\n\r\n" % len(body)).encode() + body
    raw = await client.raw(one + one.replace(b"Host: t\r\n", b"Host: t\r\nConnection: close\r\n"))
    assert raw.count(b"HTTP/1.1 200") == 2 and raw.endswith(b"a,b,c")


async def test_broken_bodies_answer_400():
    app, client = _app()
    good = _body([("a", b"1")], [])
    cases = [
        good[:-10],  # no closing delimiter
        good.replace(b"\r\n\r\n1", b"\r\n1"),  # part head never ends
        b"no delimiter at all",
        good.replace(b"Content-Disposition", b"Content Disposition"),
        good.replace(BOUNDARY.encode() + b"\r\n", BOUNDARY.encode() + b"junk\r\n", 1),
    ]
    for body in cases:
        raw = await client.raw(_request(body))
        assert _status(raw) == 400, (body[:60], raw[:100])
    raw = await client.raw(
        b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx"
    )
    assert _status(raw) == 415


async def test_part_head_limit_and_field_limit():
    app, client = app_and_client()

    @app.route("/field", methods=["POST"])
    async def field(req, resp):  # type: ignore[no-untyped-def]
        part = await multipart.MultipartReader(req, max_part_head=200).next_part()
        await resp.send(await part.text(limit=10))

    huge_head = _body([("a" * 300, b"1")], [])
    raw = await client.raw(_request(huge_head).replace(b"/upload", b"/field"))
    assert _status(raw) == 431
    raw = await client.raw(_request(_body([("a", b"12345678901")], [])).replace(b"/upload", b"/field"))
    assert _status(raw) == 413
    raw = await client.raw(_request(_body([("a", b"1234567890")], [])).replace(b"/upload", b"/field"))
    assert _status(raw) == 200 and raw.endswith(b"1234567890")


async def test_save_upload_to_a_file():
    import os

    path = "/tmp/uht-feat-upload-%d.bin" % id(path_holder)
    app, client = app_and_client()

    @app.route("/save", methods=["POST"])
    async def save(req, resp):  # type: ignore[no-untyped-def]
        reader = multipart.MultipartReader(req, buffer_size=256)
        part = await reader.next_part()
        size = await multipart.save_upload(part, path, buffer_size=128, limit=int(req.query.get("limit", "100000")))
        await resp.send(str(size))

    body = _body([], [("f", "big.bin", "application/octet-stream", TRICKY)])
    raw = await client.raw(_request(body).replace(b"/upload", b"/save"))
    assert raw.endswith(str(len(TRICKY)).encode())
    with open(path, "rb") as f:
        assert f.read() == TRICKY
    os.remove(path)
    raw = await client.raw(_request(body).replace(b"/upload", b"/save?limit=1000"))
    assert _status(raw) == 413
    try:
        os.stat(path)
        raise AssertionError("partial upload left behind")
    except OSError:
        pass


path_holder = object()
