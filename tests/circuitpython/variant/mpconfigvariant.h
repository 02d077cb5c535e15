// uht's CircuitPython test variant: the unix port's standard variant (this file matches
// ports/unix/variants/standard/mpconfigvariant.h) plus what mpconfigvariant.mk adds.
#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)
#include "variants/mpconfigvariant_common.h"
