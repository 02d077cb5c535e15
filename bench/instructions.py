"""CPU per request as instructions: the benchmark servers under valgrind's callgrind, which counts
the user-space instructions the server executes. Unlike CPU time on a shared machine, the count
repeats to within a fraction of a percent, so it can tell a change of a few percent (see
bench/findings.md, "The core, round 4"). It leaves out the kernel's share (the system calls, the
same for every server), so its ceiling/uht ratio is lower than the CPU-time ratio of `make bench`.

    python bench/instructions.py [--uht DIR] [--requests N]

The ceiling and uht (bench/apps, on the unix MicroPython of the venv; uht from the `.mpy` that
`make bench` compiles, or from DIR: a directory holding a `uht` package) answer GET / from
one client on loopback: N requests on one kept-alive connection, then N connections with
`Connection: close`. Every count is taken twice, with 100 and with 100 + N requests, and the
difference divided by N: the start and the end of the process cancel out. Needs valgrind.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from servers import APPS, MICROPYTHON, SCRIPTS, build_uht_mpy, free_port, micropypath

BASE_REQUESTS = 100


def _connect(port, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _get(sock, request):
    """Send one request and read its answer (every benchmark app answers GET / with this body)."""
    sock.sendall(request)
    got = b""
    while not got.endswith(b"Hello, world!"):
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("the server closed before its answer ended: %r" % got[-200:])
        got += chunk


def count(server, path, requests, close):
    """Instructions a server process executed, from start to exit, serving `requests` GETs."""
    port = free_port()
    env = dict(os.environ, MICROPYPATH=path, GLIBC_TUNABLES="glibc.malloc.mmap_max=0")
    out = tempfile.mkstemp(prefix="uht-callgrind-")[1]
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
    argv += [MICROPYTHON, SCRIPTS[server], str(port), "16"]
    proc = subprocess.Popen(argv, cwd=APPS, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _connect(port).close()  # up and listening (that connection is in both counts)
        request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" % (b"Connection: close\r\n" if close else b"")
        sock = None
        for _ in range(requests):
            if sock is None:
                sock = _connect(port)
            _get(sock, request)
            if close:
                sock.close()
                sock = None
        if sock is not None:
            sock.close()
        time.sleep(0.5)  # the server's side of the last connection is closed too
        proc.send_signal(signal.SIGINT)  # every app stops on Ctrl-C, and callgrind writes its count
        err = proc.communicate(timeout=120)[1].decode("utf-8", "replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.remove(out)
    found = re.search(r"Collected : (\d+)", err)
    if not found:
        raise RuntimeError("no count from callgrind: %s" % err[-500:])
    return int(found.group(1))


def per_request(server, path, requests, close):
    return (count(server, path, BASE_REQUESTS + requests, close) - count(server, path, BASE_REQUESTS, close)) / requests


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--uht", help="a directory holding a uht package to measure instead of `make bench`'s .mpy")
    ap.add_argument("--requests", type=int, default=1000)
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind not found: apt-get install valgrind")
    servers = ("ceiling", "uht")
    if not args.uht:
        build_uht_mpy()
    for mode in ("keep-alive", "close"):
        figures = {}
        for server in servers:
            path = micropypath(server)
            if server == "uht" and args.uht:
                path = ".frozen:%s:%s" % (APPS, os.path.abspath(args.uht))
            figures[server] = per_request(server, path, args.requests, mode == "close")
            print("%-10s %-8s %9.0f instructions per request" % (mode, server, figures[server]), flush=True)
        print("%-10s ceiling/uht %.3f" % (mode, figures["ceiling"] / figures["uht"]))


if __name__ == "__main__":
    main()
