"""Bounded byte-mutation fuzz against uht under MicroPython over sockets (FUZZ_CASES, default
5000 in make test; `make fuzz` runs a long one)."""

import os

import mutate


def test_mutated_requests_never_hang_crash_or_leak():  # type: ignore[no-untyped-def]
    cases = int(os.environ.get("FUZZ_CASES", "5000"))
    seed = int(os.environ.get("FUZZ_SEED", "1"))
    failures, stats = mutate.fuzz(cases, seed, log=lambda line: None)
    print("\nmutation fuzz: %r" % stats)
    assert not failures, "\n".join("%s\n  input %r\n  saved %s" % (w[:400], d[:300], p) for w, d, p in failures)
    assert stats["cases"] == cases
    assert stats["sockets_after"] <= stats["sockets_baseline"]
