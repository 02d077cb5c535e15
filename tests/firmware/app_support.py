"""Helpers for the firmware-app tests: run a script under the venv's MicroPython (unix port) with the
frozen app (firmware/modules), uht and the fake board modules (tests/firmware/stubs) on its path."""

import importlib.util
import os
import shutil
import socket
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STUBS = Path(__file__).resolve().parent / "stubs"
MODULES = REPO / "firmware" / "modules"


def _tool(name):
    """The venv's tool (made by `make venv`), else one on PATH; MICROPYTHON/MPREMOTE override."""
    venv = REPO / ".venv" / "bin" / name
    return Path(os.environ.get(name.upper()) or (venv if venv.exists() else shutil.which(name) or venv))


MICROPYTHON = _tool("micropython")
MPREMOTE = _tool("mpremote")
HAVE_UHT = (REPO / "uht" / "__init__.py").exists() and (REPO / "uht" / "testing.py").exists()
MICROPYPATH = ":".join([".frozen", str(STUBS), str(MODULES), str(REPO)])


def load_template():
    """(MAIN_PY, SETTINGS) from the firmware's template module, read by CPython."""
    spec = importlib.util.spec_from_file_location("uhtfw_template", MODULES / "uhtfw" / "template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MAIN_PY, module.SETTINGS


def prelude(root):
    """Script lines that point the app's files at `root` (a temp dir standing in for the board's /)."""
    return "import uhtfw.files\nuhtfw.files.ROOT = %r\n" % (str(root).rstrip("/") + "/")


def run_mpy(script, root, stdin=b"", timeout=30, cwd=None):
    env = dict(os.environ, MICROPYPATH=MICROPYPATH)
    return subprocess.run(
        [str(MICROPYTHON), "-c", prelude(root) + script],
        check=False,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
        cwd=cwd or str(root),
    )


def out(result):
    """stdout as text; fails the test with stderr shown when MicroPython exited non-zero."""
    text = result.stdout.decode()
    assert result.returncode == 0, "MicroPython failed:\n" + text + result.stderr.decode()
    return text


def uht_lines(text):
    return [line for line in text.splitlines() if line.startswith("uht:")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
