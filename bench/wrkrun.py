"""Run wrk against a server and parse its report (requests/s, p50/p99 latency, errors)."""

import os
import re
import subprocess

BENCH = os.path.dirname(os.path.abspath(__file__))
LUA = {"post": os.path.join(BENCH, "wrk_post_echo.lua")}

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


def wrk_command(port, conns, duration, close=False, path="/", script=None, timeout=2):
    argv = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % duration, "--timeout", "%ds" % timeout, "--latency"]
    if close:
        argv += ["-H", "Connection: close"]
    if script:
        argv += ["-s", LUA[script]]
    return argv + ["http://127.0.0.1:%d%s" % (port, path)]


def parse(out):
    """The figures of one wrk report."""
    res = {"rps": None, "p50_ms": None, "p99_ms": None, "requests": None, "errors": 0, "non2xx": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        res["rps"] = float(m.group(1))
    m = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    if m:
        res["p50_ms"] = _ms(m.group(1))
    m = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if m:
        res["p99_ms"] = _ms(m.group(1))
    m = re.search(r"(\d+) requests in", out)
    if m:
        res["requests"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        res["errors"] = sum(int(g) for g in m.groups())
        res["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        res["non2xx"] = int(m.group(1))
    return res


def run_wrk(port, conns, duration, close=False, path="/", script=None):
    argv = wrk_command(port, conns, duration, close, path, script)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 20)
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        out = "wrk timed out: %s" % e
    res = parse(out)
    if res["rps"] is None:
        res["raw"] = out[-1000:]
    return res
