# Size measurement only: the esp8266 image without the uht package.
include("../esp8266.py", uht=False)
