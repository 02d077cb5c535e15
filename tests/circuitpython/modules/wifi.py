"""Test-only `wifi` for the CircuitPython unix test build: the part of a board's `wifi.radio` that
uht and examples/circuitpython/code.py use. connect() records its arguments (no radio here: the
test socketpool serves on the host's loopback), ipv4_address is 127.0.0.1 once connected."""


class Radio:
    def __init__(self):  # type: ignore[no-untyped-def]
        self.connected = False
        self.ipv4_address = None
        self.hostname = "cpy-test"
        self.joined = []  # (ssid, password) of every connect()

    def connect(self, ssid, password=None, *, channel=0, bssid=None, timeout=None):  # type: ignore[no-untyped-def]
        if not ssid:
            raise ConnectionError("No network with that ssid")
        self.joined.append((ssid, password))
        self.connected = True
        self.ipv4_address = "127.0.0.1"


radio = Radio()
