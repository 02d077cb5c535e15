"""Evaluate our board definitions the way each port's build does, up to where a cross toolchain or
ESP-IDF would be needed: cmake (rp2, esp32) and make (esp8266) read our files and upstream's, and
the host C preprocessor resolves our mpconfigboard.h. Needs the MicroPython tree (MICROPY_DIR)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_board_defs import MICROPY_DIR, ROOT, need_tree

CMAKE = shutil.which("cmake")
CC = shutil.which("cc") or shutil.which("gcc")


def cmake_eval(port, board, variant, tmp_path):
    """Variables as the port's CMakeLists.txt leaves them after including the board files."""
    if not CMAKE:
        pytest.skip("cmake not found")
    need_tree()
    port_dir = MICROPY_DIR / "ports" / port
    board_dir = ROOT / "boards" / board
    script = tmp_path / "eval.cmake"
    variant_file = "mpconfigvariant_{}.cmake".format(variant) if variant else "mpconfigvariant.cmake"
    script.write_text(
        """
set(MICROPY_BOARD_DIR "{board_dir}")
{port_dir_line}
include(${{MICROPY_BOARD_DIR}}/mpconfigboard.cmake)
include(${{MICROPY_BOARD_DIR}}/{variant_file} OPTIONAL)
foreach(fragment ${{SDKCONFIG_DEFAULTS}})
    file(READ ${{fragment}} contents)
endforeach()
foreach(name MICROPY_FROZEN_MANIFEST SDKCONFIG_DEFAULTS IDF_TARGET PICO_BOARD PICO_PLATFORM
        MICROPY_BOARD_PINS MICROPY_PY_NETWORK_CYW43 MICROPY_PY_LWIP MICROPY_DEF_BOARD)
    message(STATUS "${{name}}=${{${{name}}}}")
endforeach()
""".format(
            board_dir=board_dir,
            # rp2's CMakeLists sets MICROPY_PORT_DIR before the board files; esp32's only after.
            port_dir_line='set(MICROPY_PORT_DIR "{}")'.format(port_dir) if port == "rp2" else "",
            variant_file=variant_file,
        )
    )
    # Script mode: CMAKE_SOURCE_DIR and relative paths are the working directory, as in the port.
    result = subprocess.run([CMAKE, "-P", str(script)], cwd=port_dir, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    found = dict(re.findall(r"-- (\w+)=(.*)", result.stdout))
    return found


@pytest.mark.parametrize("board, pico_board", [("RPI_PICO_W", "pico_w"), ("RPI_PICO2_W", "pico2_w")])
def test_rp2_board_cmake(board, pico_board, tmp_path):
    found = cmake_eval("rp2", board, None, tmp_path)
    assert found["PICO_BOARD"] == pico_board
    assert found["MICROPY_PY_NETWORK_CYW43"] == "ON" and found["MICROPY_PY_LWIP"] == "ON"
    assert found["MICROPY_FROZEN_MANIFEST"] == str((ROOT / "manifests" / "rp2.py").resolve())
    assert found["MICROPY_BOARD_PINS"] == str(MICROPY_DIR / "ports/rp2/boards" / board / "pins.csv")
    if board == "RPI_PICO2_W":
        assert found["PICO_PLATFORM"] == "rp2350"


def test_pico2_w_riscv_variant(tmp_path):
    assert cmake_eval("rp2", "RPI_PICO2_W", "RISCV", tmp_path)["PICO_PLATFORM"] == "rp2350-riscv"


@pytest.mark.parametrize(
    "board, variant, target, fragment",
    [
        ("ESP32_GENERIC", None, "", "boards/sdkconfig.ble"),
        ("ESP32_GENERIC", "SPIRAM", "", "boards/sdkconfig.spiram"),
        ("ESP32_GENERIC", "OTA", "", "boards/ESP32_GENERIC/sdkconfig.ota"),
        ("ESP32_GENERIC_C6", None, "esp32c6", "boards/sdkconfig.c6"),
    ],
)
def test_esp32_board_cmake(board, variant, target, fragment, tmp_path):
    found = cmake_eval("esp32", board, variant, tmp_path)
    # Every fragment was read by file(READ) above, so each exists where the port looks for it.
    fragments = found["SDKCONFIG_DEFAULTS"].split(";")
    assert fragments[0] == "boards/sdkconfig.base" and fragment in fragments
    assert found["IDF_TARGET"] == target
    assert str((ROOT / "boards" / "sdkconfig.uht").resolve()) in [str(Path(f).resolve()) for f in fragments]
    assert found["MICROPY_FROZEN_MANIFEST"] == str((ROOT / "manifests" / "esp32.py").resolve())


def test_esp8266_board_make():
    if not shutil.which("make"):
        pytest.skip("make not found")
    need_tree()
    board_dir = ROOT / "boards" / "ESP8266_GENERIC"
    makefile = (
        "BOARD_DIR := {}\n"
        "include $(BOARD_DIR)/mpconfigboard.mk\n"
        "-include $(BOARD_DIR)/mpconfigvariant.mk\n"
        "show:\n\t@echo 'FROZEN_MANIFEST=$(FROZEN_MANIFEST)'\n\t@echo 'LD_FILES=$(LD_FILES)'\n"
        "\t@echo 'CFLAGS=$(CFLAGS)'\n"
    ).format(board_dir)
    port_dir = MICROPY_DIR / "ports" / "esp8266"
    result = subprocess.run(
        ["make", "-s", "-f", "-", "show"], input=makefile, cwd=port_dir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    found = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert found["FROZEN_MANIFEST"] == str((ROOT / "manifests" / "esp8266.py").resolve())
    assert found["LD_FILES"] == "boards/esp8266_2MiB.ld"
    assert (port_dir / found["LD_FILES"]).is_file()
    assert "-DMICROPY_ESP8266_2M" in found["CFLAGS"]


@pytest.mark.parametrize(
    "board, port, defines",
    [
        ("RPI_PICO_W", "rp2", []),
        ("RPI_PICO2_W", "rp2", []),
        ("ESP32_GENERIC", "esp32", []),
        ("ESP32_GENERIC", "esp32", ['-DMICROPY_HW_BOARD_NAME="Generic ESP32 module with SPIRAM"']),
        ("ESP32_GENERIC_C6", "esp32", []),
        ("ESP8266_GENERIC", "esp8266", ["-DMICROPY_ESP8266_2M"]),
    ],
)
def test_board_header_resolves_upstream_and_names_uht(board, port, defines, tmp_path):
    if not CC:
        pytest.skip("no host C compiler")
    need_tree()
    port_dir = MICROPY_DIR / "ports" / port
    board_dir = ROOT / "boards" / board
    # The include order of the ports: core, board directory, port directory.
    command = [CC, "-E", "-dM", "-I", str(MICROPY_DIR), "-I", str(board_dir), "-I", str(port_dir)]
    # Read twice in one unit, as the ports' modespnow.c does (it includes mpconfigport.h again):
    # a redefined board name is an error under the ports' -Werror (-dM would hide the warning).
    unit = tmp_path / "unit.c"
    unit.write_text('#include "mpconfigboard.h"\n#include "mpconfigboard.h"\n')
    twice = subprocess.run(command[:2] + command[3:] + defines + ["-Werror", str(unit)], capture_output=True, text=True)
    assert twice.returncode == 0, twice.stderr
    command += defines + [str(board_dir / "mpconfigboard.h")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    macros = dict(re.findall(r"#define (\w+) (.*)", result.stdout))
    expected = json.loads((board_dir / "board.json").read_text())["board_name"]
    assert macros["MICROPY_HW_BOARD_NAME"] == '"{}"'.format(expected)
    # Upstream's settings came along.
    if port == "rp2":
        assert macros["MICROPY_PY_NETWORK"] == "1" and "MICROPY_HW_FLASH_STORAGE_BYTES" in macros
        assert macros["MEMP_NUM_TCP_PCB"] == "(16)"  # lwipopts.h reaches it through py/mpconfig.h
    elif board == "ESP32_GENERIC_C6":
        assert macros["MICROPY_HW_ENABLE_UART_REPL"] == "(1)"
    elif port == "esp32":
        assert macros["MICROPY_HW_MCU_NAME"] == '"ESP32"'
    else:
        assert macros["MICROPY_VFS"] == "(1)"
