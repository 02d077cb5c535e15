# Wi-Fi: join as a station from /settings.json, else open a WPA2 access point; keep it up; set the clock.
import time

from uhtfw import ident

# What the network is doing; /api/status and the `uht:` line read it.
STATE = {"mode": "none", "ip": None, "ssid": None, "hostname": None, "error": None}
_sta = None
# CYW43 (Pico W) has no SEC_WPA2 constant: this is its CYW43_AUTH_WPA2_AES_PSK.
_CYW43_WPA2 = 0x00400004


def bring_up(settings):
    """Join the configured network, or open the access point; never raises."""
    try:
        import network
    except ImportError:
        STATE["error"] = "no network module"
        return STATE
    host = settings.get("hostname") or ident.default_hostname()
    try:
        network.hostname(host)
        STATE["hostname"] = host
    except Exception as e:  # noqa: BLE001
        STATE["error"] = "hostname: " + repr(e)
    try:
        if not (settings.get("ssid") and _join(network, settings)):
            _open_ap(network, settings)
    except Exception as e:  # noqa: BLE001 -- the radio did not start (the Pico W's CYW43 in an emulator, a dead chip)
        STATE.update(mode="none", ip=None, error="Wi-Fi radio failed to start: " + repr(e))
    return STATE


def _join(network, settings):
    global _sta
    sta = network.WLAN(network.STA_IF)
    sta.active(True)
    sta.connect(settings["ssid"], settings.get("password", ""))
    deadline = time.ticks_add(time.ticks_ms(), int(settings.get("connect_timeout_s", 20)) * 1000)
    while not sta.isconnected():
        if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
            STATE["error"] = "could not join " + repr(settings["ssid"]) + " (status " + str(sta.status()) + ")"
            sta.disconnect()
            return False
        time.sleep_ms(200)
    _sta = sta
    STATE.update(mode="station", ssid=settings["ssid"], ip=sta.ifconfig()[0])
    return True


def _open_ap(network, settings):
    ap = network.WLAN(network.AP_IF)
    ssid = ident.ap_ssid()
    password = settings.get("ap_password") or ident.ap_password()
    ap.active(True)
    ap.config(ssid=ssid, key=password, security=getattr(network.WLAN, "SEC_WPA2", _CYW43_WPA2))
    ip = ap.ifconfig()[0]
    if ip == "0.0.0.0":
        # The CYW43 driver does not raise when the chip fails to start; its AP just never gets an address.
        raise OSError("access point has no address")
    STATE.update(mode="ap", ssid=ssid, password=password, ip=ip)


def describe(port, bind):
    """The one `uht:` line for the console."""
    suffix = "" if port == 80 else ":" + str(port)
    mode = STATE["mode"]
    if mode == "station":
        line = "uht: http://" + STATE["ip"] + suffix + "/ (http://" + str(STATE["hostname"]) + ".local" + suffix + "/)"
        return line + " on Wi-Fi " + repr(STATE["ssid"])
    if mode == "ap":
        return (
            "uht: access point "
            + repr(STATE["ssid"])
            + " password "
            + STATE["password"]
            + (" (" + STATE["error"] + ")" if STATE["error"] else "")
            + " -> http://"
            + STATE["ip"]
            + suffix
            + "/uht/setup"
        )
    return "uht: no Wi-Fi (" + str(STATE["error"]) + "); serving on " + bind + ":" + str(port)


async def watch(settings, period_s=5):
    """Reconnect the station after a drop and set the clock by NTP once online."""
    import asyncio

    clock_set = False
    while _sta is not None:
        if _sta.isconnected():
            if not clock_set:
                clock_set = sync_clock(settings.get("ntp_host"))
        else:
            print("[uht] Wi-Fi connection lost; reconnecting to", repr(settings["ssid"]))
            try:
                _sta.connect(settings["ssid"], settings.get("password", ""))
            except OSError as e:
                print("[uht] reconnect failed:", repr(e))
            for _ in range(int(settings.get("connect_timeout_s", 20))):
                await asyncio.sleep(1)
                if _sta.isconnected():
                    STATE["ip"] = _sta.ifconfig()[0]
                    print("[uht] reconnected, http://" + STATE["ip"] + "/")
                    break
        await asyncio.sleep(period_s)


def sync_clock(host=None):
    try:
        import ntptime

        if host:
            ntptime.host = host
        ntptime.settime()
        print("[uht] clock set by NTP")
        return True
    except Exception as e:  # noqa: BLE001
        print("[uht] NTP failed:", repr(e))
        return False
