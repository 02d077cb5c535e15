"""The runtime's ceiling: a minimal asyncio responder.

Reads one request head line by line and writes a fixed response; keeps the connection open unless
the head says `Connection: close`. No routing, no parsing, no limits: what any HTTP server on this
runtime can at best reach with asyncio streams. Runs under MicroPython and CPython.

    python ceiling.py PORT [BACKLOG]
"""

import asyncio
import sys

BODY = b"Hello, world!"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
KEEP = HEAD + b"\r\n" + BODY
CLOSE = HEAD + b"Connection: close\r\n\r\n" + BODY


async def serve(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            close = False
            while line not in (b"\r\n", b"\n", b""):
                if line[:11].lower() == b"connection:" and b"close" in line.lower():
                    close = True
                line = await reader.readline()
            writer.write(CLOSE if close else KEEP)
            await writer.drain()
            if close or not line:
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
