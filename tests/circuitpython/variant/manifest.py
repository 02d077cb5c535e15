# The standard variant's frozen modules, nothing of uht's: the tests load uht from MICROPYPATH.
include("$(PORT_DIR)/variants/manifest.py")
