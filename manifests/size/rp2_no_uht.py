# ruff: noqa: F821  (a MicroPython manifest: include, require, freeze ... are given by manifestfile.py)
# Size measurement only: the rp2 image without the uht package.
include("../rp2.py", uht=False)
