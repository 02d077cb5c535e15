# uhtfw.start(app): network, setup page, the `uht:` line, then serve until Ctrl-C.
import asyncio


def start(app, port=None):
    from uhtfw import files, net, setup

    settings = files.load_settings()
    port = port or int(settings.get("port", 80))
    bind = settings.get("bind", "0.0.0.0")
    net.bring_up(settings)
    setup.add_routes(app, settings)
    print(net.describe(port, bind))
    if net.STATE["mode"] == "station":
        # Queued before the loop starts: MicroPython's asyncio runs it beside the server. app.run()
        # owns the loop so that Ctrl-C (mpremote connecting, a user at the REPL) releases the port
        # the way uht does it, and main.py can start again at once.
        asyncio.create_task(net.watch(settings))
    app.run(bind, port)
