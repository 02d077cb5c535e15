# ruff: noqa: F821  (a MicroPython manifest: include, require, freeze ... are given by manifestfile.py)
# What uht adds to every image: the uht package, the firmware app (firmware/modules, frozen whole so
# a new module needs no change here) and what they need from micropython-lib.
# Relative paths resolve against this file's directory, so the repo can live anywhere.
# options.uht=False leaves the uht package out (only used to measure what freezing it costs).
import os

options.defaults(uht=True)

# Modules of uht that only CPython imports (uht/_cpython.py says so): no use in flash.
UHT_HOST_ONLY = ("_cpython.py",)


def uht_modules():
    found = []
    for top, _dirs, files in os.walk("../uht"):
        for name in files:
            path = os.path.relpath(os.path.join(top, name), "../uht")
            if name.endswith(".py") and path not in UHT_HOST_ONLY:
                found.append(path)
    return sorted(found)


if options.uht:
    package("uht", files=uht_modules(), base_path="..")

# _boot.py (mounts the filesystem, provisions /main.py, safe mode) and the uhtfw package.
freeze("../firmware/modules")

# What the board's network stack holds (boards/<BOARD>/uhtfw_board.py), for uhtfw.max_connections().
freeze("$(BOARD_DIR)", "uhtfw_board.py")

require("logging")
# Already in bundle-networking on boards that have it; require() of a package twice is a no-op.
require("ntptime")
