# Reliability: hostile input over sockets, faults, floods, fuzzing and soak against uht
# under real MicroPython. Limits and figures: docs/limits.md.
#
#   make test-reliability   bounded: the suite, 300 grammar examples per test, 5000 mutated requests,
#                           a 3000-request soak (part of `make test`, ~2-3 minutes)
#   make fuzz               long runs: FUZZ_LONG_EXAMPLES grammar examples, FUZZ_LONG_CASES mutations
#   make soak               the full soak: SOAK_FULL requests in SOAK_HEAP, figures in build/soak.json
#   make test-attacks       issue 11's long run: slowhttptest's four attacks (-B -H -X -R, -c 200 -r 50)
#                           for ATTACK_SECONDS each against uht from source, from .mpy and under
#                           CPython, with the availability probe (GET / every 0.5 s, >= 95 % within 3 s)
#
# The hardening tests of issue 11 (test_rel_slowrate/_linger/_fields/_framing.py) are part of
# test-reliability; there the attacks last 20 s each: all four on MicroPython from source and on
# CPython, the slow body on uht from .mpy (REL_ATTACK_MATRIX, REL_ATTACK_SECONDS to change).

FUZZ_LONG_EXAMPLES ?= 20000
FUZZ_LONG_CASES ?= 200000
FUZZ_SEED ?= 1
SOAK_FULL ?= 100000
SOAK_HEAP ?= 128K
ATTACK_SECONDS ?= 60
ATTACK_MATRIX ?= mpy:BHXR,mpy-heap256K:BHXR,cpython:BHXR

.PHONY: test-reliability fuzz soak test-attacks

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

test-attacks: $(VENV_STAMP)
	@command -v slowhttptest >/dev/null || { echo "slowhttptest not found: apt-get install slowhttptest (or make system-deps)"; exit 1; }
	REL_ATTACK_SECONDS=$(ATTACK_SECONDS) REL_ATTACK_MATRIX=$(ATTACK_MATRIX) \
	  $(PYTEST) -q -s -p no:cacheprovider -o timeout=600 tests/reliability/test_rel_slowrate.py -k attack

TEST_TARGETS += test-reliability
