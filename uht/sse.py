"""Server-Sent Events (text/event-stream) for uht. Opt-in: the core never imports this module.

    from uht import HTTPServer, sse

    app = HTTPServer(max_long_lived=4)

    @sse.route(app, "/events")
    async def events(req, stream):
        n = 0
        while True:
            n += 1
            await stream.send({"count": n}, event="tick", id=n)  # dicts and lists go as JSON
            await asyncio.sleep(1)

An event stream counts as a long-lived connection (`app.claim_long_lived`): at `max_long_lived`
the request answers 503, and ordinary requests keep their connection slots. A client that goes
away ends the handler: send() raises (the server closes quietly), or, while the handler waits,
the keep-alive comment that fails to go out cancels it.
"""

import asyncio

from ._compat import TYPE_CHECKING, ticks_diff, ticks_ms
from .connection import ClientGone

if TYPE_CHECKING:
    from typing import Any, Callable

    from .request import Request
    from .response import Response
    from .server import HTTPServer


def format_event(
    data: "Any" = None, event: "str | None" = None, id: "Any" = None, retry: "int | float | None" = None
) -> bytes:
    """One event in the wire format. data: str, bytes (UTF-8), or anything json.dumps takes;
    each line of it becomes a `data:` line."""
    out = []
    if event is not None:
        out.append("event: " + _field(event))
    if id is not None:
        id = _field(str(id))
        if "\x00" in id:
            raise ValueError("NUL in event id")
        out.append("id: " + id)
    if retry is not None:
        out.append("retry: %d" % int(retry))
    if data is not None:
        if isinstance(data, bytes):
            data = str(data, "utf-8")
        elif not isinstance(data, str):
            import json

            data = json.dumps(data)
        for line in data.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            out.append("data: " + line)
    return ("\n".join(out) + "\n\n").encode()


def _field(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("line break in an event field")
    return value


async def start(
    req: "Request", resp: "Response", retry: "int | float | None" = None, keepalive: "int | float | None" = 15
) -> "EventStream":
    """Start an event stream on resp and return an EventStream. retry: the reconnection delay
    (ms) to suggest to the client; keepalive: seconds of silence after which a comment line is
    sent (None: never). Close it with `await stream.close()` (route() does)."""
    req.server.claim_long_lived(req)
    resp.add_header("Content-Type", "text/event-stream")
    resp.add_header("Cache-Control", "no-cache")
    resp.keep_alive = False  # the stream ends with the connection
    await resp.start_stream()
    stream = EventStream(req, resp, keepalive)
    if retry is not None:
        await stream._write(format_event(retry=retry))
    return stream


def route(app: "HTTPServer", path: str, **options: "Any") -> "Callable":
    """Decorator: `async def handler(req, stream, *path_params)` serves an event stream at path.
    HEAD gets the headers only."""

    def decorate(handler: "Callable") -> "Callable":
        async def serve(req: "Request", resp: "Response", *params: "str | int") -> None:
            if req.method == "HEAD":
                resp.add_header("Content-Type", "text/event-stream")
                resp.add_header("Cache-Control", "no-cache")
                return
            stream = await start(req, resp, **options)
            try:
                await handler(req, stream, *params)
            finally:
                stream.close()

        app.add_route(path, serve, methods=["GET"])
        return handler

    return decorate


def install(app: "Any") -> None:
    """Give app an `sse(path, **options)` decorator, the same as route(app, path)."""
    # app is an HTTPServer; Any because HTTPServer does not declare the `sse` attribute set here.
    app.sse = lambda path, **options: route(app, path, **options)


class EventStream:
    closed = False

    def __init__(self, req: "Request", resp: "Response", keepalive: "int | float | None" = 15) -> None:
        self.request = req
        self.response = resp
        self.last_event_id = req.headers.get("last-event-id")  # a reconnecting client's resume point
        self._task = getattr(req.conn, "task", None)  # the connection's task, for cancelling
        self._lock = asyncio.Lock()
        self._last_write = ticks_ms()
        self._keeper = None
        if keepalive is not None:
            self._keeper = asyncio.create_task(self._keep_alive(keepalive))

    async def send(
        self, data: "Any" = None, event: "str | None" = None, id: "Any" = None, retry: "int | float | None" = None
    ) -> None:
        """Send one event (see format_event). Raises ClientGone once the client has left."""
        await self._write(format_event(data, event, id, retry))

    async def comment(self, text: str = "") -> None:
        """A comment line: clients ignore it; proxies and the TCP connection see traffic."""
        await self._write(b": " + _field(text).encode() + b"\n\n")

    async def _write(self, data: bytes) -> None:
        if self.closed:
            raise ClientGone
        try:
            async with self._lock:  # one writer at a time: the keep-alive task writes too
                await self.response.send(data)
        except OSError:
            self._gone()
            raise ClientGone
        self._last_write = ticks_ms()

    async def _keep_alive(self, interval: "int | float") -> None:
        period = int(interval * 1000)
        while not self.closed:
            quiet = ticks_diff(ticks_ms(), self._last_write)
            if quiet >= period:
                try:
                    await self._write(b": keep-alive\n\n")
                except ClientGone:
                    if self._task is not None:
                        self._task.cancel()  # the handler may be waiting for news: stop it now
                    return
                quiet = 0
            await asyncio.sleep((period - quiet) / 1000)

    def _gone(self) -> None:
        self.closed = True

    def close(self) -> None:
        """Stop the keep-alive task; the server closes the connection when the handler returns."""
        self.closed = True
        keeper = self._keeper
        self._keeper = None
        if keeper is not None:
            keeper.cancel()
