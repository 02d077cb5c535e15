"""The board-sized rows of issue 10, measured on build/runtimes/board32/micropython (`make
runtime-board32`: 32-bit unix MicroPython v1.28.0, asyncio + uht + microdot frozen) with the apps and
workloads of tests/board (tests/board/boardrun.py), the same ones the memory guards assert:

- heap held by a started server after one GET (frozen, and as .mpy), with the floors asyncio alone
  and a bare asyncio responder;
- bytes allocated per keep-alive GET (collector off, 500 GETs on one connection);
- the smallest heap, in 2 KB steps, that serves 8 concurrent clients x 50 GETs (a connection per
  GET), and the mixed soak (20,000 requests in the full run), each confirmed by 3 of 3 runs;
- the flash freezing uht adds (RP2 size report), and the firmware app's own heap.

The CPU-per-request ratios come from bench/throughput.py (64-bit PyPI MicroPython); bench/render.py
(BOARD_TARGETS, BOARD_ISSUE_FIGURES) puts every row beside its target and the issue's figures.
"""

import os
import sys

import flash_account
import import_account
from servers import MICRODOT_MPY, REPO, UHT_MPY

sys.path.insert(0, os.path.join(REPO, "tests", "board"))
import boardrun  # noqa: E402

RUNS = 3  # a smallest heap counts once it passes 3 of 3 runs, as in the guards
STEP_KB = 2


def available():
    return os.access(boardrun.BOARD32, os.X_OK)


def binary_info():
    import subprocess

    out = subprocess.run(
        [boardrun.BOARD32, "-c", "import sys; print(sys.version, sys.implementation._machine)"],
        capture_output=True,
        text=True,
        env=dict(os.environ, MICROPYPATH=".frozen"),
    ).stdout.strip()
    return {"path": os.path.relpath(boardrun.BOARD32, REPO), "version": out}


def smallest_heap(serves, lo_kb, hi_kb, log, label, runs=RUNS, step=STEP_KB, cap_kb=512):
    """Smallest heap (a multiple of `step` KiB) where serves(kb, run) passes `runs` runs of `runs`.
    Bisects on run 1 (heap need is close to monotonic, not exactly: fragmentation), then confirms
    the answer with the other runs, stepping up on a failure."""
    probes = []

    def probe(kb, run=1):
        ok, why = serves(kb, run)
        probes.append({"kb": kb, "run": run, "ok": ok, "why": why[:300]})
        log("    %s %3d KB run %d: %s %s" % (label, kb, run, "ok" if ok else "FAIL", why[:120]))
        return ok

    while not probe(hi_kb):
        lo_kb, hi_kb = hi_kb, hi_kb * 2
        if hi_kb > cap_kb:
            return {"min_heap_kb": None, "error": "fails even at %d KB" % lo_kb, "probes": probes}
    while hi_kb - lo_kb > step:
        mid = lo_kb + (hi_kb - lo_kb) // (2 * step) * step
        if probe(mid):
            hi_kb = mid
        else:
            lo_kb = mid
    while not all(probe(hi_kb, run) for run in range(2, runs + 1)):
        hi_kb += step
        while not probe(hi_kb):
            hi_kb += step
            if hi_kb > cap_kb:
                return {"min_heap_kb": None, "error": "no heap up to %d KB passes %d runs" % (cap_kb, runs)}
    below = [p for p in probes if not p["ok"] and p["kb"] < hi_kb]
    return {
        "min_heap_kb": hi_kb,
        "largest_failing_kb": max((p["kb"] for p in below), default=None),
        "failure_below": below[-1]["why"] if below else None,
        "probes": probes,
    }


def flash():
    """What freezing uht adds to the RPI_PICO_W image (ci/build-firmware.sh's sizes.env), if built."""
    path = os.path.join(REPO, "dist", "firmware", "RPI_PICO_W", "sizes.env")
    if not os.path.exists(path):
        return {"board": "RPI_PICO_W", "error": "no %s (make firmware BOARD=RPI_PICO_W)" % os.path.relpath(path, REPO)}
    sizes = flash_account.read_sizes(path)
    row = {"board": "RPI_PICO_W", "file": os.path.relpath(path, REPO), "sizes": sizes}
    if "full" in sizes and "no_uht" in sizes:
        row["uht_frozen_bytes"] = sizes["full"] - sizes["no_uht"]
        row["account"] = flash_account.for_board("RPI_PICO_W", sizes)  # where those bytes go
    row["built"] = os.path.getmtime(path)
    return row


def measure(cfg, log):
    """Every board row; cfg: soak_requests, search (bool: run the smallest-heap searches)."""
    out = {"binary": binary_info(), "runs": RUNS, "step_kb": STEP_KB, "tunables": boardrun.TUNABLES}
    mpy = {"uht": UHT_MPY, "microdot": MICRODOT_MPY}

    held = []
    # `.mpy, stock`: the same .mpy on the build that freezes asyncio only, as a stock firmware: every
    # name the library uses that the firmware lacks is interned in RAM as it loads (on the
    # board-sized build uht's and microdot's names came frozen with them).
    stock = os.access(boardrun.BOARD32_STOCK, os.X_OK)
    for lib, app in (("asyncio-alone", "asyncio_alone.py"), ("asyncio", None), ("uht", None), ("microdot", None)):
        forms = [("frozen", None, None)]
        if lib in mpy:
            forms.append((".mpy", mpy[lib], None))
            if stock:
                forms.append((".mpy, stock", mpy[lib], boardrun.BOARD32_STOCK))
        for form, path, binary in forms:
            try:
                n, cmd = boardrun.held_after_one_get(lib, mpy_dir=path, app=app, binary=binary)
                held.append({"lib": lib, "form": form, "bytes": n, "command": cmd})
                log("  held after one GET  %-13s %-11s %6d B" % (lib, form, n))
            except boardrun.RunError as e:
                held.append({"lib": lib, "form": form, "error": str(e)})
                log("  held after one GET  %-13s %-11s ERROR %s" % (lib, form, e))
    out["held"] = held
    out["import_account"] = import_account.account(boardrun.BOARD32, boardrun.BOARD32_STOCK)  # the import, per module
    log(
        "  import per module: %s"
        % ", ".join(
            "%s %s B" % (form, sum(r["bytes"] for r in rows))
            for form, rows in out["import_account"].items()
            if form != "error"
        )
    )

    try:
        n, cmd = boardrun.firmware_app_held()
        out["firmware_app"] = {"bytes": n, "command": cmd}
        log("  firmware app (main.py + uhtfw) held after one GET: %d B" % n)
    except (boardrun.RunError, OSError) as e:
        out["firmware_app"] = {"error": str(e)}
        log("  firmware app: ERROR %s" % e)

    alloc = []
    for lib in ("asyncio", "uht", "microdot"):
        try:
            per, keepalive, cmd = boardrun.alloc_per_keepalive_get(lib)
            alloc.append({"lib": lib, "bytes_per_get": per, "keepalive": keepalive, "command": cmd})
            log("  alloc per GET       %-13s %7.0f B%s" % (lib, per, "" if keepalive else " (a connection per GET)"))
        except (boardrun.RunError, OSError) as e:
            alloc.append({"lib": lib, "error": str(e)})
            log("  alloc per GET       %-13s ERROR %s" % (lib, e))
    out["alloc"] = alloc

    concurrent, soak = [], []
    if cfg.get("search"):
        for lib in ("asyncio", "uht", "microdot"):

            def serves(kb, run, lib=lib):
                return boardrun.serves_concurrent(lib, kb, 8, 50)

            row = smallest_heap(serves, 8, 32, log, "8x50 %s" % lib)
            row.update(lib=lib, clients=8, gets=50)
            concurrent.append(row)
            log("  smallest heap, 8 clients x 50 GETs, %-8s %s KB" % (lib, row["min_heap_kb"]))
        for lib in ("uht", "microdot"):
            last = [None]  # the figures of the last run that passed: the confirmation at the answer

            def serves(kb, run, lib=lib, last=last):
                ok, why, figures = boardrun.soak(lib, kb, cfg["soak_requests"], seed=run)
                last[0] = figures if ok else last[0]
                return ok, why

            row = smallest_heap(serves, 16, 64, log, "soak %s" % lib)
            row.update(lib=lib, requests=cfg["soak_requests"], figures_at_min=last[0])
            soak.append(row)
            log("  smallest heap, soak of %d, %-8s %s KB" % (cfg["soak_requests"], lib, row["min_heap_kb"]))
    else:  # quick: one run of each workload in a roomy heap proves the harness, measures nothing
        ok, why = boardrun.serves_concurrent("uht", 64, 8, 5)
        concurrent.append({"lib": "uht", "clients": 8, "gets": 5, "heap_kb": 64, "ok": ok, "why": why})
        log("  serves 8 clients x 5 GETs in 64 KB: %s %s" % (ok, why))
        ok, why, figures = boardrun.soak("uht", 96, cfg["soak_requests"], seed=1)
        soak.append({"lib": "uht", "requests": cfg["soak_requests"], "heap_kb": 96, "ok": ok, "why": why})
        log("  soak of %d in 96 KB: %s %s" % (cfg["soak_requests"], ok, why))
    out["concurrent"] = concurrent
    out["soak"] = soak
    out["flash"] = flash()
    return out


def _get(rows, **match):
    for r in rows:
        if all(r.get(k) == v for k, v in match.items()):
            return r
    return {}


def cpu_ratios(summary):
    """ceiling/uht and ceiling/microdot CPU time per request, GET /, 8 connections, MicroPython."""
    out = {}
    for mode in ("keep-alive", "close"):
        cells = {
            r["server"]: r.get("cpu_us_per_req")
            for r in summary
            if r["runtime"] == "micropython" and r["endpoint"] == "GET /" and r["mode"] == mode and r["conns"] == 8
        }
        ceiling = cells.get("ceiling")
        out[mode] = {
            "ceiling_us": ceiling,
            "uht_us": cells.get("uht"),
            "microdot_us": cells.get("microdot"),
            "ceiling_over_uht": ceiling / cells["uht"] if ceiling and cells.get("uht") else None,
            "ceiling_over_microdot": ceiling / cells["microdot"] if ceiling and cells.get("microdot") else None,
        }
    return out


def problems(board):
    """Functional failures of the board part (for --quick): an error, or a workload not served."""
    out = []
    for key in ("held", "alloc"):
        for r in board.get(key, []):
            if r.get("error"):
                out.append("board %s %s: %s" % (key, r.get("lib"), r["error"]))
    if board.get("firmware_app", {}).get("error"):
        out.append("board firmware app: " + board["firmware_app"]["error"])
    for key in ("concurrent", "soak"):
        for r in board.get(key, []):
            if r.get("ok") is False or r.get("error"):
                out.append("board %s %s: %s" % (key, r.get("lib"), r.get("why") or r.get("error")))
    return out
