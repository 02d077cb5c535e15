"""Route patterns and matching.

A pattern is split on `/` into segments; a segment is a literal, `<name>` (one segment, str),
`<int:name>` (one segment of digits, int) or `<path:name>` (the rest of the path, at least one
character, may contain `/`). Literal routes are found with one dict lookup; parameterised routes
are grouped by segment count, so matching looks only at routes that could fit.
"""

from ._compat import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

_ONE = 0
_INT = 1


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

    def candidates(self, path: "str | None", segments: list) -> "Any":
        """Yield (route, params) for every route whose pattern matches, in registration order
        within each group (literal routes first)."""
        if path in self.static:
            for route in self.static[path]:
                yield route, ()
        for route in self.by_length.get(len(segments), ()):
            params = _match_parts(route, segments)
            if params is not None:
                yield route, params
        for route in self.rest_routes:
            if len(segments) >= len(route.parts):
                params = _match_parts(route, segments)
                if params is not None:
                    yield route, params

    def find_literal(self, method: str, path: str) -> "Route | None":
        """The literal route for path and method, or None: the fast path, with no allocation."""
        for route in self.static.get(path, ()):
            if method in route.methods:
                return route
        return None

    def find(self, method: str, path: "str | None", segments: list) -> "tuple":
        """(route, params) for the method, or (None, allowed) where allowed is the set of
        methods the path answers (empty when no route matches the path)."""
        if path is not None:
            route = self.find_literal(method, path)
            if route is not None:
                return route, ()
        # The route for this method, in the order candidates() gives: no generator and no set
        # for a request that has its route (the allowed methods are only needed without one).
        for route in self.by_length.get(len(segments), ()):
            if method in route.methods:
                params = _match_parts(route, segments)
                if params is not None:
                    return route, params
        for route in self.rest_routes:
            if method in route.methods and len(segments) >= len(route.parts):
                params = _match_parts(route, segments)
                if params is not None:
                    return route, params
        allowed: set = set()
        for route, params in self.candidates(path, segments):
            if method in route.methods:
                return route, params
            allowed.update(route.methods)
        if method == "HEAD" and "GET" in allowed:
            for route, params in self.candidates(path, segments):
                if "GET" in route.methods:
                    return route, params
        return None, allowed
