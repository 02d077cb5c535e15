// uht build of upstream's ESP32_GENERIC_C6: its configuration, with a board name that says uht.
// Found through the port directory, which is on the include path.
#include "boards/ESP32_GENERIC_C6/mpconfigboard.h"

#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "ESP32C6 module (uht)"
