# Opt-in feature modules (issue 6): uht.static, uht.multipart, uht.cookies, uht.auth, uht.cors.
#   make test-features          unit tests on CPython and MicroPython (source and .mpy, 1.21 when built),
#                               then e2e tests with real clients (requests, curl, redbot)
#   make features-frozen-micropython   a unix MicroPython with uht frozen in, for the 64 KB upload test
#                               (built outside the repo, under ~/.cache/uht; the test skips without it)
#   make feature-import-costs   heap held by importing each module under MicroPython

FEATURE_MODULES := static multipart cookies auth cors
FEATURE_UNIT := $(foreach m,$(FEATURE_MODULES),tests/features/unit/test_$(m).py)
FEATURE_E2E := tests/features/test_static_e2e.py tests/features/test_multipart_e2e.py tests/features/test_session_e2e.py \
  tests/features/test_doc_examples.py tests/features/test_multipart_props.py
FEATURES_FROZEN_DIR ?= $(HOME)/.cache/uht/features-unix-frozen

.PHONY: test-features test-features-unit test-features-e2e feature-import-costs features-frozen-micropython

test-features: test-features-unit test-features-e2e

test-features-unit: $(VENV_STAMP) mpy
	$(PYTEST) -q $(FEATURE_UNIT)
	cd tests && for m in $(FEATURE_MODULES); do \
	  MICROPYPATH=$(MICROPYPATH_SRC) $(MICROPYTHON) mpytest.py features/unit test_$$m || exit 1; \
	  MICROPYPATH=$(MICROPYPATH_MPY) $(MICROPYTHON) mpytest.py features/unit test_$$m || exit 1; \
	done
	@if [ -x "$(MICROPYTHON_121)" ]; then \
	  cd tests && for m in $(FEATURE_MODULES); do \
	    MICROPYPATH=.frozen:$(CURDIR) $(MICROPYTHON_121) mpytest.py features/unit test_$$m || exit 1; done; \
	else echo "SKIP: MicroPython 1.21 feature run: no binary at $(MICROPYTHON_121)"; fi

test-features-e2e: $(VENV_STAMP) mpy
	FROZEN_MICROPYTHON=$(FEATURES_FROZEN_DIR)/build/micropython $(PYTEST) -q -rs $(FEATURE_E2E)

# The unix port of $(MICROPY_DIR) with uht frozen in: on a board uht is frozen too, so its code costs
# no heap and a 64 KB heap is left to the application (the 64-bit unix port's .mpy import alone is ~46 KB).
features-frozen-micropython:
	@test -d "$(MICROPY_DIR)/ports/unix" || { echo "no MicroPython tree at $(MICROPY_DIR)"; exit 1; }
	mkdir -p $(FEATURES_FROZEN_DIR)
	printf 'include("$$(PORT_DIR)/variants/standard/manifest.py")\npackage("uht", base_path="$(CURDIR)")\n' \
	  > $(FEATURES_FROZEN_DIR)/manifest.py
	nice $(MAKE) -C $(MICROPY_DIR)/ports/unix -j2 MICROPY_PY_BTREE=0 \
	  BUILD=$(FEATURES_FROZEN_DIR)/build FROZEN_MANIFEST=$(FEATURES_FROZEN_DIR)/manifest.py

feature-import-costs: $(VENV_STAMP) mpy
	@echo "source:"; MICROPYPATH=$(MICROPYPATH_SRC) $(MICROPYTHON) tests/features/import_cost.py $(FEATURE_MODULES:%=uht.%)
	@echo ".mpy:"; MICROPYPATH=$(MICROPYPATH_MPY) $(MICROPYTHON) tests/features/import_cost.py $(FEATURE_MODULES:%=uht.%)
	@if [ -x $(FEATURES_FROZEN_DIR)/build/micropython ]; then echo "frozen:"; cd /tmp && MICROPYPATH=.frozen \
	  $(FEATURES_FROZEN_DIR)/build/micropython $(CURDIR)/tests/features/import_cost.py $(FEATURE_MODULES:%=uht.%); fi

TEST_TARGETS += test-features
