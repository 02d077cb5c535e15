"""Provisioning under the unix port: /main.py and /settings.json are written only when absent,
restore_defaults() brings the defaults back, and the default main.py imports without serving."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_support import HAVE_UHT, REPO, load_template, out, run_mpy


def test_first_boot_writes_main_and_settings(tmp_path):
    text = out(run_mpy("import uhtfw.provision\nprint(uhtfw.provision.provision())", tmp_path))
    main_py, settings = load_template()
    assert (tmp_path / "main.py").read_text() == main_py
    assert json.loads((tmp_path / "settings.json").read_text()) == settings
    assert "['main.py', 'settings.json']" in text
    assert not list(tmp_path.glob("*.tmp"))


def test_existing_main_py_is_never_overwritten(tmp_path):
    mine = "print('my own app')\n"
    (tmp_path / "main.py").write_text(mine)
    for _ in range(3):  # every boot, a firmware upgrade included, runs provisioning again
        text = out(run_mpy("import uhtfw.provision\nprint(uhtfw.provision.provision())", tmp_path))
    assert (tmp_path / "main.py").read_text() == mine
    assert (tmp_path / "settings.json").exists()  # only the missing file was written
    assert text.strip().endswith("[]")


def test_existing_settings_are_kept(tmp_path):
    (tmp_path / "settings.json").write_text('{"ssid": "home", "password": "pa55word!"}')
    out(run_mpy("import uhtfw.provision\nuhtfw.provision.provision()", tmp_path))
    assert json.loads((tmp_path / "settings.json").read_text()) == {
        "ssid": "home",
        "password": "pa55word!",
    }
    assert (tmp_path / "main.py").exists()


def test_restore_defaults_rewrites_and_keeps_backups(tmp_path):
    (tmp_path / "main.py").write_text("broken(\n")
    (tmp_path / "settings.json").write_text('{"ssid": "old"}')
    text = out(run_mpy("import uhtfw\nuhtfw.restore_defaults()", tmp_path))
    main_py, settings = load_template()
    assert (tmp_path / "main.py").read_text() == main_py
    assert json.loads((tmp_path / "settings.json").read_text()) == settings
    assert (tmp_path / "main.py.bak").read_text() == "broken(\n"
    assert (tmp_path / "settings.json.bak").read_text() == '{"ssid": "old"}'
    assert "[uht] provisioned /main.py /settings.json" in text


def test_settings_merge_defaults_and_survive_garbage(tmp_path):
    (tmp_path / "settings.json").write_text('{"ssid": "x"}')
    text = out(
        run_mpy(
            "import uhtfw\ns = uhtfw.settings()\nprint(s['ssid'], s['port'], s['setup_page'])",
            tmp_path,
        )
    )
    assert text.strip() == "x 80 ap"
    (tmp_path / "settings.json").write_text("{not json")
    text = out(run_mpy("import uhtfw\nprint(uhtfw.settings()['ssid'] == '')", tmp_path))
    assert "[uht] ignoring unreadable /settings.json" in text
    assert text.strip().endswith("True")


@pytest.mark.skipif(not HAVE_UHT, reason="uht (uht/__init__.py, uht/testing.py) is not in the repo yet")
def test_default_main_imports_without_serving_and_answers(tmp_path):
    out(run_mpy("import uhtfw.provision\nuhtfw.provision.provision()", tmp_path))
    script = (
        f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "import asyncio, main\n"
        "from uht.testing import TestClient\n"
        "async def go():\n"
        "    c = TestClient(main.app)\n"
        "    r = await c.get('/')\n"
        "    print(r.status, r.headers['content-type'], 'Hello from uht' in r.text)\n"
        "    r = await c.get('/hello/pico')\n"
        "    print(r.status, r.text)\n"
        "asyncio.run(go())\n"
    )
    text = out(run_mpy(script, tmp_path, timeout=20))
    lines = text.strip().splitlines()
    assert lines[-2] == "200 text/html True"
    assert lines[-1] == "200 Hello, pico!"
    assert "uht:" not in text  # importing main must not start the server


@pytest.mark.skipif(not HAVE_UHT, reason="uht (uht/__init__.py, uht/testing.py) is not in the repo yet")
@pytest.mark.parametrize("board", ["RPI_PICO_W", "ESP32_GENERIC", "ESP8266_GENERIC", None])
def test_default_main_takes_the_images_connection_figure(tmp_path, board):
    # The image freezes boards/<BOARD>/uhtfw_board.py; without it (the unix port), uht's default.
    out(run_mpy("import uhtfw.provision\nuhtfw.provision.provision()", tmp_path))
    board_path = "" if board is None else "sys.path.append({!r})\n".format(str(REPO / "boards" / board))
    script = (
        "import sys\n"
        + board_path
        + "sys.path.insert(0, {!r})\n".format(str(tmp_path))
        + "import main\nfrom uht import HTTPServer\nprint(main.app.max_connections, HTTPServer.max_connections)\n"
    )
    served, default = out(run_mpy(script, tmp_path)).split()[-2:]
    if board is None:
        assert served == default
    else:
        figures = {}
        exec((REPO / "boards" / board / "uhtfw_board.py").read_text(), figures)
        assert int(served) == figures["MAX_CONNECTIONS"] < figures["TCP_CONNECTIONS"]
