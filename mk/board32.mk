# The board-sized build (issue 10): a 32-bit unix MicroPython v1.28.0 from $(MICROPY_DIR), built
# the way the issue measured it (MICROPY_FORCE_32BIT=1 MICROPY_PY_FFI=0 MICROPY_PY_BTREE=0, Debian
# gcc-multilib; SSL stays on, so hashlib.sha1 exists as on the boards), with the standard variant's
# frozen asyncio, uht as the firmware manifest freezes it, microdot 2.7 and the firmware app's uhtfw
# frozen in (bench/board32/manifest.py). Pointers are 4 bytes, as on every supported board.
#
#   make runtime-board32   -> build/runtimes/board32/micropython (rebuilt when uht/ or uhtfw change)
#   make runtime-board32-stock -> build/runtimes/board32-stock/micropython: the same build freezing
#                          asyncio only, as a stock firmware (bench: uht and microdot from .mpy there)
#   make test-board        memory guards of issue 10 on that build (tests/board; part of `make test`)
#
# Without the tree or a 32-bit capable gcc it prints one `SKIP: ...` line and the guards skip with
# the same reason; with both present a failed build fails.

BOARD32_DIR := $(CURDIR)/build/runtimes/board32
BOARD32_MICROPYTHON := $(BOARD32_DIR)/micropython
BOARD32_MANIFEST := $(CURDIR)/bench/board32/manifest.py
BOARD32_INPUTS := $(UHT_SOURCES) ci/strip_typing.py manifests/uht_package.py $(wildcard firmware/modules/uhtfw/*.py) $(BOARD32_MANIFEST) mk/board32.mk
BOARD32_FLAGS := MICROPY_FORCE_32BIT=1 MICROPY_PY_FFI=0 MICROPY_PY_BTREE=0
export BOARD32_MICROPYTHON
BOARD32_STOCK_DIR := $(CURDIR)/build/runtimes/board32-stock
BOARD32_STOCK_MICROPYTHON := $(BOARD32_STOCK_DIR)/micropython
BOARD32_STOCK_MANIFEST := $(CURDIR)/bench/board32/manifest_stock.py

.PHONY: runtime-board32 runtime-board32-stock test-board

# $(call board32_or_skip,TARGET,PROGRAM): make PROGRAM, or print one SKIP line for TARGET when the
# MicroPython tree or a 32-bit capable gcc is missing.
define board32_or_skip
	@if [ ! -d "$(MICROPY_DIR)/ports/unix" ]; then \
	  echo "SKIP: $(1): no MicroPython tree at $(MICROPY_DIR)"; \
	elif ! echo 'int main(void) { return 0; }' | gcc -m32 -x c - -o /dev/null 2>/dev/null; then \
	  echo "SKIP: $(1): gcc cannot build 32-bit programs (apt-get install gcc-multilib)"; \
	else $(MAKE) --no-print-directory $(2); fi
endef

# $(call board32_build,TARGET,DIR,MANIFEST,WHAT): the 32-bit unix port built into DIR/build with
# MANIFEST frozen, copied to $@. Called only when the tree and gcc -m32 are there: from here on a
# failure fails.
define board32_build
	@mkdir -p $(2)
	@echo "building the board-sized MicroPython ($(4); log: $(2)/build.log)"
	@nice $(MAKE) -C $(MICROPY_DIR)/ports/unix -j2 $(BOARD32_FLAGS) BUILD=$(2)/build \
	    FROZEN_MANIFEST=$(3) > $(2)/build.log 2>&1 \
	  || { tail -30 $(2)/build.log; echo "$(1): the build failed"; exit 1; }
	@file $(2)/build/micropython | grep -q "ELF 32-bit" \
	  || { echo "$(1): $(2)/build/micropython is not a 32-bit program"; exit 1; }
	@# Replaced by a rename: a running copy (a test, another checkout's matrix) keeps its inode.
	cp $(2)/build/micropython $@.tmp && mv -f $@.tmp $@
endef

runtime-board32: $(VENV_STAMP)
	$(call board32_or_skip,runtime-board32,$(BOARD32_MICROPYTHON))

# bench/board32/manifest.py freezes microdot from the venv's site-packages.
$(BOARD32_MICROPYTHON): export BOARD32_MICRODOT_SITE = $(shell $(BIN)/python -c 'import microdot, os; print(os.path.dirname(os.path.dirname(microdot.__file__)))')
$(BOARD32_MICROPYTHON): $(BOARD32_INPUTS) $(VENV_STAMP)
	$(call board32_build,runtime-board32,$(BOARD32_DIR),$(BOARD32_MANIFEST),uht and microdot frozen)

runtime-board32-stock: $(VENV_STAMP)
	$(call board32_or_skip,runtime-board32-stock,$(BOARD32_STOCK_MICROPYTHON))

$(BOARD32_STOCK_MICROPYTHON): $(BOARD32_STOCK_MANIFEST) mk/board32.mk
	$(call board32_build,runtime-board32-stock,$(BOARD32_STOCK_DIR),$(BOARD32_STOCK_MANIFEST),as a stock firmware: asyncio frozen only)

# uht's own .mpy (`make mpy`: dist/mpy) is what the ".mpy" guard loads, beside the frozen asyncio.
test-board: $(VENV_STAMP) mpy runtime-board32
	$(PYTEST) -q -rs tests/board

TEST_TARGETS += test-board
