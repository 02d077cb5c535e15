# ruff: noqa: F821  (a MicroPython manifest: include, require, freeze ... are given by manifestfile.py)
# Size measurement only: the esp8266 image without the uht package.
include("../esp8266.py", uht=False)
