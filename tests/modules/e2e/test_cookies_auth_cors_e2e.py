"""Cookies, Basic auth and CORS under real runtimes, driven by requests and curl."""

import os
import shutil
import subprocess

import pytest
import requests
from appserver import FEATURE_RUNTIMES, start_extra

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps", "session_app.py")
UI = "http://ui.example"


@pytest.fixture(params=FEATURE_RUNTIMES)
def srv(request, tmp_path):  # type: ignore[no-untyped-def]
    server = start_extra(request.param, APP, str(tmp_path))
    yield server
    server.stop()


def test_cookies_round_trip_in_a_session(srv):
    s = requests.Session()
    r = s.post(srv.url + "/login", data={"user": "ann"}, timeout=5)
    assert r.text == "logged in"
    assert r.headers["Set-Cookie"] == "session=s-ann; Max-Age=600; Path=/; HttpOnly; SameSite=Lax"
    assert s.get(srv.url + "/me", timeout=5).json() == {"cookies": {"session": "s-ann"}}
    r = s.get(srv.url + "/logout", timeout=5)
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert s.get(srv.url + "/me", timeout=5).json() == {"cookies": {}}  # the jar dropped it
    r = requests.get(srv.url + "/me", headers={"Cookie": 'a=1; b="two"; junk'}, timeout=5)
    assert r.json() == {"cookies": {"a": "1", "b": "two"}}


def test_basic_auth(srv):
    r = requests.get(srv.url + "/admin", timeout=5)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Basic realm="admin", charset="UTF-8"'
    assert requests.get(srv.url + "/admin", auth=("admin", "nope"), timeout=5).status_code == 401
    assert requests.get(srv.url + "/admin", auth=("admin", "pa:ss"), timeout=5).text == "admin admin"
    r = requests.get(srv.url + "/ops/status", timeout=5)
    assert r.status_code == 401 and 'realm="ops area"' in r.headers["WWW-Authenticate"]
    assert requests.get(srv.url + "/ops/status", auth=("ops", "hunter2"), timeout=5).text == "ops ops"
    if shutil.which("curl"):
        out = subprocess.run(
            ["curl", "-s", "-u", "ops:hunter2", srv.url + "/ops/status"], capture_output=True, timeout=10
        )
        assert out.stdout == b"ops ops"


def test_cors_preflight_and_actual_request(srv):
    pre = {"Origin": UI, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}
    r = requests.options(srv.url + "/api/items", headers=pre, timeout=5)
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == UI
    assert "PUT" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"] == "content-type"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert r.headers["Access-Control-Max-Age"] == "300"
    assert "Allow" not in r.headers  # CORS answered, not the automatic OPTIONS handler
    r = requests.put(srv.url + "/api/items", headers={"Origin": UI}, timeout=5)
    assert r.json() == [1, 2, 3] and r.headers["Access-Control-Allow-Origin"] == UI
    assert r.headers["Access-Control-Expose-Headers"] == "X-Items" and r.headers["Vary"] == "Origin"
    r = requests.get(srv.url + "/api/items", headers={"Origin": "http://evil.example"}, timeout=5)
    assert "Access-Control-Allow-Origin" not in r.headers
    # A route without CORS keeps the automatic OPTIONS answer.
    r = requests.options(srv.url + "/internal", headers=pre, timeout=5)
    assert r.status_code == 204 and "PUT" in r.headers["Allow"] and "Access-Control-Allow-Origin" not in r.headers
