# Size measurement only: the rp2 image without the uht package.
include("../rp2.py", uht=False)
