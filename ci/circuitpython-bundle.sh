#!/usr/bin/env bash
# uht as a CircuitPython library bundle, the release assets `circup bundle-add <owner>/<repo>` reads:
#   <id>-py-<tag>.zip, <id>-8.x-mpy-<tag>.zip, <id>-9.x-mpy-<tag>.zip, <id>-10.x-mpy-<tag>.zip,
#   <id>-<tag>.json and SHA256SUMS-circuitpython
# each zip holding <id>-<platform>-<tag>/lib/uht/ (+ requirements/uht/requirements.txt naming the
# Adafruit libraries circup installs with it, and examples/). circup takes <id> from the repository
# name (lowercased, _ -> -) and needs every platform's zip in the latest release, whose tag must be
# a number (it compares tags with int()): e.g. the release date, 20261130.
#   ci/circuitpython-bundle.sh OUT_DIR TAG [BUNDLE_ID]
# CP_MPY_CROSS: CircuitPython 10's mpy-cross (`make cp-mpy-cross`). CircuitPython 8 and 9 refuse
# 10's .mpy and are not tested here: their zips carry the .py sources (they load anywhere).
set -euo pipefail
out=${1:?output dir}; tag=${2:?numeric tag, e.g. 20261130}; id=${3:-uht}
case "$tag" in *[!0-9]*) echo "the bundle tag must be a number (circup compares tags with int()): $tag" >&2; exit 1;; esac
mpy_cross=${CP_MPY_CROSS:?CircuitPython mpy-cross (make cp-mpy-cross)}
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/uht/__init__.py")
[ -n "$version" ] || { echo "no __version__ in uht/__init__.py" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
# every module but _cpython.py (CPython only) and _listen.py (the socket module's transport)
modules=$(cd "$root/uht" && find . -maxdepth 1 -name '*.py' ! -name _cpython.py ! -name _listen.py | sed 's|^\./||' | LC_ALL=C sort)
# What ships: each module without the code only type checkers read (ci/strip_typing.py).
# shellcheck disable=SC2086  # one argument per module
python3 "$root/ci/strip_typing.py" "$root/uht" "$work/uht" $modules

stage() {  # stage PLATFORM: the zip's top directory
  local top="$work/$id-$1-$tag"
  mkdir -p "$top/lib/uht" "$top/requirements/uht" "$top/examples"
  printf 'adafruit-circuitpython-asyncio\nadafruit-circuitpython-ticks\n' > "$top/requirements/uht/requirements.txt"
  cp "$root/examples/circuitpython/code.py" "$top/examples/uht_simpletest.py"
  cp "$root/examples/circuitpython/settings.toml" "$top/examples/uht_settings.toml"
  echo "$top"
}

for platform in py 8.x-mpy 9.x-mpy 10.x-mpy; do
  top=$(stage "$platform")
  for m in $modules; do
    if [ "$platform" = 10.x-mpy ]; then
      "$mpy_cross" -O3 -s "uht/$m" -o "$top/lib/uht/${m%.py}.mpy" "$work/uht/$m"
    else
      cp "$work/uht/$m" "$top/lib/uht/$m"
    fi
  done
  (cd "$work" && find "$id-$platform-$tag" -exec touch -d @0 {} + && rm -f "$out/$id-$platform-$tag.zip" &&
    find "$id-$platform-$tag" -type f | LC_ALL=C sort | zip -q -X -D "$out/$id-$platform-$tag.zip" -@)
done

cat > "$out/$id-$tag.json" <<JSON
{
  "uht": {
    "package": true,
    "pypi_name": "uht",
    "version": "$version",
    "repo": "",
    "path": "lib/uht",
    "dependencies": ["asyncio", "adafruit_ticks"],
    "external_dependencies": []
  }
}
JSON
(cd "$out" && sha256sum -- "$id"-*"$tag".zip "$id-$tag.json" > SHA256SUMS-circuitpython && cat SHA256SUMS-circuitpython)
