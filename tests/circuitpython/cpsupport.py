"""Helpers for the CircuitPython tests: run code under the CircuitPython unix test build
(`make runtime-circuitpython`), with Adafruit's libraries, the board-surface test modules
(socketpool, time, wifi) and uht on its path."""

import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CIRCUITPYTHON = os.environ.get("CIRCUITPYTHON") or os.path.join(ROOT, "build/runtimes/circuitpython/micropython")
CP_LIB = os.path.join(os.path.dirname(CIRCUITPYTHON), "lib")
MODULES = os.path.join(ROOT, "tests", "circuitpython", "modules")
CP_TREE = os.environ.get("CP_DIR") or os.path.expanduser("~/.cache/uht/circuitpython-10.2.1")


def cp_env(*first: str) -> dict:
    env = dict(os.environ)
    env["MICROPYPATH"] = ":".join(list(first) + [CP_LIB, MODULES, ROOT])
    return env


def circuitpython_runner():  # type: ignore[no-untyped-def]
    if not os.access(CIRCUITPYTHON, os.X_OK):
        pytest.skip("no CircuitPython runtime at %s (make runtime-circuitpython)" % CIRCUITPYTHON)

    def run(code: str, *path_first: str, timeout: float = 30) -> subprocess.CompletedProcess:
        cmd = [CIRCUITPYTHON, "-c", code]
        return subprocess.run(cmd, env=cp_env(*path_first), cwd="/tmp", capture_output=True, text=True, timeout=timeout)

    return run
