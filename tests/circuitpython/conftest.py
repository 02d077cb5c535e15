"""The `circuitpython` fixture: runs code under the CircuitPython unix test build (cpsupport.py)."""

import pytest
from cpsupport import circuitpython_runner

# unit/ holds CircuitPython-only tests: tests/mpytest.py runs them inside that build.
collect_ignore = ["unit"]


@pytest.fixture
def circuitpython():  # type: ignore[no-untyped-def]
    return circuitpython_runner()
