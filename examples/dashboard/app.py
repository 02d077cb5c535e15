"""A live sensor dashboard on uht: static files (gzip), WebSocket, Server-Sent Events, a form.

    micropython app.py [HOST PORT]        # then open http://127.0.0.1:8081/

www/ holds the page (index.html, app.js, style.css, logo.png) with precompressed .gz copies
(made by compress.py); uht.static sends the .gz to browsers that accept gzip. On a board, copy
app.py and www/ to the flash (mpremote cp -r www :) and read real sensors in read_sensors().
"""

import asyncio
import gc
import math
import sys
import time

from uht import HTTPError, HTTPServer, sse, static, websocket

app = HTTPServer(max_connections=8, max_long_lived=4)  # a few tabs never starve other requests
websocket.install(app)

_here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
WWW = _here + "/www"
STARTED = time.time()
settings = {"label": "Greenhouse", "threshold": 25.0}
state = {"led": False, "ws_clients": 0, "messages": 0}


def read_sensors() -> dict:
    """Simulated readings; on a board read an ADC or a sensor here."""
    t = time.time() - STARTED
    temp = 21.0 + 3.0 * math.sin(t / 8.0) + 0.3 * math.sin(t * 1.7)
    mem = gc.mem_free() if hasattr(gc, "mem_free") else 0
    return {"temp": round(temp, 2), "uptime": int(t), "mem_free": mem, "led": state["led"]}


@app.websocket("/ws")
async def live(req, ws):
    """Pushes readings twice a second; takes {"led": true/false} from the page."""
    state["ws_clients"] += 1

    async def push():
        try:
            while True:
                reading = read_sensors()
                reading["alarm"] = reading["temp"] > settings["threshold"]
                await ws.send(_json(reading))
                await asyncio.sleep(0.5)
        except websocket.ConnectionClosed:
            pass  # the page went away; the receive loop below ends too

    pusher = asyncio.create_task(push())
    try:
        async for msg in ws:
            state["messages"] += 1
            if isinstance(msg, str) and '"led"' in msg:
                state["led"] = "true" in msg
                await ws.send(_json({"led": state["led"]}))
    finally:
        pusher.cancel()
        state["ws_clients"] -= 1


@sse.route(app, "/events", retry=2000, keepalive=10)
async def events(req, stream):
    """A status event every second: who is connected, what the settings say."""
    n = int(stream.last_event_id or 0)
    while True:
        n += 1
        status = {"ws_clients": state["ws_clients"], "messages": state["messages"], "tick": n}
        status.update(settings)
        await stream.send(_json(status), event="status", id=n)
        await asyncio.sleep(1)


@app.route("/api/settings", methods=["GET", "POST"])
async def api_settings(req, resp):
    if req.method == "POST":
        form = await req.form()
        label = form.get("label", "").strip()
        try:
            threshold = float(form.get("threshold", ""))
        except ValueError:
            raise HTTPError(400, "threshold must be a number")
        if not label or len(label) > 40 or not -40 <= threshold <= 125:
            raise HTTPError(400, "label 1-40 characters, threshold -40..125")
        settings["label"] = label
        settings["threshold"] = threshold
        if "json" not in req.headers.get("accept", ""):
            resp.redirect("/", status=303)  # a plain form post, without JavaScript
            return
    await resp.send_json(settings)


def _json(obj) -> str:
    import json

    return json.dumps(obj)


static.mount(app, "/", WWW, cache_control="no-cache")  # last: routes are tried in order

if __name__ == "__main__":
    if len(sys.argv) > 2:
        app.run(sys.argv[1], int(sys.argv[2]))
    else:
        app.run()
