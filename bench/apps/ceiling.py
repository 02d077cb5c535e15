"""The runtime's ceiling: a minimal asyncio responder.

Reads until the blank line that ends a request head (in chunks: MicroPython's socket readline()
reads one byte per system call, so a readline-based responder measures that, not the runtime) and
writes one fixed response; keeps the connection open unless the head says `Connection: close`.
No routing, no parsing, no limits: what any HTTP server built on this runtime's asyncio streams
can at best reach. Runs under MicroPython and CPython.

    python ceiling.py PORT [BACKLOG]
"""

import asyncio
import sys

BODY = b"Hello, world!"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
KEEP = HEAD + b"\r\n" + BODY
CLOSE = HEAD + b"Connection: close\r\n\r\n" + BODY


async def serve(reader, writer):
    buf = b""
    try:
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                data = await reader.read(512)
                if not data:
                    break
                buf = buf + data if buf else data
                continue
            close = b"onnection: close" in buf[:end]
            buf = buf[end + 4 :]
            writer.write(CLOSE if close else KEEP)
            # MicroPython's write() already sent what the socket took; drain() with nothing queued
            # only yields to the scheduler once more, so skip it then (as uht does).
            if getattr(writer, "out_buf", True):
                await writer.drain()
            if close:
                break
    except OSError:
        pass
    try:
        writer.close()
        await writer.wait_closed()
    except OSError:
        pass


async def main(port, backlog):
    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=backlog)
    print("READY", port)
    await server.wait_closed()
    while True:  # MicroPython's Server.wait_closed() returns at once
        await asyncio.sleep(3600)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
    backlog = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    asyncio.run(main(port, backlog))
