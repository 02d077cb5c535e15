# Names and secrets derived from the chip: AP SSID, AP password, default hostname.
import binascii
import hashlib
import sys

# Letters and digits that cannot be mistaken for each other when read off a serial console.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def unique_hex():
    import machine

    return binascii.hexlify(machine.unique_id()).decode()


def board_name():
    # `_build` is the board name the image was built for (e.g. RPI_PICO_W); older images lack it.
    return getattr(sys.implementation, "_build", "") or sys.platform


def ap_ssid():
    return ("uht-" + board_name() + "-" + unique_hex()[-4:])[:32]


def ap_password(uid=None):
    """12 characters derived from machine.unique_id(): the same on every boot of one board."""
    if uid is None:
        import machine

        uid = machine.unique_id()
    digest = hashlib.sha256(b"uht-ap-password:" + uid).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:12])


def default_hostname():
    return "uht-" + unique_hex()[-6:]
