# ruff: noqa: F821  (a MicroPython manifest: include, require, freeze ... are given by manifestfile.py)
# What uht adds to every image: the uht package, the firmware app (firmware/modules, frozen whole so
# a new module needs no change here) and what they need from micropython-lib.
# Relative paths resolve against this file's directory, so the repo can live anywhere.
# options.uht=False leaves the uht package out (only used to measure what freezing it costs).
import os
import sys

options.defaults(uht=True)

# Modules of uht that MicroPython never imports (each says so): CPython's side, and CircuitPython's
# (its clock and its socketpool transport). No use in a MicroPython image's flash.
UHT_NOT_ON_MICROPYTHON = ("_cpython.py", "_circuitpython.py", "_socketpool.py")


def uht_modules():
    found = []
    for top, _dirs, files in os.walk("../uht"):
        for name in files:
            path = os.path.relpath(os.path.join(top, name), "../uht")
            if name.endswith(".py") and path not in UHT_NOT_ON_MICROPYTHON:
                found.append(path)
    return sorted(found)


if options.uht:
    # What ships is uht without the code only type checkers read (ci/strip_typing.py): copies in
    # ../build/shipped/uht, rewritten when a module changes. Relative to this directory, which is
    # where manifestfile.py runs a manifest.
    sys.path.insert(0, os.path.join("..", "ci"))
    try:
        from strip_typing import ship
    finally:
        sys.path.pop(0)
    files = ship("../uht", "../build/shipped/uht", uht_modules())
    # opt=3: no line-number tables (tracebacks name the function, not the line) and no asserts:
    # less flash; the heap is the same.
    package("uht", files=files, base_path="../build/shipped", opt=3)

# _boot.py (mounts the filesystem, provisions /main.py, safe mode) and the uhtfw package.
freeze("../firmware/modules")

# What the board's network stack holds (boards/<BOARD>/uhtfw_board.py), for uhtfw.max_connections().
freeze("$(BOARD_DIR)", "uhtfw_board.py")

require("logging")
# Already in bundle-networking on boards that have it; require() of a package twice is a no-op.
require("ntptime")
