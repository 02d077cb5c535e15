// uht build of upstream's RPI_PICO_W: its configuration, with a board name that says uht.
// Found through the port directory, which is on the include path.
#include "boards/RPI_PICO_W/mpconfigboard.h"

#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "Raspberry Pi Pico W (uht)"
