"""Where the import part of the held heap goes: the heap each module of uht's request path holds
once imported, on the board-sized build, frozen and from .mpy, and from .mpy on the build that
freezes asyncio only (a stock firmware, where the names a module uses are interned in RAM as it
loads). The MicroPython side is bench/board32/import_account.py.

    python bench/import_account.py
"""

import os
import shutil
import subprocess
import sys
import tempfile

from servers import REPO, UHT_MPY

SCRIPT = os.path.join(REPO, "bench", "board32", "import_account.py")
# What `import uht` loads, each after the modules it imports (a module imported before its turn
# would count in its importer's figure: the script names any it finds unlisted).
MODULES = ("_compat", "log", "status", "headers", "connection", "router", "request", "response", "_listen", "server")


def measure(binary, form, mpy_dir=UHT_MPY, modules=MODULES):
    """[{"module", "bytes"}] for form "frozen" or "mpy"; raises RuntimeError on a failed run."""
    tmp = tempfile.mkdtemp(prefix="uht-import-")
    try:
        package = os.path.join(tmp, "lib", "uht")  # `lib`, as a board's /lib: short module file names
        os.makedirs(package)
        if form == "mpy":
            for name in modules:
                shutil.copy(os.path.join(mpy_dir, "uht", name + ".mpy"), package)
        with open(os.path.join(package, "__init__.py"), "w") as f:
            f.write("")
        env = dict(os.environ, MICROPYPATH="lib:.frozen", GLIBC_TUNABLES="glibc.malloc.mmap_max=0")
        argv = [binary, "-X", "heapsize=256K", SCRIPT, form] + ["uht." + name for name in modules]
        run = subprocess.run(argv, cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            raise RuntimeError("%s %s: %s" % (os.path.basename(binary), form, run.stderr.strip()[-300:]))
        rows, unlisted = [], []
        for line in run.stdout.splitlines():
            parts = line.split()
            if parts[:1] == ["MODULE"]:
                rows.append({"module": parts[1][len("uht.") :], "bytes": int(parts[2])})
            elif parts[:1] == ["UNLISTED"]:
                unlisted.append(parts[1])
        if unlisted:
            raise RuntimeError("modules loaded but not in MODULES: %s" % ", ".join(unlisted))
        return rows
    finally:
        shutil.rmtree(tmp)


def account(board32, stock=None):
    """{form: rows} for the forms the binaries given can measure; {"error": why} on a failure."""
    out = {}
    try:
        out["frozen"] = measure(board32, "frozen")
        out[".mpy"] = measure(board32, "mpy")
        if stock and os.access(stock, os.X_OK):
            out[".mpy, stock"] = measure(stock, "mpy")
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        return {"error": str(exc)}
    return out


def main():
    sys.path.insert(0, os.path.join(REPO, "tests", "board"))
    import boardrun

    acc = account(boardrun.BOARD32, boardrun.BOARD32_STOCK)
    if "error" in acc:
        sys.exit(acc["error"])
    forms = list(acc)
    print("%-12s" % "module" + "".join("%14s" % f for f in forms))
    for i, name in enumerate(MODULES):
        print("%-12s" % name + "".join("%14d" % acc[f][i]["bytes"] for f in forms))
    print("%-12s" % "all" + "".join("%14d" % sum(r["bytes"] for r in acc[f]) for f in forms))


if __name__ == "__main__":
    main()
