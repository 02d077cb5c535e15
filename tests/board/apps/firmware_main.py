"""The firmware app's own cost: the provisioned /main.py (uhtfw's template) run as on a board,
here with tests/firmware/stubs standing in for the board's C modules (network, machine, ntptime).

    micropython firmware_main.py PORT held TRIGGER ROOT

ROOT holds main.py and settings.json (written by uhtfw.provision, the port and 127.0.0.1 set by the
harness). The stubs are imported before the probe takes its baseline: on a board those modules are
C and cost no heap. The radio is made to fail, so the app serves on the address in settings.json.
"""

import sys

import machine  # noqa: F401  (stub, before the baseline)
import network
import ntptime  # noqa: F401  (stub, before the baseline)

network.RADIO_FAILS = True

import probe  # noqa: E402, I001  (the baseline: everything after this is the app's)

import asyncio  # noqa: E402

import uhtfw.files  # noqa: E402

ROOT = sys.argv[4].rstrip("/") + "/"
uhtfw.files.ROOT = ROOT
# Queued before main.py's app.run() starts the loop (as uhtfw.start does for its own task).
asyncio.create_task(probe.serve_forever())
# execfile: compiled from the file through the lexer as a board's pyexec_file does, with no copy of
# the source held while it runs.
execfile(ROOT + "main.py", {"__name__": "__main__"})  # noqa: F821  (a MicroPython builtin)
