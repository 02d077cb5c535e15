# Fake of the rp2 module: only the BOOTSEL button.
BOOTSEL = 0


def bootsel_button():
    return BOOTSEL
