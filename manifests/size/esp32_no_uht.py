# Size measurement only: the esp32 image without the uht package.
include("../esp32.py", uht=False)
