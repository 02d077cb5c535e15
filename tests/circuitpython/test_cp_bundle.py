"""The CircuitPython bundle release asset (ci/circuitpython-bundle.sh), checked the way circup reads
it (circup/bundle.py and circup/shared.py, 2.x): one zip per platform named <id>-<platform>-<tag>.zip
with <id>-<platform>-<tag>/lib/ inside, a numeric tag, the version found in the .mpy the way circup
finds it, requirements that circup maps to asyncio and adafruit_ticks; and the 10.x .mpy files
serve under the CircuitPython build."""

import os
import re
import subprocess
import zipfile

import pytest
from cpsupport import ROOT

CP_MPY_CROSS = os.path.join(ROOT, "build", "circuitpython", "mpy-cross", "mpy-cross")
CIRCUP_PLATFORMS = ("py", "8.x-mpy", "9.x-mpy", "10.x-mpy")  # circup.shared.PLATFORMS values
TAG = "20261130"


def _uht_version() -> str:
    with open(os.path.join(ROOT, "uht", "__init__.py")) as f:
        return re.search(r'__version__ = "(.*)"', f.read()).group(1)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):  # type: ignore[no-untyped-def]
    if not os.access(CP_MPY_CROSS, os.X_OK):
        pytest.skip("no CircuitPython mpy-cross at %s (make cp-mpy-cross)" % CP_MPY_CROSS)
    out = tmp_path_factory.mktemp("bundle")
    env = dict(os.environ, CP_MPY_CROSS=CP_MPY_CROSS)
    subprocess.run([os.path.join(ROOT, "ci", "circuitpython-bundle.sh"), str(out), TAG], check=True, env=env)
    return out


def test_a_non_numeric_tag_is_refused(tmp_path):
    env = dict(os.environ, CP_MPY_CROSS="/bin/false")
    r = subprocess.run(
        [os.path.join(ROOT, "ci", "circuitpython-bundle.sh"), str(tmp_path), "v0.1.0"], env=env, capture_output=True
    )
    assert r.returncode != 0 and b"must be a number" in r.stderr


def test_layout_is_circups(bundle):
    wanted = {"uht/" + n for n in os.listdir(os.path.join(ROOT, "uht")) if n.endswith(".py")}
    wanted -= {"uht/_cpython.py", "uht/_listen.py"}
    for platform in CIRCUP_PLATFORMS:
        top = "uht-%s-%s" % (platform, TAG)
        with zipfile.ZipFile(bundle / (top + ".zip")) as z:
            names = z.namelist()
            assert all(n.startswith(top + "/") for n in names)
            ext = ".mpy" if platform == "10.x-mpy" else ".py"
            lib = {n[len(top) + 5 :] for n in names if n.startswith(top + "/lib/")}
            assert lib == {w[:-3] + ext for w in wanted}, platform
            reqs = z.read(top + "/requirements/uht/requirements.txt").decode().split()
            # circup's clean_library_name: adafruit-circuitpython-X -> adafruit_X (asyncio: asyncio)
            assert reqs == ["adafruit-circuitpython-asyncio", "adafruit-circuitpython-ticks"]
            assert top + "/examples/uht_simpletest.py" in names
    sums = (bundle / "SHA256SUMS-circuitpython").read_text()
    assert len(sums.splitlines()) == len(CIRCUP_PLATFORMS) + 1


def test_version_metadata_as_circup_extracts_it(bundle):
    version = _uht_version()
    top = "uht-10.x-mpy-" + TAG
    with zipfile.ZipFile(bundle / (top + ".zip")) as z:
        mpy = z.read(top + "/lib/uht/__init__.mpy")
    assert mpy[:2] == b"C\x06"  # circup: CircuitPython 9+ .mpy
    match = re.search(rb"([\d]+\.[\d]+\.[\d]+)\x00", mpy)  # circup's search in such files
    assert match and match.group(1).decode() == version
    top = "uht-py-" + TAG
    with zipfile.ZipFile(bundle / (top + ".zip")) as z:
        src = z.read(top + "/lib/uht/__init__.py").decode()
    assert re.findall(r"""(__\w+__)(?:\s*:\s*\w+)?\s*=\s*(?:['"]|\(\s)(.+)['"]""", src) == [("__version__", version)]


def test_the_10x_mpy_files_serve_under_circuitpython(bundle, tmp_path, circuitpython):
    top = "uht-10.x-mpy-" + TAG
    with zipfile.ZipFile(bundle / (top + ".zip")) as z:
        z.extractall(tmp_path)
    code = (
        "import asyncio\n"
        "from uht import HTTPServer\n"
        "from uht.testing import TestClient\n"
        "app = HTTPServer()\n"
        "@app.route('/')\n"
        "async def index(req, resp):\n"
        "    await resp.send('hi')\n"
        "async def main():\n"
        "    r = await TestClient(app).get('/')\n"
        "    import uht\n"
        "    print(r.status, r.body, uht.__file__)\n"
        "asyncio.run(main())\n"
    )
    out = circuitpython(code, str(tmp_path / top / "lib"))
    assert out.stdout.split()[:2] == ["200", "b'hi'"], out.stdout + out.stderr
    assert out.stdout.split()[2].endswith("lib/uht/__init__.mpy")
