"""Helpers for the feature unit tests, on CPython (pytest) and MicroPython (tests/mpytest.py)."""

import os
import time

from uht import HTTPServer
from uht.testing import TestClient


def app_and_client(**options):  # type: ignore[no-untyped-def]
    app = HTTPServer(**options)
    return app, TestClient(app)


def _mkdirs(path: str) -> None:
    so_far = ""
    for part in path.split("/"):
        if not part:
            continue
        so_far += "/" + part
        try:
            os.mkdir(so_far)
        except OSError:
            pass


def make_tree(files: dict) -> str:
    """A fresh directory under /tmp holding files {relative path: bytes}; returns its path."""
    root = "/tmp/uht-feat-%d-%d" % (
        time.ticks_ms() if hasattr(time, "ticks_ms") else int(time.time() * 1000),
        id(files),
    )
    for rel, data in files.items():
        full = root + "/" + rel
        _mkdirs(full[: full.rfind("/")])
        with open(full, "wb") as f:
            f.write(data)
    _mkdirs(root)
    return root


def remove_tree(path: str) -> None:
    for entry in os.listdir(path):
        full = path + "/" + entry
        if os.stat(full)[0] & 0x4000:
            remove_tree(full)
        else:
            os.remove(full)
    os.rmdir(path)


def raw_get(target: str, extra: str = "") -> bytes:
    return ("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s\r\n" % (target, extra)).encode()
