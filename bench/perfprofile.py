"""CPU hot spots of a server under load, from Linux `perf` (optional: skipped when perf is missing or
not permitted). Samples the server process while wrk runs and lists the top symbols, so the report
shows where the MicroPython VM spends uht's time (attribute lookups, qstr searches, allocation ...)."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from servers import Server
from wrkrun import run_wrk


def _top(data_file, n):
    out = subprocess.run(
        ["perf", "report", "-i", data_file, "--no-children", "--sort", "dso,symbol", "--stdio", "-g", "none"],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(\S+)", line)
        if m:
            dso = os.path.basename(m.group(2))
            rows.append({"percent": float(m.group(1)), "dso": dso, "symbol": m.group(3)})
    out = subprocess.run(
        ["perf", "report", "-i", data_file, "--no-children", "--sort", "dso", "--stdio", "-g", "none"],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    by_dso = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)", line)
        if m:
            by_dso[os.path.basename(m.group(2))] = float(m.group(1))
    return rows[:n], by_dso


def hot_spots(server, conns=8, seconds=3, n=15, log=print):
    if not shutil.which("perf"):
        return {"server": server, "error": "perf not installed"}
    srv = Server(server, "micropython")
    if not srv.start():
        return {"server": server, "error": "server did not start: " + srv.stop()[-300:]}
    tmp = tempfile.mkdtemp(prefix="uht-perf-")
    data = os.path.join(tmp, "perf.data")
    try:
        rec = subprocess.Popen(
            ["perf", "record", "-F", "2000", "-g", "-p", str(srv.proc.pid), "-o", data],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(0.3)
        res = run_wrk(srv.port, conns, seconds)
        rec.send_signal(signal.SIGINT)
        err = rec.communicate(timeout=60)[1].decode("utf-8", "replace")
        if rec.returncode not in (0, -signal.SIGINT) or not os.path.exists(data):
            return {"server": server, "error": "perf record failed: " + err[-300:]}
        top, by_dso = _top(data, n)
        log(
            "  perf %-8s %s req/s; top: %s"
            % (server, res["rps"], ", ".join("%s %.1f%%" % (r["symbol"], r["percent"]) for r in top[:5]))
        )
        return {
            "server": server,
            "conns": conns,
            "seconds": seconds,
            "rps": res["rps"],
            "top": top,
            "by_dso": by_dso,
            "command": "perf record -F 2000 -g -p <server pid> during: wrk -t1 -c%d -d%ds" % (conns, seconds),
        }
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"server": server, "error": repr(e)}
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
