# First-boot provisioning: an editable /main.py and /settings.json, never overwritten once present.
import json
import os

from uhtfw import files


def provision():
    """Write whichever of /main.py and /settings.json is missing; return the names written."""
    from uhtfw import template

    written = []
    if not files.exists(files.MAIN):
        files.write_atomic(files.MAIN, template.MAIN_PY)
        written.append(files.MAIN)
    if not files.exists(files.SETTINGS):
        files.write_atomic(files.SETTINGS, json.dumps(template.SETTINGS))
        written.append(files.SETTINGS)
    if written:
        print("[uht] provisioned", " ".join("/" + n for n in written))
    return written


def restore_defaults():
    """Move the current /main.py and /settings.json to *.bak and write the defaults again."""
    for name in (files.MAIN, files.SETTINGS):
        if files.exists(name):
            bak = files.path(name + ".bak")
            try:
                os.remove(bak)
            except OSError:
                pass
            os.rename(files.path(name), bak)
    return provision()
