# uht build of upstream's RPI_PICO2_W (MicroPython v1.28.0): the same board, our frozen manifest.
set(UHT_UPSTREAM_BOARD_DIR ${MICROPY_PORT_DIR}/boards/RPI_PICO2_W)
include(${UHT_UPSTREAM_BOARD_DIR}/mpconfigboard.cmake)

# Upstream's pin names (LED, WL_GPIO*), which the port would otherwise look for in this directory.
set(MICROPY_BOARD_PINS ${UHT_UPSTREAM_BOARD_DIR}/pins.csv)

# Upstream points this at its own board manifest; ours is in manifests/ at the repo root.
get_filename_component(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/../../manifests/rp2.py ABSOLUTE)
