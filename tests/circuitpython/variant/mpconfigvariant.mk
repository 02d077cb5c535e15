# uht's CircuitPython test variant (copied by mk/circuitpython.mk into build/, built out of tree with
# VARIANT_DIR). The standard variant, plus:
#  - modtestsocket.c: MicroPython v1.27.0's unix socket module (the core CircuitPython 10.2 is based
#    on), copied in at build time and registered as `_testsocket`, so that `import socket` fails as
#    on a board; tests/circuitpython/modules/socketpool.py offers the board's socketpool over it;
#  - CircuitPython's own `traceback` module (boards have it; the unix build leaves it out), the
#    same sources the port's coverage variant compiles.
FROZEN_MANIFEST ?= $(VARIANT_DIR)/manifest.py
SRC_C += shared-bindings/traceback/__init__.c shared-module/traceback/__init__.c
CFLAGS += -DCIRCUITPY_TRACEBACK=1
