"""The case-insensitive header mapping handlers see as `req.headers`: built from the head's bytes
the first time a handler asks for it (uht/request.py), so a request that never asks costs neither
this module nor the mapping."""


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
