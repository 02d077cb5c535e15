"""Static files for the e2e tests and the redbot check.

<runtime> static_app.py HOST PORT      (serves $UHT_STATIC_ROOT under /static and at /)
"""

import os
import sys

import uht.static as static
from uht import HTTPServer

ROOT = os.getenv("UHT_STATIC_ROOT") or "/tmp"
app = HTTPServer(max_connections=8)


@app.route("/download/<name>")
async def download(req, resp, name):  # type: ignore[no-untyped-def]
    resp.add_header("Content-Disposition", 'attachment; filename="%s"' % name)
    await static.send_file(resp, static.safe_join(ROOT, [name]), cache_control="no-cache")


static.mount(app, "/static", ROOT, cache_control="max-age=3600")
static.mount(app, "/", ROOT)

if __name__ == "__main__" and len(sys.argv) > 2:
    app.run(sys.argv[1], int(sys.argv[2]))
