# BOARD_VARIANT=D2WD: upstream's variant of ESP32_GENERIC.
include(${MICROPY_PORT_DIR}/boards/ESP32_GENERIC/mpconfigvariant_D2WD.cmake)
