"""Starting, interrupting and running again; shutdown that finishes in-flight requests."""

import time

import requests


def test_ctrl_c_releases_the_port_and_run_again_works(start_server, runtime):
    srv = start_server("rerun_app.py", runtime)
    assert requests.get(srv.url + "/", timeout=5).text == "run 1"
    try:
        requests.get(srv.url + "/interrupt", timeout=2)
    except requests.RequestException:
        pass  # the connection dies with the interrupted run
    deadline = time.monotonic() + 5
    text = ""
    while text != "run 2":  # "run 1" may still answer for a moment while the interrupt unwinds
        assert time.monotonic() < deadline, srv.output()
        try:
            text = requests.get(srv.url + "/", timeout=2).text
        except requests.RequestException:
            time.sleep(0.1)
    assert "interrupted run 1" in srv.output()
