"""The example dashboard in headless Chromium, against the server under MicroPython.

Drives Chromium through the DevTools protocol (the `websockets` client): loads the page, waits
for live values over WebSocket and SSE, posts the settings form, checks that the page's files came
gzip-compressed and that the page logged no errors, and saves a screenshot (dist/dashboard.png;
docs/img/dashboard.png too with UHT_UPDATE_SCREENSHOT=1, as `make dashboard-screenshot` does).
Skips when no chromium is installed (apt-get install chromium).
"""

import base64
import gzip
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest
import runtimes
from websockets.sync.client import connect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DASHBOARD = os.path.join(ROOT, "examples", "dashboard")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1200,820",
    "--remote-debugging-port=0",
]


class DevTools:
    """Just enough of the Chrome DevTools protocol: commands, and the events seen meanwhile."""

    def __init__(self, ws) -> None:  # type: ignore[no-untyped-def]
        self.ws = ws
        self.next_id = 0
        self.events: list = []

    def call(self, method: str, **params):  # type: ignore[no-untyped-def]
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=20))
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def evaluate(self, expression: str):  # type: ignore[no-untyped-def]
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for: " + expression)
            time.sleep(0.2)


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="uht-chromium-")
    proc = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, "--user-data-dir=" + profile, "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            assert proc.poll() is None, "chromium exited"
            assert time.monotonic() < deadline, "chromium did not start"
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=10) as r:
            page = [t for t in json.load(r) if t["type"] == "page"][0]
        with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as ws:
            yield DevTools(ws)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def test_compressed_copies_match_their_sources():
    www = os.path.join(DASHBOARD, "www")
    for name in ("index.html", "app.js", "style.css"):
        with open(os.path.join(www, name), "rb") as f, gzip.open(os.path.join(www, name + ".gz")) as g:
            assert f.read() == g.read(), name + ".gz is stale: run python examples/dashboard/compress.py"


@pytest.mark.parametrize("runtime", runtimes.select(["mpy", "mpy121"]))
def test_dashboard_live_in_chromium(browser, start_server, runtime):  # type: ignore[no-untyped-def]
    srv = start_server(os.path.join(DASHBOARD, "app.py"), runtime)
    browser.call("Network.enable")
    browser.call("Runtime.enable")
    browser.call("Log.enable")
    browser.call("Page.enable")
    browser.call("Page.navigate", url=srv.url + "/")

    # Live values over both channels: counters grow, fields fill in.
    browser.wait_for("Number(document.getElementById('ws-count').textContent) >= 4")
    browser.wait_for("Number(document.getElementById('sse-count').textContent) >= 2")
    temp = float(browser.evaluate("document.getElementById('temp').textContent"))
    assert 15 < temp < 30
    assert browser.evaluate("document.getElementById('conn-ws').className") == "pill on"
    assert browser.evaluate("document.getElementById('conn-sse').className") == "pill on"
    assert browser.evaluate("document.getElementById('clients').textContent") == "1"

    # The LED button goes over the WebSocket and comes back.
    browser.evaluate("document.getElementById('led').click()")
    browser.wait_for("document.getElementById('led').textContent === 'LED on'")

    # The form post; the new label comes back through the event stream.
    browser.evaluate(
        "document.getElementById('f-label').value = 'Greenhouse 2';"
        "document.getElementById('f-threshold').value = '23.5';"
        "document.getElementById('settings').requestSubmit()"
    )
    browser.wait_for("document.getElementById('saved').textContent === 'Saved'")
    browser.wait_for("document.getElementById('label').textContent === 'Greenhouse 2'")
    browser.wait_for("document.getElementById('threshold').textContent === '23.5'")
    browser.wait_for("Number(document.getElementById('ws-count').textContent) >= 12")  # a fuller chart

    shot = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
    assert shot.startswith(b"\x89PNG") and len(shot) > 10000
    os.makedirs(os.path.join(ROOT, "dist"), exist_ok=True)
    with open(os.path.join(ROOT, "dist", "dashboard.png"), "wb") as f:
        f.write(shot)
    if os.environ.get("UHT_UPDATE_SCREENSHOT"):
        os.makedirs(os.path.join(ROOT, "docs", "img"), exist_ok=True)
        with open(os.path.join(ROOT, "docs", "img", "dashboard.png"), "wb") as f:
            f.write(shot)

    browser.call("Runtime.evaluate", expression="1")  # collect the events still queued
    responses = {}
    for event in browser.events:
        if event["method"] == "Network.responseReceived":
            response = event["params"]["response"]
            headers = {k.lower(): v for k, v in response["headers"].items()}
            responses[response["url"].rsplit("/", 1)[-1]] = (response["status"], headers)
    for name in ("", "app.js", "style.css"):
        status, headers = responses[name]
        assert status == 200 and headers.get("content-encoding") == "gzip", (name, headers)
    assert responses["logo.png"][0] == 200
    errors = [
        e
        for e in browser.events
        if e["method"] == "Runtime.exceptionThrown"
        or e["method"] == "Log.entryAdded"
        and e["params"]["entry"]["level"] == "error"
    ]
    assert not errors, errors
    assert "Traceback" not in srv.output()
