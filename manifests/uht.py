# ruff: noqa: F821  (a MicroPython manifest: include, require, freeze ... are given by manifestfile.py)
# What uht adds to every image: the uht package, the firmware app (firmware/modules, frozen whole so
# a new module needs no change here) and what they need from micropython-lib.
# Relative paths resolve against this file's directory, so the repo can live anywhere.
# options.uht=False leaves the uht package out (only used to measure what freezing it costs).
options.defaults(uht=True)

# Modules of uht that MicroPython never imports (each says so): CPython's side, and CircuitPython's
# (its clock and its socketpool transport). No use in a MicroPython image's flash.
UHT_NOT_ON_MICROPYTHON = ("_cpython.py", "_circuitpython.py", "_socketpool.py")


if options.uht:
    # opt=3: no line-number tables (tracebacks name the function, not the line) and no asserts:
    # less flash; the heap is the same.
    include("uht_package.py", leave_out=UHT_NOT_ON_MICROPYTHON, opt=3)

# _boot.py (mounts the filesystem, provisions /main.py, safe mode) and the uhtfw package.
freeze("../firmware/modules")

# What the board's network stack holds (boards/<BOARD>/uhtfw_board.py), for uhtfw.max_connections().
freeze("$(BOARD_DIR)", "uhtfw_board.py")

require("logging")
# Already in bundle-networking on boards that have it; require() of a package twice is a no-op.
require("ntptime")
