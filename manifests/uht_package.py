# ruff: noqa: F821  (a MicroPython manifest: include, package, options ... are given by manifestfile.py)
# The uht package as it ships, for every build that freezes it: the firmware images (manifests/uht.py),
# the board-sized build (bench/board32/manifest.py) and the frozen test runtime (mk/runtimes.mk).
# What is frozen are the copies ci/strip_typing.py writes to ../build/shipped/uht: each module
# without the code only type checkers read, rewritten when the module changes.
#   leave_out: module files not frozen (default: _cpython.py, which only CPython imports)
#   opt: mpy-cross's optimisation level (default: the tree's)
# Relative paths resolve against this file's directory, where manifestfile.py runs it.
import os
import sys

options.defaults(leave_out=("_cpython.py",), opt=None)

sys.path.insert(0, os.path.join("..", "ci"))
try:
    from strip_typing import ship
finally:
    sys.path.pop(0)

modules = sorted(name for name in os.listdir("../uht") if name.endswith(".py") and name not in options.leave_out)
package("uht", files=ship("../uht", "../build/shipped/uht", modules), base_path="../build/shipped", opt=options.opt)
