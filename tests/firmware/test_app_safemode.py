"""Safe-mode triggers (flag file, BOOT/BOOTSEL button, Ctrl-C in the boot window) and the gate that
hides /boot.py and /main.py from the board's one lookup of each, under the unix port."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_support import out, run_mpy, uht_lines


def check(tmp_path, setup="", window=0, stdin=b""):
    script = setup + f"import uhtfw.safemode as sm\nprint('reason:', sm.check_at_boot({window}))\n"
    text = out(run_mpy(script, tmp_path, stdin=stdin))
    return text.strip().splitlines()[-1].split("reason: ")[1], text


def test_no_trigger_no_safe_mode(tmp_path):
    assert check(tmp_path, window=100) == ("None", "reason: None\n")


def test_flag_file_triggers_until_cleared(tmp_path):
    out(run_mpy("import uhtfw\nuhtfw.safe_mode(True)", tmp_path))
    assert (tmp_path / "SAFEMODE").exists()
    reason, text = check(tmp_path)
    assert reason == "flag file /SAFEMODE" and "[uht] safe mode (flag file /SAFEMODE)" in text
    out(run_mpy("import uhtfw\nuhtfw.safe_mode(False)", tmp_path))
    assert not (tmp_path / "SAFEMODE").exists()
    assert check(tmp_path)[0] == "None"


def test_rp2_bootsel_button(tmp_path):
    rp2 = "import uhtfw.safemode as sm, rp2\nsm.PLATFORM = 'rp2'\nrp2.BOOTSEL = %d\n"
    assert check(tmp_path, rp2 % 1, window=200)[0] == "BOOT button"
    assert check(tmp_path, rp2 % 0, window=200)[0] == "None"


def test_esp32_boot_button_is_gpio0_active_low(tmp_path):
    esp = "import uhtfw.safemode as sm, machine\nsm.PLATFORM = 'esp32'\nmachine.PIN_LEVELS[0] = %d\n"
    assert check(tmp_path, esp % 0, window=200)[0] == "BOOT button"
    assert check(tmp_path, esp % 1, window=200)[0] == "None"


def test_window_comes_from_settings(tmp_path):
    (tmp_path / "settings.json").write_text('{"safe_window_ms": 1500}')
    script = (
        "import time, uhtfw.safemode as sm\n"
        "t = time.ticks_ms()\nsm.check_at_boot()\nprint(time.ticks_diff(time.ticks_ms(), t))"
    )
    assert 1500 <= int(out(run_mpy(script, tmp_path)).split()[-1]) < 3000
    (tmp_path / "settings.json").write_text('{"safe_window_ms": 0}')
    assert int(out(run_mpy(script, tmp_path)).split()[-1]) < 300


def test_esp32_c6_boot_button_is_gpio9(tmp_path):
    c6 = "import uhtfw.safemode as sm, machine\nsm.PLATFORM = 'esp32'\nsm.BUILD = 'ESP32_GENERIC_C6'\n"
    assert check(tmp_path, c6 + "machine.PIN_LEVELS[9] = 0\n", window=200)[0] == "BOOT button"
    assert check(tmp_path, c6 + "machine.PIN_LEVELS[0] = 0\n", window=200)[0] == "None"


def test_esp8266_boot_button_is_gpio0(tmp_path):
    esp = "import uhtfw.safemode as sm, machine\nsm.PLATFORM = 'esp8266'\nsm.BUILD = 'ESP8266_GENERIC'\n"
    assert check(tmp_path, esp + "machine.PIN_LEVELS[0] = 0\n", window=200)[0] == "BOOT button"


def test_ctrl_c_in_boot_window(tmp_path):
    assert check(tmp_path, window=1000, stdin=b"\x03")[0] == "Ctrl-C"
    assert check(tmp_path, window=300, stdin=b"x")[0] == "None"


def test_gate_hides_boot_and_main_from_first_lookup_only(tmp_path):
    (tmp_path / "main.py").write_text("print('USER MAIN RAN')\n")
    (tmp_path / "boot.py").write_text("print('USER BOOT RAN')\n")
    script = (
        "import sys, os\n"
        "sys.path.insert(0, {!r})\n"
        "import uhtfw\nuhtfw.safe_mode(True)\n"
        "import uhtfw.safemode as sm\nsm.check_at_boot(0)\n"
        "for name in ('boot', 'main'):\n"
        "    try:\n"
        "        __import__(name)\n"  # the same lookup the board makes before running the script
        "        print(name, 'imported')\n"
        "    except ImportError:\n"
        "        print(name, 'skipped')\n"
        "print(os.stat({!r})[6], open({!r}).read().strip())\n"
        "import main\n"
    ).format(str(tmp_path), str(tmp_path / "main.py"), str(tmp_path / "boot.py"))
    elsewhere = tmp_path / "cwd"  # so the "" entry of sys.path cannot find the files by another route
    elsewhere.mkdir()
    text = out(run_mpy(script, tmp_path, cwd=str(elsewhere)))
    lines = text.strip().splitlines()
    assert "boot skipped" in lines and "main skipped" in lines
    assert uht_lines(text) == [
        ("uht: safe mode (flag file /SAFEMODE): /boot.py and /main.py skipped; uhtfw.safe_mode(False) clears the flag")
    ]
    # After the lookup the real files are back: stat, open and a later import see them.
    assert "23 print('USER BOOT RAN')" in lines  # size of main.py, text of boot.py
    assert lines[-1] == "USER MAIN RAN"
    assert "USER BOOT RAN" not in lines


def test_gate_passes_writes_through(tmp_path):
    # mpremote after a raw-REPL soft reset: main.py was never looked up, the first access is `cp`.
    (tmp_path / "main.py").write_text("old\n")
    script = (
        "import uhtfw.safemode as sm\nsm.gate(%r)\n"
        "with open(%r, 'w') as f:\n    f.write('new\\n')\n"
        "print(open(%r).read().strip())\n"
    ) % ((str(tmp_path / "main.py"),) * 3)
    assert out(run_mpy(script, tmp_path)).strip() == "new"
    assert (tmp_path / "main.py").read_text() == "new\n"
