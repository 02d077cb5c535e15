"""Run by bench/import_account.py on the board-sized build: the heap each of uht's request-path
modules holds once imported, one module at a time, in the order they import each other.

    micropython import_account.py FORM uht.MODULE...   (FORM: frozen or mpy)

`uht` is an empty package put first on the path, so importing it loads nothing. For `frozen` its
__path__ is then pointed at the frozen package, whose modules load from flash; for `mpy` the
package's directory holds uht's .mpy files beside the empty __init__.py.
"""

import asyncio  # noqa: F401  (loaded first: its share is asyncio's, not a module's below)
import gc
import sys

import uht

if sys.argv[1] == "frozen":
    uht.__path__ = ".frozen/uht"
# Nothing below allocates but the imports: the names come whole on the command line, and the loop
# takes them by index (a slice of argv would be a list made after the baseline).
gc.collect()
before = gc.mem_alloc()
i = 2
while i < len(sys.argv):
    __import__(sys.argv[i])
    gc.collect()
    now = gc.mem_alloc()
    print("MODULE", sys.argv[i], now - before)
    before = now
    i += 1
for name in sys.modules:
    if name.startswith("uht.") and name not in sys.argv:
        print("UNLISTED", name)
