#!/usr/bin/env python3
"""What ships to boards: uht's modules without the code that only type checkers read.

    python3 ci/strip_typing.py SRC_DIR DST_DIR [NAME.py ...]

MicroPython discards annotations when it compiles a module, but not the `if TYPE_CHECKING:` blocks
that import the names the annotations use: they are compiled into every module (bytecode and
names, about 1.6 KB of uht's frozen modules) although they never run. This writes each module with
the test of every such block replaced by `False`, which MicroPython's compiler drops with the
block, and TYPE_CHECKING taken out of the module's import from `._compat`. Every other byte of the
module stays, and so does every line number.

`const` leaves that import too. MicroPython's compiler folds `_NAME = const(literal)` into every
use of _NAME and stores no global (a public NAME keeps its global), without looking the name
`const` up; only CPython calls uht/_compat.py's stand-in. Each use must have that form, a module-
level assignment of a literal, or the transform refuses the module.

The frozen manifests (manifests/uht.py, bench/board32/manifest.py, the frozen test runtime) and
`make mpy` compile these copies (build/shipped/uht), so the suites that run the frozen and .mpy
forms test what ships. A use of TYPE_CHECKING other than those two is an error: the transform
never guesses. A file is rewritten only when its content changes (by a rename: a build reading it
meanwhile sees the old or the new file), so an unchanged module is not recompiled.
"""

import ast
import os
import sys

NAME = "TYPE_CHECKING"
CONST = "const"
DROPPED = (NAME, CONST)  # what leaves each module's import from ._compat


class StripError(Exception):
    """A module uses TYPE_CHECKING or const in a way the transform does not handle."""


def _edits(tree, filename):
    """[(line, col, end_line, end_col, text)] that take the type-checking code, and the import of
    const, out of tree."""
    edits = []
    allowed = set()  # ids of the Name nodes an edit below accounts for
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                test = test.operand
            if isinstance(test, ast.Name) and test.id == NAME:
                allowed.add(id(test))
                edits.append((test.lineno, test.col_offset, test.end_lineno, test.end_col_offset, "False"))
        elif isinstance(node, ast.ImportFrom) and any(a.name == NAME for a in node.names):
            if node.level != 1 or node.module != "_compat":
                raise StripError("%s:%d: TYPE_CHECKING imported from elsewhere" % (filename, node.lineno))
            edits.append(_without_dropped(node))
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and node.module == "_compat":
            if any(a.name == CONST for a in node.names):
                edits.append(_without_dropped(node))
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == NAME for t in node.targets):
            for target in node.targets:
                allowed.add(id(target))  # _compat's definition stays: it costs one name
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == CONST:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) != 1 or not isinstance(targets[0], ast.Name):
                raise StripError("%s:%d: const() assigned to other than one name" % (filename, node.lineno))
            if len(value.args) != 1 or value.keywords or not _literal(value.args[0]):
                raise StripError("%s:%d: const() of other than one literal" % (filename, node.lineno))
            allowed.add(id(value.func))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == NAME and id(node) not in allowed:
            raise StripError("%s:%d: TYPE_CHECKING used other than as an if test" % (filename, node.lineno))
        if isinstance(node, ast.Name) and node.id == CONST and id(node) not in allowed:
            raise StripError("%s:%d: const used other than as NAME = const(literal)" % (filename, node.lineno))
    return edits


def _literal(node):
    """Whether MicroPython's compiler takes node as const()'s argument: a number, string, bytes,
    None, True, False, or a tuple of them."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant)
    return isinstance(node, ast.Tuple) and all(_literal(e) for e in node.elts)


def _without_dropped(node):
    """The edit that takes DROPPED's names out of an import from ._compat (`pass` if none is left),
    on as many lines as before."""
    kept = ", ".join(
        a.name if a.asname is None else "%s as %s" % (a.name, a.asname) for a in node.names if a.name not in DROPPED
    )
    text = "from ._compat import " + kept if kept else "pass"
    text += "\n" * (node.end_lineno - node.lineno)  # the same lines as before
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, text)


def strip(source, filename="<module>"):
    """source without its type-checking code: see the module's docstring."""
    tree = ast.parse(source, filename)
    lines = source.splitlines(True)
    # Later edits first, so the positions of earlier ones stay valid. (Positions are in characters
    # of a line: ast gives UTF-8 byte offsets, so lines are edited as bytes.)
    for line, col, end_line, end_col, text in sorted(_edits(tree, filename), reverse=True):
        first = lines[line - 1].encode()
        last = lines[end_line - 1].encode()
        joined = (first[:col].decode() + text + last[end_col:].decode()).splitlines(True)
        lines[line - 1 : end_line] = joined
    result = "".join(lines)
    if result.count("\n") != source.count("\n"):
        raise StripError("%s: the line count changed" % filename)
    ast.parse(result, filename)  # still Python
    return result


def ship(src_dir, dst_dir, names=None):
    """Write the stripped copy of each module of src_dir (or of `names`) into dst_dir, each only
    when its content changed. Returns the names."""
    if names is None:
        names = sorted(n for n in os.listdir(src_dir) if n.endswith(".py"))
    os.makedirs(dst_dir, exist_ok=True)
    for name in names:
        with open(os.path.join(src_dir, name), encoding="utf-8") as f:
            text = strip(f.read(), os.path.join(src_dir, name))
        target = os.path.join(dst_dir, name)
        try:
            with open(target, encoding="utf-8") as f:
                if f.read() == text:
                    continue
        except OSError:
            pass
        temporary = "%s.%d.tmp" % (target, os.getpid())
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temporary, target)
    return list(names)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        ship(argv[1], argv[2], argv[3:] or None)
    except StripError as exc:
        print("strip_typing: %s" % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
