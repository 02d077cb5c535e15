#!/usr/bin/env python3
"""Before a build: drop the compiled frozen modules that no longer match what the manifest names.

    MICROPY_DIR=<tree> ci/frozen_sources.py BUILD_DIR MANIFEST PORT BOARD_DIR

The tree's makemanifest.py recompiles a frozen module only when its source is at least as new as the
.mpy in BUILD_DIR/frozen_mpy/, and regenerates frozen_content.c only when one of them is newer than
it. A manifest that now points a name at another file (or a file replaced by an older one: a
checkout, a copy that keeps times) would leave the old code in the image. This records, per build
tree, which source and content each frozen name was compiled from (BUILD_DIR/frozen_sources.json)
and deletes the .mpy of every name whose source changed, and frozen_content.c when anything changed,
so the build that follows compiles exactly what the manifest names.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

from check_frozen import manifest_files


def sources(manifest, port, micropy_dir, board_dir):
    found = {}
    for name, path in manifest_files(manifest, port, micropy_dir, board_dir).items():
        found[name] = [str(path), hashlib.sha256(path.read_bytes()).hexdigest()]
    return {"tree": str(micropy_dir), "files": found}


def sync(build_dir, manifest, port, micropy_dir, board_dir):
    """Delete what is stale in build_dir; return the frozen names whose .mpy was dropped."""
    stamp = build_dir / "frozen_sources.json"
    now = sources(manifest, port, micropy_dir, board_dir)
    try:
        before = json.loads(stamp.read_text())
    except (OSError, ValueError):
        before = {"tree": None, "files": {}}
    if before == now:
        return []
    same_tree = before.get("tree") == now["tree"]
    dropped = []
    for name, source in now["files"].items():
        if not (same_tree and before["files"].get(name) == source) and name.endswith(".py"):
            mpy = build_dir / "frozen_mpy" / (name[:-3] + ".mpy")
            if mpy.exists():
                mpy.unlink()
                dropped.append(name)
    if (build_dir / "frozen_content.c").exists():
        (build_dir / "frozen_content.c").unlink()
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
    return dropped


def main(argv):
    if len(argv) != 5:
        print("usage: ci/frozen_sources.py BUILD_DIR MANIFEST PORT BOARD_DIR", file=sys.stderr)
        return 2
    micropy_dir = Path(os.environ["MICROPY_DIR"]).resolve()
    dropped = sync(Path(argv[1]), Path(argv[2]), argv[3], micropy_dir, Path(argv[4]))
    if dropped:
        print("frozen modules to recompile (source changed): " + " ".join(dropped))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
