"""Error answers: a handler's failure (500 or its HTTPError), errors found before a handler ran
(400, 408, 413, 414, 431 ...), and what no route answers (404, 405, OPTIONS).

Loaded with the server, never on the error path itself: an import is the worst allocation to make
when memory runs out. When even building an answer fails, a constant one goes out.
"""

from ._compat import TYPE_CHECKING
from .log import log_exception
from .response import _DONE, Response
from .status import HTTPError

if TYPE_CHECKING:
    from typing import Any

    from .connection import Connection
    from .request import Request


# Answers that need no allocation, for when the heap cannot build one: constants (in flash when
# frozen).
BUSY_REPLY = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 19\r\nConnection: close\r\n\r\nServer is too busy\n"
)
_ANSWER_400 = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
    b"Connection: close\r\n\r\nBad Request\n"
)
_ANSWER_408 = (
    b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
    b"Connection: close\r\n\r\nRequest Timeout\n"
)
_ANSWER_413 = (
    b"HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain\r\nContent-Length: 18\r\n"
    b"Connection: close\r\n\r\nContent Too Large\n"
)
_ANSWER_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 32\r\nConnection: close\r\n\r\nRequest Header Fields Too Large\n"
)
_ANSWER_500 = (
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 22\r\n"
    b"Connection: close\r\n\r\nInternal Server Error\n"
)


def fallback(status: int) -> bytes:
    """The constant answer nearest to status (same class)."""
    if status == 503:
        return BUSY_REPLY
    if status == 408:
        return _ANSWER_408
    if status == 413:
        return _ANSWER_413
    if status == 431:
        return _ANSWER_431
    return _ANSWER_500 if status >= 500 else _ANSWER_400


async def answer_error(app: "Any", req: "Request", resp: Response, exc: BaseException) -> None:
    """A handler failed: answer with the error status (or the app's error handler)."""
    if isinstance(exc, HTTPError):
        status = exc.status
    else:
        status = 500
        log_exception("error in handler for %s %s" % (req.method, req.path), exc)
    if resp.started:
        # No terminating chunk, and the connection closes: the client can tell the body is cut.
        resp.keep_alive = False
        resp._mode = _DONE
        return
    if not req.keep_alive or status == 503:
        resp.keep_alive = False  # e.g. the body's framing broke: this connection ends here
    handler = app._error_handlers.get(status) or app._error_handlers.get(type(exc))
    _reset(resp, status)
    if handler is not None:
        try:
            await handler(req, resp, exc)
            return
        except Exception as again:
            log_exception("error in error handler", again)
            _reset(resp, 500)
            exc = HTTPError(500)
    if isinstance(exc, HTTPError):
        for name, value in exc.headers:
            resp.add_header(name, value)
        if status >= 400 and exc.status == status:
            await resp.send(exc.message + "\n")
    else:
        await resp.send("Internal Server Error\n")


async def reply_error(app: "Any", conn: "Connection", exc: HTTPError, head_only: bool = False) -> None:
    """An error found before a handler ran: answer it and close (no body for a HEAD request)."""
    try:
        conn.disarm()
        if app.access_log:
            app._log("%s - - %d" % (conn.remote_addr, exc.status))
        resp = Response(conn, None)
        resp.head_only = head_only
        resp._write_timeout = app.write_timeout
        _reset(resp, exc.status)
        for name, value in exc.headers:
            resp.add_header(name, value)
        resp._held = (exc.message + "\n").encode()
        await resp.finish()
    except MemoryError:
        try:
            conn.write(fallback(exc.status))
            await conn.flush(app.write_timeout)
        except Exception:
            pass
    except Exception:  # the client is gone or stalled: closing is all that is left
        pass


def _reset(resp: Response, status: int) -> None:
    resp.headers = ()  # type: ignore[assignment]
    resp._held = None
    resp.status = status
    resp.reason = None


async def no_route(app: "Any", req: "Request", resp: Response, allowed: "Any") -> None:
    """No route takes this method here: 405 (or 204 for OPTIONS) when the path answers other
    methods; the catch-all or 404 when it answers none."""
    if allowed:
        if req.method != "OPTIONS":
            raise HTTPError(405, headers=[["Allow", _allow(allowed)]])
        resp.set_status_code(204)
        resp.add_header("Allow", _allow(allowed))
    elif req.method == "OPTIONS" and req.path == "*":
        resp.set_status_code(204)
        resp.add_header("Allow", _allow(app.router.methods_in_use))
    elif app._catchall is not None and 404 not in app._error_handlers:
        await app._catchall(req, resp)
    else:
        raise HTTPError(404)


def _allow(methods: "Any") -> str:
    names = set(methods)
    if "GET" in names:
        names.add("HEAD")
    names.add("OPTIONS")
    return ", ".join(sorted(names))
