"""Streaming uploads for the e2e tests: multipart parts go to files through one small buffer.

<runtime> upload_app.py HOST PORT      (files land in $UHT_UPLOAD_DIR, default /tmp)
"""

import gc
import os
import sys

import uht.multipart as multipart
from uht import HTTPServer

UPLOAD_DIR = os.getenv("UHT_UPLOAD_DIR") or "/tmp"
app = HTTPServer(max_connections=4, body_timeout=5.0)
mem_free = getattr(gc, "mem_free", lambda: -1)  # CPython has no heap figures
mem_alloc = getattr(gc, "mem_alloc", lambda: -1)


@app.route("/upload", methods=["POST"])
async def upload(req, resp):  # type: ignore[no-untyped-def]
    saved = []
    fields = {}
    async for part in multipart.parts(req, buffer_size=512):
        if part.filename:
            name = part.filename.replace("/", "_").replace("\\", "_")
            if name.startswith("."):
                name = "_" + name
            size = await multipart.save_upload(part, UPLOAD_DIR + "/" + name, buffer_size=512)
            saved.append([part.name, name, size])
        else:
            fields[part.name] = await part.text(limit=256)
    gc.collect()
    await resp.send_json({"files": saved, "fields": fields, "mem_free": mem_free()})


@app.route("/mem")
async def mem(req, resp):  # type: ignore[no-untyped-def]
    gc.collect()
    await resp.send_json({"mem_free": mem_free(), "mem_alloc": mem_alloc()})


if __name__ == "__main__" and len(sys.argv) > 2:
    app.run(sys.argv[1], int(sys.argv[2]))
