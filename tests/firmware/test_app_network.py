"""Network behaviour of the firmware app under the unix port with a fake `network` module:
station join, AP fallback with the derived password, radio failure, reconnect, NTP, the `uht:` line."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_support import (
    HAVE_UHT,
    MICROPYPATH,
    MICROPYTHON,
    free_port,
    out,
    prelude,
    run_mpy,
    uht_lines,
)

UID = b"\xe6\x61\x41\x04\x03\x2b\x5c\x2a"  # what stubs/machine.py reports
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def reference_password(uid):
    # Written from the documented rule, independently of the firmware code.
    digest = hashlib.sha256(b"uht-ap-password:" + uid).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:12])


def bring_up(tmp_path, settings, setup=""):
    script = setup + (
        "import json, network, uhtfw.net as net\n"
        f"net.bring_up(json.loads({json.dumps(settings)!r}))\n"
        "print(json.dumps(net.STATE))\n"
        "print(net.describe(80, '0.0.0.0'))\n"
        "print(json.dumps({'ap': network.WLAN(network.AP_IF).settings, 'host': network.HOSTNAME,"
        " 'sta': network.WLAN(network.STA_IF).connects}))\n"
    )
    lines = out(run_mpy(script, tmp_path)).strip().splitlines()
    return json.loads(lines[-3]), lines[-2], json.loads(lines[-1])


def test_password_derivation_is_stable_per_device_and_wpa2_sized(tmp_path):
    script = (
        "import uhtfw.ident as i\n"
        "print(i.ap_password(b'\\x00\\x01'), i.ap_password(b'\\x00\\x02'), i.ap_password(), i.ap_password())\n"
    )
    a, b, mine, again = out(run_mpy(script, tmp_path)).split()
    assert a == reference_password(b"\x00\x01") and b == reference_password(b"\x00\x02")
    assert a != b
    assert mine == again == reference_password(UID)
    assert len(mine) == 12 and set(mine) <= set(ALPHABET)


def test_no_credentials_opens_wpa2_access_point(tmp_path):
    state, line, radio = bring_up(tmp_path, {"ssid": ""})
    password = reference_password(UID)
    assert state["mode"] == "ap"
    assert state["ssid"] == "uht-standard-5c2a"  # board name from sys.implementation._build, uid tail
    assert radio["ap"] == {
        "ssid": "uht-standard-5c2a",
        "key": password,
        "security": 3,
    }  # fake's SEC_WPA2
    assert radio["sta"] == []
    assert line == f"uht: access point 'uht-standard-5c2a' password {password} -> http://192.168.4.1/uht/setup"


def test_ap_password_can_be_set_in_settings(tmp_path):
    _state, line, radio = bring_up(tmp_path, {"ssid": "", "ap_password": "correct horse"})
    assert radio["ap"]["key"] == "correct horse" and "password correct horse" in line


def test_join_failure_falls_back_to_access_point(tmp_path):
    state, line, radio = bring_up(tmp_path, {"ssid": "home", "password": "wrong-pass", "connect_timeout_s": 1})
    assert radio["sta"] == [["home", "wrong-pass"]]
    assert state["mode"] == "ap"
    assert "could not join 'home'" in state["error"] and "could not join 'home'" in line
    assert line.startswith("uht: access point 'uht-standard-5c2a' password ")


def test_station_join_sets_hostname(tmp_path):
    setup = "import network\nnetwork.JOINABLE['home'] = 'pa55word!'\n"
    state, line, radio = bring_up(
        tmp_path,
        {"ssid": "home", "password": "pa55word!", "hostname": "kitchen"},
        setup,
    )
    assert state["mode"] == "station" and state["ip"] == "192.168.1.50"
    assert radio["host"] == ["kitchen"]
    assert line == "uht: http://192.168.1.50/ (http://kitchen.local/) on Wi-Fi 'home'"


def test_default_hostname_comes_from_unique_id(tmp_path):
    setup = "import network\nnetwork.JOINABLE['home'] = ''\n"
    _state, line, radio = bring_up(tmp_path, {"ssid": "home", "password": ""}, setup)
    assert radio["host"] == ["uht-2b5c2a"] and "http://uht-2b5c2a.local/" in line


def test_radio_failure_is_reported_and_not_fatal(tmp_path):
    state, line, _radio = bring_up(
        tmp_path,
        {"ssid": "home", "password": "x" * 8},
        "import network\nnetwork.RADIO_FAILS = True\n",
    )
    assert state["mode"] == "none"
    assert line.startswith("uht: no Wi-Fi (Wi-Fi radio failed to start: OSError(")
    assert line.endswith("); serving on 0.0.0.0:80")


@pytest.mark.parametrize("ssid", ["", "home"])
def test_silent_radio_failure_is_detected(tmp_path, ssid):
    # The CYW43 driver does not raise from active(True) when the chip is missing (the emulator).
    setup = "import network\nnetwork.SILENT_FAILURE = True\n"
    state, line, _ = bring_up(tmp_path, {"ssid": ssid, "password": "x" * 8}, setup)
    assert state["mode"] == "none"
    assert line.startswith("uht: no Wi-Fi (Wi-Fi radio failed to start: OSError(")
    assert line.endswith("); serving on 0.0.0.0:80")


def test_reconnects_after_drop_and_sets_clock_once(tmp_path):
    script = (
        "import asyncio, network, ntptime, uhtfw.net as net\n"
        "network.JOINABLE['home'] = 'pa55word!'\n"
        "s = {'ssid': 'home', 'password': 'pa55word!', 'connect_timeout_s': 3, 'ntp_host': 'ntp.example'}\n"
        "net.bring_up(s)\n"
        "sta = network.WLAN(network.STA_IF)\n"
        "async def go():\n"
        "    t = asyncio.create_task(net.watch(s, period_s=0.05))\n"
        "    await asyncio.sleep(0.2)\n"
        "    sta.drop()\n"
        "    await asyncio.sleep(1.5)\n"
        "    t.cancel()\n"
        "asyncio.run(go())\n"
        "print('connects', len(sta.connects), 'connected', sta.isconnected(), 'ntp', ntptime.CALLS)\n"
    )
    text = out(run_mpy(script, tmp_path))
    assert "[uht] clock set by NTP" in text
    assert "[uht] Wi-Fi connection lost; reconnecting to 'home'" in text
    assert "[uht] reconnected, http://192.168.1.50/" in text
    assert text.strip().splitlines()[-1] == "connects 2 connected True ntp ['ntp.example']"


def test_ntp_failure_is_retried(tmp_path):
    script = (
        "import asyncio, network, ntptime, uhtfw.net as net\n"
        "network.JOINABLE['home'] = ''\n"
        "ntptime.FAIL = True\n"
        "s = {'ssid': 'home', 'password': ''}\n"
        "net.bring_up(s)\n"
        "async def go():\n"
        "    t = asyncio.create_task(net.watch(s, period_s=0.05))\n"
        "    await asyncio.sleep(0.12)\n"
        "    ntptime.FAIL = False\n"
        "    await asyncio.sleep(0.3)\n"
        "    t.cancel()\n"
        "asyncio.run(go())\n"
        "print('ntp', len(ntptime.CALLS))\n"
    )
    text = out(run_mpy(script, tmp_path))
    assert "[uht] NTP failed: OSError(110" in text
    assert text.count("[uht] clock set by NTP") == 1
    assert text.strip().splitlines()[-1] == "ntp 1"


@pytest.mark.skipif(not HAVE_UHT, reason="uht (uht/__init__.py, uht/testing.py) is not in the repo yet")
def test_provisioned_main_serves_with_radio_down(tmp_path):
    """The real default main.py run as __main__: one `uht:` line, then it serves the user's routes
    and the setup page on whatever interface exists (here 127.0.0.1)."""
    port = free_port()
    out(run_mpy("import uhtfw.provision\nuhtfw.provision.provision()", tmp_path))
    (tmp_path / "settings.json").write_text(
        json.dumps({"ssid": "home", "password": "pa55word!", "port": port, "bind": "127.0.0.1"})
    )
    script = prelude(
        tmp_path
    ) + "import network\nnetwork.RADIO_FAILS = True\nexec(open({!r}).read(), {{'__name__': '__main__'}})\n".format(
        str(tmp_path / "main.py")
    )
    proc = subprocess.Popen(
        [str(MICROPYTHON), "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, MICROPYPATH=MICROPYPATH),
        cwd=str(tmp_path),
    )
    try:
        line = proc.stdout.readline().decode().strip()
        assert line.startswith("uht: no Wi-Fi (Wi-Fi radio failed to start: OSError(")
        assert line.endswith(f"serving on 127.0.0.1:{port}")
        body = None
        for _ in range(50):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/hello/board", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        assert body == b"Hello, board!"
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/uht/setup", timeout=5).read().decode()
        assert "<form method=post action=/uht/setup>" in page and "value='home'" in page
    finally:
        proc.kill()
        rest = proc.communicate(timeout=5)[0].decode()
    assert not uht_lines(rest)  # exactly one `uht:` line


def _get(port, path, attempts=50):
    for _ in range(attempts):
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).read()
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answers on port {port}")


@pytest.mark.skipif(not HAVE_UHT, reason="uht (uht/__init__.py, uht/testing.py) is not in the repo yet")
def test_ctrl_c_releases_the_port_so_start_runs_again(tmp_path):
    """mpremote connecting sends Ctrl-C to the running main.py; the next start() (after a soft reset)
    must be able to bind the same port at once."""
    port = free_port()
    (tmp_path / "settings.json").write_text(json.dumps({"port": port, "bind": "127.0.0.1"}))
    script = prelude(tmp_path) + (
        "import network\nnetwork.RADIO_FAILS = True\n"
        "import uhtfw\nfrom uht import HTTPServer\n"
        "for run in (1, 2):\n"
        "    app = HTTPServer()\n"
        "    app.add_route('/run', lambda req, resp, n=run: resp.send(str(n)))\n"
        "    try:\n"
        "        uhtfw.start(app)\n"
        "    except KeyboardInterrupt:\n"
        "        print('interrupted', run)\n"
    )
    proc = subprocess.Popen(
        [str(MICROPYTHON), "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, MICROPYPATH=MICROPYPATH),
        cwd=str(tmp_path),
    )
    try:
        assert proc.stdout.readline().decode().startswith("uht: no Wi-Fi")
        assert _get(port, "/run") == b"1"
        proc.send_signal(signal.SIGINT)
        assert proc.stdout.readline().decode().strip() == "interrupted 1"
        assert proc.stdout.readline().decode().startswith("uht: no Wi-Fi")
        assert _get(port, "/run") == b"2"
    finally:
        proc.kill()
        proc.communicate(timeout=5)
