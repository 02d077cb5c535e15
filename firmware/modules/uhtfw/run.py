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
    try:
        asyncio.run(_serve(app, bind, port, settings))
    finally:
        # Ctrl-C (mpremote connecting, a user at the REPL) lands here: release the port at once so
        # main.py can start again, and drop the tasks the interrupted loop left behind.
        app.close()
        asyncio.new_event_loop()


async def _serve(app, bind, port, settings):
    from uhtfw import net

    server = await app.start(bind, port)
    if net.STATE["mode"] == "station":
        asyncio.create_task(net.watch(settings))
    await server.wait_closed()
