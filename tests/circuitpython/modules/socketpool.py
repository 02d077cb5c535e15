"""Test-only `socketpool` for the CircuitPython unix test build: the surface of a board's
socketpool (CircuitPython 10.2.1, the locals tables of shared-bindings/socketpool/SocketPool.c and
Socket.c, listed in BOARD_POOL and BOARD_SOCKET below) over the build's `_testsocket` (MicroPython's
unix socket module under another name). Nothing else: calling `recv`, `read` or `write` fails as on
a board. Behaviour follows the espressif port: non-blocking `accept`/`recv_into` raise EAGAIN,
`recv_into` raises ENOTCONN at end of stream, addresses are (host, port) tuples.

`ioctl` is the one name a board's Socket does not list: a board's select.poll registers the native
Socket through its C stream protocol; a Python object reaches select.poll only as an io.IOBase with
an `ioctl` method, which here hands the poller the real socket's file descriptor.
"""

import io
import select
from errno import EAGAIN, EINVAL, ENOTCONN

import _testsocket

BOARD_POOL = ("socket", "getaddrinfo", "gaierror", "AF_INET", "AF_INET6", "SOCK_STREAM", "SOCK_DGRAM",
              "SOCK_RAW", "SOL_SOCKET", "SO_REUSEADDR", "TCP_NODELAY", "IPPROTO_IP", "IPPROTO_ICMP",
              "IPPROTO_TCP", "IPPROTO_UDP", "IPPROTO_IPV6", "IPPROTO_RAW", "IP_MULTICAST_TTL", "EAI_NONAME")
BOARD_SOCKET = ("__enter__", "__exit__", "__del__", "accept", "bind", "close", "connect", "listen",
                "recvfrom_into", "recv_into", "sendall", "send", "sendto", "setblocking", "setsockopt",
                "settimeout", "type")

_STREAM_POLL = 3  # py/stream.h
_STREAM_GET_FILENO = 10


def _sockaddr(host, port):  # type: ignore[no-untyped-def]
    return _testsocket.getaddrinfo(host, port)[0][-1]


def _host_port(raw):  # type: ignore[no-untyped-def]
    """(host, port) from the unix port's raw sockaddr_in / sockaddr_in6 bytes, as a board gives it."""
    port = raw[2] << 8 | raw[3]
    if len(raw) == 16:
        return ("%d.%d.%d.%d" % (raw[4], raw[5], raw[6], raw[7]), port)
    return (":".join("%x" % (raw[i] << 8 | raw[i + 1]) for i in range(8, 24, 2)), port)


class Socket(io.IOBase):
    def __init__(self, sock, type_):  # type: ignore[no-untyped-def]
        self._s = sock
        self._type = type_
        self._timeout = None  # None: blocking, 0: non-blocking

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *args):  # type: ignore[no-untyped-def]
        self.close()

    def __del__(self):  # type: ignore[no-untyped-def]
        self.close()

    @property
    def type(self):  # type: ignore[no-untyped-def]
        return self._type

    def ioctl(self, request, arg):  # type: ignore[no-untyped-def]
        if self._s is None:
            return -EINVAL
        if request == _STREAM_GET_FILENO:
            return self._s.fileno()
        if request == _STREAM_POLL:
            poller = select.poll()
            poller.register(self._s, arg)
            ready = poller.poll(0)
            return ready[0][1] if ready else 0
        return -EINVAL

    def accept(self):  # type: ignore[no-untyped-def]
        try:
            sock, raw = self._s.accept()
        except OSError as exc:
            if exc.errno == 11 or self._timeout == 0:
                raise OSError(EAGAIN)
            raise
        return Socket(sock, self._type), _host_port(raw)

    def bind(self, address):  # type: ignore[no-untyped-def]
        self._s.bind(_sockaddr(address[0], address[1]))

    def listen(self, backlog):  # type: ignore[no-untyped-def]
        self._s.listen(backlog)

    def connect(self, address):  # type: ignore[no-untyped-def]
        self._s.connect(_sockaddr(address[0], address[1]))

    def recv_into(self, buffer, bufsize=0):  # type: ignore[no-untyped-def]
        view = memoryview(buffer)
        if bufsize:
            view = view[:bufsize]
        if self._timeout != 0:
            # Blocking or with a timeout: one recv() returns what has arrived. (The unix socket's
            # readinto() reads until the buffer is full, and loses what it read at a timeout.)
            data = self._s.recv(len(view))
            view[: len(data)] = data
            return len(data)
        n = self._s.readinto(view)  # non-blocking: what is there, without allocating
        if n is None:  # would block
            raise OSError(EAGAIN)
        if n == 0 and self._timeout == 0:
            raise OSError(ENOTCONN)
        return n

    def recvfrom_into(self, buffer, bufsize=0):  # type: ignore[no-untyped-def]
        raise OSError(EINVAL)  # TCP only here

    def send(self, data):  # type: ignore[no-untyped-def]
        return self._s.send(data)

    def sendall(self, data):  # type: ignore[no-untyped-def]
        view = memoryview(data)
        while view:
            view = view[self._s.send(view) :]

    def sendto(self, data, address):  # type: ignore[no-untyped-def]
        raise OSError(EINVAL)  # TCP only here

    def setblocking(self, flag):  # type: ignore[no-untyped-def]
        self._s.setblocking(flag)
        self._timeout = None if flag else 0

    def settimeout(self, value):  # type: ignore[no-untyped-def]
        self._s.settimeout(value)
        self._timeout = value

    def setsockopt(self, level, optname, value):  # type: ignore[no-untyped-def]
        self._s.setsockopt(level, optname, value)

    def close(self):  # type: ignore[no-untyped-def]
        if self._s is not None:
            self._s.close()
            self._s = None


class SocketPool:
    AF_INET = 2
    AF_INET6 = 10
    SOCK_STREAM = 1
    SOCK_DGRAM = 2
    SOCK_RAW = 3
    SOL_SOCKET = 1  # the host's values: they reach the host's setsockopt
    SO_REUSEADDR = 2
    TCP_NODELAY = 1
    IPPROTO_IP = 0
    IPPROTO_ICMP = 1
    IPPROTO_TCP = 6
    IPPROTO_UDP = 17
    IPPROTO_IPV6 = 41
    IPPROTO_RAW = 255
    IP_MULTICAST_TTL = 33
    EAI_NONAME = -2
    gaierror = OSError

    def __init__(self, radio):  # type: ignore[no-untyped-def]
        self._radio = radio

    def socket(self, family=AF_INET, type=SOCK_STREAM, proto=IPPROTO_IP):  # type: ignore[no-untyped-def]
        return Socket(_testsocket.socket(family, type, proto), type)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):  # type: ignore[no-untyped-def]
        out = []
        for info in _testsocket.getaddrinfo(host, port, family, type or self.SOCK_STREAM):
            out.append((info[0], info[1], info[2], "", _host_port(info[-1])))
        return out
