# Where the app keeps its files. ROOT is "/" on a board; the unix-port tests point it at a temp dir.
import json
import os

ROOT = "/"
MAIN = "main.py"
SETTINGS = "settings.json"


def path(name):
    return ROOT + name


def exists(name):
    try:
        os.stat(path(name))
        return True
    except OSError:
        return False


def write_atomic(name, data):
    # Write beside the target and rename, so a power cut never leaves half a main.py.
    tmp = path(name + ".tmp")
    with open(tmp, "w") as f:
        f.write(data)
    os.rename(tmp, path(name))


def load_settings():
    from uhtfw.template import SETTINGS as defaults

    merged = dict(defaults)
    try:
        with open(path(SETTINGS)) as f:
            merged.update(json.load(f))
    except (OSError, ValueError) as e:
        if exists(SETTINGS):
            print("[uht] ignoring unreadable /settings.json:", repr(e))
    return merged


def save_settings(values):
    write_atomic(SETTINGS, json.dumps(values))
