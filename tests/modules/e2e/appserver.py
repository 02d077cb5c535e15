"""Feature apps started in a scratch directory of their own, with extra environment variables,
under any runtime spec of tests/runtimes.py (the frozen builds included: there the app is
precompiled and `import uht` finds the frozen package, never the checkout).

`start_extra(spec, app, workdir, env)` starts one, or skips the test when its runtime is not built."""

import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import runtimes  # noqa: E402

# The runtimes the static, upload and session apps are served by.
FEATURE_RUNTIMES = runtimes.select(["mpy", "mpy-mpy@112K", "frozen@64K", "board32", "mpy121", "cpython"])


def start_extra(spec: str, app: str, workdir: str, env=None):  # type: ignore[no-untyped-def]
    return AppServer(spec, app, workdir, env)


class AppServer:
    """`app` (a script defining a module-level `app`) served under the runtime `spec` from
    `workdir`; `env` adds environment variables for the app."""

    def __init__(self, spec: str, app: str, workdir: str, env=None) -> None:  # type: ignore[no-untyped-def]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.runtime = spec
        self.url = "http://127.0.0.1:%d" % self.port
        base = dict(os.environ, **(env or {}))
        cmd, full_env = runtimes.server_command(spec, app, "127.0.0.1", self.port, workdir, base)
        self.log = open(os.path.join(workdir, "server.log"), "wb")
        self.proc = subprocess.Popen(cmd, cwd=workdir, env=full_env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not listen: " + self.output())

    def output(self) -> str:
        self.log.flush()
        with open(self.log.name, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
