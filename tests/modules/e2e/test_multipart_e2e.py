"""Streaming uploads over real sockets: a 1 MB file from requests and curl (multipart, and chunked)
lands on disk byte for byte, under MicroPython (source, .mpy in a small heap, and uht frozen into
the unix port with a 64 KB heap) and CPython."""

import os
import shutil
import subprocess

import pytest
import requests
from appserver import FEATURE_RUNTIMES, start_extra

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
APP = os.path.join(HERE, "apps", "upload_app.py")
DATA = os.urandom(1024 * 1024)


@pytest.fixture(params=FEATURE_RUNTIMES)
def upload_server(request, tmp_path):  # type: ignore[no-untyped-def]
    upload_dir = tmp_path / "uploads"
    upload_dir.mkdir()
    workdir = tmp_path / "server"
    workdir.mkdir()
    srv = start_extra(request.param, APP, str(workdir), {"UHT_UPLOAD_DIR": str(upload_dir)})
    yield srv, upload_dir
    srv.stop()


def test_one_megabyte_with_requests(upload_server):
    srv, upload_dir = upload_server
    files = {"firmware": ("fw.bin", DATA, "application/octet-stream")}
    r = requests.post(srv.url + "/upload", files=files, data={"version": "1.2.3"}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["files"] == [["firmware", "fw.bin", len(DATA)]]
    assert r.json()["fields"] == {"version": "1.2.3"}
    assert (upload_dir / "fw.bin").read_bytes() == DATA
    # The server is still well: another request on a fresh connection.
    assert requests.get(srv.url + "/mem", timeout=5).status_code == 200


def test_one_megabyte_with_curl_plain_and_chunked(upload_server, tmp_path):
    if shutil.which("curl") is None:
        pytest.skip("curl not installed")
    srv, upload_dir = upload_server
    src = tmp_path / "src.bin"
    src.write_bytes(DATA)
    for extra, name in (([], "plain.bin"), (["-H", "Transfer-Encoding: chunked"], "chunked.bin")):
        out = subprocess.run(
            ["curl", "-sS", "--fail", *extra, "-F", "f=@%s;filename=%s" % (src, name), srv.url + "/upload"],
            capture_output=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert (upload_dir / name).read_bytes() == DATA, name


def test_bad_upload_answers_400_and_server_lives_on(upload_server):
    srv, upload_dir = upload_server
    body = b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="t.bin"\r\n\r\n' + b"a" * 5000
    r = requests.post(
        srv.url + "/upload", data=body, headers={"Content-Type": "multipart/form-data; boundary=xyz"}, timeout=10
    )
    assert r.status_code == 400
    r = requests.post(srv.url + "/upload", data=b"x", headers={"Content-Type": "text/plain"}, timeout=10)
    assert r.status_code == 415
    assert requests.get(srv.url + "/mem", timeout=5).status_code == 200


def test_httpx_upload_and_no_heap_growth(upload_server):
    import httpx

    srv, upload_dir = upload_server
    with httpx.Client(timeout=30) as client:
        client.get(srv.url + "/mem")
        free = []
        for i in range(6):
            data = DATA[i * 1000 : i * 1000 + 200_000]
            r = client.post(srv.url + "/upload", files={"f": ("h%d.bin" % i, data)}, data={"i": str(i)})
            assert r.json()["files"] == [["f", "h%d.bin" % i, len(data)]], r.text
            assert (upload_dir / ("h%d.bin" % i)).read_bytes() == data
            free.append(client.get(srv.url + "/mem").json()["mem_free"])
    if free[0] >= 0:  # MicroPython reports its heap: it must not shrink upload after upload
        assert min(free[2:]) >= free[1] - 2048, free
