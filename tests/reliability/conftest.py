"""Fixtures for the reliability suite: the server under test, shared by a whole module, with its
socket count taken at the start and checked at the end."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import relsupport  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import runtimes  # noqa: E402

# The runtimes (tests/runtimes.py) the module-scoped suites run under: the PyPI MicroPython with uht
# from source, uht from .mpy in a small heap, and MicroPython 1.21 (our floor). REL_RUNTIMES=mpy,...
# to change; UHT_RUNTIMES narrows them as in every suite.
RUNTIMES = runtimes.select(os.environ.get("REL_RUNTIMES", "mpy,mpy-mpy@128K,mpy121").split(","))


@pytest.fixture(scope="module", params=RUNTIMES)
def srv(request):  # type: ignore[no-untyped-def]
    """rel_app under a MicroPython runtime; at the end of the module no socket may be left open
    beyond the listening one and what the process held before any client came."""
    proc = relsupport.start("rel_app.py", request.param)
    baseline = relsupport.socket_count(proc)
    yield proc
    try:
        left = relsupport.settle_sockets(proc, baseline)
        assert left <= baseline, "server holds %d sockets, %d before the module\n%s" % (
            left,
            baseline,
            proc.output()[-3000:],
        )
        assert proc.proc.poll() is None, "server died:\n" + proc.output()[-3000:]
    finally:
        proc.stop()


@pytest.fixture
def fresh_srv():  # type: ignore[no-untyped-def]
    """A server of its own for tests that stop it or fill its connection slots."""
    started = []

    def start(app: str = "rel_app.py", runtime: str = "mpy"):  # type: ignore[no-untyped-def]
        proc = relsupport.start(app, runtime)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
