"""Header fields: their syntax (RFC 9110), header injection checks, and the HTTP date format.
(The case-insensitive mapping handlers see is uht/headermap.py, loaded when a handler first asks
for `req.headers`: a plain GET never builds one.)"""

import re
import time

from ._compat import TYPE_CHECKING, const, gmtime, ticks_add, ticks_diff, ticks_ms

if TYPE_CHECKING:
    from typing import Any

# Field syntax is checked on every request, so it must cost little on a board: one search in C
# over the whole head for any byte that is not printable ASCII, HTAB, CR or LF (the usual head has
# none); only when one is found does a second search tell a control character (a bad field) from
# UTF-8 in a value (fine). SUSPECT is a negated class: it finds NUL too (a pattern cannot hold NUL,
# so CONTROL cannot: NUL is tested apart there), and fewer ranges make it the faster search; the
# printable range comes first, as most bytes are in it (re tries a class's ranges in order). Names
# are checked byte by byte in the pass that finds the fields (name_is_token), which looks at every
# line anyway.
SUSPECT = re.compile(b"[^ -~\t\n\r]")
CONTROL = re.compile(b"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Token characters (RFC 9110 5.6.2) of ASCII, by byte value: "1" where the byte is one. One
# constant (in flash when frozen); a lookup per byte is the cheapest check MicroPython has.
_TOKEN = const(
    b"00000000000000000000000000000000"  # 0-31: controls
    b"01011111001101101111111111000000"  # 32-63: SP ! " # $ % & ' ( ) * + , - . / 0-9 : ; < = > ?
    b"01111111111111111111111111100011"  # 64-95: @ A-Z [ \ ] ^ _
    b"11111111111111111111111111101010"  # 96-127: ` a-z { | } ~ DEL
)


def text_is_bad(block: bytes) -> bool:
    """Whether block (a head, or a trailer line) holds a control character other than HTAB, or a
    CR that does not end a line, or bytes that are not UTF-8."""
    if block.count(b"\r") != block.count(b"\r\n"):
        return True
    if SUSPECT.search(block) is None:
        return False
    if b"\x00" in block or CONTROL.search(block) is not None:
        return True
    try:
        str(block, "utf-8")
    except UnicodeError:
        return True
    return False


def name_is_token(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] is a non-empty token: no space, HTAB, separator or non-ASCII."""
    if end <= start:
        return False
    token = _TOKEN
    for i in range(start, end):
        c = data[i]
        if c > 127 or token[c] != 49:  # "1"
            return False
    return True


def check_header(name: str, value: str) -> None:
    """Refuse header injection in what a handler sets: no CR or LF anywhere, no separators in
    the name."""
    if "\r" in name or "\n" in name or "\r" in value or "\n" in value:
        raise ValueError("CR or LF in header")
    if not name or ":" in name or " " in name:
        raise ValueError("bad header name")


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(seconds: "float | None" = None) -> "str | None":
    """IMF-fixdate for now (or `seconds`), or None while the clock is not set (no NTP yet)."""
    t = gmtime(int(time.time()) if seconds is None else int(seconds))
    if t[0] < 2025 and seconds is None:
        return None
    return _imf(t)


def _imf(t: "Any") -> str:
    return "%s, %02d %s %d %02d:%02d:%02d GMT" % (DAYS[t[6]], t[2], MONTHS[t[1] - 1], t[0], t[3], t[4], t[5])


# The Date header of every response: rewritten in place once a second, so it costs the heap no
# new object that outlives the response (a cached str would be a small island each second).
_DATE = bytearray(29)
# The second _DATE holds, and the ticks_ms() until which it surely still holds (None: unknown).
# Where time.time() is a float (the unix port, CPython) reading it allocates one: its fraction says
# when the next second begins, and until then the clock is not read again. (A board's time.time()
# is an int, with no fraction: it is read for every response, which costs nothing there.)
_date_second: "list" = [-1, None]


def date_now() -> "bytearray | None":
    """Now as IMF-fixdate, in a buffer reused by every response; None while the clock is not set."""
    until = _date_second[1]
    if until is not None and ticks_diff(until, ticks_ms()) > 0:
        return _DATE
    now = time.time()
    second = int(now)
    if second != _date_second[0]:
        t = gmtime(second)
        if t[0] < 2025:
            return None
        _DATE[:] = _imf(t).encode()
        _date_second[0] = second
    if isinstance(now, float):  # 1 ms early: ticks_ms() and the wall clock need not tick together
        _date_second[1] = ticks_add(ticks_ms(), int((second + 1 - now) * 1000) - 1)
    return _DATE
