#!/usr/bin/env bash
# Build one board's image against a MicroPython tree and copy what a user flashes to dist/.
#   ci/build-firmware.sh BOARD
# Environment: MICROPY_DIR (the v1.28.0 tree), UHT_ROOT (this repo, default: the script's parent),
# BOARD_VARIANT (e.g. RISCV for RPI_PICO2_W; give FW_BUILD_DIR and FW_DIST_DIR of its own),
# FW_BUILD_DIR (default $UHT_ROOT/build/firmware/BOARD; one build tree per manifest below it:
# full/ is the shipped image, stock/ and no_uht/ the two extra builds that measure what uht costs),
# FW_DIST_DIR (default $UHT_ROOT/dist/firmware/BOARD), FW_SIZE_BUILDS=0 to skip those two builds,
# JOBS (parallel jobs, default 2); for the ESP8266 with Debian's toolchain: ESP_SDK (the assembled
# SDK) and FW_ESP8266_CFLAGS (what that compiler and picolibc need).
# Runs the port's own build (cmake/make, or idf.py inside the ESP-IDF image), nothing else: the
# same script runs on a host with the toolchain and inside docker/<port>.
set -euo pipefail

BOARD=${1:?usage: ci/build-firmware.sh BOARD}
UHT_ROOT=${UHT_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
MICROPY_DIR=${MICROPY_DIR:?set MICROPY_DIR to a MicroPython v1.28.0 tree}
BOARD_DIR=$UHT_ROOT/boards/$BOARD
BUILD_ROOT=${FW_BUILD_DIR:-$UHT_ROOT/build/firmware/$BOARD}
DIST=${FW_DIST_DIR:-$UHT_ROOT/dist/firmware/$BOARD}
JOBS=${JOBS:-2}

[ -f "$BOARD_DIR/board.json" ] || { echo "unknown board $BOARD (no $BOARD_DIR/board.json)" >&2; exit 2; }
json() {  # json KEY: a top-level string of board.json
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$BOARD_DIR/board.json" "$1"
}
PORT=$(json port)
PORT_DIR=$MICROPY_DIR/ports/$PORT
MANIFEST_FULL=$UHT_ROOT/$(json manifest)
MANIFEST_NO_UHT=$UHT_ROOT/$(json manifest_no_uht)
MANIFEST_STOCK=$MICROPY_DIR/$(json stock_manifest)

# The image whose size counts: what occupies the firmware region of flash.
case $PORT in
  rp2) IMAGE=firmware.bin ;;
  esp32) IMAGE=micropython.bin ;;
  esp8266) IMAGE=firmware.bin ;;
  *) echo "unsupported port $PORT" >&2; exit 2 ;;
esac

need() {  # need TOOL: stop with a hint when the port's toolchain is not on PATH
  command -v "$1" > /dev/null && return
  echo "$BOARD: $1 not found. Install the $PORT toolchain (docs/firmware.md), or build in its" \
    "container: make firmware BOARD=$BOARD DOCKER=1" >&2
  exit 3
}
case $PORT in
  rp2) need cmake; need arm-none-eabi-gcc ;;
  esp32) need idf.py ;;  # ESP-IDF v5.5.1, exported with . $IDF_PATH/export.sh
  esp8266) need xtensa-lx106-elf-gcc ;;
esac

build_with() {  # build_with NAME MANIFEST: build the board with that frozen manifest into $BUILD_ROOT/NAME
  BUILD=$BUILD_ROOT/$1
  local manifest=$2
  echo "== $BOARD: building with manifest $manifest in $BUILD"
  # A build tree per manifest, so no build compiles another manifest's modules into this one (the
  # port's own _boot.py, compiled by the stock build, was kept by the next: makemanifest.py only
  # recompiles a source newer than its .mpy). Within the tree, what a name was compiled from is
  # recorded, and changed sources are recompiled whatever their file times say.
  mkdir -p "$BUILD"
  MICROPY_DIR=$MICROPY_DIR python3 "$UHT_ROOT/ci/frozen_sources.py" "$BUILD" "$manifest" "$PORT" "$BOARD_DIR"
  case $PORT in
    rp2)
      # The port's Makefile configures only once; call cmake so a changed manifest takes effect.
      local extra=()
      read -r -a extra <<< "${FW_CMAKE_ARGS:-}"
      if [ -n "${BOARD_VARIANT:-}" ]; then extra+=("-DMICROPY_BOARD_VARIANT=$BOARD_VARIANT"); fi
      cmake -S "$PORT_DIR" -B "$BUILD" -DPICO_BUILD_DOCS=0 \
        -DMICROPY_BOARD="$BOARD" -DMICROPY_BOARD_DIR="$BOARD_DIR" \
        -DMICROPY_FROZEN_MANIFEST="$manifest" "${extra[@]}"
      make -C "$BUILD" -j"$JOBS"
      ;;
    esp32)
      make -C "$PORT_DIR" BOARD_DIR="$BOARD_DIR" BUILD="$BUILD" FROZEN_MANIFEST="$manifest" \
        ${BOARD_VARIANT:+BOARD_VARIANT="$BOARD_VARIANT"}
      ;;
    esp8266)
      # ESP_SDK: an SDK assembled beside Debian's gcc-xtensa-lx106 (docs/firmware.md); without it the
      # port finds the SDK in the compiler's sysroot (esp-open-sdk). esptool v5 wants the chip named.
      local sdk=()
      if [ -n "${ESP_SDK:-}" ]; then sdk=("ESP_SDK=$ESP_SDK" "CFLAGS_EXTRA=${FW_ESP8266_CFLAGS:-}"); fi
      if command -v esptool > /dev/null; then sdk+=("ESPTOOL=esptool --chip esp8266"); fi
      if [ -n "${BOARD_VARIANT:-}" ]; then sdk+=("BOARD_VARIANT=$BOARD_VARIANT"); fi
      make -C "$PORT_DIR" -j"$JOBS" BOARD_DIR="$BOARD_DIR" BUILD="$BUILD" FROZEN_MANIFEST="$manifest" "${sdk[@]}"
      ;;
  esac
}

image_bytes() { wc -c < "$BUILD/$IMAGE" | tr -d ' '; }

frozen_has_uht() { grep -q '"uht/__init__.py' "$BUILD/frozen_content.c"; }

# Collected in a staging directory and swapped in at the end, so the previous image stays
# usable (emulator tests, flashing) while a rebuild runs.
STAGE=$DIST.new
mkdir -p "$BUILD_ROOT" "$STAGE"
# One build per board at a time (make test may rebuild the Pico W image while someone else does).
if command -v flock > /dev/null; then
  exec 9> "$BUILD_ROOT.lock"
  flock 9
fi
rm -f "$STAGE"/*
# A build tree of the one-tree layout this script used before (everything in $BUILD_ROOT): gone.
if [ -d "$BUILD_ROOT/frozen_mpy" ]; then
  find "$BUILD_ROOT" -mindepth 1 -maxdepth 1 ! -name stock ! -name no_uht ! -name full \
    ! -name submodules-tree -exec rm -rf {} +
fi
SIZES=$STAGE/sizes.env
: > "$SIZES.tmp"
if [ "${FW_SIZE_BUILDS:-1}" != 0 ]; then
  # Same board directory, only the frozen manifest differs: upstream's stock manifest, ours
  # without the uht package, then ours.
  build_with stock "$MANIFEST_STOCK"
  echo "stock=$(image_bytes)" >> "$SIZES.tmp"
  build_with no_uht "$MANIFEST_NO_UHT"
  if frozen_has_uht; then echo "uht frozen by $MANIFEST_NO_UHT" >&2; exit 1; fi
  echo "no_uht=$(image_bytes)" >> "$SIZES.tmp"
fi
build_with full "$MANIFEST_FULL"
frozen_has_uht || { echo "uht not frozen by $MANIFEST_FULL" >&2; exit 1; }
# What the image freezes is what the manifest names, our _boot included (ci/check_frozen.py).
MICROPY_DIR=$MICROPY_DIR python3 "$UHT_ROOT/ci/check_frozen.py" "$BOARD" "$BUILD/frozen_content.c"
echo "full=$(image_bytes)" >> "$SIZES.tmp"
echo "image=$IMAGE" >> "$SIZES.tmp"
mv "$SIZES.tmp" "$SIZES"

copy() { cp "$BUILD/$1" "$STAGE/${2:-$(basename "$1")}"; }
case $PORT in
  rp2)
    copy firmware.uf2; copy firmware.elf; copy firmware.bin
    ;;
  esp32)
    copy firmware.bin; copy micropython.bin; copy micropython.elf
    copy bootloader/bootloader.bin; copy partition_table/partition-table.bin
    copy flash_args; copy sdkconfig
    ;;
  esp8266)
    copy firmware.bin; copy firmware.elf
    ;;
esac
# The frozen-module list, so a test or a person can see what went in without a toolchain.
cp "$BUILD/frozen_content.c" "$STAGE/frozen_content.c" 2>/dev/null \
  || find "$BUILD" -name frozen_content.c -exec cp {} "$STAGE/frozen_content.c" \; -quit
rm -rf "$DIST.old"
if [ -d "$DIST" ]; then mv "$DIST" "$DIST.old"; fi
mv "$STAGE" "$DIST"
rm -rf "$DIST.old"
echo "== $BOARD: images in $DIST"
