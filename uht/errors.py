"""Error answers, and lingering after them: a handler's failure (500 or its HTTPError), errors
found before a handler ran (400, 408, 413, 414, 431 ...), and what no route answers (404, 405,
OPTIONS).

Imported on the first error, so it costs no heap until then. The server guards that import: when
it (or building an answer) fails for want of memory, a constant answer from uht/status.py goes
out instead, which needs no allocation at all.
"""

from ._compat import TYPE_CHECKING, ticks_add, ticks_diff, ticks_ms
from .log import log_exception
from .response import _DONE, Response
from .status import HTTPError, constant_answer

if TYPE_CHECKING:
    from typing import Any

    from .connection import Connection
    from .request import Request


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
            app._log("%s - - %d" % (conn.remote_addr(), exc.status))
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
            conn.write(constant_answer(exc.status))
            await conn.flush(app.write_timeout)
        except Exception:
            pass
    except Exception:  # the client is gone or stalled: closing is all that is left
        pass


def _reset(resp: Response, status: int) -> None:
    resp.headers = ()
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


# -- lingering --------------------------------------------------------------------------------
# After an answer that leaves request bytes unread, closing at once would make the kernel reset
# the connection, and a reset destroys the answer in the client's receive buffer.

_DISCARD = bytearray(256)  # where lingering reads go: shared, only its last bytes are looked at


def _ends_a_head(n: int) -> bool:
    """Whether the n bytes just read into _DISCARD end with an empty line (CRLF CRLF or LF LF)."""
    d = _DISCARD
    return n >= 2 and d[n - 1] == 10 and (d[n - 2] == 10 or n >= 4 and d[n - 2] == 13 and d[n - 3] == 10)


async def linger(conn: "Connection", budget: int, timeout: float, quiet: float) -> None:
    """After an answer that left request bytes unread: read and drop what the client still
    sends, so that closing does not reset the connection and destroy the answer on its way.
    Stops at EOF, after budget bytes, after timeout seconds, or after quiet seconds without
    data (the sweeper enforces the deadlines)."""
    end_write = getattr(conn.writer, "write_eof", None)  # CPython: shutdown(SHUT_WR)
    if end_write is not None:
        try:
            end_write()
        except (OSError, RuntimeError):
            pass
    budget -= conn.end - conn.start
    conn.start = conn.end = 0
    until = ticks_add(ticks_ms(), int(timeout * 1000))
    quiet_ms = int(quiet * 1000)
    view = memoryview(_DISCARD)
    while budget > 0:
        soon = ticks_add(ticks_ms(), quiet_ms)
        conn.deadline = soon if ticks_diff(until, soon) > 0 else until
        n = await conn.readinto(view[: min(budget, len(_DISCARD))])
        if not n:
            return
        budget -= n
        if _ends_a_head(n):
            quiet_ms = 100  # what came ends with a blank line: a body would follow at once
