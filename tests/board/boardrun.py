"""The board-sized workloads of issue 10, shared by the memory guards (tests/board) and `make bench`
(bench/board.py): start an app of tests/board/apps on the 32-bit build (build/runtimes/board32,
`make runtime-board32`) in a heap of a given size, drive it from CPython over loopback, and say what
the server held, allocated, or whether it served the workload whole.

Every run has GLIBC_TUNABLES=glibc.malloc.mmap_max=0: otherwise a large `-X heapsize` is mapped at
high addresses, where MicroPython's id() (asyncio calls id(sock) on every wait) allocates a long int
that no board pays for.
"""

import os
import random
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = os.path.join(HERE, "apps")
REPO = os.path.dirname(os.path.dirname(HERE))
BOARD32 = os.environ.get("BOARD32_MICROPYTHON") or os.path.join(REPO, "build", "runtimes", "board32", "micropython")
# `make runtime-board32-stock`: the same build freezing asyncio only, as a stock firmware (bench only).
BOARD32_STOCK = os.path.join(REPO, "build", "runtimes", "board32-stock", "micropython")
UHT_MPY = os.path.join(REPO, "dist", "mpy")  # `make mpy`
TUNABLES = "glibc.malloc.mmap_max=0"

# The apps, by library: hello (one route) and soak (hello, echo, fail).
HELLO = {"uht": "hello_uht.py", "microdot": "hello_microdot.py", "asyncio": "hello_asyncio.py"}
SOAK = {"uht": "soak_uht.py", "microdot": "soak_microdot.py"}

HELLO_BODY = b"Hello, world!"


class RunError(Exception):
    """The server did not start, or a probe line never came."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BoardServer:
    """One app on the board-sized build. `mpy_dir`: a directory whose `uht`/`microdot` package
    (.mpy) comes before the frozen one on the path; None runs the frozen library."""

    def __init__(self, app, heap_kb, mode="serve", mpy_dir=None, binary=None):
        self.binary = binary or BOARD32
        self.port = free_port()
        self.tmp = tempfile.mkdtemp(prefix="uht-board-")
        self.trigger = os.path.join(self.tmp, "measure")
        path = [".frozen"]
        if mpy_dir:
            # As `lib` beside the app's working directory, the way a board has /lib: each imported
            # module keeps its file name (__file__) on the heap, so the checkout's path must not count.
            os.symlink(os.path.abspath(mpy_dir), os.path.join(self.tmp, "lib"))
            path.insert(0, "lib")
        self.env = dict(os.environ, MICROPYPATH=":".join(path), GLIBC_TUNABLES=TUNABLES)
        self.argv = [self.binary, "-X", "heapsize=%dK" % heap_kb, os.path.join(APPS, app)]
        self.argv += [str(self.port), mode, self.trigger]
        self.proc = None
        self._out = self._err = None
        self._read = 0

    def command(self):
        lib = os.path.join(self.tmp, "lib")
        where = " (lib -> %s)" % os.readlink(lib) if os.path.islink(lib) else ""
        return "GLIBC_TUNABLES=%s MICROPYPATH=%s %s%s" % (TUNABLES, self.env["MICROPYPATH"], " ".join(self.argv), where)

    def start(self, timeout=10.0, listens=True):
        self._out = open(os.path.join(self.tmp, "stdout"), "w+b")
        self._err = open(os.path.join(self.tmp, "stderr"), "w+b")
        self.proc = subprocess.Popen(self.argv, cwd=self.tmp, env=self.env, stdout=self._out, stderr=self._err)
        try:
            self.wait_line("READY", timeout)
            if not listens:
                return self
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return self
                except OSError:
                    time.sleep(0.02)
            raise RunError("nothing listens on port %d: %s" % (self.port, self.stderr_tail()))
        except BaseException:
            self.stop()  # a server that did not come up is not left running
            raise

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_line(self, word, timeout=10.0):
        """The next stdout line starting with `word` (its fields after the word)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self._out.name, "rb") as f:
                f.seek(self._read)
                data = f.read()
            lines = data.split(b"\n")
            for i, line in enumerate(lines[:-1]):
                if line.startswith(word.encode()):
                    self._read += sum(len(x) + 1 for x in lines[: i + 1])
                    return line.decode().split()[1:]
            if not self.alive():
                raise RunError("the server exited (%s): %s" % (self.proc.returncode, self.stderr_tail()))
            time.sleep(0.01)
        raise RunError("no %s line within %.0f s: %s" % (word, timeout, self.stderr_tail()))

    def held(self, timeout=10.0, reads=1):
        """Bytes the server holds now (collected), relative to its baseline (tests/board/apps/probe.py);
        the least of `reads` readings (the collector scans the C stack conservatively, so a stale
        pointer there can keep a dead block for one reading)."""
        out = []
        for _ in range(reads):
            with open(self.trigger, "w"):
                pass
            out.append(int(self.wait_line("HELD", timeout)[0]))
        return min(out)

    def fds(self):
        try:
            return len(os.listdir("/proc/%d/fd" % self.proc.pid))
        except OSError:
            return None

    def stderr_tail(self, n=600):
        try:
            with open(self._err.name, "rb") as f:
                return f.read().decode("utf-8", "replace")[-n:].strip()
        except (OSError, AttributeError):
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        for f in (self._out, self._err):
            if f is not None:
                f.close()
        for name in ("stdout", "stderr", "measure", "lib"):
            try:
                os.remove(os.path.join(self.tmp, name))
            except OSError:
                pass
        try:
            os.rmdir(self.tmp)
        except OSError:
            pass

    def __enter__(self):
        return self if self.proc else self.start()

    def __exit__(self, *exc):
        self.stop()


# -- a small HTTP/1.x client over raw sockets (keep-alive, Content-Length, chunked, close-delimited) --


class Answer:
    def __init__(self, version, status, headers, body):
        self.version = version
        self.status = status
        self.headers = headers
        self.body = body

    def closes(self):
        """The server will close after this answer (microdot 2.7 answers HTTP/1.0 and always does)."""
        conn = self.headers.get(b"connection", b"").lower()
        return conn == b"close" or (self.version == b"HTTP/1.0" and conn != b"keep-alive")


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _more(self):
        data = self.sock.recv(16384)
        if not data:
            raise EOFError("closed by the server")
        self.buf += data

    def until(self, mark):
        while mark not in self.buf:
            self._more()
        i = self.buf.index(mark) + len(mark)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            self._more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self):
        try:
            while True:
                self._more()
        except EOFError:
            pass
        out, self.buf = self.buf, b""
        return out

    def answer(self, head_request=False):
        head = self.until(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        status = int(parts[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if head_request or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif b"content-length" in headers:
            body = self.exactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = b""
            while True:
                size = int(self.until(b"\r\n")[:-2].split(b";")[0], 16)
                if size == 0:
                    self.until(b"\r\n")
                    break
                body += self.exactly(size)
                self.exactly(2)
        else:
            body = self.rest()
        return Answer(parts[0], status, headers, body)


def connect(port, timeout=5.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


# The head Python's `requests` sends (with Connection: close): a typical small client's head.
CLIENT_HEAD = (
    b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: python-requests/2.32.3\r\n"
    b"Accept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: close\r\n\r\n"
)


def get(port, path="/", timeout=5.0):
    """One GET on its own connection (Connection: close), read to the server's close."""
    with connect(port, timeout) as s:
        s.sendall(CLIENT_HEAD % (path.encode(), port))
        r = Reader(s)
        ans = r.answer()
        r.rest()
        return ans


# -- the measurements -------------------------------------------------------------------------------


def held_after_one_get(lib, mpy_dir=None, heap_kb=256, binary=None, app=None):
    """Heap held by a started server after one GET was served and its connection closed: import,
    one route, start, one request, gc (gc.mem_alloc() deltas from before asyncio was imported)."""
    srv = BoardServer(app or HELLO[lib], heap_kb, "held", mpy_dir, binary)
    with srv.start(listens=lib != "asyncio-alone"):
        if lib != "asyncio-alone":
            ans = get(srv.port)
            if ans.status != 200 or ans.body != HELLO_BODY:
                raise RunError("GET / answered %s %r" % (ans.status, ans.body[:80]))
            time.sleep(0.2)  # the server's side of the connection is closed and its task gone
        return srv.held(), srv.command()


STUBS = os.path.join(REPO, "tests", "firmware", "stubs")


def firmware_app_held(binary=None, heap_kb=256):
    """The firmware app's own heap: the provisioned main.py (uhtfw's template) started as on a
    board, with the radio failing (tests/firmware/stubs), after one GET of its index page."""
    binary = binary or BOARD32
    root = tempfile.mkdtemp(prefix="uht-board-fw-")
    env = dict(os.environ, MICROPYPATH=":".join([STUBS, ".frozen"]), GLIBC_TUNABLES=TUNABLES)
    subprocess.run([binary, os.path.join(APPS, "provision.py"), root], env=env, check=True, timeout=30)
    srv = BoardServer("firmware_main.py", heap_kb, "held", binary=binary)
    srv.env = env
    srv.argv.append(root)
    with open(os.path.join(root, "settings.json"), "w") as f:
        f.write('{"port": %d, "bind": "127.0.0.1"}' % srv.port)
    try:
        with srv.start():
            ans = get(srv.port)
            if ans.status != 200 or b"Hello from uht" not in ans.body:
                raise RunError("the firmware app's GET / answered %s %r" % (ans.status, ans.body[:80]))
            time.sleep(0.2)
            return srv.held(), srv.command()
    finally:
        for name in os.listdir(root):
            os.remove(os.path.join(root, name))
        os.rmdir(root)


def alloc_per_keepalive_get(lib, heap_kb=8192, mpy_dir=None, binary=None):
    """Bytes allocated per GET, collector off, 500 GETs on one keep-alive connection (after 10
    warm-up GETs): tests/board/apps/probe.py measures inside the handler at GET 10 and GET 510.
    A server that closes after each answer (microdot 2.7 does) gets a new connection per GET:
    the figure is then per GET and connection; `keepalive` in the result says which."""
    with BoardServer(HELLO[lib], heap_kb, "alloc", mpy_dir, binary) as srv:
        request = b"GET / HTTP/1.1\r\nHost: board\r\n\r\n"
        s = connect(srv.port)
        reconnects = 0
        try:
            r = Reader(s)
            for i in range(10 + 500):
                s.sendall(request)
                ans = r.answer()
                if ans.status != 200 or ans.body != HELLO_BODY:
                    raise RunError("GET %d answered %s %r" % (i, ans.status, ans.body[:80]))
                if ans.closes():
                    r.rest()
                    s.close()
                    s = connect(srv.port)
                    r = Reader(s)
                    reconnects += 1
        finally:
            s.close()
        used, count = srv.wait_line("ALLOC")
        return int(used) / int(count), reconnects == 0, srv.command()


def serves_concurrent(lib, heap_kb, clients=8, gets=50, binary=None):
    """(ok, why): `clients` concurrent clients, each `gets` GETs with one connection per GET, all
    answered 200 "Hello, world!" by a server with a heap of heap_kb KiB, which is still alive after."""
    srv = BoardServer(HELLO[lib], heap_kb, "serve", binary=binary)
    try:
        srv.start()
    except RunError as e:
        srv.stop()
        return False, "did not start: %s" % e
    failures = []
    barrier = threading.Barrier(clients)

    def client(n):
        try:
            barrier.wait(10)
            for i in range(gets):
                ans = get(srv.port, timeout=10)
                if ans.status != 200 or ans.body != HELLO_BODY:
                    failures.append("client %d GET %d: %s %r" % (n, i, ans.status, ans.body[:60]))
                    return
        except Exception as e:  # noqa: BLE001 — any failure is the answer
            failures.append("client %d: %r" % (n, e))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if not srv.alive():
        failures.append("the server died: %s" % srv.stderr_tail(300))
    elif "MemoryError" in srv.stderr_tail(100000):
        failures.append("MemoryError in the server's log: %s" % srv.stderr_tail(300))
    srv.stop()
    return not failures, "; ".join(failures[:3])


# The soak's mix: one client at a time; each step is one connection carrying 1+ requests.
SOAK_KINDS = (
    ("keepalive", 50),  # 1-6 requests on one HTTP/1.1 connection: GETs, echoes, failures
    ("http10", 15),  # one HTTP/1.0 request (GET or echo); the server closes
    ("garbage", 10),  # a head that is not HTTP; 4xx or a close, never a crash
    ("cut", 10),  # a POST whose body stops short, then the client goes away
    ("echo-close", 15),  # an echo with Connection: close
)
GARBAGE = (
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost board\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\nHost: b\r\n\r\n",
    b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\nHost: b\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: b\r\nContent-Length: abc\r\n\r\n",
)


class SoakFailure(Exception):
    pass


class Soak:
    """A deterministic (seeded) mixed soak: GETs, POST echoes of 0-4 KB through the handler, handler
    exceptions (500), garbage heads, bodies cut short, HTTP/1.0 and keep-alive. Every echo must come
    back whole with 200, every GET 200 with its body, every failure 500."""

    def __init__(self, port, seed=10):
        self.port = port
        self.rng = random.Random(seed)
        self.requests = 0
        self.counts = {}

    def _count(self, kind):
        self.requests += 1
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def _payload(self):
        return self.rng.randbytes(self.rng.choice((0, 1, 100, 1000, 2500, 4096, self.rng.randint(0, 4096))))

    def _request(self, kind, version=b"HTTP/1.1", close=False):
        conn = b"Connection: close\r\n" if close else b""
        if kind == "get":
            return b"GET / %s\r\nHost: board\r\n%s\r\n" % (version, conn), HELLO_BODY, 200
        if kind == "fail":
            return b"GET /fail %s\r\nHost: board\r\n%s\r\n" % (version, conn), None, 500
        body = self._payload()
        head = b"POST /echo %s\r\nHost: board\r\nContent-Type: application/octet-stream\r\n" % version
        head += b"Content-Length: %d\r\n%s\r\n" % (len(body), conn)
        return head + body, body, 200

    def _exchange(self, s, reader, kind, version=b"HTTP/1.1", close=False):
        data, want_body, want_status = self._request(kind, version, close)
        s.sendall(data)
        ans = reader.answer()
        self._count(kind)
        if ans.status != want_status or (want_body is not None and ans.body != want_body):
            raise SoakFailure(
                "%s (%d bytes sent) answered %s with %d bytes %r"
                % (kind, len(data), ans.status, len(ans.body), ans.body[:60])
            )
        return ans

    def step(self):
        kinds = [k for k, _ in SOAK_KINDS]
        weights = [w for _, w in SOAK_KINDS]
        kind = self.rng.choices(kinds, weights)[0]
        with connect(self.port, timeout=10.0) as s:
            reader = Reader(s)
            if kind == "keepalive":
                for _ in range(self.rng.randint(1, 6)):
                    sub = self.rng.choices(("get", "echo", "fail"), (5, 4, 1))[0]
                    ans = self._exchange(s, reader, sub)
                    if ans.closes():
                        break
            elif kind == "http10":
                self._exchange(s, reader, self.rng.choice(("get", "echo")), b"HTTP/1.0")
            elif kind == "echo-close":
                self._exchange(s, reader, "echo", close=True)
            elif kind == "garbage":
                s.sendall(self.rng.choice(GARBAGE))
                self._count("garbage")
                try:
                    ans = reader.answer()
                except (EOFError, ConnectionResetError):
                    return  # a plain close is an acceptable answer to garbage
                if not 400 <= ans.status < 500:
                    raise SoakFailure("garbage answered %s" % ans.status)
            else:  # cut: the head promises more body than comes, then the client goes away
                want = self.rng.randint(10, 4096)
                s.sendall(
                    b"POST /echo HTTP/1.1\r\nHost: board\r\nContent-Type: application/octet-stream\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (want, self.rng.randbytes(self.rng.randint(0, want - 1)))
                )
                self._count("cut")


def soak(lib, heap_kb, requests, seed=10, binary=None, heap_slack=1024):
    """(ok, why, figures): the mixed soak against a server with a heap of heap_kb KiB. Heap and fds
    must be flat: the held heap and open fds after the whole soak are at most what they were after
    the first tenth (plus heap_slack bytes for what the collector's conservative stack scan keeps)."""
    srv = BoardServer(SOAK[lib], heap_kb, "held", binary=binary)
    figures = {"heap_kb": heap_kb, "requests": requests}
    try:
        srv.start()
    except RunError as e:
        srv.stop()
        return False, "did not start: %s" % e, figures
    run = Soak(srv.port, seed)
    why = ""
    try:
        warm_at = max(requests // 10, 1)
        while run.requests < warm_at:
            run.step()
        time.sleep(0.1)
        figures["held_warm"] = srv.held(reads=2)
        figures["fds_warm"] = srv.fds()
        while run.requests < requests:
            run.step()
        time.sleep(0.1)
        figures["held_end"] = srv.held(reads=2)
        deadline = time.monotonic() + 3
        while (srv.fds() or 0) > figures["fds_warm"] and time.monotonic() < deadline:
            time.sleep(0.05)
        figures["fds_end"] = srv.fds()
        if figures["held_end"] > figures["held_warm"] + heap_slack:
            why = "the heap grew: %d B held after %d requests, %d B after %d" % (
                figures["held_warm"],
                warm_at,
                figures["held_end"],
                run.requests,
            )
        elif figures["fds_end"] is None or figures["fds_end"] > figures["fds_warm"]:
            why = "fds grew: %d open after %d requests, %d after %d" % (
                figures["fds_warm"],
                warm_at,
                figures["fds_end"],
                run.requests,
            )
    except (SoakFailure, OSError, EOFError, RunError) as e:
        why = "request %d: %r" % (run.requests + 1, e)
    if not why and not srv.alive():
        why = "the server died"
    if not why and "MemoryError" in srv.stderr_tail(10**7):
        why = "MemoryError in the server's log: " + srv.stderr_tail(300)
    if why and not srv.alive():
        why += " (server exited: %s)" % srv.stderr_tail(300)
    figures["counts"] = run.counts
    figures["done"] = run.requests
    srv.stop()
    return not why, why, figures
