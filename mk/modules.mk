# The opt-in modules (uht.static, uht.multipart, uht.cookies, uht.auth, uht.cors, uht.websocket,
# uht.sse) and the example dashboard: tests/modules.
#   make test-modules           unit tests (tests/modules/unit) on CPython and every MicroPython runtime
#                               (tests/runtimes.py), then e2e tests (tests/modules/e2e) with real clients
#                               (requests, curl, redbot, websockets, httpx-sse, headless Chromium)
#   make test-module-<name>     one module's tests, e.g. make test-module-websocket
#   make feature-import-costs   heap held by importing each module under MicroPython
#   make dashboard              the example dashboard under MicroPython on http://$(HOST):$(PORT)/

MODULES := static multipart cookies auth cors websocket sse
MODULE_UNIT := tests/modules/unit
MODULE_E2E := tests/modules/e2e
# Each module's e2e files (cookies, auth and cors share one app and one file; the dashboard uses both
# websocket and sse; the doc examples cover every module).
E2E_static := test_static_e2e.py test_doc_examples.py
E2E_multipart := test_multipart_e2e.py test_multipart_props.py test_doc_examples.py
E2E_cookies := test_cookies_auth_cors_e2e.py test_doc_examples.py
E2E_auth := $(E2E_cookies)
E2E_cors := $(E2E_cookies)
E2E_websocket := test_websocket_e2e.py test_dashboard_e2e.py
E2E_sse := test_sse_e2e.py test_dashboard_e2e.py

.PHONY: test-modules test-modules-unit test-modules-e2e $(MODULES:%=test-module-%) test-features test-realtime \
	feature-import-costs dashboard dashboard-gz dashboard-screenshot

test-modules: test-modules-unit test-modules-e2e

test-modules-unit: $(VENV_STAMP) runtimes
	$(PYTEST) -q $(MODULE_UNIT)
	cd tests && for r in $(UNIT_RUNTIMES); do $(RUN_ON) $$r mpytest.py modules/unit || exit 1; done

test-modules-e2e: $(VENV_STAMP) runtimes
	$(PYTEST) -q $(MODULE_E2E)

$(MODULES:%=test-module-%): test-module-%: $(VENV_STAMP) runtimes
	$(PYTEST) -q $(MODULE_UNIT)/test_$*.py $(addprefix $(MODULE_E2E)/,$(sort $(E2E_$*)))
	cd tests && for r in $(UNIT_RUNTIMES); do $(RUN_ON) $$r mpytest.py modules/unit test_$*. || exit 1; done

# The names these suites had before they were laid out by module.
test-features: test-modules
test-realtime: test-modules

feature-import-costs: $(VENV_STAMP) runtimes
	@for r in mpy mpy-mpy frozen board32; do echo "$$r:"; \
	  $(RUN_ON) $$r tests/modules/import_cost.py $(MODULES:%=uht.%) || exit 1; done

# The example dashboard under MicroPython on http://$(HOST):$(PORT)/
dashboard: $(VENV_STAMP)
	cd examples/dashboard && MICROPYPATH=.frozen:$(CURDIR) $(MICROPYTHON) app.py $(HOST) $(PORT)

# Refresh www/*.gz after editing the page.
dashboard-gz: $(VENV_STAMP)
	$(BIN)/python examples/dashboard/compress.py

# Run the Chromium test and keep its screenshot in docs/img/dashboard.png.
dashboard-screenshot: $(VENV_STAMP)
	UHT_UPDATE_SCREENSHOT=1 $(PYTEST) -q $(MODULE_E2E)/test_dashboard_e2e.py

TEST_TARGETS += test-modules
