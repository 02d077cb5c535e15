"""Memory running out, on the board-sized build (tests/board/apps/memory_faults.py injects the
MemoryError): a client the heap has no room for waits for room, then gets 503 with Retry-After,
never a bare close; so does a connection that has no room to read its request head; a request the
heap cannot take gets 503; the server serves on after each."""

import os
import sys

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
