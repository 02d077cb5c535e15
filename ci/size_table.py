#!/usr/bin/env python3
"""Print a Markdown table of the size reports under dist/firmware/*/size.json (for docs and
release notes)."""

import json
import sys
from pathlib import Path


def kib(n):
    return "–" if n is None else "{:,} B ({:.1f} KiB)".format(n, n / 1024)


def main(argv):
    root = Path(argv[1]) if len(argv) > 1 else Path("dist/firmware")
    rows = [
        "| Board | Image | uht adds | ours adds over stock | Firmware region left | Filesystem |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for path in sorted(root.glob("*/size.json")):
        r = json.loads(path.read_text())
        cells = [
            r["board"],
            kib(r["image_bytes"]),
            kib(r["uht_frozen_bytes"]),
            kib(r["added_over_stock_bytes"]),
            kib(r.get("firmware_region_free_bytes")),
            kib(r.get("filesystem_bytes")),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv)
