# BOARD_VARIANT=RISCV: upstream's (RISC-V cores of the RP2350).
include(${MICROPY_PORT_DIR}/boards/RPI_PICO2_W/mpconfigvariant_RISCV.cmake)
