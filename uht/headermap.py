"""The case-insensitive header mapping handlers see as `req.headers`: made over the head's bytes
the first time a handler asks for it (uht/request.py), so a request that never asks costs neither
this module nor the mapping, and one that asks for a field decodes that field alone."""


class Headers:
    """Case-insensitive header mapping: names are stored lower-case, values are str; a repeated
    header's values are joined with ", "."""

    def __init__(self) -> None:
        self._d: "dict[str, str]" = {}

    def _fields(self) -> "dict[str, str]":
        """Every field, name -> value (HeadFields builds it when first needed)."""
        return self._d

    def __getitem__(self, name: str) -> str:
        value = self.get(name)  # (no value is None: None is absent)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def __iter__(self) -> "object":
        return iter(self._fields())

    def __len__(self) -> int:
        return len(self._fields())

    def get(self, name: str, default: "str | None" = None) -> "str | None":
        return self._fields().get(name.lower(), default)

    def items(self) -> "object":
        return self._fields().items()

    def add(self, name: str, value: str) -> None:
        """Append a value: repeated headers are joined with ', '."""
        fields = self._fields()
        name = name.lower()
        old = fields.get(name)
        fields[name] = value if old is None else old + ", " + value


class HeadFields(Headers):
    """`req.headers`: the fields of a request head (already validated), read from its bytes. A
    lookup finds the field's lines in a lower-case copy of the head, made at the first lookup, and
    decodes only that field's value: a handler that asks for two headers of a browser's ten pays
    for two. Iterating, len(), items() and add() build the whole dict once."""

    _whole = False  # whether _d holds every field

    def __init__(self, head: bytes, pos: int) -> None:
        self._head = head
        self._pos = pos  # where the field lines begin, after the request line
        self._lower: "bytes | None" = None

    def _fields(self) -> "dict[str, str]":
        if not self._whole:
            self._d = parse_fields(self._head, self._pos)
            self._whole = True
        return self._d

    def get(self, name: str, default: "str | None" = None) -> "str | None":
        value = self._d.get(name.lower()) if self._whole else self._search(name)
        return default if value is None else value

    def _search(self, name: str) -> "str | None":
        key = name.lower().encode()
        if not key or b":" in key or b"\n" in key:
            return None  # no field is named so (and such a key could match across lines)
        head = self._head
        lower = self._lower
        if lower is None:
            lower = self._lower = head.lower()  # ASCII only, so every offset is the head's
        size = len(head)
        pos = self._pos
        found = None
        while True:
            at = lower.find(key, pos)
            if at < 0:
                return found
            pos = at + len(key)
            # The whole name of a field: at a line's start, and followed by its colon.
            if pos < size and lower[pos] == 58 and lower[at - 1] == 10:
                eol = head.find(b"\n", pos)
                if eol < 0:
                    eol = size
                end = eol - 1 if head[eol - 1] == 13 else eol
                value = str(head[pos + 1 : end], "utf-8").strip()
                found = value if found is None else found + ", " + value
                pos = eol


def parse_fields(head: bytes, pos: int) -> "dict[str, str]":
    """Every field line of head from pos on (already validated): lower-case name -> value."""
    fields: "dict[str, str]" = {}
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
    return fields
