# CircuitPython (issue 12): uht under a real CircuitPython runtime, the unix port of CircuitPython
# 10.2.1 built in a test variant (tests/circuitpython/variant) whose socket module is registered as
# `_testsocket`, so `import socket` fails as on a board; tests/circuitpython/modules gives the board's
# `socketpool` and `time` over it.
#   make runtime-circuitpython   build/runtimes/circuitpython/micropython (+ lib/: Adafruit asyncio, adafruit_ticks)
#   make test-circuitpython      unit suite (source and CircuitPython .mpy), opt-in unit suites, the core e2e
#                                suite, tests/circuitpython (board surface, code.py example, bundle)
#   make circuitpython-mpy       uht compiled by CircuitPython's own mpy-cross (boards refuse MicroPython's .mpy)
#   make circuitpython-bundle    the release asset in CircuitPython bundle form (ci/circuitpython-bundle.sh)
#   make circuitpython-figures   heap figures on a 32-bit build of the same port (docs/circuitpython.md)
# Without the tree each prints one SKIP line.

CP_VERSION := 10.2.1
CP_DIR ?= $(HOME)/.cache/uht/circuitpython-$(CP_VERSION)
# MicroPython v1.27.0's unix modsocket.c, read from a git snapshot of MicroPython at build time (never
# committed): the MicroPython core CircuitPython 10.2 is based on.
MP_GIT_DIR ?= /work/.mirror/micropython+micropython/repo
CP_SOCKET_TAG := v1.27.0
CP_RT := $(CURDIR)/build/runtimes/circuitpython
CIRCUITPYTHON := $(CP_RT)/micropython
CP_LIB := $(CP_RT)/lib
CP_PIP_PKGS := adafruit-circuitpython-asyncio==3.1.1 adafruit-circuitpython-ticks==1.1.7
CP_RIVAL := $(CP_RT)/rival
CP_BUILD := $(CURDIR)/build/circuitpython
# CircuitPython's own mpy-cross, built from the same tree into build/ (the unix build freezes with it;
# `make circuitpython-mpy` compiles uht with it).
CP_MPY_CROSS := $(CP_BUILD)/mpy-cross/mpy-cross
CP_MAKE := CP_VERSION=$(CP_VERSION) CFLAGS_EXTRA=-DMICROPY_PY_MICROPYTHON_RINGIO=0 MICROPY_PY_FFI=0 \
  MICROPY_MPYCROSS=$(CP_MPY_CROSS)
# What the CircuitPython tests import: Adafruit's libraries, the board-surface test modules, uht.
CP_PATH := $(CP_LIB):$(CURDIR)/tests/circuitpython/modules:$(CURDIR)
export CIRCUITPYTHON CP_LIB

.PHONY: cp-mpy-cross runtime-circuitpython circuitpython-lib test-circuitpython circuitpython-mpy circuitpython-bundle \
  circuitpython-figures circuitpython-rival circuitpython32

# $(1): variant build dir name, $(2): extra make arguments
define cp_unix_build
	rm -rf $(CP_BUILD)/$(1)/variant && mkdir -p $(CP_BUILD)/$(1)/variant/uhttest && \
	cp tests/circuitpython/variant/* $(CP_BUILD)/$(1)/variant/uhttest/ && \
	git --git-dir=$(MP_GIT_DIR) show $(CP_SOCKET_TAG):ports/unix/modsocket.c \
	  | sed -e 's/^#if MICROPY_PY_SOCKET$$/#if 1 \/\/ uht: registered as _testsocket/' \
	        -e 's/MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_socket)/MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__testsocket)/' \
	        -e 's/^MP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_socket, /MP_REGISTER_MODULE(MP_QSTR__testsocket, /' \
	  > $(CP_BUILD)/$(1)/variant/uhttest/modtestsocket.c && \
	grep -q MP_QSTR__testsocket, $(CP_BUILD)/$(1)/variant/uhttest/modtestsocket.c && \
	nice $(MAKE) -C $(CP_DIR)/ports/unix -j2 $(CP_MAKE) $(2) VARIANT_DIR=$(CP_BUILD)/$(1)/variant/uhttest \
	  BUILD=$(CP_BUILD)/$(1)/build > $(CP_BUILD)/$(1)/build.log 2>&1 \
	  || { tail -30 $(CP_BUILD)/$(1)/build.log; exit 1; }
endef

runtime-circuitpython: $(CIRCUITPYTHON) circuitpython-lib

cp-mpy-cross:
	@mkdir -p $(CP_BUILD)/mpy-cross
	nice $(MAKE) -s -C $(CP_DIR)/mpy-cross -j2 CP_VERSION=$(CP_VERSION) BUILD=$(CP_BUILD)/mpy-cross \
	  > $(CP_BUILD)/mpy-cross/build.log 2>&1 || { tail -20 $(CP_BUILD)/mpy-cross/build.log; exit 1; }

$(CIRCUITPYTHON): tests/circuitpython/variant/mpconfigvariant.h tests/circuitpython/variant/mpconfigvariant.mk tests/circuitpython/variant/manifest.py
	@if [ ! -d "$(CP_DIR)/ports/unix" ]; then \
	  $(call skip,CircuitPython runtime: no CircuitPython $(CP_VERSION) tree at $(CP_DIR)); \
	elif ! git --git-dir=$(MP_GIT_DIR) cat-file -e $(CP_SOCKET_TAG):ports/unix/modsocket.c 2>/dev/null; then \
	  $(call skip,CircuitPython runtime: no MicroPython $(CP_SOCKET_TAG) snapshot at $(MP_GIT_DIR) (its unix modsocket.c)); \
	else \
	  echo "building the CircuitPython $(CP_VERSION) unix test variant (log: build/circuitpython/64/build.log)"; \
	  $(MAKE) -s cp-mpy-cross && \
	  $(call cp_unix_build,64,) && mkdir -p $(CP_RT) && cp $(CP_BUILD)/64/build/micropython $@; \
	fi

# Adafruit's asyncio and ticks from PyPI, by name, outside the venv (their Blinka dependency is a
# CPython shim: --no-deps).
CP_LIB_STAMP := $(CP_LIB)/.installed-asyncio-3.1.1-ticks-1.1.7
circuitpython-lib: $(CP_LIB_STAMP)

$(CP_LIB_STAMP):
	mkdir -p $(CP_LIB)
	$(PYTHON) -m pip install --quiet --upgrade --no-deps --target $(CP_LIB) $(CP_PIP_PKGS)
	touch $@

# The core and module unit suites and the core e2e suite run on `circuitpython` with every other
# runtime (tests/runtimes.py); here: uht from CircuitPython's own .mpy, the transport's unit tests
# inside the build, and tests/circuitpython (board surface, code.py example, bundle).
test-circuitpython: $(VENV_STAMP) runtimes
	@if [ ! -d "$(CP_DIR)/ports/unix" ]; then \
	  $(call skip,CircuitPython suites: no CircuitPython $(CP_VERSION) tree at $(CP_DIR)); exit 0; fi; \
	$(MAKE) -s circuitpython-mpy || exit 1; \
	cd tests && MICROPYPATH=$(CP_LIB):$(CURDIR)/tests/circuitpython/modules:$(CP_MPY_DIR) $(CIRCUITPYTHON) mpytest.py core/unit && \
	  MICROPYPATH=$(CP_PATH) $(CIRCUITPYTHON) mpytest.py circuitpython/unit && \
	  cd .. && $(PYTEST) -q -rs tests/circuitpython

TEST_TARGETS += test-circuitpython

# uht compiled by this tree's mpy-cross (CircuitPython refuses MicroPython's .mpy files): what a
# board's CIRCUITPY/lib/uht/ holds: every module but _cpython.py (CPython) and _listen.py (socket).
CP_MPY_DIR := $(CP_BUILD)/mpy
# Compiled from what ships: the modules without the code only type checkers read (ci/strip_typing.py).
circuitpython-mpy: $(UHT_SOURCES) ci/strip_typing.py
	@if [ ! -d "$(CP_DIR)/mpy-cross" ]; then echo "SKIP: CircuitPython .mpy: no CircuitPython $(CP_VERSION) tree at $(CP_DIR)"; \
	else $(MAKE) -s cp-mpy-cross && rm -rf $(CP_MPY_DIR) && mkdir -p $(CP_MPY_DIR)/uht && \
	  $(BIN)/python ci/strip_typing.py uht build/shipped/uht && \
	  for f in $(filter-out uht/_cpython.py uht/_listen.py,$(UHT_SOURCES)); do \
	    $(CP_MPY_CROSS) -O3 -s $$f -o $(CP_MPY_DIR)/uht/$$(basename $$f .py).mpy build/shipped/$$f || exit 1; done; fi

# A 32-bit build of the same variant (the port's MICROPY_FORCE_32BIT, gcc-multilib): board-sized
# objects for the heap figures in docs/circuitpython.md.
CIRCUITPYTHON32 := $(CP_RT)/micropython32
circuitpython32: $(CIRCUITPYTHON32)
$(CIRCUITPYTHON32): tests/circuitpython/variant/mpconfigvariant.h tests/circuitpython/variant/mpconfigvariant.mk
	@if [ ! -d "$(CP_DIR)/ports/unix" ]; then echo "SKIP: CircuitPython 32-bit build: no tree at $(CP_DIR)"; \
	else $(MAKE) -s cp-mpy-cross && $(call cp_unix_build,32,MICROPY_FORCE_32BIT=1) && mkdir -p $(CP_RT) && \
	  cp $(CP_BUILD)/32/build/micropython $@; fi

# The CircuitPython bundle release asset (for `circup bundle-add`), into dist/circuitpython-bundle.
CP_BUNDLE_TAG ?= $(shell date -u +%Y%m%d)
circuitpython-bundle:
	@if [ ! -d "$(CP_DIR)/mpy-cross" ]; then echo "SKIP: CircuitPython bundle: no CircuitPython $(CP_VERSION) tree at $(CP_DIR)"; \
	else $(MAKE) -s cp-mpy-cross && CP_MPY_CROSS=$(CP_MPY_CROSS) ci/circuitpython-bundle.sh dist/circuitpython-bundle $(CP_BUNDLE_TAG); fi

# Side-by-side figures with adafruit_httpserver (PyPI, --no-deps, outside the venv) on the same
# builds through the test socketpool, everything as .mpy from this tree's mpy-cross.
CP_RIVAL_PKG := adafruit-circuitpython-httpserver==4.8.2
CP_FIG_LIB := $(CP_BUILD)/figures-lib
circuitpython-rival: $(CP_RIVAL)/.installed-4.8.2
$(CP_RIVAL)/.installed-4.8.2:
	mkdir -p $(CP_RIVAL)
	$(PYTHON) -m pip install --quiet --upgrade --no-deps --target $(CP_RIVAL) $(CP_RIVAL_PKG)
	touch $@

# $(1): source dir, $(2): destination: every .py below $(1) compiled to .mpy in the same layout
define cp_compile_tree
	(cd $(1) && find . -name '*.py' ! -path './*dist-info*' | while read -r f; do \
	  mkdir -p $(2)/$$(dirname $$f) && $(CP_MPY_CROSS) -O2 -o $(2)/$${f%.py}.mpy $$f || exit 1; done)
endef

circuitpython-figures: runtime-circuitpython circuitpython32 circuitpython-mpy circuitpython-rival
	@if [ ! -x "$(CIRCUITPYTHON)" ]; then echo "SKIP: CircuitPython figures: no runtime (make runtime-circuitpython)"; else \
	rm -rf $(CP_FIG_LIB) && mkdir -p $(CP_FIG_LIB)/uht $(CP_FIG_LIB)/rival && \
	$(call cp_compile_tree,$(CP_LIB),$(CP_FIG_LIB)/uht) && $(call cp_compile_tree,$(CP_LIB),$(CP_FIG_LIB)/rival) && \
	cp -r $(CP_MPY_DIR)/uht $(CP_FIG_LIB)/uht/ && \
	$(call cp_compile_tree,$(CP_RIVAL),$(CP_FIG_LIB)/rival) && \
	$(PYTHON) tests/circuitpython/figures/figures.py $(CP_BUILD) $(CIRCUITPYTHON) \
	  $$( [ -x "$(CIRCUITPYTHON32)" ] && echo $(CIRCUITPYTHON32) ); fi
