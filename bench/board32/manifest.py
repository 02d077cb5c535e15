# ruff: noqa: F821  (a MicroPython manifest: include, package ... are given by manifestfile.py)
# The board-sized build (mk/board32.mk, `make runtime-board32`): a 32-bit unix MicroPython v1.28.0
# that freezes what the benchmarks and the memory guards (tests/board) compare:
#   - the unix standard variant's own manifest (asyncio);
#   - uht, every module the firmware manifest (manifests/uht.py) freezes: all but _cpython.py;
#   - microdot 2.7 (microdot.py, helpers.py, __init__.py) from the venv's PyPI package, the rival;
#   - the firmware app's uhtfw package, for the firmware app's own cost (its main.py runs with
#     tests/firmware/stubs standing in for the board modules).
# Relative paths resolve against this file's directory (manifestfile.py runs it from there).
import os

include("$(PORT_DIR)/variants/standard/manifest.py")

REPO = os.path.abspath(os.path.join("..", ".."))

# uht as manifests/uht.py freezes it (manifests/uht_package.py): everything but the modules only
# CPython imports, without the code only type checkers read.
include(os.path.join(REPO, "manifests", "uht_package.py"))
package("uhtfw", base_path=os.path.join(REPO, "firmware", "modules"))
# The directory holding the installed `microdot` package (site-packages of the venv); set by mk/board32.mk.
package("microdot", files=["__init__.py", "microdot.py", "helpers.py"], base_path=os.environ["BOARD32_MICRODOT_SITE"])
