"""Answering errors: a handler's exception, or a request refused before any handler ran.

Imported on the first error only, to keep the server's resident code small.
"""

from .log import log_exception
from .response import Response
from .status import HTTPError


async def answer_error(app, req, resp, exc) -> None:  # type: ignore[no-untyped-def]
    """A handler failed: answer with the error status (or the app's error handler)."""
    if isinstance(exc, HTTPError):
        status = exc.status
    else:
        status = 500
        log_exception("error in handler for %s %s" % (req.method, req.path), exc)
    if resp.started:
        resp.keep_alive = False  # the client cannot tell a half-sent body from a whole one
        return
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


async def reply_error(app, conn, exc) -> None:  # type: ignore[no-untyped-def]
    """An error found before a handler ran: answer it and close."""
    if app.access_log:
        app._log_line("%s - - %d" % (conn.remote_addr, exc.status))
    try:
        conn.disarm()
        resp = Response(conn, None)
        resp._write_timeout = app.write_timeout
        _reset(resp, exc.status)
        for name, value in exc.headers:
            resp.add_header(name, value)
        resp._held = (exc.message + "\n").encode()
        await resp.finish()
    except Exception:  # the client is gone or stalled: closing is all that is left
        pass


def _reset(resp, status: int) -> None:  # type: ignore[no-untyped-def]
    resp.headers = []
    resp._held = None
    resp.status = status
    resp.reason = None
