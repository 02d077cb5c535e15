# ruff: noqa: F821  (a MicroPython manifest: include, require, freeze ... are given by manifestfile.py)
# Size measurement only: the esp32 image without the uht package.
include("../esp32.py", uht=False)
