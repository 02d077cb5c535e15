"""The harness's own parsing and summarising (CPython, pytest; run by `make bench-quick`)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import throughput  # noqa: E402
from wrkrun import parse  # noqa: E402

WRK_OUT = """Running 3s test @ http://127.0.0.1:40863/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   532.33us   66.25us   2.13ms   90.98%
    Req/Sec    15.06k   521.64    15.74k    80.00%
  Latency Distribution
     50%  519.00us
     75%  535.00us
     90%  578.00us
     99%    1.20ms
  29932 requests in 2.00s, 2.23MB read
  Socket errors: connect 0, read 3, write 1, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:  14962.84
Transfer/sec:      1.11MB
"""


def test_parse_reads_rate_latency_and_errors():
    r = parse(WRK_OUT)
    assert r["rps"] == 14962.84
    assert abs(r["p50_ms"] - 0.519) < 1e-9
    assert abs(r["p99_ms"] - 1.2) < 1e-9
    assert r["requests"] == 29932
    assert r["errors"] == 6
    assert r["socket_errors"] == {"connect": 0, "read": 3, "write": 1, "timeout": 2}
    assert r["non2xx"] == 7


def test_parse_of_a_failed_run_has_no_rate():
    r = parse("unable to connect to 127.0.0.1:1 Connection refused")
    assert r["rps"] is None and r["requests"] is None


def _sample(server, rps, rnd, cpu=None):
    return {
        "cpu_us_per_req": cpu,
        "server": server,
        "runtime": "micropython",
        "endpoint": "GET /",
        "mode": "keep-alive",
        "conns": 8,
        "rps": rps,
        "p50_ms": 1.0,
        "p99_ms": 2.0,
        "errors": 0,
        "non2xx": 0,
        "round": rnd,
    }


def test_summary_takes_medians_and_ratios():
    samples = [_sample("ceiling", v, i, 100.0) for i, v in enumerate((100.0, 300.0, 200.0))]
    samples += [_sample("uht", v, i, c) for i, (v, c) in enumerate(((150.0, 130.0), (160.0, 125.0), (170.0, 90.0)))]
    samples += [_sample("microdot", v, i) for i, v in enumerate((40.0, 80.0, 60.0))]
    rows = {r["server"]: r for r in throughput.summarize(samples)}
    assert rows["ceiling"]["rps"] == 200.0
    assert rows["uht"]["rps"] == 160.0
    assert rows["uht"]["vs_ceiling"] == 0.8
    assert rows["uht"]["vs_microdot"] == 160.0 / 60.0
    assert rows["microdot"]["runs"] == 3
    assert rows["uht"]["cpu_us_per_req"] == 125.0
    assert rows["uht"]["cpu_vs_ceiling"] == 0.8
    assert rows["microdot"]["cpu_vs_ceiling"] is None  # no CPU figures for it


def test_smallest_heap_bisects_in_steps_and_confirms_with_every_run():
    import board

    # Passes from 22 KB, except that run 3 at 22 KB fails (fragmentation): the answer is 24.
    def serves(kb, run):
        return (kb >= 22 and not (kb == 22 and run == 3)), "why %d" % kb

    row = board.smallest_heap(serves, 8, 32, lambda msg: None, "t")
    assert row["min_heap_kb"] == 24
    assert all(p["kb"] % 2 == 0 for p in row["probes"])
    assert [p["run"] for p in row["probes"] if p["kb"] == 24] == [1, 2, 3]
    assert row["largest_failing_kb"] == 22


def test_smallest_heap_grows_the_upper_bound_and_gives_up():
    import board

    row = board.smallest_heap(lambda kb, run: (kb >= 40, ""), 8, 16, lambda msg: None, "t")
    assert row["min_heap_kb"] == 40
    row = board.smallest_heap(lambda kb, run: (False, "never"), 8, 16, lambda msg: None, "t", cap_kb=64)
    assert row["min_heap_kb"] is None


def test_cpu_ratios_take_the_8_connection_get_cells():
    import board

    summary = [
        {"runtime": "micropython", "endpoint": "GET /", "mode": m, "conns": c, "server": s, "cpu_us_per_req": v}
        for m, c, s, v in (
            ("keep-alive", 8, "ceiling", 10.0),
            ("keep-alive", 8, "uht", 40.0),
            ("keep-alive", 8, "microdot", 200.0),
            ("keep-alive", 1, "uht", 1.0),
            ("close", 8, "ceiling", 30.0),
            ("close", 8, "uht", 50.0),
        )
    ]
    r = board.cpu_ratios(summary)
    assert r["keep-alive"]["ceiling_over_uht"] == 0.25
    assert r["keep-alive"]["ceiling_over_microdot"] == 0.05
    assert r["close"]["ceiling_over_uht"] == 0.6
    assert r["close"]["ceiling_over_microdot"] is None


def test_board_section_marks_targets_and_the_lighter_column():
    import render

    b = {
        "binary": {"path": "build/runtimes/board32/micropython", "version": "3.4.0; MicroPython v1.28.0"},
        "tunables": "glibc.malloc.mmap_max=0",
        "held": [
            {"lib": "uht", "form": "frozen", "bytes": 7000},
            {"lib": "microdot", "form": "frozen", "bytes": 9000},
            {"lib": "uht", "form": ".mpy", "bytes": 20000},
            {"lib": "microdot", "form": ".mpy", "bytes": 19000},
        ],
        "alloc": [{"lib": "uht", "bytes_per_get": 600.0, "keepalive": True}],
        "concurrent": [],
        "soak": [],
        "flash": {"error": "no sizes.env"},
        "cpu": {"keep-alive": {"ceiling_us": 10.0, "uht_us": 20.0, "ceiling_over_uht": 0.5}},
    }
    rows = render.board_rows(b)

    def row(start):
        return next(r for r in rows if r[0].startswith(start))

    held = row("heap held by a started server")
    assert held[5] == "met" and held[6] is True
    mpy = row("the same with uht/microdot as")
    assert mpy[5] == "**missed**" and mpy[6] is False
    assert row("bytes allocated per keep-alive")[5] == "**missed**"
    text = "\n".join(render.board_section({"board": b, "machine": {"microdot": "2.7.0"}}))
    assert "lighter than microdot in every memory column: no" in text


def test_profile_section_gives_one_table_row_per_stage_and_errors_on_one_line():
    import render

    prof = {
        "stages": [
            {"stage": "parse_head GET /", "bytes": 96, "us": 9.6},
            {"stage": "  _frame (7 header lines)", "error": "ImportError: can't import name _frame | x"},
            {
                "stage": "all",
                "error": 'exit 1: Traceback (most recent call last):\n  File "profile_uht.py", line 179\n'
                "TypeError: parse_head() takes 2 positional arguments but 3 were given\n",
            },
        ]
    }
    text = "\n".join(render.profile_section(prof))
    rows = [line for line in text.splitlines() if line.startswith("| ") and "stage" not in line]
    assert rows == [
        "| parse_head GET / | 96 | 9.6 |",
        "| ↳ _frame (7 header lines) | not measured: ImportError: can't import name _frame \\| x |  |",
        "| all | not measured: TypeError: parse_head() takes 2 positional arguments but 3 were given |  |",
    ]
    assert render.profile_section(None) == [] and render.profile_section({"stages": []}) == []


class _Proc:
    def __init__(self, stdout, stderr, returncode):
        self.stdout, self.stderr, self.returncode = stdout, stderr, returncode


def _profile(monkeypatch, stdout, stderr="", returncode=0):
    import memory

    monkeypatch.setattr(memory, "_micropython", lambda *a, **k: (_Proc(stdout, stderr, returncode), "cmd"))
    return memory.profile_stages(lambda line: None)


def test_profile_stages_keeps_every_line_and_marks_a_crash_after_them(monkeypatch):
    ok = '{"stage": "a", "bytes": 96, "us": 9.6}\n{"stage": "  b", "error": "AttributeError: x"}\n'
    assert _profile(monkeypatch, ok)["stages"] == [
        {"stage": "a", "bytes": 96, "us": 9.6},
        {"stage": "  b", "error": "AttributeError: x"},
    ]
    crashed = _profile(monkeypatch, ok + '{"stage": "c", "by', returncode=-11)["stages"]
    assert [r["stage"] for r in crashed] == ["a", "  b", "the stages after 'b'"]
    assert crashed[-1]["error"] == "exit -11: killed by signal 11"
    nothing = _profile(monkeypatch, "", "Traceback ...\nTypeError: t\n", 1)["stages"]
    assert nothing == [{"stage": "all", "error": "exit 1: Traceback ...\nTypeError: t"}]
