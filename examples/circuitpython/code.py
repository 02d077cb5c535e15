"""uht on a CircuitPython 10 board with Wi-Fi (Raspberry Pi Pico W / Pico 2 W, ESP32-S2/S3/C6 boards).

Copy this file to CIRCUITPY/code.py and settings.toml beside it (with your network filled in), uht's
.mpy files to CIRCUITPY/lib/uht/, and Adafruit's asyncio and adafruit_ticks to CIRCUITPY/lib/
(docs/circuitpython.md). The board joins the network from settings.toml, then serves on port 80 (or
UHT_PORT) until reset; the serial console shows the address.
"""

import os

import socketpool
import wifi

from uht import HTTPServer

app = HTTPServer()
visits = [0]


@app.route("/")
async def index(req, resp):
    visits[0] += 1
    resp.add_header("Content-Type", "text/html; charset=utf-8")
    page = "<h1>Hello from CircuitPython</h1><p>Visit %d. Try <a href='/api/status'>/api/status</a>.</p>"
    await resp.send(page % visits[0])


@app.route("/api/status")
async def status(req, resp):
    await resp.send_json({"visits": visits[0], "ip": str(wifi.radio.ipv4_address)})


@app.route("/api/echo", methods=["POST"])
async def echo(req, resp):
    await resp.send_json({"got": await req.json()})


def join_wifi():
    # CircuitPython joins CIRCUITPY_WIFI_SSID at boot already (for its web workflow); join here when it has not.
    if not wifi.radio.connected:
        wifi.radio.connect(os.getenv("CIRCUITPY_WIFI_SSID"), os.getenv("CIRCUITPY_WIFI_PASSWORD"))


def main():
    join_wifi()
    port = int(os.getenv("UHT_PORT") or 80)
    print("uht: serving on http://%s:%d/" % (wifi.radio.ipv4_address, port))
    app.run(port=port, pool=socketpool.SocketPool(wifi.radio))  # every interface (0.0.0.0) on a board


main()
