"""The build helpers in ci/ on made-up build outputs: size report, flashing notes, release assets."""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ci"))
import flash_notes  # noqa: E402
import size_report  # noqa: E402


def partition_entry(name, ptype, subtype, offset, size):
    return struct.pack("<HBBII16sI", 0x50AA, ptype, subtype, offset, size, name.encode(), 0)


def esp32_dist(tmp_path, image_bytes):
    dist = tmp_path / "ESP32_GENERIC"
    dist.mkdir()
    table = (
        partition_entry("nvs", 1, 2, 0x9000, 0x6000)
        + partition_entry("phy_init", 1, 1, 0xF000, 0x1000)
        + partition_entry("factory", 0, 0, 0x10000, 0x1F0000)
        + b"\xff" * 32
    )
    (dist / "partition-table.bin").write_bytes(table)
    (dist / "sdkconfig").write_text('CONFIG_ESPTOOLPY_FLASHSIZE_4MB=y\nCONFIG_ESPTOOLPY_FLASHSIZE="4MB"\n')
    (dist / "micropython.bin").write_bytes(b"\0" * image_bytes)
    (dist / "sizes.env").write_text(
        "stock=1500000\nno_uht=1560000\nfull={}\nimage=micropython.bin\n".format(image_bytes)
    )
    (dist / "flash_args").write_text(
        "--flash_mode dio --flash_freq 40m --flash_size 4MB\n"
        "0x1000 bootloader/bootloader.bin\n0x10000 micropython.bin\n0x8000 partition_table/partition-table.bin\n"
    )
    return dist


def test_esp32_partition_table_is_read(tmp_path):
    table = tmp_path / "partition-table.bin"
    table.write_bytes(partition_entry("factory", 0, 0, 0x10000, 0x1F0000) + b"\xff" * 32)
    assert size_report.esp32_partitions(table) == [("factory", 0, 0, 0x10000, 0x1F0000)]


def test_esp32_size_report(tmp_path):
    dist = esp32_dist(tmp_path, 1600000)
    report = size_report.report(ROOT / "boards" / "ESP32_GENERIC" / "board.json", dist)
    assert report["image_bytes"] == 1600000
    assert report["uht_frozen_bytes"] == 40000
    assert report["added_over_stock_bytes"] == 100000
    assert report["firmware_region_bytes"] == 0x1F0000
    assert report["firmware_region_free_bytes"] == 0x1F0000 - 1600000
    # partitions-4MiBplus.csv: MicroPython's filesystem takes the flash after the app partition.
    assert report["filesystem_bytes"] == 4 * 1024 * 1024 - 0x200000


def fake_rp2_image(fs_address, fs_size, copied=False):
    """A flash image with a binary-info header whose one entry is a block device. With copied, the
    entry list points at a RAM address that the mapping table maps back to flash."""
    base = size_report.RP2_XIP_BASE
    image = bytearray(0x400)
    device = 0x300  # binary_info_block_device_t: core(type, tag), name, address, size, extra, flags
    struct.pack_into(
        "<HHIIIIH", image, device, size_report.BINARY_INFO_TYPE_BLOCK_DEVICE, 0, 0, fs_address, fs_size, 0, 0
    )
    ram = 0x20000000  # where start-up code would have copied the device struct
    struct.pack_into("<I", image, 0x200, ram if copied else base + device)  # the entry list
    struct.pack_into("<3I", image, 0x280, base + device, ram, ram + 0x20)  # mapping table, then 0
    struct.pack_into(
        "<5I",
        image,
        0x110,
        size_report.BINARY_INFO_MARKER_START,
        base + 0x200,
        base + 0x204,
        base + 0x280,
        size_report.BINARY_INFO_MARKER_END,
    )
    return bytes(image)


def test_rp2_block_device_from_binary_info():
    assert size_report.rp2_block_devices(fake_rp2_image(0x1012C000, 868352)) == [(0x1012C000, 868352)]
    assert size_report.rp2_block_devices(fake_rp2_image(0x10180000, 2621440, copied=True)) == [(0x10180000, 2621440)]
    assert size_report.rp2_block_devices(bytes(0x400)) == []


PICOTOOL = shutil.which("picotool") or str(Path.home() / ".cache/uht/picotool-install/picotool/picotool")


@pytest.mark.parametrize("board", ["RPI_PICO_W", "RPI_PICO2_W"])
def test_rp2_filesystem_matches_picotool(board):
    dist = ROOT / "dist" / "firmware" / board
    if not (dist / "firmware.uf2").is_file():
        pytest.skip("no image built for " + board)
    if not Path(PICOTOOL).is_file():
        pytest.skip("picotool not found: nothing to compare with")
    info = subprocess.run([PICOTOOL, "info", "-a", str(dist / "firmware.uf2")], capture_output=True, text=True).stdout
    start, end = re.search(r"embedded drive:\s+0x([0-9a-f]+)-0x([0-9a-f]+)", info).groups()
    devices = size_report.rp2_block_devices((dist / "firmware.bin").read_bytes())
    assert devices == [(int(start, 16), int(end, 16) - int(start, 16))]


def test_esp8266_layout_follows_flashbdev():
    layout = size_report.esp8266_layout(2 * 1024 * 1024)
    # (2 MiB - 20 KiB) // 4 KiB - 256 sectors, as ports/esp8266/modules/flashbdev.py computes.
    assert layout["filesystem_bytes"] == (507 - 256) * 4096
    assert layout["firmware_region_bytes"] == 0x100000


def test_size_report_command_writes_both_files(tmp_path):
    dist = esp32_dist(tmp_path, 1234567)
    board = ROOT / "boards" / "ESP32_GENERIC" / "board.json"
    subprocess.run([sys.executable, str(ROOT / "ci" / "size_report.py"), str(board), str(dist)], check=True)
    assert json.loads((dist / "size.json").read_text())["image_bytes"] == 1234567
    assert (dist / "size.txt").read_text().startswith("ESP32_GENERIC (micropython.bin)")


@pytest.mark.parametrize(
    "board, expected",
    [
        ("ESP32_GENERIC", "--chip esp32 write-flash 0x1000 firmware.bin"),
        ("ESP32_GENERIC_C6", "--chip esp32c6 write-flash 0x0 firmware.bin"),
        ("ESP8266_GENERIC", "--chip esp8266 write-flash --flash-size=detect 0x0 firmware.bin"),
    ],
)
def test_esptool_arguments(tmp_path, board, expected):
    info = json.loads((ROOT / "boards" / board / "board.json").read_text())
    lines = flash_notes.esp_notes(info, tmp_path)
    assert (tmp_path / "esptool_args").read_text().strip() == expected
    assert any(expected.split(" ", 2)[2] in line for line in lines)


def test_idf_flash_args_are_flattened(tmp_path):
    dist = esp32_dist(tmp_path, 1000)
    info = json.loads((ROOT / "boards" / "ESP32_GENERIC" / "board.json").read_text())
    flash_notes.esp_notes(info, dist)
    lines = (dist / "flash_args").read_text().splitlines()
    assert lines[0].startswith("--flash_mode dio")
    assert "0x1000 bootloader.bin" in lines and "0x8000 partition-table.bin" in lines
    assert "0x10000 micropython.bin" in lines


def test_rp2_notes_name_the_boot_drive():
    pico2 = json.loads((ROOT / "boards" / "RPI_PICO2_W" / "board.json").read_text())
    pico = json.loads((ROOT / "boards" / "RPI_PICO_W" / "board.json").read_text())
    assert "RP2350" in "\n".join(flash_notes.rp2_notes(pico2))
    assert "RPI-RP2" in "\n".join(flash_notes.rp2_notes(pico))


@pytest.mark.skipif(not shutil.which("sha256sum"), reason="sha256sum (coreutils) not found")
def test_release_assets_carry_checksums(tmp_path):
    artifacts = tmp_path / "artifacts"
    for board, name in (("RPI_PICO_W", "firmware.uf2"), ("ESP32_GENERIC", "firmware.bin")):
        (artifacts / ("firmware-" + board)).mkdir(parents=True)
        (artifacts / ("firmware-" + board) / name).write_bytes(board.encode() * 100)
        (artifacts / ("firmware-" + board) / "firmware.elf").write_bytes(b"elf")
    out = tmp_path / "release"
    subprocess.run(["bash", str(ROOT / "ci" / "release-assets.sh"), str(artifacts), str(out), "v9.9"], check=True)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["SHA256SUMS", "uht-v9.9-ESP32_GENERIC-firmware.bin", "uht-v9.9-RPI_PICO_W-firmware.uf2"]
    subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, check=True, capture_output=True)


def test_release_assets_fail_without_images(tmp_path):
    (tmp_path / "artifacts").mkdir()
    result = subprocess.run(
        ["bash", str(ROOT / "ci" / "release-assets.sh"), str(tmp_path / "artifacts"), str(tmp_path / "out"), "v1"],
        capture_output=True,
    )
    assert result.returncode != 0


def _path_without(tool: str, bin_dir: Path) -> str:
    """A PATH with every command of /usr/bin and /bin but `tool`: the machine as it is, less the
    toolchain (so the hint is tested where the toolchain is installed too)."""
    bin_dir.mkdir()
    for directory in ("/usr/bin", "/bin"):
        for entry in os.scandir(directory):
            target = bin_dir / entry.name
            if entry.name != tool and not target.exists():
                target.symlink_to(entry.path)
    return str(bin_dir)


@pytest.mark.parametrize("board, tool", [("ESP32_GENERIC_C6", "idf.py"), ("ESP8266_GENERIC", "xtensa-lx106-elf-gcc")])
def test_build_stops_with_a_hint_without_the_toolchain(tmp_path, board, tool):
    env = {"PATH": _path_without(tool, tmp_path / "bin"), "MICROPY_DIR": str(tmp_path / "tree")}
    env["FW_BUILD_DIR"] = str(tmp_path / "b")
    env["FW_DIST_DIR"] = str(tmp_path / "d")
    result = subprocess.run(
        ["bash", str(ROOT / "ci" / "build-firmware.sh"), board], env=env, capture_output=True, text=True
    )
    assert result.returncode == 3
    assert tool + " not found" in result.stderr and "DOCKER=1" in result.stderr
    assert not (tmp_path / "d").exists()


def test_build_refuses_an_unknown_board(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MICROPY_DIR": str(tmp_path)}
    result = subprocess.run(
        ["bash", str(ROOT / "ci" / "build-firmware.sh"), "NO_SUCH_BOARD"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2 and "unknown board" in result.stderr


@pytest.mark.parametrize(
    "board, port", [("RPI_PICO_W", "rp2"), ("ESP32_GENERIC", "esp32"), ("ESP8266_GENERIC", "esp8266")]
)
def test_missing_tree_is_cloned_at_the_tag_with_the_ports_submodules(tmp_path, board, port):
    if not shutil.which("make"):
        pytest.skip("make not found")
    tree = tmp_path / "micropython"
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "firmware", "BOARD=" + board, "MICROPY_DIR=" + str(tree)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "git clone --depth 1 --branch v1.28.0 https://github.com/micropython/micropython.git" in out
    # The port's own `make submodules` knows which submodules that port needs (and only those).
    assert 'make -C "{}/ports/{}" BOARD_DIR={}/boards/{}'.format(tree, port, ROOT, board) in out
    assert "submodules" in out and "git submodule update --init --recursive" not in out
