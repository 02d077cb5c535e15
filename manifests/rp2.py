# ruff: noqa: F821  (a MicroPython manifest: include, require, freeze ... are given by manifestfile.py)
# rp2 boards with Wi-Fi (RPI_PICO_W, RPI_PICO2_W).
# Upstream v1.28.0: boards/RPI_PICO*_W/manifest.py = ports/rp2/boards/manifest.py + bundle-networking
# + aioble. We restate it here instead of including it, because that port manifest freezes the whole
# ports/rp2/modules directory, whose _boot.py would compete with ours (firmware/modules/_boot.py
# mounts the filesystem the same way, then provisions). _boot_fat.py is for FAT boards only.
options.defaults(uht=True)

freeze("$(PORT_DIR)/modules", ("rp2.py",))
include("$(MPY_DIR)/extmod/asyncio")
require("onewire")
require("ds18x20")
require("dht")
require("neopixel")

require("bundle-networking")
require("aioble")

include("uht.py", uht=options.uht)
