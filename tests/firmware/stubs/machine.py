# Fake of the board `machine` module for the unix-port tests.
UNIQUE_ID = b"\xe6\x61\x41\x04\x03\x2b\x5c\x2a"
PIN_LEVELS = {}  # pin number -> level the fake reads back
RESETS = []


def unique_id():
    return UNIQUE_ID


def reset():
    RESETS.append(1)
    print("[stub] machine.reset()")
    raise SystemExit


class Pin:
    IN = 0
    OUT = 1
    PULL_UP = 1

    def __init__(self, pin, mode=0, pull=None):
        self.pin = pin
        self.pull = pull

    def value(self):
        return PIN_LEVELS.get(self.pin, 1 if self.pull == Pin.PULL_UP else 0)
