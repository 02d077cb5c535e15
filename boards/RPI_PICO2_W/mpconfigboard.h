// uht build of upstream's RPI_PICO2_W: its configuration, with a board name that says uht.
// Found through the port directory, which is on the include path.
// Read once per unit: some port files include mpconfigport.h (and with it this file) a second
// time, and upstream's header defines the board name unconditionally, which would redefine ours.
#ifndef UHT_BOARD_RPI_PICO2_W_MPCONFIGBOARD_H
#define UHT_BOARD_RPI_PICO2_W_MPCONFIGBOARD_H

#include "boards/RPI_PICO2_W/mpconfigboard.h"

#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "Raspberry Pi Pico 2 W (uht)"

// TCP connections lwIP holds at once (its default is 5; the listening socket has its own pool).
// Each costs a tcp_pcb (about 200 B) of static RAM, which the 264 KiB of the RP2040/RP2350 can
// spare. uhtfw_board.py in this directory tells uht the figure (it keeps one spare).
#define MEMP_NUM_TCP_PCB (16)

#endif
