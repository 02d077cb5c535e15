"""A shortened soak for `make test` (SOAK_REQUESTS, default 3000): mixed requests against the
server under MicroPython in a small heap; heap after gc.collect() and sockets must not grow.
The full 100,000-request soak is `make soak`."""

import os

import soak


def test_soak_heap_and_sockets_do_not_grow():  # type: ignore[no-untyped-def]
    requests = int(os.environ.get("SOAK_REQUESTS", "3000"))
    report = soak.run(requests, samples=4, log=lambda line: None)
    problems = soak.check(report)
    summary = {k: v for k, v in report.items() if k != "series"}
    assert not problems, "%s\n%s" % (problems, summary)
    assert report["requests"] >= requests
