"""Memory under MicroPython: import cost, heap allocated per request (in-process and over a
socket), heap held per idle connection, and the smallest heap that serves 1 and 8 concurrent
keep-alive clients. Each figure comes from a fresh MicroPython process."""

import http.client
import json
import os
import subprocess
import sys
import threading
import time

from servers import APPS, BENCH, MICROPYTHON, REPO, UHT_MPY, Server, microdot_site

MPY_SCRIPTS = os.path.join(BENCH, "mpy")
BODY = b'{"id": 42, "name": "sensor", "values": [1, 2, 3]}'
JSON_HDR = {"Content-Type": "application/json"}


def _micropython(script, args, path, heapsize=None, timeout=120, binary=None):
    argv = [binary or MICROPYTHON] + (["-X", "heapsize=%s" % heapsize] if heapsize else []) + [script] + args
    env = dict(os.environ, MICROPYPATH=path, GLIBC_TUNABLES="glibc.malloc.mmap_max=0")
    proc = subprocess.run(argv, cwd=MPY_SCRIPTS, env=env, capture_output=True, text=True, timeout=timeout)
    cmd = "MICROPYPATH=%s %s" % (path, " ".join(argv))
    return proc, cmd


def _lib_path(lib, compiled):
    if lib == "uht":
        return UHT_MPY if compiled else REPO
    return os.path.join(REPO, "dist", "bench", "microdot-mpy") if compiled else microdot_site()


def import_costs(log):
    out = []
    for lib, mod, name in (("uht", "uht", "HTTPServer"), ("microdot", "microdot", "Microdot")):
        for compiled in (False, True):
            path = ".frozen:" + _lib_path(lib, compiled)
            proc, cmd = _micropython("import_cost.py", [mod, name], path)
            row = {"lib": lib, "form": ".mpy" if compiled else ".py", "command": cmd}
            try:
                row["bytes"] = json.loads(proc.stdout.strip().splitlines()[-1])["bytes"]
            except (ValueError, IndexError, KeyError):
                row["bytes"] = None
                row["error"] = (proc.stdout + proc.stderr)[-500:]
            log("  import %-8s %-4s %s bytes" % (lib, row["form"], row["bytes"]))
            out.append(row)
    return out


def per_request_inprocess(n, log):
    out = []
    for lib in ("uht", "microdot"):
        path = ":".join([".frozen", APPS, MPY_SCRIPTS, _lib_path(lib, True)])
        proc, cmd = _micropython("per_request.py", [lib, str(n)], path, heapsize="8M")
        rows = []
        for line in proc.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                row["command"] = cmd
                rows.append(row)
                log("  in-process %-8s %-15s %6d bytes/request" % (lib, row["endpoint"], row["bytes_per_request"]))
        if not rows:
            log("  in-process %s failed: %s" % (lib, (proc.stdout + proc.stderr)[-500:]))
            out.append({"lib": lib, "error": (proc.stdout + proc.stderr)[-500:], "command": cmd})
        out += rows
    return out


class _Client:
    """A keep-alive HTTP/1.1 client (reconnects when the server closes)."""

    def __init__(self, port, timeout=5.0, close=False):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.close = close

    def request(self, method, path, body=None, headers=None):
        hdrs = dict(headers or {})
        if self.close:
            hdrs["Connection"] = "close"
        self.conn.request(method, path, body=body, headers=hdrs)
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, data

    def mem(self, op=""):
        status, data = self.request("GET", "/__mem?op=" + op)
        assert status == 200, (status, data)
        alloc, total = data.split()
        return int(alloc), int(total)


def per_request_wire(lib, n, close, log):
    """Heap one request allocates in a server under MicroPython, over a real socket: the collector
    is switched off through /__mem, N requests run, and the cost of one /__mem round trip is
    subtracted: ((B - A) - (C - B)) / N."""
    srv = Server(lib, "micropython", mem=True, heapsize="16M")
    if not srv.start():
        return {"lib": lib, "error": srv.stop()[-500:]}
    try:
        probe = _Client(srv.port)
        work = _Client(srv.port, close=close)
        for _ in range(10):
            work.request("GET", "/")
        probe.mem("collect")
        a = probe.mem("off")
        for _ in range(n):
            status, _ = work.request("GET", "/")
            assert status == 200
        b = probe.mem()
        c = probe.mem()
        probe.mem("on")
        per = ((b[0] - a[0]) - (c[0] - b[0])) / n
        per_total = ((b[1] - a[1]) - (c[1] - b[1])) / n if a[1] >= 0 else None
        row = {
            "lib": lib,
            "mode": "close" if close else "keep-alive",
            "n": n,
            "bytes_per_request": round(per),
            "mem_total_per_request": per_total and round(per_total),
            "command": srv.command(),
        }
        log("  wire %-8s %-10s %6d bytes/request" % (lib, row["mode"], row["bytes_per_request"]))
        return row
    except Exception as e:  # noqa: BLE001 — reported, not hidden
        return {"lib": lib, "mode": "close" if close else "keep-alive", "error": repr(e)}
    finally:
        srv.stop()


def idle_connection_heap(lib, k, log):
    """Heap held per open connection: K fresh sockets (nothing sent), then K sockets kept alive
    after one request each; measured after gc.collect() through one probe connection."""
    import socket

    srv = Server(lib, "micropython", mem=True, heapsize="1M", cap=k + 8)
    if not srv.start():
        return {"lib": lib, "error": srv.stop()[-500:]}
    socks = []
    try:
        probe = _Client(srv.port)
        probe.mem("collect")
        time.sleep(0.2)
        base = probe.mem("collect")[0]
        for _ in range(k):
            socks.append(socket.create_connection(("127.0.0.1", srv.port)))
        time.sleep(0.5)
        fresh = probe.mem("collect")[0]
        for s in socks:
            s.close()
        socks = []
        time.sleep(0.5)
        base2 = probe.mem("collect")[0]
        for _ in range(k):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while b"Hello, world!" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            socks.append(s)
        time.sleep(0.5)
        after = probe.mem("collect")[0]
        # microdot closes after each response: its "kept" sockets are closed server-side.
        row = {
            "lib": lib,
            "k": k,
            "fresh_bytes_per_conn": round((fresh - base) / k),
            "kept_alive_bytes_per_conn": round((after - base2) / k),
            "command": srv.command(),
        }
        log(
            "  idle %-8s fresh %d B/conn, kept-alive %d B/conn"
            % (lib, row["fresh_bytes_per_conn"], row["kept_alive_bytes_per_conn"])
        )
        return row
    except Exception as e:  # noqa: BLE001
        return {"lib": lib, "error": repr(e)}
    finally:
        for s in socks:
            s.close()
        srv.stop()


def _serves(lib, heap_kb, clients, requests, compiled, binary=None):
    """True when a server with this heap answers every request of `clients` concurrent keep-alive
    clients correctly and is still alive afterwards."""
    srv = Server(lib, "micropython", heapsize="%dK" % heap_kb, cap=clients + 2, compiled=compiled, binary=binary)
    if not srv.start(timeout=8):
        srv.stop()
        return False, "start"
    failures = []
    barrier = threading.Barrier(clients)

    def client():
        cl = _Client(srv.port, timeout=5)
        try:
            barrier.wait(5)
            for i in range(requests):
                kind = 0 if lib == "ceiling" else i % 3  # the ceiling answers GET / only
                if kind == 0:
                    st, body = cl.request("GET", "/")
                    ok = st == 200 and body == b"Hello, world!"
                elif kind == 1:
                    st, body = cl.request("GET", "/user/%d" % i)
                    ok = st == 200 and body == b"user %d" % i
                else:
                    st, body = cl.request("POST", "/echo", body=BODY, headers=JSON_HDR)
                    ok = st == 200 and json.loads(body) == json.loads(BODY)
                if not ok:
                    failures.append("status %s" % st)
                    return
        except Exception as e:  # noqa: BLE001
            failures.append(repr(e)[:100])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    alive = srv.alive()
    err = srv.stop()
    if not alive:
        failures.append("died: " + err.strip()[-200:])
    return not failures, "; ".join(failures[:3])


def min_heap(lib, clients, compiled, log, lo=4, hi=256, requests=30, binary=None):
    """Smallest -X heapsize (KiB, 1 KiB steps) that serves `clients` concurrent keep-alive clients
    without a failure. Bisects, then confirms the answer twice (heap use is not perfectly monotonic:
    fragmentation), stepping up on a failed confirmation."""
    ok, why = _serves(lib, hi, clients, requests, compiled, binary)
    if not ok:
        log("  min heap %s c=%d: fails even at %d K (%s)" % (lib, clients, hi, why))
        return {
            "lib": lib,
            "clients": clients,
            "form": ".mpy" if compiled else ".py",
            "min_heap_kb": None,
            "error": "fails at %dK: %s" % (hi, why),
        }
    probes = []
    while hi - lo > 1:
        mid = (lo + hi) // 2
        ok, why = _serves(lib, mid, clients, requests, compiled, binary)
        probes.append((mid, ok, why))
        if ok:
            hi = mid
        else:
            lo = mid
    confirmed = hi
    for _ in range(6):
        if all(_serves(lib, confirmed, clients, requests, compiled, binary)[0] for _ in range(2)):
            break
        confirmed += 1
    form = "frozen" if compiled is None else ".mpy" if compiled else ".py"
    if lib == "ceiling":
        form = "-"
    row = {
        "lib": lib,
        "clients": clients,
        "form": form,
        "bisect_kb": hi,
        "min_heap_kb": confirmed,
        "requests_per_client": requests,
        "probes": [{"kb": p[0], "ok": p[1], "why": p[2]} for p in probes],
        "failure_just_below": next((p[2] for p in reversed(probes) if not p[1]), None),
        "command": Server(
            lib, "micropython", heapsize="%dK" % confirmed, cap=clients + 2, compiled=compiled, binary=binary
        ).command(),
    }
    log("  min heap %-8s %-6s c=%d: %d K" % (lib, form, clients, confirmed))
    return row


def profile_stages(log):
    """bench/mpy/profile_uht.py: heap and time per stage of uht's request path (no sockets)."""
    path = ":".join([".frozen", UHT_MPY, APPS])
    proc, cmd = _micropython("profile_uht.py", [], path, timeout=300)
    rows = []
    for line in proc.stdout.splitlines():
        try:
            row = json.loads(line) if line.startswith("{") else None
        except ValueError:  # a line cut short by a crash
            row = None
        if row is not None:
            rows.append(row)
            log("  profile %-48s %s" % (row["stage"], row.get("bytes", row.get("error"))))
    if not rows or proc.returncode != 0:  # the stages after a crash (a segfault, say) are missing: say so
        stage = "all" if not rows else "the stages after %r" % rows[-1]["stage"].strip()
        why = proc.stderr.strip()[-500:]
        if not why:
            why = "killed by signal %d" % -proc.returncode if proc.returncode < 0 else "no output"
        rows.append({"stage": stage, "error": "exit %s: %s" % (proc.returncode, why)})
        log("  profile %-48s %s" % (stage, "not measured (exit %s)" % proc.returncode))
    return {"command": cmd, "stages": rows}


sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
import runtimes  # noqa: E402  (tests/runtimes.py: the runtimes every suite and bench share)

FROZEN_MICROPYTHON = runtimes.get("frozen").binary


def frozen_binary():
    """The `frozen` runtime (64-bit unix MicroPython with uht frozen in: make runtime-frozen), when built."""
    return FROZEN_MICROPYTHON if os.access(FROZEN_MICROPYTHON, os.X_OK) else None


def frozen_import_cost(binary, log):
    proc, cmd = _micropython("import_cost.py", ["uht", "HTTPServer"], ".frozen", binary=binary)
    version = subprocess.run([binary, "-c", "import sys; print(sys.version)"], capture_output=True, text=True)
    built = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.path.getmtime(os.path.realpath(binary))))
    row = {"lib": "uht", "form": "frozen", "command": cmd, "binary_version": version.stdout.strip(), "built": built}
    try:
        row["bytes"] = json.loads(proc.stdout.strip().splitlines()[-1])["bytes"]
    except (ValueError, IndexError, KeyError):
        row["bytes"] = None
        row["error"] = (proc.stdout + proc.stderr)[-500:]
    log("  import uht      frozen %s bytes (%s)" % (row["bytes"], row["binary_version"]))
    return row


def flash_sizes():
    """Flash that freezing uht adds, per board, when firmware builds with size reports exist."""
    root = os.path.join(REPO, "dist", "firmware")
    rows = []
    if not os.path.isdir(root):
        return rows
    for board in sorted(os.listdir(root)):
        d = os.path.join(root, board)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if name.startswith("size") and name.endswith(".json"):
                try:
                    with open(os.path.join(d, name)) as f:
                        rows.append({"board": board, "file": name, "data": json.load(f)})
                except ValueError:
                    pass
    return rows
