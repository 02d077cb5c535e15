"""The real RPI_PICO_W image in the rp2040js emulator (tests/firmware/emulator/emulator.mjs).

One emulated board for the whole module; the tests run in file order and build on each other: it
boots and prints its `uht:` line (the CYW43 Wi-Fi chip does not start in the emulator), /main.py and
/settings.json are provisioned, `main.app` answers through uht.testing.TestClient on the device, a
changed main.py copied with mpremote (through a socat pty) runs after a soft reset, the three safe-mode
triggers skip it, and re-flashing the image (an upgrade) keeps the user's main.py.

Needs: the image (make firmware BOARD=RPI_PICO_W, or UHT_PICO_W_UF2), node + `make emulator-deps`,
socat, and the RP2040 boot ROM at ../shared/rp2040/bootrom-b1.bin (or UHT_RP2040_BOOTROM).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_support import MPREMOTE, REPO, load_template

EMULATOR_DIR = Path(__file__).resolve().parent / "emulator"
IMAGE = Path(os.environ.get("UHT_PICO_W_UF2", REPO / "dist" / "firmware" / "RPI_PICO_W" / "firmware.uf2"))
BOOTROM = Path(os.environ.get("UHT_RP2040_BOOTROM", REPO.parent / "shared" / "rp2040" / "bootrom-b1.bin"))
LOG_DIR = REPO / "build" / "emulator"
BOOT_TIMEOUT = float(os.environ.get("UHT_EMULATOR_BOOT_TIMEOUT", "240"))

pytestmark = pytest.mark.timeout(1800)


def missing():
    if not IMAGE.exists():
        return f"no Pico W image at {IMAGE} (make firmware BOARD=RPI_PICO_W, or set UHT_PICO_W_UF2)"
    if not BOOTROM.exists():
        return f"no RP2040 boot ROM at {BOOTROM} (set UHT_RP2040_BOOTROM)"
    for tool in ("node", "socat"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    if not (EMULATOR_DIR / "node_modules" / "rp2040js").exists():
        return "rp2040js is not installed: make emulator-deps"
    if not MPREMOTE.exists():
        return f"no mpremote at {MPREMOTE}: make venv"
    return None


class Board:
    """One emulator process; the serial port is a Unix socket in a directory of our own (only this
    test can type at the board: a TCP port on a busy machine gets other suites' clients, whose
    Ctrl-C/Ctrl-D bytes soft-reset the board), turned into a pty for mpremote."""

    def __init__(self, workdir, flash):
        self.workdir = workdir
        self.log = workdir / "serial.log"
        self.log.write_bytes(b"")
        port_file = workdir / "port"
        if port_file.exists():
            port_file.unlink()
        # A short path of its own (a Unix socket path has a length limit), private to this user.
        self.socket_path = Path(tempfile.mkdtemp(prefix="uht-emu-")) / "serial"
        err = os.open(workdir / "emulator.err", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        self.proc = subprocess.Popen(
            [
                "node",
                str(EMULATOR_DIR / "emulator.mjs"),
                "--image",
                str(IMAGE),
                "--bootrom",
                str(BOOTROM),
                "--log",
                str(self.log),
                "--flash",
                str(flash),
                "--socket",
                str(self.socket_path),
                "--port-file",
                str(port_file),
            ],
            stderr=err,
            stdout=subprocess.DEVNULL,
        )
        os.close(err)
        deadline = time.monotonic() + 120  # node starting on a loaded machine; a bound on failure only
        while not port_file.exists() or not port_file.read_text():
            assert self.proc.poll() is None, (workdir / "emulator.err").read_text()
            assert time.monotonic() < deadline, "emulator did not open its serial port"
            time.sleep(0.1)
        assert port_file.read_text() == str(self.socket_path)
        self.sock = None
        self.attach()

    def attach(self):
        """(Re)connect our own socket to the serial port (mpremote's socat takes it over meanwhile)."""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(self.socket_path))

    def text(self):
        return self.log.read_bytes().decode("utf-8", "replace")

    def mark(self):
        return len(self.log.read_bytes())

    def wait_for(self, pattern, since=0, timeout=BOOT_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            out = self.log.read_bytes()[since:].decode("utf-8", "replace")
            m = re.search(pattern, out)
            if m:
                return m, out
            assert self.proc.poll() is None, "emulator exited:\n" + (self.workdir / "emulator.err").read_text()
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout}s waiting for {pattern!r}; serial output since mark:\n{out}")
            time.sleep(0.2)

    def send(self, data):
        self.sock.sendall(data)

    def soft_reset(self):
        """Ctrl-D at the friendly REPL, as a user would type it; returns the log mark before it."""
        since = self.mark()
        self.send(b"\r\x02")  # leave the raw REPL if a tool left the board there
        time.sleep(0.5)
        self.send(b"\x03\x03")  # stop whatever runs
        time.sleep(0.5)
        self.send(b"\x04")
        return since

    def mpremote(self, *args, timeout=300):
        """Run the real mpremote against a socat pty bridged to the emulated USB serial port.

        With `resume`: mpremote's automatic soft reset waits at most 10 s for the raw REPL, and the
        emulator runs about ten times slower than the chip (the one-second safe-mode window alone
        takes ~10 s); soft resets are typed at the REPL instead (soft_reset())."""
        self.sock.close()
        tty = self.workdir / "ttyPICO"
        bridge = subprocess.Popen(
            ["socat", f"pty,link={tty},rawer", f"unix-connect:{self.socket_path}"],
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                if tty.exists():
                    break
                time.sleep(0.05)
            result = subprocess.run(
                [str(MPREMOTE), "connect", str(tty), "resume", *args],
                check=False,
                capture_output=True,
                timeout=timeout,
                cwd=str(self.workdir),
            )
        finally:
            bridge.terminate()
            bridge.wait(timeout=10)
            self.attach()
        assert result.returncode == 0, f"mpremote {args} failed:\n{result.stdout.decode()}{result.stderr.decode()}"
        return result.stdout.decode()

    def bootsel(self, pressed):
        self.proc.send_signal(signal.SIGUSR1 if pressed else signal.SIGUSR2)

    def stop(self):
        if self.sock:
            self.sock.close()
        self.proc.send_signal(signal.SIGTERM)  # saves the flash to --flash
        self.proc.wait(timeout=30)
        shutil.rmtree(self.socket_path.parent, ignore_errors=True)
        # Keep the serial output of every boot for a look afterwards (build/ is git-ignored).
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        with open(LOG_DIR / "serial.log", "ab") as kept:
            kept.write(self.log.read_bytes())


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    reason = missing()
    if reason:
        pytest.skip(reason)
    (LOG_DIR / "serial.log").unlink(missing_ok=True)
    return tmp_path_factory.mktemp("pico-w")


@pytest.fixture(scope="module")
def board(workdir):
    b = Board(workdir, workdir / "flash.bin")
    yield b
    if b.proc.poll() is None:
        b.stop()


UHT_LINE = r"uht: no Wi-Fi \(Wi-Fi radio failed to start: [^\r\n]*\); serving on 0\.0\.0\.0:80\r?\n"


def test_the_image_is_the_release_build():
    # What `make firmware BOARD=RPI_PICO_W` makes with the release workflow's defaults: the two size
    # builds ran before the shipped one (sizes.env has all three), and its frozen _boot is uht's.
    if missing():
        pytest.skip(missing())
    sizes = dict(line.split("=", 1) for line in (IMAGE.parent / "sizes.env").read_text().split())
    assert {"stock", "no_uht", "full"} <= set(sizes), sizes
    sys.path.insert(0, str(REPO / "ci"))
    import check_frozen

    micropy_dir = Path(os.environ.get("MICROPY_DIR") or Path.home() / ".cache/uht/micropython-v1.28.0")
    if not (micropy_dir / "tools" / "manifestfile.py").is_file():
        pytest.skip("no MicroPython tree at {} to read the manifest with".format(micropy_dir))
    problems = check_frozen.check("RPI_PICO_W", IMAGE.parent / "frozen_content.c", micropy_dir)[0]
    assert problems == []


def test_boots_and_prints_its_uht_line(board):
    m, out = board.wait_for(UHT_LINE)
    print(m.group(0).strip())
    notes = (board.workdir / "emulator.err").read_text()
    # One boot, one line; nobody but this test has typed at the board (the emulator notes each client).
    assert len(re.findall(r"(?m)^uht:", out)) == 1, out + notes
    assert "serial client 1 connected" in notes and "serial client 2" not in notes, notes
    assert "soft reboot" not in out and "KeyboardInterrupt" not in out, out


def test_main_py_and_settings_are_provisioned(board):
    main_py, settings = load_template()
    listing = board.mpremote("ls", ":")
    assert re.search(r"\bmain\.py\b", listing) and "settings.json" in listing
    assert board.mpremote("cat", ":main.py").replace("\r\n", "\n") == main_py
    assert json.loads(board.mpremote("cat", ":settings.json")) == settings


ON_DEVICE = """
import asyncio, main
from uht.testing import TestClient
async def go():
    c = TestClient(main.app)
    for path in ('/', '/hello/pico', '/api/status'):
        r = await c.get(path)
        print('RESULT', path, r.status, r.headers['content-type'], repr(r.text[:60]))
    r = await c.get('/api/status')
    print('STATUS', r.json()['mode'], r.json()['error'])
    import uhtfw_board
    print('CONNECTIONS', main.app.max_connections, uhtfw_board.MAX_CONNECTIONS, uhtfw_board.TCP_CONNECTIONS)
    import uhtfw, uhtfw.setup
    uhtfw.setup.add_routes(main.app, uhtfw.settings())  # what uhtfw.start() adds
    r = await c.get('/uht/setup')
    print('SETUP', r.status, '<form method=post action=/uht/setup>' in r.text, 'name=ssid' in r.text)
asyncio.run(go())
"""


def test_main_app_answers_through_testclient_on_the_device(board):
    out = board.mpremote("exec", ON_DEVICE)
    print(out)
    assert "RESULT / 200 text/html '<h1>Hello from uht</h1>" in out
    assert re.search(r"RESULT /hello/pico 200 text/plain.* 'Hello, pico!'", out)
    assert "RESULT /api/status 200 application/json" in out
    assert "STATUS none Wi-Fi radio failed to start: OSError('access point has no address',)" in out
    assert "SETUP 200 True True" in out
    # The default main.py serves as many connections as the image's lwIP holds, one kept spare.
    assert "CONNECTIONS 15 15 16" in out
    assert "uht:" not in out  # `import main` must not start serving


CHANGED_MAIN = """from uht import HTTPServer

app = HTTPServer()
print("custom main v2 running")


@app.route("/hello/<name>")
async def hello(req, resp, name):
    await resp.send("Howdy, " + name)


if __name__ == "__main__":
    import uhtfw

    uhtfw.start(app)
"""


def test_main_py_copied_with_mpremote_runs_after_soft_reset(board, workdir):
    (workdir / "main.py").write_text(CHANGED_MAIN)
    board.mpremote("cp", "main.py", ":main.py")
    since = board.soft_reset()
    board.wait_for(r"custom main v2 running\r?\n(.*\r?\n)*?" + UHT_LINE, since)
    out = board.mpremote(
        "exec",
        "import asyncio, main\nfrom uht.testing import TestClient\n"
        "r = asyncio.run(TestClient(main.app).get('/hello/you'))\nprint('RESULT', r.status, r.text)",
    )
    assert "RESULT 200 Howdy, you" in out


def assert_safe_boot(board, since, reason):
    m, out = board.wait_for(
        rf"uht: safe mode \({re.escape(reason)}\): /boot\.py and /main\.py skipped",
        since,
    )
    _, out = board.wait_for(r"MicroPython v1\.28\.0[^\n]*\n(.*\n)*?>>> ", since, timeout=60)
    assert "custom main v2 running" not in out
    assert not re.search(UHT_LINE, out)
    print(m.group(0))


def test_safe_mode_flag_file_skips_main_py(board):
    board.mpremote("exec", "import uhtfw; uhtfw.safe_mode(True)")
    assert_safe_boot(board, board.soft_reset(), "flag file /SAFEMODE")
    # /main.py is still there and readable in safe mode; clearing the flag brings it back.
    assert "custom main v2" in board.mpremote("cat", ":main.py")
    board.mpremote("exec", "import uhtfw; uhtfw.safe_mode(False)")
    board.wait_for("custom main v2 running", board.soft_reset())


def test_safe_mode_ctrl_c_at_boot(board):
    since = board.soft_reset()
    deadline = time.monotonic() + BOOT_TIMEOUT
    # Keep tapping Ctrl-C, as a user would, until the boot reports safe mode (or main.py starts).
    while not re.search(r"safe mode \(|uht: no Wi-Fi", board.log.read_bytes()[since:].decode("utf-8", "replace")):
        assert time.monotonic() < deadline, "no safe mode after Ctrl-C:\n" + board.text()[since:]
        board.send(b"\x03")
        time.sleep(0.2)
    assert_safe_boot(board, since, "Ctrl-C")


def test_safe_mode_bootsel_button(board):
    board.bootsel(True)
    try:
        since = board.soft_reset()
        assert_safe_boot(board, since, "BOOT button")
    finally:
        board.bootsel(False)
    board.wait_for("custom main v2 running", board.soft_reset())


def test_reflashing_keeps_main_py_and_restore_defaults_brings_the_default_back(board, workdir):
    board.stop()  # power off; the flash (image + filesystem) is saved
    again = Board(workdir, workdir / "flash.bin")  # the UF2 is written over it again: an upgrade
    try:
        again.wait_for(r"custom main v2 running\r?\n(.*\r?\n)*?" + UHT_LINE)
        again.mpremote("exec", "import uhtfw; uhtfw.restore_defaults()")
        main_py, settings = load_template()
        assert again.mpremote("cat", ":main.py").replace("\r\n", "\n") == main_py
        assert again.mpremote("cat", ":main.py.bak").replace("\r\n", "\n") == CHANGED_MAIN
        assert json.loads(again.mpremote("cat", ":settings.json")) == settings
    finally:
        again.stop()
