# The runtimes every suite runs uht on, built here once; tests/runtimes.py names them for the tests
# (cpython, mpy, mpy-mpy, frozen, board32, mpy121, circuitpython).
#
#   make runtimes               every runtime whose source tree is here (clones the trees where
#                               GitHub is reachable); a runtime that fails to build fails the target
#   make runtime-frozen         64-bit unix MicroPython $(MICROPY_VERSION) with this checkout's uht frozen in
#   make micropython-1.21       MicroPython v1.21.0's unix port, our floor (cloned into MICROPY121_DIR
#                               when missing)
#   make runtime-board32        (mk/board32.mk) and runtime-circuitpython (mk/circuitpython.mk)
#   make test RUNTIMES="mpy cpython"   run every suite on those runtimes only
#
# Without a source tree (and no GitHub to clone it from) a runtime is not built: the step says why
# in the skip log that `make test` prints at its end, and the tests on that runtime skip.

RUNTIMES_DIR := $(CURDIR)/build/runtimes
RUNTIME_FROZEN := $(RUNTIMES_DIR)/frozen/micropython
export FROZEN_MICROPYTHON := $(RUNTIME_FROZEN)
MICROPY121_VERSION := v1.21.0
MICROPY121_BUILD := $(RUNTIMES_DIR)/mpy121

# The runtimes the suites run on (UHT_RUNTIMES for tests/runtimes.py): by default every one whose
# build target exists in this checkout; `make runtimes` builds those of them that need building.
RUNTIMES ?= cpython mpy mpy-mpy frozen mpy121 $(if $(wildcard mk/board32.mk),board32) \
	$(if $(wildcard mk/circuitpython.mk),circuitpython)
export UHT_RUNTIMES := $(RUNTIMES)
RUNTIME_TARGET_frozen := runtime-frozen
RUNTIME_TARGET_mpy121 := micropython-1.21
RUNTIME_TARGET_board32 := runtime-board32
RUNTIME_TARGET_circuitpython := runtime-circuitpython
RUNTIME_TARGETS := $(foreach r,$(RUNTIMES),$(RUNTIME_TARGET_$(r)))
RUN_ON := $(BIN)/python $(CURDIR)/tests/runtimes.py run

# A step that cannot run here: one line on the console and one in the skip log (UHT_SKIP_LOG).
skip = echo "SKIP: $(1)"; if [ -n "$$UHT_SKIP_LOG" ]; then mkdir -p "$$(dirname "$$UHT_SKIP_LOG")"; \
	echo "$(1)" >> "$$UHT_SKIP_LOG"; fi

# `make` in a MicroPython unix port: quiet, its log kept, the log's tail shown when it fails.
#   $(call unix_build,<tree>,<runtime dir>,<make arguments>)
# The tree's mpy-cross is built first, on its own: built from the port's make it would inherit BUILD.
unix_build = mkdir -p $(2) && echo "building $(notdir $(2)) runtime (log: $(2)/build.log)" && \
	{ nice $(MAKE) -s -C $(1)/mpy-cross -j$(or $(JOBS),2) > $(2)/build.log 2>&1 && \
	nice $(MAKE) -s -C $(1)/ports/unix -j$(or $(JOBS),2) BUILD=$(2)/build $(3) >> $(2)/build.log 2>&1; } \
	|| { tail -30 $(2)/build.log; echo "runtime $(notdir $(2)) failed to build"; exit 1; }; \
	cp $(2)/build/micropython $(2)/micropython

.PHONY: runtimes runtime-frozen micropython-1.21 micropython-trees

runtimes: mpy $(RUNTIME_TARGETS)

# The pinned tree with the rp2 submodules (what `make firmware` clones) and the unix port's, cloned
# when missing and GitHub answers; otherwise the steps that need it record a skip.
micropython-trees:
	@if [ ! -f "$(MICROPY_DIR)/py/mpconfig.h" ] && git ls-remote --exit-code $(MICROPY_GIT_URL) \
	    $(MICROPY_VERSION) >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory micropython-tree BOARD=RPI_PICO_W && \
	  $(MAKE) -C "$(MICROPY_DIR)/ports/unix" submodules; \
	fi

# Rebuilt when uht changes (or this file); `make -B runtime-frozen` after switching MICROPY_DIR.
runtime-frozen: $(RUNTIME_FROZEN)

$(RUNTIME_FROZEN): $(UHT_SOURCES) ci/strip_typing.py manifests/uht_package.py mk/runtimes.mk | $(VENV_STAMP) micropython-trees
	@if [ ! -f "$(MICROPY_DIR)/py/mpconfig.h" ]; then \
	  $(call skip,runtime frozen: no MicroPython $(MICROPY_VERSION) tree at $(MICROPY_DIR) and none could be cloned (MICROPY_DIR=<a v1.28.0 tree>)); \
	  exit 0; fi; \
	mkdir -p $(RUNTIMES_DIR)/frozen && \
	printf 'include("$$(PORT_DIR)/variants/standard/manifest.py")\ninclude("$(CURDIR)/manifests/uht_package.py", leave_out=())\n' \
	  > $(RUNTIMES_DIR)/frozen/manifest.py && \
	$(call unix_build,$(MICROPY_DIR),$(RUNTIMES_DIR)/frozen,MICROPY_PY_BTREE=0 \
	  FROZEN_MANIFEST=$(RUNTIMES_DIR)/frozen/manifest.py)

# v1.21.0's unix port with select.poll's POSIX shortcut off: that code (gone in 1.22) loses or
# crashes on connections once more than four sockets wait, and no board port uses it. A variant of
# our own (build/runtimes/mpy121/variant) takes the standard one and turns the shortcut off;
# btree, ffi and ssl need submodules or libraries the floor's tests do not use.
MPY121_VARIANT := $(MICROPY121_BUILD)/variant
MPY121_OPTIONS := MICROPY_PY_BTREE=0 MICROPY_PY_FFI=0 MICROPY_PY_SSL=0
micropython-1.21: $(MICROPY121_BUILD)/micropython

$(MICROPY121_BUILD)/micropython: mk/runtimes.mk
	@if [ ! -f "$(MICROPY121_DIR)/py/mpconfig.h" ]; then \
	  if git ls-remote --exit-code $(MICROPY_GIT_URL) $(MICROPY121_VERSION) >/dev/null 2>&1; then \
	    git clone --depth 1 --branch $(MICROPY121_VERSION) $(MICROPY_GIT_URL) "$(MICROPY121_DIR)" && \
	    $(MAKE) -C "$(MICROPY121_DIR)/ports/unix" $(MPY121_OPTIONS) submodules || exit 1; \
	  else \
	    $(call skip,runtime mpy121: no MicroPython $(MICROPY121_VERSION) tree at $(MICROPY121_DIR) and GitHub is unreachable to clone it); \
	    exit 0; \
	  fi; fi; \
	mkdir -p $(MPY121_VARIANT) && \
	printf '#include "%s/ports/unix/variants/standard/mpconfigvariant.h"\n#undef MICROPY_PY_SELECT_POSIX_OPTIMISATIONS\n#define MICROPY_PY_SELECT_POSIX_OPTIMISATIONS (0)\n' \
	  "$(MICROPY121_DIR)" > $(MPY121_VARIANT)/mpconfigvariant.h.new && \
	{ cmp -s $(MPY121_VARIANT)/mpconfigvariant.h.new $(MPY121_VARIANT)/mpconfigvariant.h || \
	  mv $(MPY121_VARIANT)/mpconfigvariant.h.new $(MPY121_VARIANT)/mpconfigvariant.h; } && \
	rm -f $(MPY121_VARIANT)/mpconfigvariant.h.new && \
	touch $(MPY121_VARIANT)/mpconfigvariant.mk && \
	$(call unix_build,$(MICROPY121_DIR),$(MICROPY121_BUILD),VARIANT_DIR=$(MPY121_VARIANT) \
	  FROZEN_MANIFEST=$(MICROPY121_DIR)/ports/unix/variants/standard/manifest.py $(MPY121_OPTIONS))
