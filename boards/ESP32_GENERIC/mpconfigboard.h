// uht build of upstream's ESP32_GENERIC: its configuration, with a board name that says uht.
// Found through the port directory, which is on the include path.
#include "boards/ESP32_GENERIC/mpconfigboard.h"

#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "Generic ESP32 module (uht)"
