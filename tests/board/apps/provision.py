"""Write the firmware's first-boot files (main.py, settings.json) into ROOT: `provision.py ROOT`."""

import sys

import uhtfw.files
import uhtfw.provision

uhtfw.files.ROOT = sys.argv[1].rstrip("/") + "/"
uhtfw.provision.provision()
