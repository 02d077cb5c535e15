// uht's CircuitPython test variant: the unix port's standard variant (this file matches
// ports/unix/variants/standard/mpconfigvariant.h) plus what mpconfigvariant.mk adds.
#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)
#include "variants/mpconfigvariant_common.h"

// As on CircuitPython boards that have `re` (py/circuitpy_mpconfig.h): match.groups(), span(),
// start(), end() and re.sub() (adafruit_httpserver's routes need groups()).
#define MICROPY_PY_RE_MATCH_GROUPS (1)
#define MICROPY_PY_RE_MATCH_SPAN_START_END (1)
#define MICROPY_PY_RE_SUB (1)
