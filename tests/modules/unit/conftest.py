"""pytest glue for the portable feature unit tests (same as tests/core/unit/conftest.py): run
`async def test_*` with asyncio, import uht from the repo, and tests/core/unit/support.py helpers."""

import asyncio
import inspect
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)


def pytest_pyfunc_call(pyfuncitem):  # type: ignore[no-untyped-def]
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None
