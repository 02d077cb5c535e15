"""Heap held by importing each feature module under MicroPython, after uht itself is loaded
(the core is there anyway: this is what the module adds). One process, modules in turn:

    micropython tests/modules/import_cost.py uht.static uht.multipart ...
"""

import gc
import sys

import uht  # noqa: F401

for name in sys.argv[1:]:
    gc.collect()
    before = gc.mem_alloc()
    __import__(name)
    gc.collect()
    print("%-14s %6d bytes" % (name, gc.mem_alloc() - before))
