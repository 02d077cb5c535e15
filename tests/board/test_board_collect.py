"""`collect_every` on the board-sized build: start() makes a small heap collect each time 1/8 of it
has been allocated (what keeps a 4 KB block free in 32 KB), and leaves a large heap to MicroPython's
default (there a 4 KB block is always to be found, and collecting often would only cost CPU)."""

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boardrun  # noqa: E402

UP_TO = 256 * 1024  # uht/server.py: _COLLECT_OFTEN_UP_TO


def threshold_after_start(binary, heap_kb):
    env = dict(os.environ, MICROPYPATH=".frozen", GLIBC_TUNABLES=boardrun.TUNABLES)
    argv = [binary, "-X", "heapsize=%dK" % heap_kb, os.path.join(boardrun.APPS, "collect_threshold.py")]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    _, threshold, heap = out.stdout.split()
    return int(threshold), int(heap)


@pytest.mark.parametrize("heap_kb", [32, 256])
def test_a_small_heap_collects_every_eighth(board32, heap_kb):
    threshold, heap = threshold_after_start(board32, heap_kb)
    assert heap <= UP_TO
    assert threshold == heap // 8


@pytest.mark.parametrize("heap_kb", [512, 2048])
def test_a_large_heap_keeps_the_default(board32, heap_kb):
    threshold, heap = threshold_after_start(board32, heap_kb)
    assert heap > UP_TO
    assert threshold == -1
