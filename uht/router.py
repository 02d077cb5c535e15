"""Route patterns and matching.

A pattern is split on `/` into segments; a segment is a literal, `<name>` (one segment, str),
`<int:name>` (one segment of digits, int) or `<path:name>` (the rest of the path, at least one
character, may contain `/`). Literal routes are found with one dict lookup; parameterised routes
are grouped by segment count, so matching looks only at routes that could fit.
"""

from ._compat import TYPE_CHECKING, const

if TYPE_CHECKING:
    from typing import Any

_ONE = const(0)
_INT = const(1)


class Route:
    """One registered handler: its methods and how to call it."""

    def __init__(self, pattern: str, handler: "Any", methods: tuple, max_body: "int | None") -> None:
        self.pattern = pattern
        self.handler = handler
        self.methods = methods
        self.max_body = max_body

    # Only parameterised routes set these (a literal route costs no list).
    parts: "Any" = ()  # a list of str literals and _ONE / _INT
    rest = False  # ends with <path:...>


def _compile(route: Route) -> None:
    parts: list = []
    for segment in route.pattern.split("/")[1:]:
        if segment.startswith("<") and segment.endswith(">"):
            spec = segment[1:-1]
            colon = spec.find(":")
            kind = spec[:colon] if colon >= 0 else ""
            if kind == "path":
                route.rest = True
            elif kind not in ("", "int"):
                raise ValueError("unknown parameter type in route " + route.pattern)
            parts.append(_INT if kind == "int" else _ONE)
        else:
            parts.append(segment)
    if route.rest and parts[-1] != _ONE:
        raise ValueError("<path:...> must be the last segment of " + route.pattern)
    route.parts = parts


def _match_parts(route: Route, segments: list) -> "list | None":
    """The route's parameters for these decoded segments, or None."""
    params: list = []
    parts = route.parts
    last = len(parts) - 1
    for i in range(last + 1):  # (range in a for loop makes no object; enumerate would)
        part = parts[i]
        if i == last and route.rest:
            rest = "/".join(segments[i:])
            if not rest:
                return None
            params.append(rest)
            return params
        segment = segments[i]
        if part == _ONE:
            if not segment:
                return None
            params.append(segment)
        elif part == _INT:
            if not segment.isdigit():
                return None
            params.append(int(segment))
        elif part != segment:
            return None
    return params


class Router:
    # An app with literal routes only never needs these: shared empty defaults until a
    # parameterised route (or a method) gives the router its own.
    by_length: "dict" = {}  # segment count -> [Route, ...]; never added to while it is the default
    rest_routes: "Any" = ()  # routes ending in <path:...>
    methods_in_use: "Any" = ()  # every method some route answers

    def __init__(self) -> None:
        self.static: dict = {}  # path -> [Route, ...]

    def add(self, route: Route) -> None:
        for method in route.methods:
            if method not in self.methods_in_use:
                self.methods_in_use = tuple(self.methods_in_use) + (method,)
        if "<" not in route.pattern:
            self.static.setdefault(route.pattern, []).append(route)
            return
        _compile(route)
        if route.rest:
            self.rest_routes = list(self.rest_routes) + [route]
        else:
            if self.by_length is Router.by_length:  # still the shared default
                self.by_length = {}
            self.by_length.setdefault(len(route.parts), []).append(route)

    def find_literal(self, method: str, path: str) -> "Route | None":
        """The literal route for path and method, or None: the fast path, with no allocation."""
        for route in self.static.get(path, ()):
            if method in route.methods:
                return route
        return None

    def find(self, method: str, path: "str | None", segments: list) -> "tuple":
        """(route, params) for the method, or (None, allowed) where allowed is the set of
        methods the path answers (empty when no route matches the path)."""
        found = self._first(method, path, segments, None)
        if found[0] is not None:
            return found  # (the pair _first made: no second tuple)
        allowed: set = set()  # (only for a request no route answers)
        self._first(method, path, segments, allowed)
        if method == "HEAD" and "GET" in allowed:
            return self._first("GET", path, segments, None)
        return None, allowed

    def _first(self, method: str, path: "str | None", segments: list, allowed: "set | None") -> "tuple":
        """The first route for method whose pattern matches, with its params, in the order routes
        are tried: literal ones, then by segment count, then <path:...> ones, each group in the
        order registered; else (None, None). With `allowed`, the methods of routes that match
        the path are added to it."""
        if path is not None:
            for route in self.static.get(path, ()):
                if method in route.methods:
                    return route, ()
                if allowed is not None:
                    allowed.update(route.methods)
        n = len(segments)
        group = self.by_length.get(n, ())
        while True:  # the routes of that segment count, then the <path:...> ones
            for route in group:
                if allowed is None and method not in route.methods or n < len(route.parts):
                    continue  # (a pattern is only matched when its answer counts)
                params = _match_parts(route, segments)
                if params is not None:
                    if method in route.methods:
                        return route, params
                    if allowed is not None:
                        allowed.update(route.methods)
            if group is self.rest_routes:
                return None, None
            group = self.rest_routes
