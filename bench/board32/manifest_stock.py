# ruff: noqa: F821  (a MicroPython manifest: include ... are given by manifestfile.py)
# The board-sized build as a stock firmware has it (mk/board32.mk, `make runtime-board32-stock`): the
# same 32-bit unix MicroPython v1.28.0 freezing only the standard variant's asyncio. A library loaded
# from .mpy there interns every name it uses that the firmware lacks in RAM, as on a board flashed
# with MicroPython's own image; on the board-sized build those names came frozen with uht and microdot.
include("$(PORT_DIR)/variants/standard/manifest.py")
