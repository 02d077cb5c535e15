# Safe mode: skip /boot.py and /main.py so a broken script can never lock the REPL out.
# Triggers, checked by the frozen _boot.py on every (soft) reset: the /SAFEMODE flag file, or during
# a short window (settings.json "safe_window_ms", default 1000): the board's BOOT/BOOTSEL button
# held, or Ctrl-C on the console.
import sys
import time

from uhtfw import files

# Which board's button to read (tests set these): the port, and the board the image was built for.
PLATFORM = sys.platform
BUILD = getattr(sys.implementation, "_build", "")
FLAG = "SAFEMODE"
REASON = None  # why this boot is in safe mode, or None


def set_flag(on=True):
    if on:
        with open(files.path(FLAG), "w") as f:
            f.write("remove this file (or run uhtfw.safe_mode(False)) to start /main.py again\n")
    elif files.exists(FLAG):
        import os

        os.remove(files.path(FLAG))


def boot_button():
    """A function returning True while the board's BOOT button is held, or None without one."""
    if PLATFORM == "rp2":
        import rp2

        return lambda: rp2.bootsel_button() == 1
    if PLATFORM in ("esp32", "esp8266"):
        from machine import Pin

        # The BOOT button pulls the strapping pin low: GPIO9 on the C3/C6, GPIO0 elsewhere.
        pin = Pin(9 if ("C3" in BUILD or "C6" in BUILD) else 0, Pin.IN, Pin.PULL_UP)
        return lambda: pin.value() == 0
    return None


def _console_poller():
    try:
        import select

        poller = select.poll()
        poller.register(sys.stdin, select.POLLIN)
        return poller
    except Exception:  # noqa: BLE001
        return None


def watch(ms):
    """Watch the button and the console for `ms` milliseconds; return the trigger seen, or None."""
    pressed = boot_button()
    poller = _console_poller()
    deadline = time.ticks_add(time.ticks_ms(), ms)
    while True:
        if pressed and pressed():
            return "BOOT button"
        # Ctrl-C is not a KeyboardInterrupt while _boot.py runs: it arrives as a plain character.
        if poller and poller.poll(0) and sys.stdin.read(1) == "\x03":
            return "Ctrl-C"
        if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
            return None
        time.sleep_ms(10)


def check_at_boot(window_ms=None):
    global REASON
    if window_ms is None:
        window_ms = int(files.load_settings().get("safe_window_ms", 1000))
    REASON = "flag file /" + FLAG if files.exists(FLAG) else watch(window_ms)
    if REASON:
        print("[uht] safe mode (" + REASON + ")")
        gate(files.path("boot.py"))
        gate(files.path(files.MAIN))
    return REASON


class _Gate:
    """Mounted over /boot.py or /main.py in safe mode. The board looks each script up just before it
    would run it: that first lookup lifts the gate and answers "no such file", so the script is
    skipped; anything else that reaches the gate lifts it and goes to the real file."""

    def __init__(self, point):
        self.point = point

    def mount(self, readonly, mkfs):
        pass

    def umount(self):
        pass

    def lift(self):
        import vfs

        try:
            vfs.umount(self.point)
        except OSError:
            pass

    def stat(self, path):
        self.lift()
        if self.point.endswith(files.MAIN):
            print(
                "uht: safe mode (" + str(REASON) + "): /boot.py and /main.py skipped;"
                " uhtfw.safe_mode(False) clears the flag"
            )
        raise OSError(2)

    def open(self, path, mode="r"):
        self.lift()
        return open(self.point, mode)

    def remove(self, path):
        self.lift()
        import os

        os.remove(self.point)


def gate(point):
    import vfs

    try:
        vfs.mount(_Gate(point), point)
    except OSError as e:
        print("[uht] safe mode gate failed:", point, repr(e))
