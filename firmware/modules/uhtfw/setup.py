# The setup page at /uht/setup: a form that stores Wi-Fi credentials in /settings.json and restarts.
# Served only in access-point mode (or with no network) unless settings say "setup_page": "always".
PREFIX = "/uht/setup"
RESTART_DELAY_S = 2

_PAGE = (
    "<!doctype html><meta name=viewport content='width=device-width'><title>uht setup</title>"
    "<h1>uht Wi-Fi setup</h1><p>{msg}</p><form method=post action=" + PREFIX + ">"
    "<p><label>Network (SSID) <input name=ssid value='{ssid}' maxlength=32 required></label>"
    "<p><label>Password <input name=password type=password maxlength=63></label>"
    "<p><label>Hostname <input name=hostname value='{hostname}' maxlength=63></label>"
    "<p><button>Save and restart</button></form>"
)


def _escape(text):
    for a, b in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("'", "&#39;"),
        ('"', "&quot;"),
    ):
        text = text.replace(a, b)
    return text


def _valid_hostname(name):
    return 0 < len(name) <= 63 and all(c.isalpha() or c.isdigit() or c == "-" for c in name)


def check(form):
    """Return an error message for the submitted form, or None when it can be saved."""
    ssid = form.get("ssid", "")
    password = form.get("password", "")
    hostname = form.get("hostname", "")
    if not 0 < len(ssid.encode()) <= 32:
        return "The network name must be 1 to 32 bytes."
    if password and not 8 <= len(password) <= 63:
        return "A WPA2 password has 8 to 63 characters (leave it empty for an open network)."
    if hostname and not _valid_hostname(hostname):
        return "A hostname has letters, digits and '-' only."
    return None


def allowed(settings):
    from uhtfw import net

    mode = settings.get("setup_page", "ap")
    return mode == "always" or (mode == "ap" and net.STATE["mode"] != "station")


def add_routes(app, settings):
    async def setup_page(req, resp):
        from uhtfw import files

        if not allowed(settings):
            resp.set_status_code(403)
            await resp.send("The setup page is off while the board is on Wi-Fi; edit /settings.json.\n")
            return
        resp.add_header("Content-Type", "text/html; charset=utf-8")
        current = files.load_settings()
        msg = "Enter the Wi-Fi network this board should join."
        if req.method == "POST":
            form = await req.form()
            msg = check(form)
            if msg is None:
                current["ssid"] = form["ssid"]
                current["password"] = form.get("password", "")
                if form.get("hostname"):
                    current["hostname"] = form["hostname"]
                files.save_settings(current)
                await resp.send("<h1>Saved</h1><p>Restarting to join " + _escape(current["ssid"]) + "&hellip;")
                _restart_soon()
                return
            resp.set_status_code(400)
        page = _PAGE.format(
            msg=_escape(msg),
            ssid=_escape(current.get("ssid", "")),
            hostname=_escape(current.get("hostname", "")),
        )
        await resp.send(page)

    app.add_route(PREFIX, setup_page, methods=["GET", "POST"])


def _restart_soon():
    import asyncio

    async def restart():
        import machine

        await asyncio.sleep(RESTART_DELAY_S)
        machine.reset()

    asyncio.create_task(restart())
