# Fake of the network module (one WLAN per interface, no radio). Switches:
# RADIO_FAILS: active(True) raises OSError like a CYW43 that does not start;
# JOINABLE: {ssid: password} of networks connect() can join.
STA_IF = 0
AP_IF = 1
RADIO_FAILS = False
# SILENT_FAILURE: like the Pico W's CYW43 driver when the chip does not answer: active(True) returns,
# connect() raises, and the access point never gets an address.
SILENT_FAILURE = False
JOINABLE = {}
HOSTNAME = []
_ifaces = {}


def hostname(name=None):
    if name is None:
        return HOSTNAME[-1] if HOSTNAME else "mpy"
    HOSTNAME.append(name)


class WLAN:
    SEC_OPEN = 0
    SEC_WPA2 = 3

    def __new__(cls, iface=STA_IF):
        if iface not in _ifaces:
            obj = object.__new__(cls)
            obj.iface = iface
            obj.is_active = False
            obj.connected = False
            obj.connects = []
            obj.settings = {}
            _ifaces[iface] = obj
        return _ifaces[iface]

    def __init__(self, iface=STA_IF):
        pass

    def active(self, on=None):
        if on is None:
            return self.is_active
        if on and RADIO_FAILS:
            raise OSError(-2, "CYW43 did not start")
        self.is_active = bool(on)

    def connect(self, ssid, key=None):
        if not self.is_active:
            raise OSError("STA not active")
        if SILENT_FAILURE:
            raise OSError(-1)
        self.connects.append((ssid, key))
        self.connected = JOINABLE.get(ssid) == key

    def disconnect(self):
        self.connected = False

    def isconnected(self):
        return self.connected

    def status(self):
        return 3 if self.connected else -2

    def drop(self):
        # The access point went away: what the reconnect loop has to notice.
        self.connected = False

    def config(self, **kw):
        self.settings.update(kw)

    def ifconfig(self):
        if SILENT_FAILURE:
            return ("0.0.0.0",) * 4
        if self.iface == AP_IF:
            return ("192.168.4.1", "255.255.255.0", "192.168.4.1", "192.168.4.1")
        return ("192.168.1.50", "255.255.255.0", "192.168.1.1", "192.168.1.1") if self.connected else ("0.0.0.0",) * 4
