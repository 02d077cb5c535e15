"""Header fields: their syntax (RFC 9110), the case-insensitive mapping handlers see, and the
HTTP date format."""

import re
import time

# One search over a whole head (or trailer line) each, in C: security costs little this way.
# A control character other than HTAB, CR and LF (NUL is tested apart: a pattern cannot hold it).
CONTROL = re.compile(b"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A line whose name is empty or holds a byte that is not a token character (RFC 9110 5.6.2):
# separators, space, HTAB, non-ASCII, or a line end before any colon. Lazy `*?`: no deep recursion.
BAD_NAME = re.compile(b'\n(:|[^:]*?[\t "(),/;<=>?@[\\\\\\]{}\x80-\xff\r\n])')
NON_ASCII = re.compile(b"[\x80-\xff]")


def fields_are_bad(block: bytes) -> bool:
    """Whether a block of field lines is malformed. `block` starts with the LF that ends the line
    before the first field and ends with the last field's line end: every field follows an LF."""
    return (
        b"\x00" in block
        or block.count(b"\r") != block.count(b"\r\n")
        or bool(CONTROL.search(block) or BAD_NAME.search(block))
    )


class Headers:
    """Case-insensitive header mapping: names are stored lower-case, values are str; a repeated
    header's values are joined with ", "."""

    def __init__(self) -> None:
        self._d: "dict[str, str]" = {}

    def __getitem__(self, name: str) -> str:
        return self._d[name.lower()]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._d

    def __iter__(self) -> "object":
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def get(self, name: str, default: "str | None" = None) -> "str | None":
        return self._d.get(name.lower(), default)

    def items(self) -> "object":
        return self._d.items()

    def add(self, name: str, value: str) -> None:
        """Append a value: repeated headers are joined with ', '."""
        name = name.lower()
        old = self._d.get(name)
        self._d[name] = value if old is None else old + ", " + value


def parse_fields(head: bytes, pos: int) -> Headers:
    """A Headers built from the field lines of head starting at pos (already validated)."""
    headers = Headers()
    fields = headers._d
    size = len(head)
    while pos < size:
        eol = head.find(b"\n", pos)
        if eol < 0:
            eol = size
        colon = head.find(b":", pos, eol)
        end = eol - 1 if head[eol - 1] == 13 else eol
        name = str(head[pos:colon], "utf-8").lower()
        value = str(head[colon + 1 : end], "utf-8").strip()
        old = fields.get(name)
        fields[name] = value if old is None else old + ", " + value
        pos = eol + 1
    return headers


def check_header(name: str, value: str) -> None:
    """Refuse header injection in what a handler sets: no CR or LF anywhere, no separators in
    the name."""
    for bad in ("\r", "\n"):
        if bad in name or bad in value:
            raise ValueError("CR or LF in header")
    if not name or ":" in name or " " in name:
        raise ValueError("bad header name")


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_date_cache: list = [-1, ""]  # (second, text) of the last Date header


def http_date(seconds: "float | None" = None) -> "str | None":
    """IMF-fixdate for now (or `seconds`), or None while the clock is not set (no NTP yet)."""
    now = int(time.time()) if seconds is None else int(seconds)
    if now == _date_cache[0]:
        return _date_cache[1]
    t = time.gmtime(now)
    if t[0] < 2025 and seconds is None:
        return None
    text = "%s, %02d %s %d %02d:%02d:%02d GMT" % (DAYS[t[6]], t[2], MONTHS[t[1] - 1], t[0], t[3], t[4], t[5])
    if seconds is None:
        _date_cache[0] = now
        _date_cache[1] = text
    return text
