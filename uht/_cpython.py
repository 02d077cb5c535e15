"""CPython's side of accepting connections: asyncio.start_server on uht's listening socket."""

import asyncio

from .server import _BUSY_REPLY


async def serve(app, sock) -> None:  # type: ignore[no-untyped-def]
    async def on_streams(reader, writer) -> None:  # type: ignore[no-untyped-def]
        if app._closing or not app._admit():
            writer.write(_BUSY_REPLY)
            writer.close()
            return
        conn = app._start_connection(reader, writer, writer.get_extra_info("peername"))
        conn.task = asyncio.current_task()
        await app._serve(conn)

    app._aio_server = await asyncio.start_server(on_streams, sock=sock, backlog=app.backlog)
