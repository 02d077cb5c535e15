"""The setup page (/uht/setup) through uht.testing.TestClient under the unix port: it shows a form in
access-point mode, saves valid credentials to /settings.json and restarts, refuses bad input, and is
off while the board is on Wi-Fi."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_support import HAVE_UHT, out, run_mpy

pytestmark = pytest.mark.skipif(not HAVE_UHT, reason="uht (uht/__init__.py, uht/testing.py) is not in the repo yet")


def drive(tmp_path, requests, mode="ap", settings_extra=""):
    """Run the setup routes on an empty app in `mode`; `requests` is MicroPython code awaiting `c`."""
    script = (
        "import asyncio, json, machine\n"
        "import uhtfw.provision, uhtfw.files as files, uhtfw.net as net, uhtfw.setup as setup\n"
        "from uht import HTTPServer\nfrom uht.testing import TestClient\n"
        "uhtfw.provision.provision()\n"
        "net.STATE['mode'] = {!r}\n"
        "setup.RESTART_DELAY_S = 0\n"
        "s = files.load_settings()\n{}\n"
        "app = HTTPServer()\nsetup.add_routes(app, s)\n"
        "async def go():\n"
        "    c = TestClient(app)\n"
        "{}"
        "    await asyncio.sleep(0.05)\n"
        "asyncio.run(go())\n"
        "print('resets', len(machine.RESETS))\n"
    ).format(
        mode,
        settings_extra,
        "".join("    " + line + "\n" for line in requests.splitlines()),
    )
    return out(run_mpy(script, tmp_path))


FORM = "application/x-www-form-urlencoded"


def test_form_is_shown_in_ap_mode(tmp_path):
    text = drive(
        tmp_path,
        "r = await c.get('/uht/setup')\nprint(r.status, r.headers['content-type'])\nprint(r.text)",
    )
    assert "200 text/html; charset=utf-8" in text
    assert "<form method=post action=/uht/setup>" in text and "name=ssid" in text and "name=password" in text
    assert text.strip().endswith("resets 0")


def test_valid_post_saves_and_restarts(tmp_path):
    req = (
        "r = await c.post('/uht/setup', body=b'ssid=My+Home&password=pa55%26word&hostname=kitchen',"
        f" headers={{'Content-Type': '{FORM}'}})\nprint(r.status, r.text)"
    )
    text = drive(tmp_path, req)
    assert "200 <h1>Saved</h1><p>Restarting to join My Home&hellip;" in text
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert (saved["ssid"], saved["password"], saved["hostname"]) == (
        "My Home",
        "pa55&word",
        "kitchen",
    )
    assert saved["connect_timeout_s"] == 20  # the other settings are kept
    assert text.strip().endswith("[stub] machine.reset()")  # the fake reset ends the program, as a real one would


@pytest.mark.parametrize(
    "body, message",
    [
        (b"ssid=&password=pa55word", "The network name must be 1 to 32 bytes."),
        (b"ssid=" + b"x" * 33, "The network name must be 1 to 32 bytes."),
        (b"ssid=home&password=short", "A WPA2 password has 8 to 63 characters"),
        (
            b"ssid=home&hostname=bad_name",
            "A hostname has letters, digits and &#39;-&#39; only.",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(tmp_path, body, message):
    req = (
        f"r = await c.post('/uht/setup', body={body!r}, headers={{'Content-Type': '{FORM}'}})\n"
        "print(r.status)\nprint(r.text)"
    )
    text = drive(tmp_path, req)
    assert "\n400\n" in "\n" + text
    assert message in text
    assert json.loads((tmp_path / "settings.json").read_text())["ssid"] == ""
    assert text.strip().endswith("resets 0")


def test_escapes_stored_values(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"ssid": "<script>'x'</script>"}))
    text = drive(tmp_path, "r = await c.get('/uht/setup')\nprint(r.text)")
    assert "<script>" not in text and "value='&lt;script&gt;&#39;x&#39;&lt;/script&gt;'" in text


def test_off_while_on_wifi_unless_always(tmp_path):
    req = (
        "r = await c.get('/uht/setup')\nprint(r.status)\n"
        f"r = await c.post('/uht/setup', body=b'ssid=evil', headers={{'Content-Type': '{FORM}'}})\nprint(r.status)"
    )
    text = drive(tmp_path, req, mode="station")
    assert text.strip().splitlines()[-3:] == ["403", "403", "resets 0"]
    assert json.loads((tmp_path / "settings.json").read_text())["ssid"] == ""
    text = drive(
        tmp_path,
        "r = await c.get('/uht/setup')\nprint(r.status)",
        mode="station",
        settings_extra="s['setup_page'] = 'always'",
    )
    assert text.strip().splitlines()[-2] == "200"
