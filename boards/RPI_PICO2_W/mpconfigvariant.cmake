# Default variant: upstream's (ARM cores of the RP2350).
include(${MICROPY_PORT_DIR}/boards/RPI_PICO2_W/mpconfigvariant.cmake)
