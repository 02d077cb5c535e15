# Runs from the frozen _boot.py after the filesystem is mounted, on every (soft) reset.


def run():
    from uhtfw import provision, safemode

    provision.provision()
    safemode.check_at_boot()
