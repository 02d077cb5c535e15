"""Real clients (requests, http.client, curl) against the core app under every runtime."""

import http.client
import json
import subprocess

import requests


def test_hello_and_params(server):
    r = requests.get(server.url + "/", timeout=5)
    assert r.status_code == 200 and r.text == "Hello, world!"
    assert r.headers["Content-Length"] == "13"
    assert requests.get(server.url + "/hello/caf%C3%A9", timeout=5).text == "Hello, café!"
    assert requests.get(server.url + "/int/7", timeout=5).json() == {"n": 7, "type": "int"}
    assert requests.get(server.url + "/files/a/b%2Fc.txt", timeout=5).json() == {
        "rest": "a/b/c.txt",
        "path": "/files/a/b/c.txt",
    }


def test_query_headers_json_form(server):
    assert requests.get(server.url + "/query?a=1&b=x+y&c", timeout=5).json() == {"a": "1", "b": "x y", "c": ""}
    assert requests.get(server.url + "/headers", headers={"x-TEST": "v"}, timeout=5).json()["x-test"] == "v"
    assert requests.post(server.url + "/json", json={"k": [1, "é"]}, timeout=5).json() == {"got": {"k": [1, "é"]}}
    assert requests.post(server.url + "/form", data={"a": "1 2", "b": "&"}, timeout=5).json() == {"a": "1 2", "b": "&"}
    assert requests.post(server.url + "/json", data=b"{bad", timeout=5).status_code == 400


def test_keep_alive_reuses_one_connection(server):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    for path in ["/", "/hello/a", "/stream", "/", "/custom"]:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        assert resp.status in (200, 201)
    conn.request("GET", "/_diag")
    assert json.loads(conn.getresponse().read())["conn_requests"] == 6  # all six on one connection
    conn.close()


def test_streaming_and_custom_status(server):
    r = requests.get(server.url + "/stream", timeout=5)
    assert r.text == "part0\npart1\npart2\n" and r.headers["Transfer-Encoding"] == "chunked"
    r = requests.get(server.url + "/custom", timeout=5)
    assert r.status_code == 201 and r.reason == "Made It"
    assert r.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert requests.get(server.url + "/late-header", timeout=5).text == "xyrefused"
    assert requests.get(server.url + "/inject", timeout=5).text == "refused"


def test_event_stream_arrives_incrementally(server):
    with requests.get(server.url + "/events", stream=True, timeout=5) as r:
        lines = [line for line in r.iter_lines() if line]
    assert lines == [b"data: 0", b"data: 1", b"data: 2"]


def test_redirect_and_errors(server):
    r = requests.get(server.url + "/redirect?to=/hello/x", timeout=5)
    assert r.text == "Hello, x!" and r.history[0].status_code == 302
    assert requests.get(server.url + "/redirect?to=/a%0d%0aSet-Cookie:x=1", timeout=5).status_code == 500
    assert requests.get(server.url + "/raise", timeout=5).status_code == 500
    assert requests.get(server.url + "/memerr", timeout=5).status_code == 500
    assert requests.get(server.url + "/forbidden", timeout=5).status_code == 403
    assert requests.get(server.url + "/", timeout=5).status_code == 200  # still serving
    assert "handler bug" in server.output()


def test_error_after_streaming_started_closes(server):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    conn.request("GET", "/raise-late")
    resp = conn.getresponse()
    try:
        body = resp.read()
    except http.client.IncompleteRead as exc:
        body = exc.partial
    assert body.startswith(b"ab")
    assert requests.get(server.url + "/", timeout=5).status_code == 200


def test_methods_404_405_501_head_options(server):
    r = requests.post(server.url + "/hello/x", timeout=5)
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, OPTIONS"
    r = requests.get(server.url + "/nowhere", timeout=5)
    assert r.status_code == 404 and r.text == "custom not found: /nowhere"
    assert requests.request("FROB", server.url + "/", timeout=5).status_code == 501
    r = requests.head(server.url + "/", timeout=5)
    assert r.status_code == 200 and r.headers["Content-Length"] == "13" and r.content == b""
    r = requests.options(server.url + "/item", timeout=5)
    assert r.status_code == 204 and r.headers["Allow"] == "DELETE, OPTIONS, PUT"
    assert requests.put(server.url + "/item", timeout=5).text == "PUT"


def test_bodies_limits_and_chunked_upload(server):
    assert requests.post(server.url + "/echo", data=b"x" * 2048, timeout=5).content == b"x" * 2048
    assert requests.post(server.url + "/echo", data=b"x" * 2049, timeout=5).status_code == 413
    assert requests.post(server.url + "/upload", data=b"x" * 101, timeout=5).status_code == 413
    assert requests.post(server.url + "/upload", data=b"x" * 100, timeout=5).text == "100"

    def chunks():
        for _ in range(10):
            yield b"y" * 1000

    # streamed with read(n): larger than max_body, and chunked
    assert requests.post(server.url + "/count", data=chunks(), timeout=5).text == "10000"


def test_curl_expect_100_continue_and_head(server):
    body = "z" * 1500  # older curl sends Expect: 100-continue by itself past 1 KB; ask for it explicitly
    out = subprocess.run(
        ["curl", "-s", "-v", "--data-binary", body, "-H", "Expect: 100-continue", server.url + "/echo"],
        capture_output=True,
        timeout=10,
    )
    assert out.stdout.decode() == body
    assert b"HTTP/1.1 100 Continue" in out.stderr
    head = subprocess.run(["curl", "-s", "-I", server.url + "/hello/x"], capture_output=True, timeout=10).stdout
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 9" in head


def test_http10_client(server):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    conn._http_vsn, conn._http_vsn_str = 10, "HTTP/1.0"
    conn.request("GET", "/stream")
    resp = conn.getresponse()
    assert resp.read() == b"part0\npart1\npart2\n"
    assert resp.getheader("Connection") == "close"
