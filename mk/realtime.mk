# WebSocket, Server-Sent Events and the example dashboard (uht/websocket.py, uht/sse.py,
# examples/dashboard). Unit tests on CPython and every MicroPython runtime; e2e with
# websockets/httpx-sse against servers on the runtimes of tests/runtimes.py; the dashboard in headless
# Chromium (skips when chromium is missing: apt-get install chromium).
REALTIME_UNIT := tests/features/unit/test_websocket.py tests/features/unit/test_sse.py
REALTIME_E2E := tests/features/test_websocket_e2e.py tests/features/test_sse_e2e.py tests/features/test_dashboard_e2e.py

.PHONY: test-realtime test-realtime-unit test-realtime-e2e dashboard dashboard-gz dashboard-screenshot

test-realtime: test-realtime-unit test-realtime-e2e

test-realtime-unit: $(VENV_STAMP) runtimes
	$(PYTEST) -q $(REALTIME_UNIT)
	cd tests && for r in $(UNIT_RUNTIMES); do for m in test_websocket test_sse; do \
	  $(RUN_ON) $$r mpytest.py features/unit $$m || exit 1; done; done

test-realtime-e2e: $(VENV_STAMP) runtimes
	$(PYTEST) -q $(REALTIME_E2E)

# The example dashboard under MicroPython on http://$(HOST):$(PORT)/
dashboard: $(VENV_STAMP)
	cd examples/dashboard && MICROPYPATH=.frozen:$(CURDIR) $(MICROPYTHON) app.py $(HOST) $(PORT)

# Refresh www/*.gz after editing the page.
dashboard-gz: $(VENV_STAMP)
	$(BIN)/python examples/dashboard/compress.py

# Run the Chromium test and keep its screenshot in docs/img/dashboard.png.
dashboard-screenshot: $(VENV_STAMP)
	UHT_UPDATE_SCREENSHOT=1 $(PYTEST) -q tests/features/test_dashboard_e2e.py

TEST_TARGETS += test-realtime
