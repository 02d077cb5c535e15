"""Where the flash that freezing uht adds goes: the two RP2 images ci/build-firmware.sh builds for
the size report (build/firmware/<BOARD>/full, with the uht package, and no_uht, without it), taken
apart by symbol with arm-none-eabi-nm. mpy-tool names every symbol it generates after its module
(fun_data_uht_server_..., const_obj_uht_status_...), so each byte is put to a module and a kind:

- bytecode: the functions' code and preludes (fun_data_*);
- constants: bytes, str and tuple objects that are not names (const_obj_*), and each module's
  table of them, 4 bytes a constant (const_obj_table_data_*);
- name tables: each module's list of the names it uses, 2 bytes a name (const_qstr_table_data_*);
- raw code, child tables, module records (proto_fun_*, children_*, frozen_module_*);
- names: the names (qstrs) uht adds to the image's frozen pool. Their pointer, hash and length
  are exact (the pool's arrays grow by them); their text is counted as length + NUL, as the
  compiler lays out string literals;
- module list: the names of the frozen modules and a pointer to each (mp_frozen_names ...).

Whatever the image grew by beyond that (alignment, literals the compiler lays out otherwise) is
"other".

    python bench/flash_account.py [BOARD]   (default RPI_PICO_W; after `make firmware BOARD=...`)
"""

import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Symbol prefix -> kind, in the order the report lists them.
KINDS = (
    ("fun_data_", "bytecode"),
    ("const_obj_table_data_", "constant tables"),
    ("const_obj_", "constants"),
    ("const_qstr_table_data_", "name tables"),
    ("proto_fun_", "raw code"),
    ("children_", "child tables"),
    ("frozen_module_", "module records"),
)
# The frozen qstr pool's arrays: pointers (inside the pool record), hashes, lengths.
POOL_ARRAYS = ("mp_qstr_frozen_const_pool", "mp_qstr_frozen_const_hashes", "mp_qstr_frozen_const_lengths")
# The list of frozen modules: their names, and a pointer to each.
MODULE_LIST = ("mp_frozen_names", "mp_frozen_mpy_content")


def read_sizes(path):
    """ci/build-firmware.sh's sizes.env: {"stock": bytes, "no_uht": bytes, "full": bytes, ...}."""
    sizes = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            sizes[key] = int(value) if value.isdigit() else value
    return sizes


def symbol_sizes(elf, nm="arm-none-eabi-nm"):
    """{symbol: size} for every sized symbol of elf."""
    out = subprocess.run([nm, "-S", elf], capture_output=True, text=True, check=True).stdout
    return parse_nm(out)


def parse_nm(text):
    sizes = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4:
            sizes[parts[3]] = int(parts[1], 16)
    return sizes


def module_idents(frozen_content):
    """The C identifiers mpy-tool gave uht's modules ('uht_server', 'uht__compat' ...)."""
    return sorted(set(re.findall(r"^// frozen module (uht_\w+)$", frozen_content, re.M)))


def qstr_lengths(frozen_content):
    """The lengths of the names in the image's frozen qstr pool, and the names (C literals as
    written: escapes are not decoded, only used to tell the names apart)."""
    m = re.search(r"mp_qstr_frozen_const_lengths\[\] = \{(.*?)\};", frozen_content, re.S)
    lengths = [int(n) for n in re.findall(r"\d+", m.group(1))] if m else []
    start = frozen_content.find("mp_qstr_frozen_const_pool = {")
    names = re.findall(r'^\s+"((?:[^"\\]|\\.)*)",\s*$', frozen_content[start:], re.M) if start >= 0 else []
    return lengths, names[: len(lengths)]


def classify(symbol, idents):
    """(kind, module ident) of a generated symbol of uht's, or None."""
    for prefix, kind in KINDS:
        if symbol.startswith(prefix):
            rest = symbol[len(prefix) :]
            best = None
            for ident in idents:
                if (rest == ident or rest.startswith(ident + "_")) and (best is None or len(ident) > len(best)):
                    best = ident
            return (kind, best) if best else None
    return None


def account(full_dir, no_uht_dir, total, nm="arm-none-eabi-nm"):
    """The breakdown of `total` (the image bytes uht adds) from the two build directories."""
    with open(os.path.join(full_dir, "frozen_content.c")) as f:
        full_c = f.read()
    with open(os.path.join(no_uht_dir, "frozen_content.c")) as f:
        bare_c = f.read()
    full = symbol_sizes(os.path.join(full_dir, "firmware.elf"), nm)
    bare = symbol_sizes(os.path.join(no_uht_dir, "firmware.elf"), nm)
    return breakdown(full, bare, full_c, bare_c, total)


def breakdown(full, bare, full_c, bare_c, total):
    idents = module_idents(full_c)
    kinds = dict((kind, 0) for _, kind in KINDS)
    modules = dict((ident, dict(kinds)) for ident in idents)
    for symbol, size in full.items():
        found = classify(symbol, idents)
        if found:
            kind, ident = found
            kinds[kind] += size
            modules[ident][kind] += size
    lengths, names = qstr_lengths(full_c)
    known = set(qstr_lengths(bare_c)[1])
    added = [(n, length) for n, length in zip(names, lengths) if n not in known]
    entries = sum(full.get(a, 0) - bare.get(a, 0) for a in POOL_ARRAYS)
    text = sum(length + 1 for _, length in added)
    kinds["names"] = entries + text
    kinds["module list"] = sum(full.get(a, 0) - bare.get(a, 0) for a in MODULE_LIST)
    kinds["other"] = total - sum(kinds.values())
    identifiers = [n for n, _ in added if re.match(r"^[A-Za-z_]\w*$", n)]
    private = [n for n in identifiers if n.startswith("_")]
    return {
        "total": total,
        "kinds": kinds,
        "names": {
            "count": len(added),
            "text_bytes": text,
            "entry_bytes": entries,
            "identifiers": len(identifiers),
            "private": len(private),
        },
        "modules": [
            dict(module=ident.replace("uht_", "", 1), total=sum(k.values()), **k)
            for ident, k in sorted(modules.items(), key=lambda item: -sum(item[1].values()))
        ],
    }


def for_board(board="RPI_PICO_W", sizes=None):
    """The account for the board's image, or {"error": why}."""
    root = os.path.join(REPO, "build", "firmware", board)
    full_dir, bare_dir = os.path.join(root, "full"), os.path.join(root, "no_uht")
    for d in (full_dir, bare_dir):
        for name in ("firmware.elf", "frozen_content.c"):
            path = os.path.join(d, name)
            if not os.path.exists(path):
                return {"error": "no %s (make firmware BOARD=%s)" % (os.path.relpath(path, REPO), board)}
    if sizes is None:
        sizes = read_sizes(os.path.join(REPO, "dist", "firmware", board, "sizes.env"))
    total = sizes["full"] - sizes["no_uht"]
    try:
        return account(full_dir, bare_dir, total)
    except (OSError, subprocess.CalledProcessError) as exc:
        return {"error": "arm-none-eabi-nm: %s" % exc}


def main():
    board = sys.argv[1] if len(sys.argv) > 1 else "RPI_PICO_W"
    acc = for_board(board)
    if "error" in acc:
        sys.exit(acc["error"])
    print("%s: uht adds %d bytes" % (board, acc["total"]))
    for kind, n in acc["kinds"].items():
        print("  %-15s %6d  %4.1f %%" % (kind, n, 100.0 * n / acc["total"]))
    names = acc["names"]
    print(
        "  (names: %d, text %d B, pool entries %d B; %d identifiers, %d of them private; %d other strings)"
        % (
            names["count"],
            names["text_bytes"],
            names["entry_bytes"],
            names["identifiers"],
            names["private"],
            names["count"] - names["identifiers"],
        )
    )
    for m in acc["modules"]:
        print(
            "  %-12s %6d  bytecode %5d  constants %4d  name tables %4d"
            % (m["module"], m["total"], m["bytecode"], m["constants"] + m["constant tables"], m["name tables"])
        )


if __name__ == "__main__":
    main()
