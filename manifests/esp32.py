# ruff: noqa: F821  (a MicroPython manifest: include, require, freeze ... are given by manifestfile.py)
# esp32 boards (ESP32_GENERIC, ESP32_GENERIC_C6): neither has a board manifest upstream, so the base
# is ports/esp32/boards/manifest.py (v1.28.0), restated without the port's _boot.py, which
# firmware/modules/_boot.py replaces (it mounts the filesystem the same way, then provisions).
options.defaults(uht=True)

freeze(
    "$(PORT_DIR)/modules",
    ("apa106.py", "espnow.py", "flashbdev.py", "inisetup.py", "machine.py"),
)
include("$(MPY_DIR)/extmod/asyncio")

require("bundle-networking")
require("aioespnow")
require("dht")
require("ds18x20")
require("neopixel")
require("onewire")
require("umqtt.robust")
require("umqtt.simple")
require("upysh")

include("uht.py", uht=options.uht)
