# Benchmarks (issue 4): uht against microdot and the runtime's asyncio ceiling.
#   make bench        full run (~25 min): results in bench/results/latest.json, report in docs/benchmarks.md
#   make bench-quick  smoke check for `make test`: tiny subset, no timing assertions (~1 min)

BENCH_OUT ?= bench/results/latest.json

.PHONY: bench bench-quick bench-report

bench: $(VENV_STAMP)
	@command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk"; exit 1; }
	nice $(BIN)/python bench/run.py --out $(BENCH_OUT)
	$(BIN)/python bench/render.py $(BENCH_OUT) docs/benchmarks.md

bench-report: $(VENV_STAMP)
	$(BIN)/python bench/render.py $(BENCH_OUT) docs/benchmarks.md

bench-quick: $(VENV_STAMP)
	@command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk"; exit 1; }
	$(BIN)/pytest -q bench/tests
	$(BIN)/python bench/run.py --quick --out dist/bench/quick.json
	$(BIN)/python bench/render.py dist/bench/quick.json dist/bench/quick.md --img-dir dist/bench/img

TEST_TARGETS += bench-quick
