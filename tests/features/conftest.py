"""The end-to-end fixtures of tests/e2e/conftest.py (start_server, runtime, raw_exchange ...) for
the feature tests, loaded under another module name so the two conftests do not collide."""

import importlib.util
import os

import pytest

_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e", "conftest.py")
_spec = importlib.util.spec_from_file_location("uht_e2e_fixtures", _PATH)
e2e = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(e2e)  # type: ignore[union-attr]

start_server = e2e.start_server
raw_exchange = e2e.raw_exchange
ServerProcess = e2e.ServerProcess
FEATURE_APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")


def app_path(name: str) -> str:
    return os.path.join(FEATURE_APPS, name)


@pytest.fixture
def small_heap(monkeypatch):  # type: ignore[no-untyped-def]
    """Call with a size ("128K") to run this test's mpy-smallheap servers in that heap."""

    def set_size(size: str) -> None:
        monkeypatch.setattr(e2e, "SMALL_HEAP", size)

    return set_size


_command_for = e2e.command_for


def _command_with_frozen(runtime: str, script: str, port: int):  # type: ignore[no-untyped-def]
    """MicroPython 1.21 built from source finds its frozen asyncio only through `.frozen` on
    MICROPYPATH (requested for tests/e2e/conftest.py in /tmp/uht-team/requests.md)."""
    cmd, env = _command_for(runtime, script, port)
    path = env.get("MICROPYPATH", "")
    if runtime == "mpy121" and not path.startswith(".frozen"):
        env["MICROPYPATH"] = ".frozen:" + path
    return cmd, env


e2e.command_for = _command_with_frozen
