#!/usr/bin/env bash
# Gather the flashable files of every board's artifact under one directory with names that say
# board and version, plus SHA256SUMS over them.
#   ci/release-assets.sh ARTIFACTS_DIR OUT_DIR VERSION
# ARTIFACTS_DIR holds firmware-<BOARD>/ directories (actions/download-artifact layout).
set -euo pipefail
src=${1:?artifacts dir}; out=${2:?output dir}; version=${3:?version}
mkdir -p "$out"
found=0
for dir in "$src"/firmware-*/; do
  board=$(basename "$dir"); board=${board#firmware-}
  for f in firmware.uf2 firmware.bin flash_args size.txt FLASHING.txt; do
    [ -f "$dir/$f" ] || continue
    cp "$dir/$f" "$out/uht-$version-$board-$f"
    found=1
  done
done
[ "$found" = 1 ] || { echo "no firmware artifacts under $src" >&2; exit 1; }
(cd "$out" && sha256sum -- uht-* > SHA256SUMS && cat SHA256SUMS)
