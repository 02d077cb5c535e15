# Benchmarks: uht against microdot and the runtime's asyncio ceiling.
#   make bench        full run (~20 min; needs wrk: apt-get install wrk): results in bench/results/latest.json,
#                     report in docs/benchmarks.md; its headline is the board-sized build of issue 10
#                     (mk/board32.mk, bench/board.py; the memory guards of the same rows: make test-board)
#   make bench-quick  smoke check for `make test`: tiny subset, no timing assertions (~30 s); without wrk
#                     it says SKIP for the load part and still runs the memory probes
#   make bench-instructions  CPU per request as instructions (valgrind's callgrind): the ceiling and
#                     uht, keep-alive and close; repeatable where CPU time on a shared machine is not
#                     (~1 min; needs valgrind: apt-get install valgrind)

BENCH_OUT ?= bench/results/latest.json

.PHONY: bench bench-quick bench-report bench-instructions

# runtime-frozen (mk/runtimes.mk): the unix port with uht frozen in, for the "frozen" import and heap
# rows; runtime-board32 (mk/board32.mk): the 32-bit board-sized build, the headline rows, and
# runtime-board32-stock, the same build freezing asyncio only (the .mpy figures on a stock firmware);
# pico-w-image (mk/firmware.mk): the Pico W image with `make firmware` defaults, for the flash row.
bench: $(VENV_STAMP) runtime-frozen runtime-board32 runtime-board32-stock pico-w-image
	@command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk"; exit 1; }
	nice $(BIN)/python bench/run.py --out $(BENCH_OUT)
	$(BIN)/python bench/render.py $(BENCH_OUT) docs/benchmarks.md

bench-instructions: $(VENV_STAMP)
	$(BIN)/python bench/instructions.py

bench-report: $(VENV_STAMP)
	$(BIN)/python bench/render.py $(BENCH_OUT) docs/benchmarks.md

bench-quick: $(VENV_STAMP) runtime-board32
	$(BIN)/pytest -q bench/tests
	@if command -v wrk >/dev/null; then \
	  $(BIN)/python bench/run.py --quick --out dist/bench/quick.json; \
	else \
	  echo "SKIP: bench-quick load part: wrk not installed (apt-get install wrk)"; \
	  $(BIN)/python bench/run.py --quick --skip throughput --out dist/bench/quick.json; \
	fi
	$(BIN)/python bench/render.py dist/bench/quick.json dist/bench/quick.md --img-dir dist/bench/img

TEST_TARGETS += bench-quick
