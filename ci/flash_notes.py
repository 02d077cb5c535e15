#!/usr/bin/env python3
"""Write how to flash an image next to it: dist/firmware/<BOARD>/FLASHING.txt, and for ESP boards
esptool_args (what `make flash` passes to esptool) and flash_args (IDF's per-file offsets, for
`esptool write-flash @flash_args`). The commands are esptool v5's (`make venv` puts it in .venv/bin).."""

import json
import sys
from pathlib import Path


def esp_notes(board, dist):
    flash = board["flash"]
    chip, offset = flash["chip"], flash["offset"]
    extra = "--flash-size=detect " if chip == "esp8266" else ""
    args = "--chip {} write-flash {}{} firmware.bin".format(chip, extra, offset)
    (dist / "esptool_args").write_text(args + "\n")
    lines = [
        "{}: flash with esptool v5 (.venv/bin/esptool after `make venv`), from this directory:".format(board["board"]),
        "",
        "  esptool --chip {} --port PORT erase-flash".format(chip),
        "  esptool --chip {} --port PORT --baud 460800 {}".format(chip, args.split(" ", 2)[2]),
        "",
        "firmware.bin is the whole image; it goes at offset {}.".format(offset),
    ]
    idf_args = dist / "flash_args"
    if idf_args.exists():
        # IDF writes paths relative to its build directory; the files sit flat here.
        out = []
        for line in idf_args.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].startswith("0x"):
                line = "{} {}".format(parts[0], Path(parts[1]).name)
            out.append(line)
        idf_args.write_text("\n".join(out) + "\n")
        lines += [
            "Or the parts at their own offsets (flash_args):",
            "",
            "  esptool --chip {} --port PORT --baud 460800 write-flash @flash_args".format(chip),
            "",
        ] + ["    " + line for line in out]
    return lines


def rp2_notes(board):
    drive = "RP2350" if board["mcu"] == "rp2350" else "RPI-RP2"
    return [
        "{}: hold BOOTSEL while plugging the board in; a drive named {} appears.".format(board["board"], drive),
        "Copy firmware.uf2 onto it (drag and drop, or cp firmware.uf2 /media/$USER/{}/).".format(drive),
        "The board reboots into MicroPython by itself.",
        "",
        "Or with picotool (built with USB support): picotool load -x -f firmware.uf2",
    ]


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: flash_notes.py boards/BOARD/board.json dist/firmware/BOARD")
    board = json.loads(Path(argv[1]).read_text())
    dist = Path(argv[2])
    lines = rp2_notes(board) if board["port"] == "rp2" else esp_notes(board, dist)
    (dist / "FLASHING.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv)
