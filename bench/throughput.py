"""Throughput and latency: wrk against the three servers, interleaved A B C A B C, repeated.

For each round and runtime the three servers are started side by side on their own ports (idle
ones cost no CPU) and every (mode, connections) cell is measured server after server, so drift on
the shared machine spreads over all of them instead of biasing one.
"""

import os
import statistics
import time

from servers import Server
from wrkrun import run_wrk, wrk_command

SERVERS = ("ceiling", "uht", "microdot")


def _load():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def _start(name, runtime, cap, log):
    srv = Server(name, runtime, cap=cap)
    if not srv.start():
        log("  %s/%s failed to start: %s" % (name, runtime, srv.stop()[-300:]))
        return None
    return srv


def measure(runtimes, modes, conns_list, rounds, duration, endpoints, log, servers=SERVERS):
    """Returns (samples, commands, peak_rss): one sample dict per wrk run."""
    samples = []
    commands = {}
    peak_rss = {}
    cap = max(conns_list) * 2
    for rnd in range(rounds):
        for runtime in runtimes:
            running = {}
            for name in servers:
                srv = _start(name, runtime, cap, log)
                if srv:
                    running[name] = srv
                    commands["%s/%s" % (name, runtime)] = srv.command()
            cells = [("GET /", mode, c, "/", None) for mode in modes for c in conns_list]
            cells += [(ep, "keep-alive", 8, path, script) for ep, path, script in endpoints]
            for label, mode, conns, path, script in cells:
                for name in servers:
                    if name == "ceiling" and label != "GET /":
                        continue  # the ceiling answers one fixed response to any head
                    srv = running.get(name)
                    if srv is not None and not srv.alive():
                        log("  %s/%s died: %s" % (name, runtime, srv.stop()[-300:]))
                        srv = running[name] = _start(name, runtime, cap, log)
                    if srv is None:
                        continue
                    close = mode == "close"
                    load = _load()
                    cpu0 = srv.cpu_seconds()
                    res = run_wrk(srv.port, conns, duration, close=close, path=path, script=script)
                    cpu1 = srv.cpu_seconds()
                    # CPU time per request barely moves with other load on the machine; req/s does.
                    if cpu0 is not None and cpu1 is not None and res.get("requests"):
                        res["server_cpu_s"] = round(cpu1 - cpu0, 3)
                        res["cpu_us_per_req"] = round((cpu1 - cpu0) * 1e6 / res["requests"], 2)
                    res.update(
                        server=name,
                        runtime=runtime,
                        mode=mode,
                        conns=conns,
                        endpoint=label,
                        round=rnd,
                        loadavg_before=load,
                    )
                    cmd = wrk_command(srv.port, conns, duration, close, path, script)
                    commands.setdefault("wrk %s %s" % (label, mode), " ".join(cmd).replace(str(srv.port), "PORT"))
                    samples.append(res)
                    log(
                        "  r%d %-11s %-8s %-10s %-13s c=%-2d %9s req/s p50=%s p99=%s err=%d non2xx=%d"
                        % (
                            rnd,
                            runtime,
                            name,
                            mode,
                            label,
                            conns,
                            res["rps"],
                            res["p50_ms"],
                            res["p99_ms"],
                            res["errors"],
                            res["non2xx"],
                        )
                    )
                    time.sleep(0.2)
            for name, srv in running.items():
                if srv is None:
                    continue
                err = srv.stop()
                key = "%s/%s" % (name, runtime)
                if srv.peak_rss_kb:
                    peak_rss[key] = max(peak_rss.get(key, 0), srv.peak_rss_kb)
                if err.strip():
                    log("  %s stderr: %s" % (key, err.strip()[-300:]))
    return samples, commands, peak_rss


def summarize(samples):
    """Median per (runtime, endpoint, mode, conns, server) and ratios to the ceiling and microdot."""
    groups = {}
    for s in samples:
        key = (s["runtime"], s["endpoint"], s["mode"], s["conns"], s["server"])
        groups.setdefault(key, []).append(s)
    rows = {}
    for key, runs in groups.items():
        ok = [r for r in runs if r["rps"] is not None]

        def med(field, ok=ok):
            vals = [r[field] for r in ok if r.get(field) is not None]
            return statistics.median(vals) if vals else None

        rows[key] = {
            "runtime": key[0],
            "endpoint": key[1],
            "mode": key[2],
            "conns": key[3],
            "server": key[4],
            "rps": med("rps"),
            "cpu_us_per_req": med("cpu_us_per_req"),
            "p50_ms": med("p50_ms"),
            "p99_ms": med("p99_ms"),
            "runs": len(runs),
            "rps_all": [r["rps"] for r in runs],
            "errors": sum(r["errors"] for r in runs),
            "non2xx": sum(r["non2xx"] for r in runs),
        }
    for key, row in rows.items():
        ceil = rows.get(key[:4] + ("ceiling",), {}).get("rps")
        if key[1] != "GET /":
            ceil = rows.get((key[0], "GET /", "keep-alive", key[3], "ceiling"), {}).get("rps")
        md = rows.get(key[:4] + ("microdot",), {}).get("rps")
        row["vs_ceiling"] = row["rps"] / ceil if ceil and row["rps"] else None
        ceil_cpu = rows.get(key[:4] + ("ceiling",), {}).get("cpu_us_per_req")
        cpu = row.get("cpu_us_per_req")
        row["cpu_vs_ceiling"] = ceil_cpu / cpu if ceil_cpu and cpu and key[1] == "GET /" else None
        row["vs_microdot"] = row["rps"] / md if md and row["rps"] else None
    return sorted(
        rows.values(), key=lambda r: (r["runtime"], r["endpoint"], r["mode"], r["conns"], SERVERS.index(r["server"]))
    )
