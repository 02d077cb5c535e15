# uht build of upstream's ESP8266_GENERIC (MicroPython v1.28.0). The port's Makefile runs in
# ports/esp8266, so upstream's files are found relative to it.
include boards/ESP8266_GENERIC/mpconfigboard.mk
