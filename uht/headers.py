"""Case-insensitive header mapping (names are stored lower-case, values are str)."""


class Headers:
    def __init__(self) -> None:
        self._d: dict = {}

    def __getitem__(self, name: str) -> str:
        return self._d[name.lower()]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._d

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def get(self, name: str, default=None):  # type: ignore[no-untyped-def]
        return self._d.get(name.lower(), default)

    def items(self):  # type: ignore[no-untyped-def]
        return self._d.items()

    def add(self, name: str, value: str) -> None:
        """Append a value: repeated headers are joined with ', '."""
        name = name.lower()
        old = self._d.get(name)
        self._d[name] = value if old is None else old + ", " + value
