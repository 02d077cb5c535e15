"""A tiny test runner for MicroPython (which has no unittest here); pytest runs the same files.

    micropython tests/mpytest.py tests/core/unit [name-substring]

Runs every `test_*` function of every `test_*.py` module in the folder (coroutine functions under
asyncio) and closes with a line `N passed, N failed` (and skipped). Exits 1 when any failed.
"""

import sys

try:
    import os
except ImportError:
    import uos as os  # type: ignore[no-redef]

try:
    import asyncio
except ImportError:
    asyncio = None  # type: ignore[assignment]


def _print_exception(exc):  # type: ignore[no-untyped-def]
    if hasattr(sys, "print_exception"):
        sys.print_exception(exc)
    else:
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__)


def _run_one(fn):  # type: ignore[no-untyped-def]
    result = fn()
    if hasattr(result, "send"):  # a coroutine: run it to completion
        asyncio.run(result)
        if hasattr(asyncio, "new_event_loop"):
            asyncio.new_event_loop()


def run_folder(folder, wanted=""):  # type: ignore[no-untyped-def]
    sys.path.insert(0, folder)
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    names = sorted(n for n in os.listdir(folder) if n.startswith("test_") and n.endswith(".py"))
    for name in names:
        module_name = name[:-3]
        module = __import__(module_name)
        for attr in sorted(dir(module)):
            if not attr.startswith("test_") or wanted not in module_name + "." + attr:
                continue
            fn = getattr(module, attr)
            if not callable(fn):
                continue
            label = module_name + "." + attr
            try:
                _run_one(fn)
            except Exception as exc:
                if type(exc).__name__ == "Skipped":
                    counts["skipped"] += 1
                    print("SKIP", label, exc)
                    continue
                counts["failed"] += 1
                print("FAIL", label)
                _print_exception(exc)
                continue
            counts["passed"] += 1
            print("ok  ", label)
    return counts


def main():  # type: ignore[no-untyped-def]
    args = sys.argv[1:]
    if not args:
        print("usage: mpytest.py FOLDER [name-substring]")
        sys.exit(2)
    # Import uht from MICROPYPATH, not from the current directory (the .mpy run relies on it).
    while "" in sys.path:
        sys.path.remove("")
    counts = run_folder(args[0], args[1] if len(args) > 1 else "")
    import uht

    print("runtime:", sys.implementation.name, sys.version, "uht from", getattr(uht, "__file__", "?"))
    line = "%d passed, %d failed" % (counts["passed"], counts["failed"])
    if counts["skipped"]:
        line += ", %d skipped" % counts["skipped"]
    print(line)
    sys.exit(1 if counts["failed"] else 0)


main()
