"""bench/import_account.py on the board-sized build (`make bench-quick` builds it first)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests", "board")
)

import boardrun  # noqa: E402
import import_account  # noqa: E402


def test_each_module_of_the_request_path_is_measured_frozen():
    rows = import_account.measure(boardrun.BOARD32, "frozen")
    assert [r["module"] for r in rows] == list(import_account.MODULES)
    assert all(r["bytes"] > 0 for r in rows), rows  # each module holds its dict and functions at least


def test_a_module_missing_from_the_list_is_reported_not_counted_in_another():
    # server imports every other module: measured alone, it would take their share too.
    with pytest.raises(RuntimeError, match="not in MODULES: .*uht._compat"):
        import_account.measure(boardrun.BOARD32, "frozen", modules=("server",))
