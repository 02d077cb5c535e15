"""Static files: serve a directory under a URL prefix, or one file from a handler.

    import uht.static
    uht.static.mount(app, "/static", "/www")          # GET/HEAD /static/<path>
    await uht.static.send_file(resp, "/www/a.txt")    # from a handler

Files stream from flash through one small buffer per request. A `name.gz` next to `name` is sent
instead when the client accepts gzip. ETag/Last-Modified answer conditional requests with 304,
single byte ranges with 206 (416 when out of range). Paths are checked segment by segment, so no
request reaches outside the served directory.
"""

import os

from ._compat import TYPE_CHECKING, const, gmtime
from .headers import http_date
from .status import HTTPError

if TYPE_CHECKING:
    from typing import Any, Callable, Literal

    from .headermap import Headers
    from .request import Request
    from .response import Response
    from .server import HTTPServer

CHUNK_SIZE = 512  # bytes read from flash and sent per write
DEFAULT_CACHE_CONTROL = "max-age=600"

# Literal strings: frozen into firmware they stay in flash (a concatenation would be built in RAM).
TYPES = {
    "html": "text/html; charset=utf-8",
    "htm": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "mjs": "text/javascript; charset=utf-8",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xml": "application/xml",
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "ico": "image/x-icon",
    "wasm": "application/wasm",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "pdf": "application/pdf",
    "map": "application/json",
}
_DEFAULT_TYPE = const("application/octet-stream")
_DIR_FLAG = const(0x4000)  # S_IFDIR in os.stat()[0]


def content_type(path: str) -> str:
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return _DEFAULT_TYPE
    return TYPES.get(path[dot + 1 :].lower(), _DEFAULT_TYPE)


def _stat(path: str) -> "os.stat_result | None":
    try:
        return os.stat(path)
    except OSError:
        return None


def _is_dir(st: "os.stat_result") -> bool:
    return bool(st[0] & _DIR_FLAG)


def safe_join(root: str, segments: list) -> str:
    """root + the decoded URL segments, refusing anything that could leave root: `..`, `.`,
    a segment holding `/` (an encoded %2F), `\\`, NUL or a drive colon. Raises HTTPError(404)."""
    parts = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if not seg:
            if i == last:
                break  # a trailing slash: the directory itself
            raise HTTPError(404)
        if seg in ("..", ".") or "/" in seg or "\\" in seg or "\x00" in seg or ":" in seg:
            raise HTTPError(404)
        parts.append(seg)
    return root.rstrip("/") + "/" + "/".join(parts) if parts else root


# -- conditional requests and ranges ------------------------------------------------------------

_MONTHS = const(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))


def parse_http_date(text: str) -> "tuple[int, int, int, int, int, int] | None":
    """(Y, M, D, h, m, s) of an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), or None."""
    parts = text.split()
    if len(parts) != 6 or parts[5] != "GMT" or parts[2] not in _MONTHS:
        return None
    hms = parts[4].split(":")
    try:
        if len(hms) != 3:
            return None
        return (int(parts[3]), _MONTHS.index(parts[2]) + 1, int(parts[1]), int(hms[0]), int(hms[1]), int(hms[2]))
    except ValueError:
        return None


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match: weak comparison over a list of tags, or `*`."""
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or tag == etag or tag[2:] == etag and tag.startswith("W/"):
            return True
    return False


def _not_modified(headers: "Headers", etag: str, mtime: "tuple | None") -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, etag)  # If-Modified-Since is ignored when If-None-Match is sent
    ims = headers.get("if-modified-since")
    if ims is None or mtime is None:
        return False
    since = parse_http_date(ims)
    return since is not None and tuple(mtime) <= since


def parse_range(header: str, size: int) -> "tuple[int, int] | Literal[False] | None":
    """(first, last) for one `bytes=` range; None to ignore the header (other units, several
    ranges, bad syntax: send the whole file); False when it cannot be satisfied (416)."""
    header = header.strip()
    if not header.startswith("bytes=") or "," in header:
        return None
    spec = header[6:].strip()
    dash = spec.find("-")
    if dash < 0:
        return None
    first, last = spec[:dash].strip(), spec[dash + 1 :].strip()
    if not (first.isdigit() or not first) or not (last.isdigit() or not last) or not (first or last):
        return None
    if not first:  # the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            return False
        return max(0, size - n), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # syntactically invalid: ignored, as RFC 9110 says
    if start >= size:
        return False
    return start, min(end, size - 1)


# -- sending -------------------------------------------------------------------------------------


def _accepts_gzip(headers: "Headers") -> bool:
    value = headers.get("accept-encoding")
    if not value:
        return False
    for item in value.split(","):
        params = item.strip().split(";")
        if params[0].strip().lower() in ("gzip", "*"):
            q = params[1].strip() if len(params) > 1 else ""
            return q not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _validators(st: "os.stat_result") -> "tuple[str, str | None, tuple | None]":
    """(ETag, Last-Modified or None, gmtime tuple of mtime or None) from os.stat()."""
    size, mtime = st[6], int(st[8])
    etag = '"%x-%x"' % (size, mtime)
    t = gmtime(mtime)
    if t[0] < 2020:  # a board whose clock was never set: the date would mislead caches
        return etag, None, None
    return etag, http_date(mtime), t[:6]


async def send_file(
    resp: "Response",
    path: str,
    req: "Any" = None,  # a Request; None: resp.request (Any: Response.request is typed Request | None)
    content_type_: "str | None" = None,
    cache_control: "str | None" = DEFAULT_CACHE_CONTROL,
    gzip: bool = True,
    chunk_size: int = CHUNK_SIZE,
) -> None:
    """Answer with the file at `path` (a filesystem path, not checked: see safe_join()).
    Honours Accept-Encoding (name.gz), If-None-Match/If-Modified-Since (304), Range (206/416) and
    HEAD. A missing file or a directory answers 404."""
    req = req if req is not None else resp.request
    headers = req.headers
    st = _stat(path)
    if st is not None and _is_dir(st):
        raise HTTPError(404)
    ctype = content_type_ or content_type(path)
    encoded = False
    if gzip and _accepts_gzip(headers):
        gz_st = _stat(path + ".gz")
        if gz_st is not None and not _is_dir(gz_st):
            # Also when only name.gz is on the flash (it saves space): browsers all accept gzip.
            path, st, encoded = path + ".gz", gz_st, True
    if st is None:
        raise HTTPError(404)
    etag, last_modified, mtime = _validators(st)
    if gzip:
        resp.add_header("Vary", "Accept-Encoding")
        if encoded:
            etag = etag[:-1] + '-gz"'
            resp.add_header("Content-Encoding", "gzip")
    resp.add_header("ETag", etag)
    if last_modified is not None:
        resp.add_header("Last-Modified", last_modified)
    if cache_control:
        resp.add_header("Cache-Control", cache_control)
    if req.method in ("GET", "HEAD") and _not_modified(headers, etag, mtime):
        resp.set_status_code(304)
        resp.set_reason_phrase("Not Modified")
        return
    size = st[6]
    first, last = 0, size - 1
    resp.add_header("Accept-Ranges", "bytes")
    rng = headers.get("range")
    if rng is not None and req.method in ("GET", "HEAD") and _if_range_ok(headers, etag, last_modified):
        span = parse_range(rng, size)
        if span is False:
            resp.set_status_code(416)
            resp.set_reason_phrase("Range Not Satisfiable")
            resp.add_header("Content-Range", "bytes */%d" % size)
            resp.add_header("Content-Type", "text/plain; charset=utf-8")
            await resp.send(b"range not satisfiable\n")
            return
        if span is not None:
            first, last = span
            resp.set_status_code(206)
            resp.set_reason_phrase("Partial Content")
            resp.add_header("Content-Range", "bytes %d-%d/%d" % (first, last, size))
    resp.add_header("Content-Type", ctype)
    resp.add_header("Content-Length", str(last - first + 1))
    if resp.head_only or size == 0:
        return  # the head goes out when the handler returns
    await _stream(resp, path, first, last - first + 1, chunk_size)


def _if_range_ok(headers: "Headers", etag: str, last_modified: "str | None") -> bool:
    """If-Range: serve the range only when the validator still matches (strong ETag or date)."""
    value = headers.get("if-range")
    return value is None or value == etag or value == last_modified


async def _stream(resp: "Response", path: str, offset: int, length: int, chunk_size: int) -> None:
    buf = bytearray(min(chunk_size, length))
    view = memoryview(buf)
    write = _writer(resp)
    with open(path, "rb") as f:
        if offset:
            f.seek(offset)
        await resp.start_stream()
        while length > 0:
            n = f.readinto(buf if length >= len(buf) else view[:length])
            if not n:
                # The file shrank while we sent it: the client cannot get what we promised.
                raise OSError("file ended early: " + path)
            await write(view[:n])
            length -= n


def _writer(resp: "Response") -> "Callable":
    """Send one chunk without copying it: the buffer is reused for the next read, which is safe
    because every write is drained before it returns. Falls back to send() (which copies)."""
    write = getattr(resp, "write", None) or getattr(resp, "_write_body", None)
    return write if write is not None else resp.send


# -- serving a directory --------------------------------------------------------------------------


class StaticFiles:
    """The handler for a directory: `app.add_route(prefix + "/<path:rest>", StaticFiles(root, prefix))`.
    Options are those of send_file(), plus `index` (file served for a directory, None: 404) and
    `dotfiles` (serve names starting with "."; off by default)."""

    def __init__(
        self, root: str, prefix: str = "", index: "str | None" = "index.html", dotfiles: bool = False, **options: "Any"
    ) -> None:
        self.root = root.rstrip("/") or "/"
        self.dotfiles = dotfiles  # False: names starting with "." (.env, .git) answer 404
        self.prefix = prefix.rstrip("/")
        self.skip = self.prefix.count("/")  # URL segments taken by the prefix
        self.index = index
        self.options = options

    async def __call__(self, req: "Request", resp: "Response", *_params: "str | int") -> None:
        segments = req.segments[self.skip :]
        if not self.dotfiles:
            for seg in segments:
                if seg.startswith("."):
                    raise HTTPError(404)
        path = safe_join(self.root, segments)
        st = _stat(path)
        if st is not None and _is_dir(st):
            if not req.path.endswith("/"):
                # /static/docs -> /static/docs/ so that relative links in its index resolve
                qs = req.query_string
                target = req.path + "/" + ("?" + str(qs, "utf-8") if qs else "")
                resp.set_status_code(301)
                resp.add_header("Location", target)
                return
            if not self.index:
                raise HTTPError(404)
            path = path.rstrip("/") + "/" + self.index
        await send_file(resp, path, req, **self.options)


def mount(app: "HTTPServer", prefix: str, root: str, **options: "Any") -> StaticFiles:
    """Serve the directory `root` under the URL `prefix` (GET and HEAD). `prefix` may be "" or
    "/" to serve from the site root (register other routes first: routes are tried in order)."""
    handler = StaticFiles(root, prefix, **options)
    base = handler.prefix
    app.add_route(base + "/", handler, methods=["GET"])
    app.add_route(base + "/<path:rest>", handler, methods=["GET"])
    if base:
        app.add_route(base, handler, methods=["GET"])
    return handler
