# Reliability: hostile input over sockets, faults, floods, fuzzing and soak against uht
# under real MicroPython. Limits and figures: docs/limits.md.
#
#   make test-reliability   bounded: the suite, 300 grammar examples per test, 5000 mutated requests,
#                           a 3000-request soak (part of `make test`, ~2-3 minutes)
#   make fuzz               long runs: FUZZ_LONG_EXAMPLES grammar examples, FUZZ_LONG_CASES mutations
#   make soak               the full soak: SOAK_FULL requests in SOAK_HEAP, figures in build/soak.json

FUZZ_LONG_EXAMPLES ?= 20000
FUZZ_LONG_CASES ?= 200000
FUZZ_SEED ?= 1
SOAK_FULL ?= 100000
SOAK_HEAP ?= 128K

.PHONY: test-reliability fuzz soak

test-reliability: $(VENV_STAMP) runtimes
	status=0; \
	$(PYTEST) -q -p no:cacheprovider tests/reliability || status=1; \
	(cd tests/fuzz && $(PYTEST) -q -p no:cacheprovider .) || status=1; \
	exit $$status

# Both fuzzers run even when the first finds something; failing inputs land in build/fuzz-failures/.
fuzz: $(VENV_STAMP) mpy
	status=0; \
	(cd tests/fuzz && FUZZ_EXAMPLES=$(FUZZ_LONG_EXAMPLES) FUZZ_RANDOM=1 nice $(PYTEST) -q -s -p no:cacheprovider -o timeout=3600 \
	  test_fuzz_grammar.py) || status=1; \
	nice $(BIN)/python tests/fuzz/mutate.py --cases $(FUZZ_LONG_CASES) --seed $(FUZZ_SEED) || status=1; \
	exit $$status

soak: $(VENV_STAMP) mpy
	nice $(BIN)/python tests/reliability/soak.py --requests $(SOAK_FULL) --heap $(SOAK_HEAP) --out build/soak.json

TEST_TARGETS += test-reliability
