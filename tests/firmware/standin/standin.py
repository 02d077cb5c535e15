#!/usr/bin/env python3
"""Stand-in for the build tools ci/build-firmware.sh calls (cmake, make, idf.py and the compilers it
looks for), linked under those names into a directory put first on PATH by
tests/firmware/test_build_replay.py.

It does only the frozen-content step of a real build: the MicroPython tree's tools/makemanifest.py
with the build directory and the manifest the script passed, exactly as the port's build would run
it, then writes placeholder files where the port would leave its images. Whatever order of builds
and whatever build directories the script uses are what this replays.

  cmake -S PORT_DIR -B BUILD -DMICROPY_FROZEN_MANIFEST=M -DMICROPY_BOARD_DIR=B ...  records the
        configuration in BUILD/standin.json (rp2: the script configures, then runs make -C BUILD)
  make -C BUILD                      (a configured tree) runs the frozen step with what cmake recorded
  make -C PORT_DIR BUILD=.. FROZEN_MANIFEST=.. BOARD_DIR=..      (esp32, esp8266) runs it directly
  idf.py -B BUILD -D MICROPY_FROZEN_MANIFEST=.. -D MICROPY_BOARD_DIR=.. build     runs it directly
  arm-none-eabi-gcc, xtensa-lx106-elf-gcc                          exist, and do nothing
"""

import json
import os
import subprocess
import sys
from pathlib import Path

# Files each port's build leaves in its build directory, which the script copies to dist/.
OUTPUTS = {
    "rp2": ["firmware.uf2", "firmware.elf", "firmware.bin"],
    "esp32": [
        "firmware.bin",
        "micropython.bin",
        "micropython.elf",
        "bootloader/bootloader.bin",
        "partition_table/partition-table.bin",
        "flash_args",
        "sdkconfig",
    ],
    "esp8266": ["firmware.bin", "firmware.elf"],
}
# What mpy-tool needs from the real build's preprocessed qstr definitions: the qstr encoding.
QSTR_CONFIG = "QCFG(BYTES_IN_LEN, (1))\nQCFG(BYTES_IN_HASH, (0))\n"


def log(*args):
    with open(os.environ["STANDIN_LOG"], "a") as f:
        f.write(" ".join(str(a) for a in args) + "\n")


def frozen_step(port_dir, build, manifest, board_dir):
    port_dir, build = Path(port_dir).resolve(), Path(build).resolve()
    mpy_dir = port_dir.parent.parent
    (build / "genhdr").mkdir(parents=True, exist_ok=True)
    qstrdefs = build / "genhdr" / "qstrdefs.preprocessed.h"
    if not qstrdefs.exists():
        qstrdefs.write_text(QSTR_CONFIG)
    command = [sys.executable, str(mpy_dir / "tools" / "makemanifest.py"), "-o", str(build / "frozen_content.c")]
    for name, value in (
        ("MPY_DIR", mpy_dir),
        ("MPY_LIB_DIR", mpy_dir / "lib" / "micropython-lib"),
        ("PORT_DIR", port_dir),
        ("BOARD_DIR", board_dir),
    ):
        command += ["-v", "{}={}".format(name, value)]
    command += ["-b", str(build), str(manifest)]
    log("makemanifest", build, manifest)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    size = (build / "frozen_content.c").stat().st_size
    for name in OUTPUTS[port_dir.name]:
        out = build / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"\0" * (size // 10))


def options(args, flag):
    """Values given as `flag NAME=VALUE` or `flagNAME=VALUE` (cmake -D, idf.py -D), as a dict."""
    found = {}
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(flag) and arg != flag:
            value = arg[len(flag) :]
        else:
            continue
        name, sep, val = value.partition("=")
        if sep:
            found[name.split(":")[0]] = val  # cmake's NAME:TYPE=VALUE
    return found


def after(args, flag):
    return args[args.index(flag) + 1] if flag in args else None


def cmake(args):
    build = Path(after(args, "-B"))
    build.mkdir(parents=True, exist_ok=True)
    defs = options(args, "-D")
    config = {"port_dir": after(args, "-S"), "manifest": defs["MICROPY_FROZEN_MANIFEST"]}
    config["board_dir"] = defs["MICROPY_BOARD_DIR"]
    (build / "standin.json").write_text(json.dumps(config))
    log("cmake", build, config["manifest"], "variant", defs.get("MICROPY_BOARD_VARIANT", "-"))


def make(args):
    directory = Path(after(args, "-C") or ".")
    variables = dict(a.split("=", 1) for a in args if "=" in a and not a.startswith("-"))
    configured = directory / "standin.json"
    if configured.exists():
        config = json.loads(configured.read_text())
        frozen_step(config["port_dir"], directory, config["manifest"], config["board_dir"])
        return
    if "FROZEN_MANIFEST" not in variables or "BUILD" not in variables:
        sys.exit("standin make: only builds with BUILD= and FROZEN_MANIFEST= given: " + " ".join(args))
    frozen_step(directory, variables["BUILD"], variables["FROZEN_MANIFEST"], variables["BOARD_DIR"])


def idf_py(args):
    defs = options(args, "-D")
    port_dir = Path.cwd() if (Path.cwd() / "esp32_common.cmake").exists() else Path(after(args, "-C"))
    frozen_step(port_dir, after(args, "-B"), defs["MICROPY_FROZEN_MANIFEST"], defs["MICROPY_BOARD_DIR"])


def main():
    tool = Path(sys.argv[0]).name
    args = sys.argv[1:]
    if tool == "cmake":
        cmake(args)
    elif tool == "make":
        make(args)
    elif tool == "idf.py":
        idf_py(args)
    else:
        log(tool, "(nothing to do)")


if __name__ == "__main__":
    main()
