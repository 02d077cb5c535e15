"""The runnable example of each feature doc really runs: its ```python block is started as written
(only `app.run()` gets this test's port) under MicroPython and CPython, in a scratch directory, and
answers real requests."""

import gzip
import os
import re
import socket
import subprocess
import time

import pytest
import requests
import runtimes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def example(doc: str) -> str:
    with open(os.path.join(ROOT, "docs", doc)) as f:
        code = re.search(r"```python\n(.*?)```", f.read(), re.S).group(1)  # type: ignore[union-attr]
    code = code.rstrip()
    assert code.endswith("\napp.run()"), doc
    return code[: -len("app.run()")] + "import sys\napp.run(sys.argv[1], int(sys.argv[2]))\n"


class Example:
    def __init__(self, doc: str, runtime: str, workdir) -> None:  # type: ignore[no-untyped-def]
        script = workdir / "example.py"
        script.write_text(example(doc))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        cmd, env = runtimes.require(runtime).script_command(str(script), ["127.0.0.1", str(self.port)])
        self.log = open(workdir / "server.log", "wb")
        self.proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            assert self.proc.poll() is None, (workdir / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "example did not listen"
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)
        self.log.close()


@pytest.fixture(params=runtimes.select(["mpy", "cpython"]))
def run_example(request, tmp_path):  # type: ignore[no-untyped-def]
    started = []

    def run(doc: str) -> Example:
        ex = Example(doc, request.param, tmp_path)
        started.append(ex)
        return ex

    yield run
    for ex in started:
        ex.stop()


def test_static_example(run_example, tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    js = b"let x = 1;\n" * 50
    (www / "index.html").write_bytes(b"<h1>hi</h1>")
    (www / "app.js").write_bytes(js)
    (www / "app.js.gz").write_bytes(gzip.compress(js))
    (www / "report.csv").write_bytes(b"a,b\n1,2\n")
    ex = run_example("static.md")
    r = requests.get(ex.url + "/", timeout=5)
    assert r.content == b"<h1>hi</h1>" and r.headers["Cache-Control"] == "max-age=3600"
    r = requests.get(ex.url + "/app.js", timeout=5)
    assert r.content == js and r.headers["Content-Encoding"] == "gzip"
    r = requests.get(ex.url + "/report.csv", timeout=5)
    assert r.content == b"a,b\n1,2\n" and r.headers["Cache-Control"] == "no-cache"
    assert "attachment" in r.headers["Content-Disposition"]


def test_uploads_example(run_example, tmp_path):
    ex = run_example("uploads.md")
    assert b"multipart/form-data" in requests.get(ex.url + "/", timeout=5).content
    data = os.urandom(300_000)
    files = {"file": ("../../evil.bin", data)}
    r = requests.post(ex.url + "/upload", files=files, data={"note": "hello"}, timeout=30)
    assert r.json() == {"note": "hello", "_.._evil.bin": len(data)}
    assert (tmp_path / "_.._evil.bin").read_bytes() == data


def test_cookies_auth_cors_example(run_example):
    ex = run_example("cookies-auth-cors.md")
    s = requests.Session()
    assert s.post(ex.url + "/login", data={"user": "ann"}, timeout=5).text == "hello ann"
    assert s.get(ex.url + "/me", timeout=5).json() == {"user": "ann"}
    s.get(ex.url + "/logout", timeout=5)
    assert s.get(ex.url + "/me", timeout=5).json() == {"user": None}
    assert requests.get(ex.url + "/admin", timeout=5).status_code == 401
    assert requests.get(ex.url + "/admin", auth=("admin", "secret"), timeout=5).text == "welcome admin"
    assert requests.get(ex.url + "/ops/status", timeout=5).status_code == 401
    assert requests.get(ex.url + "/ops/status", auth=("ops", "hunter2"), timeout=5).text == "ok"
    pre = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT"}
    r = requests.options(ex.url + "/api/data", headers=pre, timeout=5)
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    r = requests.put(ex.url + "/api/data", headers={"Origin": "http://localhost:3000"}, timeout=5)
    assert r.json() == {"method": "PUT"} and r.headers["Access-Control-Allow-Credentials"] == "true"
