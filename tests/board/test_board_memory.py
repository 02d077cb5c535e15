"""Memory guards of issue 10 ("Board-sized core"), asserted on the board-sized build: a 32-bit unix
MicroPython v1.28.0 with asyncio, uht and microdot frozen in (`make runtime-board32`,
build/runtimes/board32/micropython). Each guard runs uht's hello or soak app (tests/board/apps) and
asserts the issue's target, as a measured figure or as a workload served whole in a heap of the
target size (3 of 3 runs). The 2 KB smallest-heap searches and the microdot comparison are in
`make bench`, not here; no timing is asserted.

A few controls show the harness itself is right: it accepts a server that fits (the bare asyncio
responder, microdot in a big heap) and fails one that does not (microdot in a small heap).
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boardrun  # noqa: E402

# The guards of issue 10 (KB = 1024 bytes, as MicroPython's -X heapsize=...K). Where the target
# is met the guard is that target; where it is not yet, the guard is what uht reaches today (3 of 3
# runs; the held and allocated figures are deterministic), so later work cannot lose ground unnoticed.
# Where the remaining bytes go: docs/benchmarks.md, "The core, round 2" and "round 3".
#
# Issue's target <= 7 KB. Measured 10,496 B: asyncio 2.1 KB, uht's import 7.2 KB (module and class
# dicts and one function object per def of the 11 modules a GET needs), the server, its route, the
# listening socket and the accept and sweeper tasks 1.2 KB.
HELD_AFTER_ONE_GET_FROZEN_MAX = 10592  # 10.3 KB: heap held by a started server after one GET, uht frozen
# Issue's target <= 16 KB. Measured 29,328 B: the frozen figure plus the bytecode, qstrs and constants
# of the same 11 modules loaded into the heap (`make mpy`: mpy-cross -O3, as the frozen modules).
HELD_AFTER_ONE_GET_MPY_MAX = 29392  # 28.7 KB: the same with uht as .mpy (`make mpy`), asyncio frozen
# Issue's target <= 512 B: met. Measured 416 B: the head's bytes, a Request and a Response with their
# attribute tables, the socket read's generator and the handler's coroutine (the head is read by
# _serve itself: no coroutine frame per request for it).
ALLOC_PER_KEEPALIVE_GET_MAX = 512  # bytes allocated per GET, gc off, 500 GETs on one connection
# Issue's target 20 KB: met. A newcomer that finds no room at accept waits for it (uht/_listen.py),
# and one that connects while others are served is taken only while accept_reserve is free: without
# it every connection could hold its head with no room to take it, and this guard failed in about
# 1 run of 20 (some clients 503 after their second of waiting); with it 0 of 600 at 20 KB.
CONCURRENT_HEAP_KB = 20  # 8 concurrent clients x 50 GETs (one connection per GET) served in this heap
CONCURRENT_CLIENTS = 8
CONCURRENT_GETS = 50
# Issue's target 32 KB (an ESP8266 has about 32 KB free): met. A head that arrives with body bytes
# is taken after a collection in a small heap (HTTPServer._take_head), so the request's own objects
# take the lowest gaps and leave the largest block for its body, and a body buffer the heap has no
# room for yet is tried again for a second before the 503 (uht/body.py). The full 20,000-request
# soak then passed 32 KB in 15 of 16 runs (seeds 1-10, then 6 and 7 three times each; the failure, a
# 4 KB echo answered 503 with Retry-After, did not repeat), this 2,000-request soak with 39 of 40
# seeds (seed 22 failed), and with seeds 1-3 (the runs below) 30 times of 30.
SOAK_HEAP_KB = 32  # the mixed soak served in this heap
SOAK_REQUESTS = 2000  # `make bench` runs the full 20,000
RUNS = 3  # pass/fail guards: every run must pass

KIB = 1024


def _kb(n):
    return "%d B (%.1f KB)" % (n, n / KIB)


def test_heap_held_after_one_get_frozen():
    held, command = boardrun.held_after_one_get("uht")
    assert held <= HELD_AFTER_ONE_GET_FROZEN_MAX, "uht frozen holds %s after one GET; target <= %s\n%s" % (
        _kb(held),
        _kb(HELD_AFTER_ONE_GET_FROZEN_MAX),
        command,
    )


def test_heap_held_after_one_get_mpy():
    mpy = os.path.join(boardrun.UHT_MPY, "uht", "__init__.mpy")
    assert os.path.exists(mpy), "no %s: run `make mpy`" % mpy
    uht_py = os.path.join(boardrun.REPO, "uht", "__init__.py")
    assert os.path.getmtime(mpy) >= os.path.getmtime(uht_py), "dist/mpy is older than uht/: run `make mpy`"
    held, command = boardrun.held_after_one_get("uht", mpy_dir=boardrun.UHT_MPY)
    assert held <= HELD_AFTER_ONE_GET_MPY_MAX, "uht from .mpy holds %s after one GET; target <= %s\n%s" % (
        _kb(held),
        _kb(HELD_AFTER_ONE_GET_MPY_MAX),
        command,
    )


def test_bytes_allocated_per_keepalive_get():
    per_get, keepalive, command = boardrun.alloc_per_keepalive_get("uht")
    assert keepalive, "uht closed a keep-alive connection"
    assert per_get <= ALLOC_PER_KEEPALIVE_GET_MAX, "uht allocates %d B per keep-alive GET; target <= %d B\n%s" % (
        per_get,
        ALLOC_PER_KEEPALIVE_GET_MAX,
        command,
    )


@pytest.mark.parametrize("run", range(1, RUNS + 1))
def test_concurrent_clients_in_target_heap(run):
    ok, why = boardrun.serves_concurrent("uht", CONCURRENT_HEAP_KB, CONCURRENT_CLIENTS, CONCURRENT_GETS)
    assert ok, "run %d: %d clients x %d GETs in a %d KB heap: %s" % (
        run,
        CONCURRENT_CLIENTS,
        CONCURRENT_GETS,
        CONCURRENT_HEAP_KB,
        why,
    )


@pytest.mark.parametrize("run", range(1, RUNS + 1))
def test_mixed_soak_in_target_heap(run):
    ok, why, figures = boardrun.soak("uht", SOAK_HEAP_KB, SOAK_REQUESTS, seed=run)
    assert ok, "run %d (seed %d): soak of %d requests in a %d KB heap: %s\n%s" % (
        run,
        run,
        SOAK_REQUESTS,
        SOAK_HEAP_KB,
        why,
        figures,
    )


# -- controls: the harness accepts servers that fit and catches ones that do not --------------------


def test_control_bare_responder_serves_the_concurrent_workload_in_target_heap():
    ok, why = boardrun.serves_concurrent("asyncio", CONCURRENT_HEAP_KB, CONCURRENT_CLIENTS, CONCURRENT_GETS)
    assert ok, "the bare asyncio responder (the floor) failed the workload: %s" % why


def test_control_soak_passes_a_server_with_room_and_catches_one_without():
    ok, why, figures = boardrun.soak("microdot", 96, SOAK_REQUESTS // 2, seed=1)
    assert ok, "microdot in a 96 KB heap: %s %s" % (why, figures)
    assert figures["counts"].keys() == {"get", "echo", "fail", "garbage", "cut"}, figures["counts"]
    ok, why, figures = boardrun.soak("microdot", 16, SOAK_REQUESTS // 2, seed=1)
    assert not ok, "microdot served the soak in a 16 KB heap: the soak cannot fail?"


def test_control_held_heap_measures_what_is_loaded():
    """asyncio alone < the bare responder < microdot: each adds what it loads and keeps."""
    alone, _ = boardrun.held_after_one_get("asyncio-alone", app="asyncio_alone.py")
    bare, _ = boardrun.held_after_one_get("asyncio")
    microdot, _ = boardrun.held_after_one_get("microdot")
    assert 1 * KIB < alone < bare < microdot, (alone, bare, microdot)
