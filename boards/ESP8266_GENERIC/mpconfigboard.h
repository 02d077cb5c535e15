// uht build of upstream's ESP8266_GENERIC: its configuration, with a board name that says uht.
// Found through the port directory, which is on the include path.
// Read once per unit: some port files include mpconfigport.h (and with it this file) a second
// time, and upstream's header defines the board name unconditionally, which would redefine ours.
#ifndef UHT_BOARD_ESP8266_GENERIC_MPCONFIGBOARD_H
#define UHT_BOARD_ESP8266_GENERIC_MPCONFIGBOARD_H

#include "boards/ESP8266_GENERIC/mpconfigboard.h"

#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "ESP module (uht)"

#endif
