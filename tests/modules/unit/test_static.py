"""uht.static through the test client: types, validators, 304, ranges, gzip, index, traversal."""

from fsupport import app_and_client, make_tree, raw_get, remove_tree

import uht.static as static

BIG = bytes(range(256)) * 20  # 5120 bytes: several chunks
FILES = {
    "index.html": b"<h1>home</h1>",
    "a.txt": b"0123456789abcdefghij",
    "big.bin": BIG,
    "app.js": b"console.log('plain')",
    "app.js.gz": b"\x1f\x8bGZIPPED",
    "sub/page.css": b"body{}",
    "docs/index.html": b"docs index",
    "empty.txt": b"",
    "only.css.gz": b"\x1f\x8bONLYGZ",
    ".env": b"PASSWORD=x",
    "sub/.hidden/a.txt": b"hidden",
}
SECRET = b"TOP-SECRET"


def _setup(**options):  # type: ignore[no-untyped-def]
    root = make_tree(FILES)
    with open(root + "-secret.txt", "wb") as f:  # a sibling of the served directory
        f.write(SECRET)
    app, client = app_and_client()
    static.mount(app, "/static", root, **options)
    return root, client


def _teardown(root):  # type: ignore[no-untyped-def]
    import os

    os.remove(root + "-secret.txt")
    remove_tree(root)


def test_content_type_by_extension():
    assert static.content_type("a/b.HTML") == "text/html; charset=utf-8"
    assert static.content_type("x.png") == "image/png"
    assert static.content_type("x.js") == "text/javascript; charset=utf-8"
    assert static.content_type("noext") == "application/octet-stream"
    assert static.content_type("dir.d/noext") == "application/octet-stream"


def test_parse_range():
    assert static.parse_range("bytes=0-9", 100) == (0, 9)
    assert static.parse_range("bytes=90-", 100) == (90, 99)
    assert static.parse_range("bytes=-10", 100) == (90, 99)
    assert static.parse_range("bytes=-1000", 100) == (0, 99)
    assert static.parse_range("bytes=50-1000", 100) == (50, 99)
    assert static.parse_range("bytes=100-", 100) is False
    assert static.parse_range("bytes=-0", 100) is False
    assert static.parse_range("bytes=0-1,5-6", 100) is None
    assert static.parse_range("items=0-1", 100) is None
    assert static.parse_range("bytes=5-1", 100) is None
    assert static.parse_range("bytes=x-1", 100) is None
    assert static.parse_range("bytes=-", 100) is None


def test_parse_http_date():
    assert static.parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == (1994, 11, 6, 8, 49, 37)
    assert static.parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") is None
    assert static.parse_http_date("garbage") is None


async def test_file_with_validators():
    root, client = _setup()
    try:
        r = await client.get("/static/a.txt")
        assert r.status == 200 and r.body == FILES["a.txt"]
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert r.headers["content-length"] == "20"
        assert r.headers["etag"].startswith('"14-')
        assert r.headers["last-modified"].endswith(" GMT")
        assert r.headers["cache-control"] == "max-age=600"
        assert r.headers["accept-ranges"] == "bytes"
        big = await client.get("/static/big.bin")
        assert big.body == BIG and big.headers["content-type"] == "application/octet-stream"
        empty = await client.get("/static/empty.txt")
        assert empty.status == 200 and empty.body == b"" and empty.headers["content-length"] == "0"
    finally:
        _teardown(root)


async def test_head_sends_no_body():
    root, client = _setup()
    try:
        raw = await client.raw(b"HEAD /static/big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert raw.endswith(b"\r\n\r\n") and b"Content-Length: 5120\r\n" in raw
    finally:
        _teardown(root)


async def test_conditional_requests_answer_304():
    root, client = _setup(cache_control="no-cache")
    try:
        first = await client.get("/static/a.txt")
        etag, date = first.headers["etag"], first.headers["last-modified"]
        assert first.headers["cache-control"] == "no-cache"
        r = await client.get("/static/a.txt", headers={"If-None-Match": etag})
        assert r.status == 304 and r.body == b"" and r.headers["etag"] == etag
        assert "content-length" not in r.headers
        r = await client.get("/static/a.txt", headers={"If-None-Match": '"other", W/' + etag})
        assert r.status == 304
        r = await client.get("/static/a.txt", headers={"If-None-Match": '"other"'})
        assert r.status == 200 and r.body == FILES["a.txt"]
        r = await client.get("/static/a.txt", headers={"If-Modified-Since": date})
        assert r.status == 304
        r = await client.get("/static/a.txt", headers={"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"})
        assert r.status == 200
        # If-None-Match wins over If-Modified-Since
        r = await client.get("/static/a.txt", headers={"If-None-Match": '"x"', "If-Modified-Since": date})
        assert r.status == 200
    finally:
        _teardown(root)


async def test_byte_ranges():
    root, client = _setup()
    try:
        r = await client.get("/static/a.txt", headers={"Range": "bytes=2-5"})
        assert r.status == 206 and r.body == b"2345"
        assert r.headers["content-range"] == "bytes 2-5/20" and r.headers["content-length"] == "4"
        r = await client.get("/static/a.txt", headers={"Range": "bytes=-3"})
        assert r.status == 206 and r.body == b"hij"
        r = await client.get("/static/big.bin", headers={"Range": "bytes=1000-"})
        assert r.status == 206 and r.body == BIG[1000:]
        r = await client.get("/static/a.txt", headers={"Range": "bytes=20-"})
        assert r.status == 416 and r.headers["content-range"] == "bytes */20"
        r = await client.get("/static/a.txt", headers={"Range": "bytes=0-1,4-5"})
        assert r.status == 200 and r.body == FILES["a.txt"]
        etag = r.headers["etag"]
        r = await client.get("/static/a.txt", headers={"Range": "bytes=0-1", "If-Range": etag})
        assert r.status == 206 and r.body == b"01"
        r = await client.get("/static/a.txt", headers={"Range": "bytes=0-1", "If-Range": '"stale"'})
        assert r.status == 200 and r.body == FILES["a.txt"]
    finally:
        _teardown(root)


async def test_precompressed_gzip():
    root, client = _setup()
    try:
        r = await client.get("/static/app.js", headers={"Accept-Encoding": "deflate, gzip;q=0.8"})
        assert r.body == FILES["app.js.gz"] and r.headers["content-encoding"] == "gzip"
        assert r.headers["content-type"] == "text/javascript; charset=utf-8"
        assert r.headers["vary"] == "Accept-Encoding" and r.headers["etag"].endswith('-gz"')
        plain = await client.get("/static/app.js")
        assert plain.body == FILES["app.js"] and "content-encoding" not in plain.headers
        assert plain.headers["vary"] == "Accept-Encoding"
        refused = await client.get("/static/app.js", headers={"Accept-Encoding": "gzip;q=0"})
        assert refused.body == FILES["app.js"]
        only = await client.get("/static/only.css", headers={"Accept-Encoding": "gzip"})
        assert only.body == FILES["only.css.gz"] and only.headers["content-encoding"] == "gzip"
        assert only.headers["content-type"] == "text/css; charset=utf-8"
        assert (await client.get("/static/only.css")).status == 404  # no gzip, no plain copy
        nogz = await client.get("/static/a.txt", headers={"Accept-Encoding": "gzip"})
        assert nogz.body == FILES["a.txt"] and "content-encoding" not in nogz.headers
    finally:
        _teardown(root)


async def test_directory_index_and_redirect():
    root, client = _setup()
    try:
        r = await client.get("/static/")
        assert r.status == 200 and r.body == FILES["index.html"]
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        r = await client.get("/static")
        assert r.status == 301 and r.headers["location"] == "/static/"
        r = await client.get("/static/docs?x=1")
        assert r.status == 301 and r.headers["location"] == "/static/docs/?x=1"
        r = await client.get("/static/docs/")
        assert r.body == b"docs index"
        r = await client.get("/static/sub/")
        assert r.status == 404
        r = await client.get("/static/sub/page.css")
        assert r.body == b"body{}" and r.headers["content-type"] == "text/css; charset=utf-8"
        assert (await client.get("/static/missing.txt")).status == 404
    finally:
        _teardown(root)


async def test_no_way_out_of_the_directory():
    root, client = _setup()
    name = root[root.rfind("/") + 1 :]
    try:
        targets = [
            "/static/../%s-secret.txt" % name,
            "/static/%2e%2e/" + name + "-secret.txt",
            "/static/..%2F" + name + "-secret.txt",
            "/static/sub/..%2F..%2F" + name + "-secret.txt",
            "/static/%2E%2E%2F" + name + "-secret.txt",
            "/static/..%5C" + name + "-secret.txt",
            "/static/sub%2Fpage.css",
            "/static//etc/passwd",
            "/static/%2Fetc%2Fpasswd",
            "/static/a.txt%00.png",
            "/static/./a.txt",
            "/static/sub/../a.txt",
            "/static/C:%5Cwindows",
            "/static/.env",
            "/static/sub/.hidden/a.txt",
            "/static/%2eenv",
        ]
        for target in targets:
            raw = await client.raw(raw_get(target))
            status = int(raw[9:12])
            assert status in (400, 404), (target, raw[:40])
            assert SECRET not in raw and b"root:" not in raw and b"body{}" not in raw, target
            assert b"PASSWORD" not in raw and b"hidden" not in raw, target
    finally:
        _teardown(root)


async def test_dotfiles_when_enabled():
    root = make_tree({".well-known/security.txt": b"Contact: x"})
    app, client = app_and_client()
    static.mount(app, "/", root, dotfiles=True)
    try:
        assert (await client.get("/.well-known/security.txt")).body == b"Contact: x"
        assert (await client.get("/../x")).status in (400, 404)
    finally:
        remove_tree(root)


async def test_send_file_from_a_handler():
    root = make_tree({"data.bin": b"abc"})
    app, client = app_and_client()

    @app.route("/download")
    async def download(req, resp):  # type: ignore[no-untyped-def]
        resp.add_header("Content-Disposition", 'attachment; filename="data.bin"')
        await static.send_file(resp, root + "/data.bin", content_type_="application/x-thing", cache_control=None)

    @app.route("/missing")
    async def missing(req, resp):  # type: ignore[no-untyped-def]
        await static.send_file(resp, root + "/nope")

    try:
        r = await client.get("/download")
        assert r.body == b"abc" and r.headers["content-type"] == "application/x-thing"
        assert "cache-control" not in r.headers and "attachment" in r.headers["content-disposition"]
        assert (await client.get("/missing")).status == 404
    finally:
        remove_tree(root)


async def test_keep_alive_after_files():
    root, client = _setup()
    try:
        two = b"GET /static/big.bin HTTP/1.1\r\nHost: t\r\n\r\n"
        two += b"GET /static/a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        raw = await client.raw(two)
        assert raw.count(b"HTTP/1.1 200") == 2 and raw.endswith(FILES["a.txt"])
    finally:
        _teardown(root)
