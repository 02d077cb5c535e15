# ruff: noqa: F821  (a MicroPython manifest: include is given by manifestfile.py)
# The standard variant's frozen modules, nothing of uht's: the tests load uht from MICROPYPATH.
include("$(PORT_DIR)/variants/manifest.py")
