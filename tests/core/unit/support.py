"""Helpers shared by the unit tests, on CPython (pytest) and MicroPython (mpytest.py)."""

import sys

IS_MICROPYTHON = sys.implementation.name == "micropython"


class Skipped(Exception):
    pass


def skip(reason: str) -> None:
    if IS_MICROPYTHON:
        raise Skipped(reason)
    import pytest

    pytest.skip(reason)


def raises(exc_type, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Call fn and return the exception of exc_type it raised; fail if it raised none."""
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise AssertionError("%s not raised" % exc_type.__name__)


async def araises(exc_type, coro):  # type: ignore[no-untyped-def]
    try:
        await coro
    except exc_type as exc:
        return exc
    raise AssertionError("%s not raised" % exc_type.__name__)


def make_app(**options):  # type: ignore[no-untyped-def]
    from uht import HTTPServer

    return HTTPServer(**options)


def client(app):  # type: ignore[no-untyped-def]
    from uht.testing import TestClient

    return TestClient(app)
