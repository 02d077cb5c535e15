#!/usr/bin/env python3
"""Write dist/firmware/<BOARD>/size.json and size.txt from what ci/build-firmware.sh left there.

Figures: the image (what occupies the firmware region of flash), what freezing uht adds (same
build without the uht package), what all of ours adds over upstream's stock manifest, the room the
firmware region has left, and the flash the filesystem gets.
"""

import json
import re
import struct
import sys
from pathlib import Path

ESP_PARTITION_MAGIC = 0x50AA
# ESP8266 (2 MiB layout, esp8266_2MiB.ld): the image ends at _firmware_size = 1 MiB; the
# filesystem (modules/flashbdev.py) starts one sector later and leaves 20 KiB at the end to the SDK.
ESP8266_FIRMWARE_REGION = 0x100000
ESP8266_SDK_RESERVED = 20480
SECTOR = 4096


def read_sizes(dist):
    sizes = {}
    for line in (dist / "sizes.env").read_text().splitlines():
        key, _, value = line.partition("=")
        sizes[key] = int(value) if value.isdigit() else value
    return sizes


def esp32_partitions(table_bin):
    """(name, type, subtype, offset, size) of each entry of an ESP-IDF partition-table.bin."""
    data = table_bin.read_bytes()
    entries = []
    for pos in range(0, len(data) - 31, 32):
        magic, ptype, subtype, offset, size = struct.unpack_from("<HBBII", data, pos)
        if magic != ESP_PARTITION_MAGIC:
            break
        name = data[pos + 12 : pos + 28].split(b"\0")[0].decode()
        entries.append((name, ptype, subtype, offset, size))
    return entries


def esp32_flash_bytes(sdkconfig):
    match = re.search(r'^CONFIG_ESPTOOLPY_FLASHSIZE="(\d+)MB"', sdkconfig.read_text(), re.M)
    return int(match.group(1)) * 1024 * 1024 if match else None


def esp32_layout(dist, image_bytes):
    parts = esp32_partitions(dist / "partition-table.bin")
    apps = [p for p in parts if p[1] == 0]
    app_region = apps[0][4] if apps else None
    flash = esp32_flash_bytes(dist / "sdkconfig")
    # MicroPython makes the "vfs" partition from the flash after the last table entry when the
    # table has none (partitions-4MiBplus.csv).
    vfs = [p for p in parts if p[0] == "vfs"]
    if vfs:
        fs = vfs[0][4]
    elif flash:
        fs = flash - max(p[3] + p[4] for p in parts)
    else:
        fs = None
    return {
        "firmware_region_bytes": app_region,
        "filesystem_bytes": fs,
        "flash_bytes": flash,
        "partitions": [{"name": p[0], "offset": hex(p[3]), "size": p[4]} for p in parts],
    }


RP2_XIP_BASE = 0x10000000
BINARY_INFO_MARKER_START = 0x7188EBF2
BINARY_INFO_MARKER_END = 0xE71AA390
BINARY_INFO_TYPE_BLOCK_DEVICE = 7


def rp2_block_devices(image):
    """(address, size) of each block device an RP2 flash image declares in its binary info (the
    pico-sdk's bi_block_device; MicroPython declares its filesystem that way). image is the
    firmware.bin bytes, which start at the XIP base. Same data `picotool info` shows."""
    word = lambda off: struct.unpack_from("<I", image, off)[0]  # noqa: E731
    for off in range(0, min(len(image), 0x10000) - 20, 4):
        if word(off) == BINARY_INFO_MARKER_START and word(off + 16) == BINARY_INFO_MARKER_END:
            bi_start, bi_end, mapping = word(off + 4), word(off + 8), word(off + 12)
            break
    else:
        return []
    copies = []  # (ram address, ram end, flash source) of data copied to RAM at start-up
    pos = mapping - RP2_XIP_BASE
    while 0 <= pos < len(image) - 12 and word(pos):
        copies.append((word(pos + 4), word(pos + 8), word(pos)))
        pos += 12

    def flash_offset(addr):
        for dest, dest_end, source in copies:
            if dest <= addr < dest_end:
                addr = source + (addr - dest)
        offset = addr - RP2_XIP_BASE
        return offset if 0 <= offset < len(image) else None

    devices = []
    for entry in range(bi_start, bi_end, 4):
        entry_off = flash_offset(entry)
        item = flash_offset(word(entry_off)) if entry_off is not None else None
        if item is None:
            continue
        kind = struct.unpack_from("<H", image, item)[0]
        if kind == BINARY_INFO_TYPE_BLOCK_DEVICE:
            devices.append((word(item + 8), word(item + 12)))
    return devices


def rp2_layout(dist, flash_bytes):
    """Filesystem range from the image's own binary info; the image may fill flash up to it."""
    devices = rp2_block_devices((dist / "firmware.bin").read_bytes())
    out = {"flash_bytes": flash_bytes, "firmware_region_bytes": None, "filesystem_bytes": None}
    if devices:
        address, size = devices[0]
        out["filesystem_bytes"] = size
        out["firmware_region_bytes"] = address - RP2_XIP_BASE
    else:
        out["note"] = "no block device in the image's binary info: filesystem size unknown"
    return out


def esp8266_layout(flash_bytes):
    start_sec = ESP8266_FIRMWARE_REGION // SECTOR
    fs_blocks = (flash_bytes - ESP8266_SDK_RESERVED) // SECTOR - start_sec
    return {
        "flash_bytes": flash_bytes,
        "firmware_region_bytes": ESP8266_FIRMWARE_REGION,
        "filesystem_bytes": fs_blocks * SECTOR,
    }


def kib(n):
    return "?" if n is None else "{:,} bytes ({:.1f} KiB)".format(n, n / 1024)


def report(board_json, dist):
    board = json.loads(board_json.read_text())
    sizes = read_sizes(dist)
    port = board["port"]
    flash_bytes = board["flash"]["size_bytes"]
    if port == "rp2":
        layout = rp2_layout(dist, flash_bytes)
    elif port == "esp32":
        layout = esp32_layout(dist, sizes["full"])
    else:
        layout = esp8266_layout(flash_bytes)
    full = sizes["full"]
    result = {
        "board": board["board"],
        "image": sizes["image"],
        "image_bytes": full,
        "uht_frozen_bytes": full - sizes["no_uht"] if "no_uht" in sizes else None,
        "added_over_stock_bytes": full - sizes["stock"] if "stock" in sizes else None,
        "image_bytes_without_uht": sizes.get("no_uht"),
        "image_bytes_stock_manifest": sizes.get("stock"),
    }
    result.update(layout)
    region = layout.get("firmware_region_bytes")
    result["firmware_region_free_bytes"] = region - full if region else None
    return result


def text(r):
    lines = [
        "{} ({})".format(r["board"], r["image"]),
        "image:                         " + kib(r["image_bytes"]),
        "uht package frozen adds:       " + kib(r["uht_frozen_bytes"]),
        "all of ours over stock adds:   " + kib(r["added_over_stock_bytes"]),
        "firmware region:               " + kib(r.get("firmware_region_bytes")),
        "firmware region left:          " + kib(r.get("firmware_region_free_bytes")),
        "filesystem (free flash):       " + kib(r.get("filesystem_bytes")),
        "flash:                         " + kib(r.get("flash_bytes")),
    ]
    if r.get("note"):
        lines.append("note: " + r["note"])
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: size_report.py boards/BOARD/board.json dist/firmware/BOARD")
    board_json, dist = Path(argv[1]), Path(argv[2])
    r = report(board_json, dist)
    (dist / "size.json").write_text(json.dumps(r, indent=2) + "\n")
    (dist / "size.txt").write_text(text(r))
    sys.stdout.write(text(r))


if __name__ == "__main__":
    main(sys.argv)
