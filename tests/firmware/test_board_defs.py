"""Board definitions (boards/), frozen manifests (manifests/) and, when built, the images in
dist/firmware/: CPython pytest, no toolchain needed.

Tests that need the MicroPython v1.28.0 tree find it through MICROPY_DIR (default
~/.cache/uht/micropython-v1.28.0) and skip with the reason when it is missing.
"""

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
BOARDS = ["RPI_PICO_W", "RPI_PICO2_W", "ESP32_GENERIC", "ESP32_GENERIC_C6", "ESP8266_GENERIC"]
PORT_OF = {"RPI_PICO_W": "rp2", "RPI_PICO2_W": "rp2", "ESP32_GENERIC": "esp32", "ESP32_GENERIC_C6": "esp32"}
PORT_OF["ESP8266_GENERIC"] = "esp8266"
MICROPY_DIR = Path(os.environ.get("MICROPY_DIR") or Path.home() / ".cache/uht/micropython-v1.28.0")
# The port's own boot script each manifest must leave out (ours replaces it); rp2 also has one for
# FAT-formatted boards, which ours are not.
PORT_BOOT = "_boot.py"
LEFT_OUT = {"rp2": {PORT_BOOT, "_boot_fat.py"}, "esp32": {PORT_BOOT}, "esp8266": {PORT_BOOT}}
# uht modules MicroPython never imports (CPython's and CircuitPython's sides), which
# manifests/uht.py keeps out of a MicroPython image's flash.
UHT_HOST_ONLY = {"uht/_cpython.py", "uht/_circuitpython.py", "uht/_socketpool.py"}


def board_json(board):
    return json.loads((ROOT / "boards" / board / "board.json").read_text())


def need_tree():
    if not (MICROPY_DIR / "py" / "mpconfig.h").is_file():
        pytest.skip(
            "no MicroPython v1.28.0 tree at {} (set MICROPY_DIR, or `make firmware` clones one)".format(MICROPY_DIR)
        )
    if not (MICROPY_DIR / "lib" / "micropython-lib" / "python-stdlib").is_dir():
        pytest.skip("MicroPython tree at {} lacks the lib/micropython-lib submodule".format(MICROPY_DIR))


# --- board.json and the board directories -------------------------------------------------------


@pytest.mark.parametrize("board", BOARDS)
def test_board_json_is_complete_and_consistent(board):
    info = board_json(board)
    assert info["board"] == board
    assert info["port"] == PORT_OF[board]
    assert info["upstream_board"] == "ports/{}/boards/{}".format(info["port"], board)
    assert info["micropython"] == "v1.28.0"
    assert "uht" in info["board_name"]
    for key in ("manifest", "manifest_no_uht"):
        assert (ROOT / info[key]).is_file(), info[key]
    assert (ROOT / info["docker"] / "Dockerfile").is_file()
    flash = info["flash"]
    if info["port"] == "rp2":
        assert flash["tool"] == "uf2" and flash["image"] == "firmware.uf2"
    else:
        assert flash["tool"] == "esptool" and flash["image"] == "firmware.bin"
        assert re.fullmatch(r"0x[0-9a-f]+", flash["offset"])
    assert flash["size_bytes"] >= 2 * 1024 * 1024


def test_esptool_offsets_are_the_documented_ones():
    # MicroPython's merged firmware.bin: after the ESP32's second-stage loader gap; at 0 elsewhere.
    assert board_json("ESP32_GENERIC")["flash"]["offset"] == "0x1000"
    assert board_json("ESP32_GENERIC_C6")["flash"]["offset"] == "0x0"
    assert board_json("ESP8266_GENERIC")["flash"]["offset"] == "0x0"


@pytest.mark.parametrize("board", BOARDS)
def test_board_name_in_header_matches_board_json(board):
    header = (ROOT / "boards" / board / "mpconfigboard.h").read_text()
    names = re.findall(r'#define MICROPY_HW_BOARD_NAME\s+"([^"]+)"', header)
    assert names == [board_json(board)["board_name"]]
    # Defined after upstream's header, which would otherwise set its own name.
    assert (
        header.index("#include")
        < header.index("#undef MICROPY_HW_BOARD_NAME")
        < header.index("#define MICROPY_HW_BOARD_NAME")
    )


def board_figures(board):
    figures = {}
    exec((ROOT / "boards" / board / "uhtfw_board.py").read_text(), figures)
    return figures["TCP_CONNECTIONS"], figures["MAX_CONNECTIONS"]


@pytest.mark.parametrize("board", BOARDS)
def test_connection_figure_is_what_the_stack_is_set_to(board):
    tcp, usable = board_figures(board)
    port = PORT_OF[board]
    if port == "rp2":
        header = (ROOT / "boards" / board / "mpconfigboard.h").read_text()
        assert re.findall(r"#define MEMP_NUM_TCP_PCB \((\d+)\)", header) == [str(tcp)]
        assert usable == tcp - 1  # the listening PCB has a pool of its own
    elif port == "esp32":
        cmake = (ROOT / "boards" / board / "mpconfigboard.cmake").read_text()
        assert "list(APPEND SDKCONFIG_DEFAULTS ${MICROPY_BOARD_DIR}/../sdkconfig.uht)" in cmake
        config = dict(re.findall(r"^(CONFIG_\w+)=(\S+)$", (ROOT / "boards" / "sdkconfig.uht").read_text(), re.M))
        assert int(config["CONFIG_LWIP_MAX_SOCKETS"]) == tcp
        assert int(config["CONFIG_LWIP_MAX_ACTIVE_TCP"]) >= tcp - 1
        assert usable == tcp - 2  # the listening socket is one of the sockets
    else:
        assert (tcp, usable) == (5, 4)  # the SDK's lwIP, as it comes
    assert usable >= 4


def test_only_our_boards_are_defined():
    defined = sorted(p.name for p in (ROOT / "boards").iterdir() if p.is_dir())
    assert defined == sorted(BOARDS)


def test_make_knows_every_board():
    mk = (ROOT / "mk" / "firmware.mk").read_text()
    listed = re.search(r"^FW_BOARDS := (.*)$", mk, re.M).group(1).split()
    assert listed == BOARDS


def test_ci_matrix_builds_every_board():
    workflow = (ROOT / ".github" / "workflows" / "firmware.yml").read_text()
    matrix = re.search(r"board:\n((?:\s+- \w+\n)+)", workflow).group(1)
    assert re.findall(r"- (\w+)", matrix) == BOARDS
    assert "make firmware BOARD=${{ matrix.board }} DOCKER=1" in workflow


# --- references into the MicroPython tree ----------------------------------------------------------


def upstream_references(board):
    """Paths (relative to the tree) that the board's files include from upstream."""
    port = PORT_OF[board]
    port_rel = "ports/{}".format(port)
    refs = []
    for path in sorted((ROOT / "boards" / board).iterdir()):
        text = path.read_text()
        if path.suffix == ".cmake":
            upstream_dir = "{}/boards/{}".format(port_rel, board)
            text = text.replace("${UHT_UPSTREAM_BOARD_DIR}", upstream_dir)
            for ref in re.findall(r"\$\{MICROPY_PORT_DIR\}/([^\s)]+)", text):
                refs.append((path.name, "{}/{}".format(port_rel, ref)))
            for ref in re.findall(r"(ports/\S+?/boards/[^\s)]+)", text):
                refs.append((path.name, ref))
        elif path.suffix == ".h":
            for ref in re.findall(r'#include "(boards/[^"]+)"', text):
                refs.append((path.name, "{}/{}".format(port_rel, ref)))
        elif path.suffix == ".mk":
            for ref in re.findall(r"^include (boards/\S+)", text, re.M):
                refs.append((path.name, "{}/{}".format(port_rel, ref)))
    return refs


@pytest.mark.parametrize("board", BOARDS)
def test_every_board_file_includes_upstream(board):
    # Thin wrappers: each build file of ours pulls in upstream's file of the same name.
    refs = upstream_references(board)
    for path in (ROOT / "boards" / board).iterdir():
        if path.suffix in (".cmake", ".h", ".mk"):
            assert any(name == path.name and ref.endswith("/" + path.name) for name, ref in refs), path.name


@pytest.mark.parametrize("board", BOARDS)
def test_referenced_upstream_files_exist(board):
    need_tree()
    refs = upstream_references(board)
    assert refs
    missing = [ref for _, ref in refs if not (MICROPY_DIR / ref).exists()]
    assert not missing, "not in {}: {}".format(MICROPY_DIR, missing)
    info = board_json(board)
    assert (MICROPY_DIR / info["upstream_board"]).is_dir()
    assert (MICROPY_DIR / info["stock_manifest"]).is_file()


def sdkconfig_fragments(board):
    """The sdkconfig fragments (relative to ports/esp32) of upstream's board cmake files we include."""
    fragments = []
    for _, ref in upstream_references(board):
        if ref.endswith(".cmake"):
            text = (MICROPY_DIR / ref).read_text()
            for block in re.findall(r"set\(SDKCONFIG_DEFAULTS(.*?)\)", text, re.S):
                fragments += [f for f in block.split() if f.startswith("boards/")]
    return fragments


@pytest.mark.parametrize("board", ["ESP32_GENERIC", "ESP32_GENERIC_C6"])
def test_sdkconfig_fragments_exist(board):
    need_tree()
    fragments = sdkconfig_fragments(board)
    assert "boards/sdkconfig.base" in fragments
    port_dir = MICROPY_DIR / "ports" / "esp32"
    missing = [f for f in fragments if not (port_dir / f).is_file()]
    assert not missing, missing
    if board == "ESP32_GENERIC_C6":
        assert "boards/sdkconfig.c6" in fragments
    # The partition table the base fragment names (filesystem size in docs/firmware.md).
    base = (port_dir / "boards" / "sdkconfig.base").read_text()
    table = re.search(r'CONFIG_PARTITION_TABLE_CUSTOM_FILENAME="([^"]+)"', base).group(1)
    assert (port_dir / table).is_file()


# --- manifests ------------------------------------------------------------------------------------


def frozen(manifest, port, board):
    """{frozen name: source path} of a manifest, resolved by the tree's own manifestfile.py in
    freeze mode (lists the files; compiles nothing)."""
    sys.path.insert(0, str(MICROPY_DIR / "tools"))
    try:
        import manifestfile
    finally:
        sys.path.pop(0)
    path_vars = {
        "MPY_DIR": str(MICROPY_DIR),
        "MPY_LIB_DIR": str(MICROPY_DIR / "lib" / "micropython-lib"),
        "PORT_DIR": str(MICROPY_DIR / "ports" / port),
        "BOARD_DIR": str(ROOT / "boards" / board),
    }
    mf = manifestfile.ManifestFile(manifestfile.MODE_FREEZE, path_vars)
    mf.execute(str(manifest))
    names = {}
    for entry in mf.files():
        assert entry.target_path not in names, "frozen twice: " + entry.target_path
        names[entry.target_path] = Path(entry.full_path).resolve()
    return names


def repo_modules(directory):
    """Frozen names the repo's modules under directory should have (uht keeps its package prefix)."""
    base = ROOT / directory
    names = {str(p.relative_to(base.parent if directory == "uht" else base)) for p in base.rglob("*.py")}
    return names - UHT_HOST_ONLY


def test_host_only_modules_are_guarded():
    # Leaving a module out of flash is safe only if MicroPython never imports it.
    for name in UHT_HOST_ONLY:
        text = " ".join((ROOT / name).read_text().split())
        assert re.search("MicroPython (and CPython )?never imports? this module", text), name


@pytest.mark.parametrize("board", BOARDS)
def test_manifest_freezes_uht_app_and_their_needs(board):
    need_tree()
    info = board_json(board)
    names = frozen(ROOT / info["manifest"], info["port"], board)
    uht = repo_modules("uht")
    app = repo_modules("firmware/modules")
    assert uht and "uht/__init__.py" in uht
    assert uht <= set(names), sorted(uht - set(names))
    assert app <= set(names), sorted(app - set(names))
    for name in uht | app:
        assert names[name].is_relative_to(ROOT)
    assert {"logging.py", "ntptime.py", "asyncio/__init__.py"} <= set(names)
    assert names["uhtfw_board.py"] == (ROOT / "boards" / board / "uhtfw_board.py").resolve()
    assert not UHT_HOST_ONLY & set(names)


@pytest.mark.parametrize("board", BOARDS)
def test_one_boot_script_and_it_is_ours(board):
    need_tree()
    info = board_json(board)
    names = frozen(ROOT / info["manifest"], info["port"], board)
    assert names[PORT_BOOT] == (ROOT / "firmware" / "modules" / PORT_BOOT).resolve()
    # A frozen boot.py/main.py would shadow the user's files on the board's filesystem.
    assert not {"boot.py", "main.py", "_boot_fat.py"} & set(names)


@pytest.mark.parametrize("board", BOARDS)
def test_manifest_keeps_everything_upstream_freezes(board):
    # Restating upstream's manifest (to drop its _boot.py) must not lose a module on the way.
    need_tree()
    info = board_json(board)
    ours = frozen(ROOT / info["manifest"], info["port"], board)
    stock = frozen(MICROPY_DIR / info["stock_manifest"], info["port"], board)
    lost = set(stock) - set(ours) - LEFT_OUT[info["port"]]
    assert not lost, sorted(lost)
    assert stock[PORT_BOOT] != ours[PORT_BOOT]


@pytest.mark.parametrize("board", BOARDS)
def test_size_manifest_differs_by_the_uht_package_only(board):
    need_tree()
    info = board_json(board)
    full = set(frozen(ROOT / info["manifest"], info["port"], board))
    without = set(frozen(ROOT / info["manifest_no_uht"], info["port"], board))
    assert full - without == repo_modules("uht")
    assert without <= full


# --- built images ---------------------------------------------------------------------------------


def built(board):
    dist = ROOT / "dist" / "firmware" / board
    image = dist / ("firmware.bin" if PORT_OF[board] != "esp32" else "micropython.bin")
    if not image.is_file():
        pytest.skip("no image built for {} ({} missing; make firmware BOARD={})".format(board, image, board))
    return dist, image


def newest_source_mtime(board):
    """Newest mtime of what goes into the board's image from this repo."""
    sources = list((ROOT / "uht").rglob("*.py")) + list((ROOT / "firmware" / "modules").rglob("*.py"))
    sources += list((ROOT / "boards" / board).iterdir()) + list((ROOT / "manifests").rglob("*.py"))
    return max(p.stat().st_mtime for p in sources)


@pytest.mark.parametrize("board", BOARDS)
def test_uht_is_frozen_into_the_built_image(board):
    dist, image = built(board)
    data = image.read_bytes()
    # Frozen modules are listed by name in the image (mp_frozen_names), NUL-terminated.
    assert b"uht/__init__.py\0" in data
    assert b"uhtfw/__init__.py\0" in data and b"_boot.py\0" in data and b"uhtfw_board.py\0" in data
    if image.stat().st_mtime < newest_source_mtime(board):
        pytest.skip(
            "image older than its sources (uht/, firmware/modules/, boards/, manifests/): rebuild to check it all"
        )
    assert board_json(board)["board_name"].encode() in data
    for name in sorted(repo_modules("uht") | repo_modules("firmware/modules")):
        assert name.encode() in data, name + " not frozen in " + str(image)


@pytest.mark.parametrize("board", BOARDS)
def test_built_image_freezes_what_its_manifest_names(board):
    # ci/check_frozen.py on the image's own frozen_content.c: our _boot, not the port's, and every
    # module the manifest names (what the release workflow checks after each build).
    dist, image = built(board)
    need_tree()
    sys.path.insert(0, str(ROOT / "ci"))
    try:
        import check_frozen
    finally:
        sys.path.pop(0)
    problems, total, ours = check_frozen.check(board, dist / "frozen_content.c", MICROPY_DIR)
    assert problems == []
    assert ours == len(repo_modules("uht") | repo_modules("firmware/modules")) + 1  # + uhtfw_board.py


@pytest.mark.parametrize("board", ["RPI_PICO_W", "RPI_PICO2_W"])
def test_built_rp2_image_has_the_lwip_pcbs_uht_is_told(board):
    # lwIP's pool descriptor memp_TCP_PCB (u16 size, u16 num, base, tab) read out of the image itself.
    dist, image = built(board)
    nm = shutil.which("arm-none-eabi-nm")
    if not nm or not (dist / "firmware.elf").is_file():
        pytest.skip("arm-none-eabi-nm or firmware.elf missing")
    symbols = subprocess.run([nm, str(dist / "firmware.elf")], capture_output=True, text=True, check=True).stdout
    address = int(re.search(r"^([0-9a-f]+) R memp_TCP_PCB$", symbols, re.M).group(1), 16)
    size, num = struct.unpack_from("<HH", image.read_bytes(), address - 0x10000000)
    assert num == board_figures(board)[0] and 150 < size < 300, (size, num)


@pytest.mark.parametrize("board", BOARDS)
def test_size_report_matches_the_image(board):
    dist, image = built(board)
    report_path = dist / "size.json"
    if not report_path.is_file():
        pytest.skip("no size report in {} (make firmware writes it)".format(dist))
    report = json.loads(report_path.read_text())
    assert report["board"] == board
    assert report["image_bytes"] == image.stat().st_size
    if report["uht_frozen_bytes"] is not None:
        assert report["uht_frozen_bytes"] > 0
        assert report["image_bytes_without_uht"] + report["uht_frozen_bytes"] == report["image_bytes"]
    if report.get("firmware_region_free_bytes") is not None:
        assert report["firmware_region_free_bytes"] > 0, "image does not fit its flash region"
    if report.get("filesystem_bytes") is not None:
        assert report["filesystem_bytes"] > 0
    assert (dist / "size.txt").read_text().startswith(board)


def test_ci_runs_make_test_and_the_release_waits_for_it():
    test = (ROOT / ".github" / "workflows" / "test.yml").read_text()
    assert re.search(r"^\s+run: make test\b", test, re.M)
    for need in ("gcc-arm-none-eabi", "socat", "pico-bootrom-rp2040", "UHT_RP2040_BOOTROM", "actions/cache"):
        assert need in test, need
    assert "workflow_call:" in test and "pull_request:" in test
    firmware = (ROOT / ".github" / "workflows" / "firmware.yml").read_text()
    assert "uses: ./.github/workflows/test.yml" in firmware
    assert "needs: [build, test]" in firmware
    assert (
        "python3 ci/check_frozen.py ${{ matrix.board }} dist/firmware/${{ matrix.board }}/frozen_content.c" in firmware
    )
