"""Memory running out, on the board-sized build (tests/board/apps/memory_faults.py injects the
MemoryError): a client the heap has no room for waits for room, then gets 503 with Retry-After,
never a bare close; so does a connection that has no room to read its request head; a request the
heap cannot take gets 503; the server serves on after each. A client that connects while the heap
has less than accept_reserve free waits until the connections being served have finished."""

import os
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boardrun  # noqa: E402

# uht/_listen.py: a client that cannot be taken is tried 50 times (every 20 ms) before a 503; uht/server.py:
# reading a head is tried 51 times (the first and 50 waits of 20 ms).
TAKE_TRIES = 50
HEAD_TRIES = 51


@pytest.fixture(scope="module")
def server():
    srv = boardrun.BoardServer("memory_faults.py", 256)
    srv.start()
    yield srv
    srv.stop()


def arm(srv, **faults):
    query = "&".join("%s=%d" % item for item in faults.items())
    assert boardrun.get(srv.port, "/arm?" + query).status == 200


def assert_hello(srv):
    ans = boardrun.get(srv.port)
    assert (ans.status, ans.body) == (200, boardrun.HELLO_BODY)


def assert_busy(ans):
    assert ans.status == 503, (ans.status, ans.body)
    assert ans.headers.get(b"retry-after") == b"1", ans.headers


# What waits for memory: taking a client at accept, and reading a request head.
WAITING = [("take", TAKE_TRIES), ("head", HEAD_TRIES)]


@pytest.mark.parametrize("fault, tries", WAITING)
def test_no_room_for_a_while_waits_and_is_served(server, fault, tries):
    arm(server, **{fault: 3})
    assert_hello(server)


@pytest.mark.parametrize("fault, tries", WAITING)
def test_never_room_gets_503_then_the_next_is_served(server, fault, tries):
    arm(server, **{fault: tries})
    assert_busy(boardrun.get(server.port))
    assert_hello(server)
    assert server.alive()


def test_a_request_the_heap_cannot_take_gets_503_then_the_next_is_served(server):
    arm(server, parse=1)
    assert_busy(boardrun.get(server.port))
    assert_hello(server)
    assert "out of memory serving 127.0.0.1" in server.stderr_tail(10000)
    assert "Traceback" not in server.stderr_tail(10000)


# -- accept_reserve: room for the requests of the clients already taken ------------------------------

HELD_MS = 800  # how long /hold keeps the first client's connection busy
NEWCOMER_AFTER = 0.3  # s: the second client connects this long after the first (being served by then)
ALWAYS_SHORT = 1 << 30  # an accept_reserve no heap has free


def served_while_another_is_held(srv, hold_ms):
    """GET /hold/<hold_ms> on one connection, and NEWCOMER_AFTER later GET / on another: the
    newcomer's answer, and whether it came after the held one's."""
    held = {}

    def hold():
        boardrun.get(srv.port, "/hold/%d" % hold_ms, timeout=10)
        held["done"] = time.monotonic()

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(NEWCOMER_AFTER)
    ans = boardrun.get(srv.port, timeout=10)
    answered = time.monotonic()
    holder.join(10)
    return ans, answered >= held["done"]


@pytest.fixture
def fresh_server():
    srv = boardrun.BoardServer("memory_faults.py", 256)
    srv.start()
    yield srv
    srv.stop()


@pytest.mark.parametrize("reserve, waits", [(ALWAYS_SHORT, True), (0, False)], ids=["short", "room"])
def test_a_newcomer_waits_for_room_while_another_client_is_served(fresh_server, reserve, waits):
    arm(fresh_server, reserve=reserve)
    ans, after_held = served_while_another_is_held(fresh_server, HELD_MS)
    assert (ans.status, ans.body) == (200, boardrun.HELLO_BODY)
    assert after_held == waits  # taken only once the held client had finished (its connection gone)


def test_a_newcomer_that_never_finds_room_gets_503_then_the_next_is_served(fresh_server):
    arm(fresh_server, reserve=ALWAYS_SHORT)
    ans, _ = served_while_another_is_held(fresh_server, 1500)  # longer than the newcomer's second of tries
    assert_busy(ans)
    assert_hello(fresh_server)  # alone, it is taken whatever the reserve
    assert fresh_server.alive()
