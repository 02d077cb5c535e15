"""Slow clients (issue 11, "a minimum data rate"): a head and a body must keep arriving at a floor
rate, so slow clients cannot hold every connection slot.

Against rate_app (`HTTPServer()` with its defaults: on MicroPython max_connections is 8):

- slowhttptest's four attacks (slow body -B on POST /echo, slowloris -H, slow read -X on GET /big,
  range -R), `-c 200 -r 50`, each for REL_ATTACK_SECONDS (20 s in `make test`, 60 s in
  `make test-attacks`), while a probe does GET / every 0.5 s: at least 95 % of the probes get
  200 within 3 s, the server answers normally right after, and holds no more sockets than
  before. REL_ATTACK_MATRIX chooses runtimes and attacks ("mpy:BHXR,cpython:BHXR,mpy-heap256K:B"
  in `make test`: every attack on MicroPython from source and on CPython, and the slow body, the
  one that denied service, on uht from .mpy; every attack everywhere in `make test-attacks`).
  The .mpy runtime gets a 256 KB heap here: in 128 KB the unix port (objects twice a board's)
  cannot allocate eight 4 KB bodies, so the attack failed on MemoryError instead of holding the
  slots, and the test would not show what a board with room for them does.
- On sockets, with the defaults (a client below 100 B/s averaged over 5 s after a 2 s grace is
  cut; one sending at least 1 KB/s never is; the time a handler spends between reads is not
  charged): a body at 50 B/s is cut (408 or a close) after grace plus window, one at 1.2 KB/s
  is served, a handler that reads 10 bytes a second is served; when every slot is busy, a
  newcomer takes the slot of the connection furthest below the floor instead of getting 503.
- Limits that match the stack: `max_connections` clients connecting at the same instant all get
  through the listen queue at once (the default backlog holds them all).
"""

import os
import re
import shutil
import subprocess
import threading
import time

import pytest
from hardsupport import PacedBody, ask, probe_for, read_answer, serves_normally, start
from relsupport import settle_sockets, socket_count

ATTACK_SECONDS = int(os.environ.get("REL_ATTACK_SECONDS", "20"))
ATTACK_MATRIX = os.environ.get("REL_ATTACK_MATRIX", "mpy:BHXR,cpython:BHXR,mpy-heap256K:B")
# letter: (slowhttptest mode, path, name)
ATTACKS = {
    "B": ("-B", "/echo", "slowbody"),
    "H": ("-H", "/", "slowloris"),
    "X": ("-X", "/big", "slowread"),
    "R": ("-R", "/", "range"),
}
# The defaults the issue sets: grace 2 s, then the average over a 5 s window must reach 100 B/s.
GRACE = 2.0
WINDOW = 5.0
SLACK = 3.0  # the sweeper's period and a loaded 2-core machine: a cut may come this much later


def _matrix() -> list:
    out = []
    for entry in ATTACK_MATRIX.split(","):
        runtime, _, letters = entry.partition(":")
        for letter in letters:
            out.append(pytest.param(runtime, letter, id="%s-%s" % (runtime, ATTACKS[letter][2])))
    return out


def _attack_figures(csv_path: str, log: str) -> dict:
    """What slowhttptest saw: the most connections it had opened (closed + connected, from its
    per-second statistics) and its exit status."""
    opened = 0
    with open(csv_path) as f:
        for row in f.read().splitlines()[1:]:  # Seconds,Closed,Pending,Connected,Service Available
            cols = row.split(",")
            if len(cols) >= 4 and cols[1].isdigit() and cols[3].isdigit():
                opened = max(opened, int(cols[1]) + int(cols[3]))
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", log)
    exit_line = re.findall(r"Exit status:\s*(.*)", text)
    return {"opened": opened, "exit": exit_line[-1].strip() if exit_line else "?"}


@pytest.mark.timeout(ATTACK_SECONDS + 120)
@pytest.mark.parametrize("runtime,attack", _matrix())
def test_attack_leaves_service_available(runtime: str, attack: str) -> None:
    tool = shutil.which("slowhttptest")
    if tool is None:
        pytest.skip("slowhttptest not installed (apt-get install slowhttptest; `make system-deps` does it)")
    mode, path, name = ATTACKS[attack]
    srv = start("rate_app.py", runtime)
    try:
        baseline = socket_count(srv)
        prefix = "/tmp/uht-slowhttptest-%s-%s-%d" % (runtime, name, srv.port)
        log_path = prefix + ".log"
        cmd = [tool, mode, "-c", "200", "-r", "50", "-i", "10", "-s", "4096", "-l", str(ATTACK_SECONDS)]
        cmd += ["-g", "-o", prefix]  # per-second statistics in prefix.csv
        cmd += ["-u", "http://127.0.0.1:%d%s" % (srv.port, path)]
        with open(log_path, "wb") as log:
            attacker = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                time.sleep(1.0)  # 50 connections by now: far over any connection cap of a board
                results = probe_for(srv, ATTACK_SECONDS - 1.5)
                attack_running = attacker.poll() is None
            finally:
                try:
                    attacker.wait(ATTACK_SECONDS + 30)
                except subprocess.TimeoutExpired:
                    attacker.kill()
                    attacker.wait()
        with open(log_path, "rb") as f:
            figures = _attack_figures(prefix + ".csv", f.read().decode("latin-1"))
        ok = sum(1 for r in results if r[0])
        print(
            "\n%s %s (%s, %d s): %d/%d probes answered 200 within 3 s; slowhttptest opened %d connections,"
            " %s (%s at the last probe)"
            % (
                runtime,
                name,
                mode,
                ATTACK_SECONDS,
                ok,
                len(results),
                figures["opened"],
                figures["exit"],
                "running" if attack_running else "over",
            )
        )
        # The attack really ran: slowhttptest opened most of its 200 connections.
        assert figures["opened"] >= 100, "slowhttptest did not attack: %s (log %s)" % (figures, log_path)
        failures = [r for r in results if not r[0]]
        # failures as (ok, status or error, seconds taken, seconds into the probing)
        assert ok >= 0.95 * len(results), "%d/%d probes answered in time; failures: %s\n%s" % (
            ok,
            len(results),
            failures[:20],
            srv.output()[-2000:],
        )
        serves_normally(srv)
        left = settle_sockets(srv, baseline, wait=15.0)
        assert left <= baseline, "server holds %d sockets after the attack, %d before" % (left, baseline)
        assert srv.proc.poll() is None, "server died:\n" + srv.output()[-3000:]
        for suffix in (".log", ".csv", ".html"):  # kept only when the test failed
            if os.path.exists(prefix + suffix):
                os.remove(prefix + suffix)
    finally:
        srv.stop()


# -- the floor rate, on sockets ---------------------------------------------------------------------

FLOOR_RUNTIMES = os.environ.get("REL_FLOOR_RUNTIMES", "mpy,cpython").split(",")


def _post_head(path: str, length: int) -> bytes:
    return b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (path.encode(), length)


@pytest.fixture(scope="module", params=FLOOR_RUNTIMES)
def three_clients(request):  # type: ignore[no-untyped-def]
    """One server (defaults) and three clients at once, so the three behaviours cost one wait:
    a body at 50 B/s, a body at 1.2 KB/s for 9 s, and 100 bytes sent at once to a handler that
    reads them 10 at a time with 1 s between reads (10 s; 10 B/s if the handler's pauses counted)."""
    srv = start("rate_app.py", request.param)
    try:
        baseline = socket_count(srv)
        limit = GRACE + WINDOW + SLACK + 2
        slow = PacedBody(srv, _post_head("/echo", 4096), 4096, 50, 5, limit)
        fast = PacedBody(srv, _post_head("/echo", 10800), 10800, 1200, 120, 20)
        paused = PacedBody(srv, _post_head("/pause", 100), 100, 1e6, 100, 20, answer_timeout=20)
        for client in (slow, fast, paused):
            client.start()
        for client in (slow, fast, paused):
            client.join(30)
        yield srv, slow, fast, paused
        for client in (slow, fast, paused):
            client.close()
        left = settle_sockets(srv, baseline, wait=10.0)
        assert left <= baseline, "server holds %d sockets, %d before" % (left, baseline)
    finally:
        srv.stop()


def test_body_below_floor_is_cut_after_grace_and_window(three_clients) -> None:  # type: ignore[no-untyped-def]
    srv, slow, _, _ = three_clients
    assert slow.error is None, slow.error
    assert slow.cut_after is not None, "a body at 50 B/s was still open after %.0f s (%d bytes sent)" % (
        slow.limit,
        slow.sent,
    )
    # cut: 408, or closed without a word (EOF or reset); never another status
    assert slow.answer is not None and slow.answer.status in (0, 408), slow.answer
    assert GRACE <= slow.cut_after <= GRACE + WINDOW + SLACK, "cut after %.1f s" % slow.cut_after
    print("\n%s: 50 B/s body cut after %.1f s (%r)" % (srv.runtime, slow.cut_after, slow.answer))


def test_body_at_a_kilobyte_per_second_is_never_cut(three_clients) -> None:  # type: ignore[no-untyped-def]
    _, fast, _ = three_clients[1:]
    assert fast.error is None, fast.error
    assert fast.cut_after is None, "a body at 1.2 KB/s was cut after %.1f s: %r" % (fast.cut_after, fast.answer)
    assert fast.answer is not None and fast.answer.status == 200, fast.answer
    assert fast.answer.body == b"d" * 10800


def test_handler_pauses_between_reads_are_not_charged(three_clients) -> None:  # type: ignore[no-untyped-def]
    paused = three_clients[3]
    assert paused.error is None, paused.error
    assert paused.answer is not None and paused.answer.status == 200, paused.answer
    assert paused.answer.body == b"100"


def _limits(srv) -> dict:  # type: ignore[no-untyped-def]
    import json

    answer = ask(srv, b"GET /limits HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.status == 200, answer
    return json.loads(answer.body)


@pytest.mark.parametrize("runtime", FLOOR_RUNTIMES)
def test_newcomer_takes_the_slot_of_the_slowest_body(runtime: str) -> None:
    """Every slot busy: two bodies below the floor (about 3 B/s and 40 B/s, both still in their
    grace) and handlers that sleep. A newcomer is served, not refused with 503: it takes the
    slot of the slowest body, which is cut (408 or a close); the 40 B/s one keeps its slot."""
    srv = start("rate_app.py", runtime)
    busy: list = []
    slowest = slower = None
    try:
        cap = _limits(srv)["max_connections"]
        slowest = PacedBody(srv, _post_head("/echo", 4096), 4096, 3, 1, 6)
        slower = PacedBody(srv, _post_head("/echo", 4096), 4096, 40, 4, 6)
        slowest.start()
        slower.start()
        for _ in range(cap - 2):
            s = srv.connect()
            s.sendall(b"GET /slow?s=6 HTTP/1.1\r\nHost: x\r\n\r\n")
            busy.append(s)
        # Every head read, all slots taken, none idle; the bodies have been measured for over a
        # second (a rate needs some time to be told apart) and are still in their 2 s grace.
        time.sleep(1.7)
        answer = ask(srv, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout=3)
        answered = time.monotonic()
        assert answer.status == 200 and answer.body == b"uht is up\n", "newcomer got %r" % answer
        time.sleep(0.5)
        assert slowest.cut_after is not None, "the slowest body kept its slot"
        assert slowest.answer is not None and slowest.answer.status in (0, 408), slowest.answer
        assert slower.cut_after is None, "the 40 B/s body was cut instead of (or with) the slowest"
        # cut for the newcomer, not by the floor's own clock later
        assert slowest.cut_at is not None and slowest.cut_at <= answered + 0.5
        assert "Traceback" not in srv.output(), srv.output()[-3000:]
    finally:
        for client in (slowest, slower):
            if client is not None:
                client.limit = 0  # stop sending
                client.join(10)
                client.close()
        for s in busy:
            s.close()
        srv.stop()


def test_busy_handlers_alone_still_get_503() -> None:
    """The converse, so the test above proves the eviction: with every slot held by handlers that
    read nothing (no one below the floor), a newcomer gets 503, quickly."""
    srv = start("rate_app.py", "mpy")
    busy = []
    try:
        cap = _limits(srv)["max_connections"]
        for _ in range(cap):
            s = srv.connect()
            s.sendall(b"GET /slow?s=3 HTTP/1.1\r\nHost: x\r\n\r\n")
            busy.append(s)
        time.sleep(0.8)
        started = time.monotonic()
        answer = ask(srv, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
        assert answer.status == 503 and time.monotonic() - started < 1.5, answer
    finally:
        for s in busy:
            s.close()
        srv.stop()


def _connect_and_get(srv, barrier: threading.Barrier, results: list) -> None:  # type: ignore[no-untyped-def]
    barrier.wait()
    start = time.monotonic()
    try:
        with srv.connect(5) as s:
            connected = time.monotonic() - start
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = read_answer(s, 5)
        results.append((round(connected, 3), answer.status))
    except OSError as exc:
        results.append((round(time.monotonic() - start, 3), type(exc).__name__))


@pytest.mark.parametrize("runtime", FLOOR_RUNTIMES)
def test_max_connections_clients_at_once_are_all_accepted_at_once(runtime: str) -> None:
    """Limits that match the stack: as many clients as `max_connections`, connecting at the same
    instant, all get through the listen queue at once (the backlog holds them all); none waits
    for a SYN retransmit (1 s on Linux), and each is answered 200. Three rounds."""
    srv = start("rate_app.py", runtime)
    try:
        cap = _limits(srv)["max_connections"]
        for _ in range(3):
            results: list = []
            barrier = threading.Barrier(cap)
            threads = [threading.Thread(target=_connect_and_get, args=(srv, barrier, results)) for _ in range(cap)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(15)
            slow = [r for r in results if r[0] >= 0.9]
            assert len(results) == cap and not slow and all(r[1] == 200 for r in results), (
                "%d clients at once: %d waited for a SYN retransmit; (connect seconds, status): %s"
                % (cap, len(slow), sorted(results))
            )
            time.sleep(0.5)  # the closes complete before the next round
    finally:
        srv.stop()
