"""Percent-decoding of path segments, query strings and urlencoded forms.

Everything is strict: a `%` not followed by two hex digits, or bytes that are not UTF-8, raise
ValueError, which the server turns into 400.
"""


def _hex_value(byte: int) -> int:
    if 48 <= byte <= 57:
        return byte - 48
    if 97 <= byte <= 102:
        return byte - 87
    if 65 <= byte <= 70:
        return byte - 55
    raise ValueError("bad percent-escape")


def _utf8(raw: "bytes | bytearray") -> str:
    try:
        return str(raw, "utf-8")
    except UnicodeError:
        raise ValueError("invalid UTF-8")


def unquote(raw: "bytes | bytearray", plus: bool = False) -> str:
    """Decode %xx escapes (and `+` as space when `plus`), then UTF-8."""
    if plus and b"+" in raw:
        raw = raw.replace(b"+", b" ")
    if b"%" not in raw:
        return _utf8(raw)
    parts = raw.split(b"%")
    out = bytearray(parts[0])
    for part in parts[1:]:
        if len(part) < 2:
            raise ValueError("bad percent-escape")
        out.append(_hex_value(part[0]) * 16 + _hex_value(part[1]))
        out.extend(part[2:])
    return _utf8(out)


def parse_qs(raw: "bytes | bytearray") -> dict:
    """`a=1&b=x+y&c` -> {"a": "1", "b": "x y", "c": ""}; a repeated key keeps its last value."""
    result = {}
    for pair in raw.split(b"&"):
        if not pair:
            continue
        eq = pair.find(b"=")
        if eq < 0:
            result[unquote(pair, True)] = ""
        else:
            result[unquote(pair[:eq], True)] = unquote(pair[eq + 1 :], True)
    return result
