"""End-to-end fixtures: start a uht app in a subprocess under a real runtime, on 127.0.0.1.

The runtimes are tests/runtimes.py's; this suite runs the core app on each of RUNTIMES (those
UHT_RUNTIMES keeps). `mpy-mpy@128K`: uht and the app from .mpy in a small heap (the 64-bit unix
port's objects are about twice a board's: uht's import alone holds ~44 KB here, docs/benchmarks.md,
so the 35-route core app needs 128 KB); `frozen@64K`: uht frozen in as in the firmware images, in
64 KB. Use the `server` fixture (parametrised over them) or `start_server(app, spec)` directly.
"""

import os
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import runtimes  # noqa: E402

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")
BIN = runtimes.BIN
MICROPYTHON = runtimes.RUNTIMES["mpy"].binary
RUNTIMES = runtimes.select(
    ["mpy", "mpy-mpy@128K", "frozen@64K", "mpy-mpy", "board32", "mpy121", "circuitpython", "cpython"]
)
# The 64-bit unix port's objects are about twice a board's: the core test app (35 routes, from
# .mpy) holds 74.9 KB after gc with the rate floor, lingering close and field checks, and the largest
# free block at 112 KB is too small for the 2 KB echo bodies once the server runs: 128 KB.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command_for(runtime: str, script: str, port: int):  # type: ignore[no-untyped-def]
    """argv and environment serving `script` on 127.0.0.1:port under the runtime spec `runtime`;
    skips the test when that runtime is not built."""
    return runtimes.server_command(runtime, script, "127.0.0.1", port, os.path.join(ROOT, "build", "e2e-apps"))


class ServerProcess:
    def __init__(self, app: str, runtime: str) -> None:
        self.runtime = runtime
        self.port = free_port()
        self.host = "127.0.0.1"
        self.url = "http://127.0.0.1:%d" % self.port
        script = app if os.path.isabs(app) else os.path.join(APPS, app)
        cmd, env = command_for(runtime, script, self.port)
        self.log_path = "/tmp/uht-e2e-%s-%d.log" % (runtime, self.port)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=APPS)
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: %s" % self.output())
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not listen: %s" % self.output())

    def connect(self, timeout: float = 5.0) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=timeout)

    def output(self) -> str:
        self._log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def open_fds(self) -> int:
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@pytest.fixture
def start_server():  # type: ignore[no-untyped-def]
    started = []

    def start(app: str, runtime: str = "mpy") -> ServerProcess:
        proc = ServerProcess(app, runtime)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture(params=RUNTIMES)
def runtime(request):  # type: ignore[no-untyped-def]
    return request.param


@pytest.fixture
def server(start_server, runtime):  # type: ignore[no-untyped-def]
    """The core test app (apps/core_app.py) under each runtime."""
    return start_server("core_app.py", runtime)


def raw_exchange(srv: ServerProcess, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, half-close, read until the server closes (or timeout)."""
    with srv.connect(timeout) as s:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered (e.g. 431) and closed before taking it all: read the answer
        return recv_all(s, timeout)


def recv_all(s: socket.socket, timeout: float = 5.0) -> bytes:
    """Everything until the server closes, the peer resets, or `timeout` passes quietly."""
    s.settimeout(timeout)
    chunks = []
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except (socket.timeout, ConnectionResetError):
        pass
    return b"".join(chunks)
