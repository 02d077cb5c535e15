# Defaults written on first boot and by uhtfw.restore_defaults(). MAIN_PY is the user's file from
# then on: it must run as /main.py and `import main` must give `main.app` without serving.

SETTINGS = {
    "ssid": "",
    "password": "",
    "hostname": "",
    "ap_password": "",
    "port": 80,
    "connect_timeout_s": 20,
    "setup_page": "ap",
    "ntp_host": "pool.ntp.org",
    "safe_window_ms": 1000,
}

MAIN_PY = """\
# main.py - your uht web app. It runs at every boot (unless safe mode is on).
# Edit it, then:  mpremote cp main.py :main.py + soft-reset
# Wi-Fi settings live in /settings.json (or use the setup page at /uht/setup in access-point mode).
import uhtfw
from uht import HTTPServer

# As many connections as this image's network stack holds (uhtfw.max_connections()).
app = HTTPServer(max_connections=uhtfw.max_connections())


@app.route("/")
async def index(req, resp):
    resp.add_header("Content-Type", "text/html")
    await resp.send("<h1>Hello from uht</h1><p>Edit main.py to change this page.</p>")


@app.route("/hello/<name>")
async def hello(req, resp, name):
    await resp.send("Hello, " + name + "!")


@app.route("/api/status")
async def status(req, resp):
    await resp.send_json(uhtfw.status())


if __name__ == "__main__":
    uhtfw.start(app)
"""
