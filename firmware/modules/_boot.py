# uht firmware boot, frozen in place of the port's own _boot.py (see docs/firmware-app.md).
# It mounts the filesystem the way the port does, then writes /main.py and /settings.json when they
# are absent and checks the safe-mode triggers. Nothing named boot.py or main.py is frozen, so the
# user's /boot.py and /main.py are the ones that run after this.
import gc
import sys


def _mount_rp2():
    import rp2
    import vfs

    bdev = rp2.Flash()
    try:
        fs = vfs.VfsLfs2(bdev, progsize=256)
    except Exception:  # noqa: BLE001
        # First boot (or a corrupt filesystem): format the flash region, as the port does.
        vfs.VfsLfs2.mkfs(bdev, progsize=256)
        fs = vfs.VfsLfs2(bdev, progsize=256)
    vfs.mount(fs, "/")


def _mount_esp():
    import vfs
    from flashbdev import bdev

    if bdev:
        try:
            vfs.mount(bdev, "/")
        except Exception:  # noqa: BLE001
            # inisetup formats the partition and writes the port's default /boot.py.
            import inisetup

            inisetup.setup()


if sys.platform == "esp8266":
    gc.threshold((gc.mem_free() + gc.mem_alloc()) // 4)
if sys.platform == "rp2":
    _mount_rp2()
else:
    _mount_esp()


def _uht_boot():
    try:
        import uhtfw.boot

        uhtfw.boot.run()
    except Exception as e:  # noqa: BLE001 -- never let our part stop the board from reaching the REPL
        print("[uht] boot step failed:", repr(e))


_uht_boot()
# This runs in the REPL's namespace: leave nothing behind but what the port's own _boot.py leaves.
del _mount_rp2, _mount_esp, _uht_boot, sys
gc.collect()
