# Firmware app (firmware/modules): unix-port tests and the Pico W image in the rp2040js emulator.
EMULATOR_DIR := tests/firmware/emulator

.PHONY: test-firmware-app test-emulator emulator-deps emulator-run

# The app under the venv's MicroPython with fake board modules (tests/firmware/stubs).
test-firmware-app: $(VENV_STAMP)
	$(PYTEST) -q tests/firmware/test_app_*.py

# npm ci of the pinned rp2040js (package-lock.json); skipped with a note when npm is missing.
emulator-deps: $(EMULATOR_DIR)/node_modules/.package-lock.json

$(EMULATOR_DIR)/node_modules/.package-lock.json: $(EMULATOR_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd $(EMULATOR_DIR) && npm ci --no-audit --no-fund; \
	else echo "SKIP: npm not found; the emulator tests will skip"; fi

# The real RPI_PICO_W image (dist/firmware/RPI_PICO_W/firmware.uf2), made by `make firmware
# BOARD=RPI_PICO_W` with its defaults (pico-w-image, mk/firmware.mk), booted in rp2040js; skips with
# a reason when the image, node, socat or the boot ROM is missing.
test-emulator: $(VENV_STAMP) emulator-deps pico-w-image
	$(PYTEST) -q -rs tests/firmware/test_emulator.py

# Boot the image by hand: serial on tcp 127.0.0.1:$(EMULATOR_PORT); for mpremote run
#   socat pty,link=/tmp/ttyPICO,rawer tcp:127.0.0.1:$(EMULATOR_PORT)   and   mpremote connect /tmp/ttyPICO
EMULATOR_PORT ?= 2040
EMULATOR_FLASH ?= build/emulator-flash.bin
emulator-run: emulator-deps
	mkdir -p $(dir $(EMULATOR_FLASH))
	node $(EMULATOR_DIR)/emulator.mjs --image dist/firmware/RPI_PICO_W/firmware.uf2 \
	  --bootrom $(CURDIR)/../shared/rp2040/bootrom-b1.bin --port $(EMULATOR_PORT) --flash $(EMULATOR_FLASH)

TEST_TARGETS += test-firmware-app test-emulator
