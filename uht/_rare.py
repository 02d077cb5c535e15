"""What most requests never need: error answers, no-route answers (404/405/OPTIONS), mount,
long-lived connections and the exit path. Imported on first use, so it costs no heap until then.
"""

from ._compat import IS_MICROPYTHON
from .connection import LONG_LIVED
from .log import log_exception
from .response import _DONE, Response
from .router import Route
from .status import HTTPError


async def answer_error(app, req, resp, exc) -> None:  # type: ignore[no-untyped-def]
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
    if not req.keep_alive:
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


async def reply_error(app, conn, exc, head_only: bool = False) -> None:  # type: ignore[no-untyped-def]
    """An error found before a handler ran: answer it and close (no body for a HEAD request)."""
    if app.access_log:
        app._log("%s - - %d" % (conn.remote_addr, exc.status))
    try:
        conn.disarm()
        resp = Response(conn, None)
        resp.head_only = head_only
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


async def no_route(app, req, resp, allowed) -> None:  # type: ignore[no-untyped-def]
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


def _allow(methods) -> str:  # type: ignore[no-untyped-def]
    names = set(methods)
    if "GET" in names:
        names.add("HEAD")
    names.add("OPTIONS")
    return ", ".join(sorted(names))


def mount(app, prefix: str, sub) -> None:  # type: ignore[no-untyped-def]
    prefix = prefix.rstrip("/")
    groups = list(sub.router.static.values()) + list(sub.router.by_length.values()) + [sub.router.rest_routes]
    for routes in groups:
        for r in routes:
            app.router.add(Route(prefix + r.pattern, r.handler, r.methods, r.max_body))


def claim_long_lived(app, req) -> None:  # type: ignore[no-untyped-def]
    cap = app.max_long_lived
    if cap is None:
        cap = max(1, app.max_connections // 2)  # dashboards left open never take every slot
    if cap:
        count = 0
        for c in app._conns:
            if c.state == LONG_LIVED:
                count += 1
        if count >= cap:
            raise HTTPError(503, headers=[["Retry-After", "5"]])
    req.conn.set_state(LONG_LIVED)
    req.keep_alive = False


def close_sockets_now(app) -> None:
    """After run() ends (Ctrl-C included): release the port and every client socket at once,
    with no event loop left to do it, so running again works."""
    app._closing = True
    if app._listen is not None:
        app._listen.close()
        app._listen = None
    for conn in app._conns:
        conn.close_now()
    app._conns = []
    if IS_MICROPYTHON:
        import asyncio

        asyncio.new_event_loop()  # drop tasks an interrupted run left behind
