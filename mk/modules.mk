# Opt-in feature modules: uht.static, uht.multipart, uht.cookies, uht.auth, uht.cors.
#   make test-features          unit tests on CPython and every MicroPython runtime (tests/runtimes.py),
#                               then e2e tests with real clients (requests, curl, redbot)
#   make feature-import-costs   heap held by importing each module under MicroPython

FEATURE_MODULES := static multipart cookies auth cors
FEATURE_UNIT := $(foreach m,$(FEATURE_MODULES),tests/features/unit/test_$(m).py)
FEATURE_E2E := tests/features/test_static_e2e.py tests/features/test_multipart_e2e.py tests/features/test_session_e2e.py \
  tests/features/test_doc_examples.py tests/features/test_multipart_props.py

.PHONY: test-features test-features-unit test-features-e2e feature-import-costs features-frozen-micropython

test-features: test-features-unit test-features-e2e

test-features-unit: $(VENV_STAMP) runtimes
	$(PYTEST) -q $(FEATURE_UNIT)
	cd tests && for r in $(UNIT_RUNTIMES); do for m in $(FEATURE_MODULES); do \
	  $(RUN_ON) $$r mpytest.py features/unit test_$$m || exit 1; done; done

test-features-e2e: $(VENV_STAMP) runtimes
	$(PYTEST) -q $(FEATURE_E2E)

# The name the docs give the frozen runtime by (mk/runtimes.mk).
features-frozen-micropython: runtime-frozen

feature-import-costs: $(VENV_STAMP) mpy
	@echo "source:"; MICROPYPATH=$(MICROPYPATH_SRC) $(MICROPYTHON) tests/features/import_cost.py $(FEATURE_MODULES:%=uht.%)
	@echo ".mpy:"; MICROPYPATH=$(MICROPYPATH_MPY) $(MICROPYTHON) tests/features/import_cost.py $(FEATURE_MODULES:%=uht.%)
	@if [ -x $(RUNTIME_FROZEN) ]; then echo "frozen:"; cd /tmp && MICROPYPATH=.frozen \
	  $(RUNTIME_FROZEN) $(CURDIR)/tests/features/import_cost.py $(FEATURE_MODULES:%=uht.%); fi

TEST_TARGETS += test-features
