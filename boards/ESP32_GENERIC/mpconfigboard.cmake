# uht build of upstream's ESP32_GENERIC (MicroPython v1.28.0): the same board, our frozen manifest.
# The port sets MICROPY_PORT_DIR only after this file; the build runs from ports/esp32.
if(NOT MICROPY_PORT_DIR)
    set(MICROPY_PORT_DIR ${CMAKE_SOURCE_DIR})
endif()
include(${MICROPY_PORT_DIR}/boards/ESP32_GENERIC/mpconfigboard.cmake)

get_filename_component(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/../../manifests/esp32.py ABSOLUTE)

# More TCP connections than upstream's images allow (uhtfw_board.py tells uht the figure).
list(APPEND SDKCONFIG_DEFAULTS ${MICROPY_BOARD_DIR}/../sdkconfig.uht)
