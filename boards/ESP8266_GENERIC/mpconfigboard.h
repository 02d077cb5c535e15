// uht build of upstream's ESP8266_GENERIC: its configuration, with a board name that says uht.
// Found through the port directory, which is on the include path.
#include "boards/ESP8266_GENERIC/mpconfigboard.h"

#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "ESP module (uht)"
