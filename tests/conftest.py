"""For every suite under tests/: `import runtimes` works, and the reasons of skipped tests go to the
skip log (UHT_SKIP_LOG, set by `make test`) that `make test` prints once at its end, one line per
reason with its count, instead of a line per test."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runtimes  # noqa: E402

_skips: dict = {}


def pytest_runtest_logreport(report):  # type: ignore[no-untyped-def]
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).replace("Skipped: ", "", 1)
        suite = report.nodeid.split("::")[0]
        suite = os.path.dirname(suite) or suite
        key = (suite, reason)
        _skips[key] = _skips.get(key, 0) + 1


def pytest_sessionfinish(session):  # type: ignore[no-untyped-def]
    for (suite, reason), count in sorted(_skips.items()):
        runtimes.record_skip("%s (%d test%s)" % (suite, count, "" if count == 1 else "s"), reason)
    _skips.clear()
