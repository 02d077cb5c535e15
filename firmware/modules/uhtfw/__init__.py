# The uht firmware app: what the provisioned /main.py calls. Kept tiny: submodules load on demand.
VERSION = "0.1.0"


def start(app, port=None):
    """Bring the network up, add the setup page, print the `uht:` line and serve `app` until Ctrl-C.
    The port defaults to settings.json "port" (80)."""
    from uhtfw import run

    run.start(app, port)


def max_connections():
    """Connections the image's network stack holds, less what uht must keep spare (the figure of the
    board it was built for: boards/<BOARD>/uhtfw_board.py, frozen as uhtfw_board); without it, uht's
    own default for the port."""
    try:
        from uhtfw_board import MAX_CONNECTIONS
    except ImportError:
        from uht import HTTPServer

        return HTTPServer.max_connections
    return MAX_CONNECTIONS


def restore_defaults():
    """Write the default /main.py and /settings.json again (old ones are kept as *.bak)."""
    from uhtfw import provision

    provision.restore_defaults()


def safe_mode(on=True):
    """Create (or with on=False remove) the /SAFEMODE flag: while it exists, /boot.py and /main.py are skipped."""
    from uhtfw import safemode

    safemode.set_flag(on)


def settings():
    from uhtfw import files

    return files.load_settings()


def status():
    from uhtfw import net

    return net.STATE
