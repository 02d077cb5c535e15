#!/usr/bin/env python3
"""Check a built image's frozen_content.c against the board's manifest, without a toolchain.

    MICROPY_DIR=<v1.28.0 tree> ci/check_frozen.py BOARD FROZEN_CONTENT_C

Every module the board's manifest names must be frozen, and every module frozen from this repo
(uht/, firmware/modules/, above all `_boot`) must be the compiled form of the repo's source: its
top-level functions and classes are scopes of the frozen module, and it imports exactly the modules
the source imports. A stale .mpy left in a build tree (the port's own _boot.py compiled by an
earlier build with another manifest) fails here. Exit status 1 with the reasons, 0 with one line.
"""

import ast
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manifest_files(manifest, port, micropy_dir, board_dir):
    """{frozen name: source path} of a manifest, resolved by the tree's own manifestfile.py."""
    sys.path.insert(0, str(micropy_dir / "tools"))
    try:
        import manifestfile
    finally:
        sys.path.pop(0)
    path_vars = {
        "MPY_DIR": str(micropy_dir),
        "MPY_LIB_DIR": str(micropy_dir / "lib" / "micropython-lib"),
        "PORT_DIR": str(micropy_dir / "ports" / port),
        "BOARD_DIR": str(board_dir),
    }
    mf = manifestfile.ManifestFile(manifestfile.MODE_FREEZE, path_vars)
    mf.execute(str(manifest))
    return {entry.target_path: Path(entry.full_path).resolve() for entry in mf.files()}


def inside(path, directory):
    try:
        path.relative_to(directory)
        return True
    except ValueError:
        return False


def frozen_names(text):
    """The names listed in mp_frozen_names (what the image can import)."""
    block = re.search(r"const char mp_frozen_names\[\] = \{(.*?)\};", text, re.S)
    return set(re.findall(r'"([^"\\]+)\\0"', block.group(1))) if block else set()


def frozen_modules(text):
    """{module name: its section of frozen_content.c} (mpy-tool writes '// frozen module NAME')."""
    parts = re.split(r"^// frozen module (\S+)\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def source_shape(path):
    """(top-level function and class names, imported module names) of a Python source file."""
    tree = ast.parse(path.read_text(), str(path))
    defined = {
        node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    return defined, imported


def frozen_shape(section):
    scopes = set(re.findall(r"^// frozen bytecode for file \S+, scope (\S+)$", section, re.M))
    imported = set(re.findall(r"// IMPORT_NAME '([^']*)'", section))
    return scopes, imported


def check(board, frozen_content, micropy_dir):
    info = json.loads((ROOT / "boards" / board / "board.json").read_text())
    expected = manifest_files(ROOT / info["manifest"], info["port"], micropy_dir, ROOT / "boards" / board)
    text = Path(frozen_content).read_text()
    problems = []
    names = frozen_names(text)
    missing = sorted(set(expected) - names)
    if missing:
        problems.append("not frozen: " + ", ".join(missing))
    modules = frozen_modules(text)
    ours = {name: src for name, src in expected.items() if inside(src, ROOT)}
    if "_boot.py" not in ours:
        problems.append("the manifest does not freeze firmware/modules/_boot.py")
    for name, src in sorted(ours.items()):
        section = modules.get(name[:-3])
        if section is None:
            continue  # already reported as not frozen
        defined, imported = source_shape(src)
        scopes, frozen_imports = frozen_shape(section)
        lost = sorted(n for n in defined if not any(s.endswith("_" + n) for s in scopes))
        if lost or imported != frozen_imports:
            problems.append(
                "{} is not the compiled {} (functions/classes missing: {}; imports {} in the image, {} in"
                " the source)".format(
                    name, src.relative_to(ROOT), lost or "none", sorted(frozen_imports), sorted(imported)
                )
            )
    return problems, len(expected), len(ours)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    board, frozen_content = argv[1], argv[2]
    micropy_dir = Path(os.environ.get("MICROPY_DIR") or Path.home() / ".cache/uht/micropython-v1.28.0")
    problems, total, ours = check(board, frozen_content, micropy_dir)
    if problems:
        print("{}: {} does not match the manifest:".format(board, frozen_content), file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        return 1
    print(
        "{}: {} frozen modules as the manifest names them; uht's _boot and {} modules from this repo".format(
            board, total, ours
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
