"""Side-by-side figures for docs/circuitpython.md: uht and adafruit_httpserver, each serving a hello
app through the test socketpool on the CircuitPython unix build (64-bit and, when built, 32-bit,
whose objects are a board's size), both from .mpy made by CircuitPython's own mpy-cross, as a board
holds them. `make circuitpython-figures` runs it; timings depend on this machine's load.

    python figures.py CP_BUILD_DIR RUNTIME [RUNTIME ...]
"""

import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
MODULES = os.path.join(ROOT, "tests", "circuitpython", "modules")
REQUESTS = 300  # sequential GETs for the rate
APPS = {"uht": "uht_hello.py", "adafruit_httpserver": "rival_hello.py"}
GET = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(GET)
        chunks = []
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def first_get(port: int, proc: subprocess.Popen) -> bytes:
    """The first GET, retried until the server listens. (A bare connect-and-close probe would
    stall adafruit_httpserver: see `empty` below.)"""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited: %s" % proc.stdout.read())  # type: ignore[union-attr]
        try:
            return get(port)
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not answer")


def read_figure(proc: subprocess.Popen, name: str) -> int:
    while True:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError("server ended before printing " + name)
        parts = line.split()
        if parts and parts[0] == name:
            return int(parts[1])


def measure(binary: str, lib: str, app: str, heap: str) -> dict:
    port = free_port()
    env = dict(os.environ, MICROPYPATH="%s:%s" % (lib, MODULES))
    cmd = [binary, "-X", "heapsize=" + heap, os.path.join(HERE, APPS[app]), str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd="/tmp", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert b"Hello, world!" in first_get(port, proc)
        held = read_figure(proc, "held")
        for _ in range(200):
            get(port)
        per_request = read_figure(proc, "per_request")
        start = time.monotonic()
        for _ in range(REQUESTS):
            get(port)
        rate = REQUESTS / (time.monotonic() - start)
        # one client sends half a head and waits: how long does another client's GET take?
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
            time.sleep(0.05)
            start = time.monotonic()
            get(port)
            behind_slow = time.monotonic() - start
        # a client connects and closes without a request: is the next GET answered?
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        try:
            empty = "answered" if b"Hello, world!" in get(port, 5) else "wrong answer"
        except OSError:
            empty = "no answer in 5 s"
        return {"held": held, "per_request": per_request, "rate": rate, "behind_slow": behind_slow, "empty": empty}
    finally:
        proc.terminate()
        proc.wait(5)


FLOOR = """
import gc
import socketpool, wifi
gc.collect()
base = gc.mem_free()
import asyncio
async def main():
    await asyncio.sleep(0)
asyncio.run(main())
gc.collect()
print("held", base - gc.mem_free())
"""
HEAPS = (16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 128)  # KB, for the smallest-heap search


def floor(binary: str, lib: str) -> int:
    """Heap held by Adafruit asyncio (and adafruit_ticks) alone: what any asyncio server starts from."""
    env = dict(os.environ, MICROPYPATH="%s:%s" % (lib, MODULES))
    out = subprocess.run([binary, "-c", FLOOR], env=env, cwd="/tmp", capture_output=True, text=True, timeout=30)
    return int(out.stdout.split()[1])


def serves_in(binary: str, lib: str, app: str, kb: int) -> bool:
    """Does the app start and answer 50 GETs, one at a time, in a heap of kb KB?"""
    port = free_port()
    env = dict(os.environ, MICROPYPATH="%s:%s" % (lib, MODULES))
    cmd = [binary, "-X", "heapsize=%dK" % kb, os.path.join(HERE, APPS[app]), str(port), "serve"]
    proc = subprocess.Popen(cmd, env=env, cwd="/tmp", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first_get(port, proc)
        for _ in range(50):
            answer = get(port, 5)
            if b" 200 OK" not in answer or b"Hello, world!" not in answer:
                return False
        return True
    except (RuntimeError, OSError):
        return False
    finally:
        proc.terminate()
        proc.wait(5)


def smallest_heap(binary: str, lib: str, app: str) -> str:
    for kb in HEAPS:
        if serves_in(binary, lib, app, kb):
            return "%d KB" % kb
    return "> %d KB" % HEAPS[-1]


def main() -> None:
    build, runtimes = sys.argv[1], sys.argv[2:]
    libs = {
        "uht": os.path.join(build, "figures-lib", "uht"),
        "adafruit_httpserver": os.path.join(build, "figures-lib", "rival"),
    }
    columns = ("heap held after one GET", "bytes allocated per GET", "GETs/s, one at a time")
    columns += ("a GET behind a half-sent head", "a GET after an empty connection", "smallest heap serving 50 GETs")
    print("| build | server | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 2) + "|")
    for binary in runtimes:
        bits = "32-bit" if binary.endswith("32") else "64-bit"
        for app in APPS:
            f = measure(binary, libs[app], app, "4M")
            heap = smallest_heap(binary, libs[app], app)
            print(
                "| %s | %s | %d B | %d B | %.0f | %.2f s | %s | %s |"
                % (bits, app, f["held"], f["per_request"], f["rate"], f["behind_slow"], f["empty"], heap)
            )
        print("| %s | floor: Adafruit asyncio alone | %d B | | | | | |" % (bits, floor(binary, libs["uht"])))


if __name__ == "__main__":
    main()
