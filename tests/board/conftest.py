"""The board-sized build every test here runs on (build/runtimes/board32/micropython, `make
runtime-board32`): it must exist and be newer than uht/ whenever its inputs are on this machine."""

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boardrun  # noqa: E402


def _why_no_binary():
    """Why build/runtimes/board32/micropython may legitimately be missing (as mk/board32.mk says),
    or None when its inputs are all here (then a missing binary is a failure)."""
    tree = os.environ.get("MICROPY_DIR") or os.path.expanduser("~/.cache/uht/micropython-v1.28.0")
    if not os.path.isdir(os.path.join(tree, "ports", "unix")):
        return "no MicroPython tree at %s" % tree
    probe = subprocess.run(
        ["gcc", "-m32", "-x", "c", "-", "-o", os.devnull], input=b"int main(void) { return 0; }", capture_output=True
    )
    if probe.returncode != 0:
        return "gcc cannot build 32-bit programs (apt-get install gcc-multilib)"
    return None


@pytest.fixture(scope="module", autouse=True)
def board32():
    if not os.access(boardrun.BOARD32, os.X_OK):
        why = _why_no_binary()
        if why:
            pytest.skip("board-sized build: " + why)
        pytest.fail("no %s although its inputs are here: run `make runtime-board32`" % boardrun.BOARD32)
    built = os.path.getmtime(boardrun.BOARD32)
    uht = os.path.join(boardrun.REPO, "uht")
    stale = [n for n in os.listdir(uht) if n.endswith(".py") and os.path.getmtime(os.path.join(uht, n)) > built]
    assert not stale, "uht/%s changed after the board-sized build: run `make runtime-board32`" % stale[0]
    return boardrun.BOARD32
