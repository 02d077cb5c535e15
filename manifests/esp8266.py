# ruff: noqa: F821  (a MicroPython manifest: include, require, freeze ... are given by manifestfile.py)
# ESP8266_GENERIC, default variant (2 MiB+ flash). Upstream v1.28.0 uses
# boards/ESP8266_GENERIC/manifest_2MiB.py = ports/esp8266/boards/manifest.py + asyncio + ssd1306,
# upysh, umqtt. Restated here without the port's _boot.py, which firmware/modules/_boot.py replaces
# (it mounts the filesystem the same way, sets the same gc threshold, then provisions).
options.defaults(uht=True)

freeze(
    "$(PORT_DIR)/modules",
    ("apa102.py", "espnow.py", "flashbdev.py", "inisetup.py", "port_diag.py"),
)
require("bundle-networking")
require("dht")
require("ds18x20")
require("neopixel")
require("onewire")

include("$(MPY_DIR)/extmod/asyncio")
require("ssd1306")
require("upysh")
require("umqtt.simple")
require("umqtt.robust")

include("uht.py", uht=options.uht)
