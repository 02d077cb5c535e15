"""The end-to-end fixtures of tests/core/e2e/conftest.py (start_server, runtime, raw_exchange ...) for
the opt-in modules' tests, loaded under another module name so the two conftests do not collide."""

import importlib.util
import os

_TESTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_PATH = os.path.join(_TESTS, "core", "e2e", "conftest.py")
_spec = importlib.util.spec_from_file_location("uht_e2e_fixtures", _PATH)
e2e = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(e2e)  # type: ignore[union-attr]

start_server = e2e.start_server
raw_exchange = e2e.raw_exchange
ServerProcess = e2e.ServerProcess
FEATURE_APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")


def app_path(name: str) -> str:
    return os.path.join(FEATURE_APPS, name)
