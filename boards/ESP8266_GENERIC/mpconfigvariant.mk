# Default variant (2 MiB+ flash): upstream's, with our manifest (upstream's sets FROZEN_MANIFEST
# with ?=, so ours, set first, wins). The 1 MiB and 512 KiB variants cannot hold uht.
FROZEN_MANIFEST ?= $(abspath $(BOARD_DIR)/../../manifests/esp8266.py)
include boards/ESP8266_GENERIC/mpconfigvariant.mk
