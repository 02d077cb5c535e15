"""uht.static under real runtimes, driven by requests, curl, raw sockets and redbot."""

import gzip
import json
import os
import shutil
import subprocess

import pytest
import requests
from appserver import FEATURE_RUNTIMES, start_extra

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "apps", "static_app.py")
BIN = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), ".venv", "bin")
CSS = b"body { color: #333; }\n" * 300
BIG = os.urandom(1024 * 1024)
INDEX = b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>uht</title></head>'
INDEX += b"<body>" + b"<p>static files from uht</p>" * 20 + b"</body></html>\n"
SUB_INDEX = b"<!DOCTYPE html>\n<title>sub</title>" + b"<p>sub index</p>" * 20


@pytest.fixture
def www(tmp_path):  # type: ignore[no-untyped-def]
    root = tmp_path / "www"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "style.css").write_bytes(CSS)
    (root / "style.css.gz").write_bytes(gzip.compress(CSS))
    (root / "big.bin").write_bytes(BIG)
    (root / "sub" / "index.html").write_bytes(SUB_INDEX)
    (tmp_path / "secret.txt").write_bytes(b"TOP-SECRET")
    return root


@pytest.fixture(params=FEATURE_RUNTIMES)
def static_server(request, www, tmp_path):  # type: ignore[no-untyped-def]
    workdir = tmp_path / "server"
    workdir.mkdir()
    srv = start_extra(request.param, APP, str(workdir), {"UHT_STATIC_ROOT": str(www)})
    yield srv
    srv.stop()


def test_files_types_and_gzip(static_server):
    url = static_server.url
    r = requests.get(url + "/static/style.css", timeout=5)  # requests asks for gzip and decodes it
    assert r.content == CSS and r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Content-Type"] == "text/css; charset=utf-8" and r.headers["Vary"] == "Accept-Encoding"
    r = requests.get(url + "/static/style.css", headers={"Accept-Encoding": "identity"}, timeout=5)
    assert r.content == CSS and "Content-Encoding" not in r.headers
    r = requests.get(url + "/static/big.bin", timeout=10)
    assert r.content == BIG and r.headers["Content-Length"] == str(len(BIG))
    assert requests.get(url + "/", timeout=5).content == INDEX
    assert requests.get(url + "/sub/", timeout=5).content == SUB_INDEX
    r = requests.get(url + "/sub", timeout=5, allow_redirects=False)
    assert r.status_code == 301 and r.headers["Location"] == "/sub/"
    assert requests.get(url + "/nope.txt", timeout=5).status_code == 404
    r = requests.get(url + "/download/big.bin", timeout=10)
    assert r.content == BIG and "attachment" in r.headers["Content-Disposition"]


def test_conditional_and_ranges(static_server):
    url = static_server.url + "/static/big.bin"
    first = requests.get(url, timeout=10)
    etag, date = first.headers["ETag"], first.headers["Last-Modified"]
    assert requests.get(url, headers={"If-None-Match": etag}, timeout=5).status_code == 304
    assert requests.get(url, headers={"If-Modified-Since": date}, timeout=5).status_code == 304
    r = requests.get(url, headers={"Range": "bytes=1000-1999"}, timeout=5)
    assert r.status_code == 206 and r.content == BIG[1000:2000]
    assert r.headers["Content-Range"] == "bytes 1000-1999/%d" % len(BIG)
    r = requests.get(url, headers={"Range": "bytes=-10"}, timeout=5)
    assert r.content == BIG[-10:]
    r = requests.get(url, headers={"Range": "bytes=%d-" % len(BIG)}, timeout=5)
    assert r.status_code == 416 and r.headers["Content-Range"] == "bytes */%d" % len(BIG)
    r = requests.head(url, timeout=5)
    assert r.status_code == 200 and r.headers["Content-Length"] == str(len(BIG)) and r.content == b""


def test_curl_resume_and_traversal(static_server, tmp_path):
    if shutil.which("curl") is None:
        pytest.skip("curl not installed")
    out = tmp_path / "part.bin"
    out.write_bytes(BIG[:12345])
    subprocess.run(
        ["curl", "-sf", "-C", "-", "-o", str(out), static_server.url + "/static/big.bin"], check=True, timeout=20
    )
    assert out.read_bytes() == BIG  # curl resumed with a Range request
    for target in [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/sub/..%2F..%2Fsecret.txt",
        "/..%5csecret.txt",
        "/static/%2Fetc%2Fpasswd",
        "/static//etc/passwd",
        "/download/..%2Fsecret.txt",
        "/download/%00",
    ]:
        proc = subprocess.run(
            ["curl", "-s", "--path-as-is", "-o", "-", "-w", "\\n%{http_code}", static_server.url + target],
            capture_output=True,
            timeout=10,
        )
        body, _, code = proc.stdout.rpartition(b"\n")
        assert code in (b"400", b"404"), (target, code)
        assert b"TOP-SECRET" not in body and b"root:" not in body


@pytest.mark.skipif(not os.access(os.path.join(BIN, "redbot"), os.X_OK), reason="redbot not in the venv")
@pytest.mark.parametrize("path", ["/static/style.css", "/static/big.bin", "/", "/sub/"])
def test_redbot_finds_no_problems(start_server, www, monkeypatch, path):
    monkeypatch.setenv("UHT_STATIC_ROOT", str(www))
    srv = start_server(APP, "mpy")
    proc = subprocess.run(
        [os.path.join(BIN, "redbot"), "-o", "har", srv.url + path], capture_output=True, text=True, timeout=120
    )
    notes = json.loads(proc.stdout)["log"]["entries"][0]["_red_messages"]
    levels = {n["level"] for n in notes}
    problems = [n["summary"] for n in notes if n["level"] in ("BAD", "WARN")]
    assert not problems, problems
    assert "GOOD" in levels  # redbot did look: e.g. "Content-Length header is correct"
    summaries = " ".join(n["summary"] for n in notes)
    assert "If-None-Match conditional requests are supported" in summaries
    assert "ranged request returned the correct partial content" in summaries
