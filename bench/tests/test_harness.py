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
