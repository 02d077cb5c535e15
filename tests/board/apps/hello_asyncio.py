"""The floor: a bare asyncio responder with no library. It finds each head's end in 512-byte reads
and writes one fixed answer (closing after it when the head says `Connection: close`), nothing
else: what any server on this runtime's asyncio streams costs at least (bench/apps/ceiling.py's kind)."""

import probe  # noqa: I001  (first: the heap baseline)

import asyncio

KEEP = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!"
CLOSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, world!"


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
            probe.tick()
            writer.write(CLOSE if close else KEEP)
            # MicroPython's write() already sent what the socket took; drain() with nothing queued
            # only yields to the scheduler once more (bench/apps/ceiling.py does the same).
            if getattr(writer, "out_buf", True):
                await writer.drain()
            if close:
                break
    except OSError:
        pass
    writer.close()
    await writer.wait_closed()


async def main():
    await asyncio.start_server(serve, "127.0.0.1", probe.PORT)
    await probe.serve_forever()


asyncio.run(main())
