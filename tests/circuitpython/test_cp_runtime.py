"""The CircuitPython test build is board-like, uht fails clearly where it cannot work, and the
documented examples/circuitpython/code.py serves through the test socketpool with `wifi` stubbed."""

import json
import os
import re
import socket
import subprocess
import time
import urllib.request

import pytest
from cpsupport import CIRCUITPYTHON, CP_TREE, ROOT, cp_env


def _locals_table(path: str) -> list:
    with open(path) as f:
        text = f.read()
    table = text[text.index("locals_dict_table[] = {") :]
    table = table[: table.index("};")]
    return re.findall(r"MP_ROM_QSTR\(MP_QSTR_(\w+)\)", table)


def test_test_socketpool_lists_match_the_circuitpython_tree(circuitpython):
    bindings = os.path.join(CP_TREE, "shared-bindings", "socketpool")
    if not os.path.isdir(bindings):
        pytest.skip("no CircuitPython tree at %s" % CP_TREE)
    out = circuitpython("import socketpool; print(repr((socketpool.BOARD_POOL, socketpool.BOARD_SOCKET)))")
    assert out.returncode == 0, out.stderr
    pool_names, socket_names = eval(out.stdout)  # a literal tuple of tuples of names
    assert sorted(pool_names) == sorted(_locals_table(os.path.join(bindings, "SocketPool.c")))
    assert sorted(socket_names) == sorted(_locals_table(os.path.join(bindings, "Socket.c")))


def test_test_socketpool_offers_exactly_the_board_surface(circuitpython):
    code = (
        "import socketpool\n"
        "p = socketpool.SocketPool(None); s = p.socket()\n"
        "print(sorted(n for n in dir(p) if not n.startswith('_')))\n"
        "print(sorted(n for n in dir(s) if not n.startswith('_') or n in ('__enter__', '__exit__', '__del__')))\n"
        "print(sorted(n for n in socketpool.BOARD_POOL))\n"
        "print(sorted(n for n in socketpool.BOARD_SOCKET))\n"
        "try:\n  s.recv(10)\nexcept AttributeError as e:\n  print('recv:', e)\n"
    )
    out = circuitpython(code)
    assert out.returncode == 0, out.stderr
    pool_dir, sock_dir, board_pool, board_sock, recv = out.stdout.splitlines()
    assert pool_dir == board_pool
    assert eval(sock_dir) == sorted(eval(board_sock) + ["ioctl"])  # ioctl: how select.poll reaches it
    assert recv.startswith("recv:")


def test_no_socket_no_ticks_but_traceback(circuitpython):
    code = (
        "import time, traceback, select\n"
        "try:\n  import socket\n  print('socket')\nexcept ImportError:\n  print('no socket')\n"
        "print(hasattr(time, 'ticks_ms'), hasattr(time, 'monotonic_ns'))\n"
        "import sys; print(hasattr(sys, 'print_exception'))\n"
    )
    out = circuitpython(code)
    assert out.stdout.split() == ["no", "socket", "False", "True", "False"], out.stdout + out.stderr


def test_a_build_without_select_poll_fails_at_import_with_a_clear_message(circuitpython, tmp_path):
    # A select.py on the path shadows the built-in one, as on a small build where select is absent.
    (tmp_path / "select.py").write_text("# no poll here\n")
    out = circuitpython("import uht", str(tmp_path))
    assert out.returncode != 0
    assert "ImportError: uht needs a CircuitPython build with async/await and select.poll" in out.stdout + out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):  # type: ignore[no-untyped-def]
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.headers, r.read()


def test_the_documented_code_py_serves(circuitpython):
    port = _free_port()
    env = cp_env()
    # settings.toml's keys: on the unix port os.getenv() reads them from the environment
    env.update(CIRCUITPY_WIFI_SSID="testnet", CIRCUITPY_WIFI_PASSWORD="secret", UHT_PORT=str(port))
    code_py = os.path.join(ROOT, "examples", "circuitpython", "code.py")
    out = subprocess.PIPE
    proc = subprocess.Popen([CIRCUITPYTHON, code_py], env=env, cwd="/tmp", stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "code.py did not serve"
                time.sleep(0.05)
        status, headers, body = _get("http://127.0.0.1:%d/" % port)
        assert status == 200 and b"Hello from CircuitPython" in body and b"Visit 1." in body
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        status, _, body = _get("http://127.0.0.1:%d/api/status" % port)
        assert json.loads(body) == {"visits": 1, "ip": "127.0.0.1"}  # the stub radio joined (connect())
        req = urllib.request.Request(
            "http://127.0.0.1:%d/api/echo" % port, data=b'{"a": [1, 2]}', headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=5) as r:
            assert json.loads(r.read()) == {"got": {"a": [1, 2]}}
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=5)
    assert ("uht: serving on http://127.0.0.1:%d/" % port) in out.decode()
