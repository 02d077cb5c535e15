"""CORS: let pages from other origins call this server, preflight included.

    from uht.cors import CORS
    cors = CORS(app, origins=["http://localhost:3000"], credentials=True, max_age=600)

With no `@cors.enable` anywhere, every route answers CORS; once a handler is decorated with
`@cors.enable` (below `@app.route`), only those do. A preflight (`OPTIONS` with
`Access-Control-Request-Method`) to such a route is answered here with 204 instead of the
automatic `OPTIONS` answer. Responses that depend on the Origin carry `Vary: Origin`.
"""

from ._compat import TYPE_CHECKING, const

if TYPE_CHECKING:
    from typing import Callable

    from .request import Request
    from .response import Response
    from .router import Route
    from .server import HTTPServer

_SIMPLE_METHODS = const(("GET", "HEAD", "POST"))


def _join(items: "str | tuple | list") -> str:
    return items if isinstance(items, str) else ", ".join(items)


class CORS:
    def __init__(
        self,
        app: "HTTPServer | None" = None,
        origins: "str | tuple | list" = "*",
        methods: "tuple | list" = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"),
        headers: "str | tuple | list" = "*",
        expose_headers: "str | tuple | list" = (),
        credentials: bool = False,
        max_age: "int | float | None" = None,
    ) -> None:
        """origins: "*" or a list of exact origins ("https://a.example"). headers: request
        headers allowed ("*": whatever the preflight asks for). credentials: allow cookies and
        Authorization (the origin is then echoed, never "*")."""
        self.origins = origins if origins == "*" else tuple(o.rstrip("/") for o in origins)
        self.methods = _join(tuple(m.upper() for m in methods))
        self.headers = headers
        self.expose = _join(expose_headers)
        self.credentials = credentials
        self.max_age = max_age
        self.enabled: list = []  # handlers that opted in; empty: every route
        self.app = app
        if app is not None:
            app.before_request(self.hook)

    def enable(self, handler: "Callable") -> "Callable":
        """Decorator: this route answers CORS (put it below @app.route)."""
        self.enabled.append(handler)
        return handler

    def allowed_origin(self, origin: "str | None") -> "str | None":
        """The Access-Control-Allow-Origin value for this Origin, or None."""
        if not origin:
            return None
        if self.origins == "*":
            return origin if self.credentials else "*"
        return origin if origin in self.origins else None

    def _route_for(self, req: "Request", method: str) -> "Route | None":
        path = req.path
        # The path the router looks up in its literal table (None when a segment held a %2F).
        lookup = getattr(req, "lookup_path", path if len(req.segments) == path.count("/") else None)
        # The app given to CORS(); without one (the hook added by hand), the server the request came to.
        route, _ = (self.app or req.server).router.find(method, lookup, req.segments)
        if route is None:
            return None
        if self.enabled and route.handler not in self.enabled:
            return None
        return route

    async def hook(self, req: "Request", resp: "Response") -> bool:
        headers = req.headers
        origin = headers.get("origin")
        wanted = headers.get("access-control-request-method")
        if req.method == "OPTIONS" and wanted is not None and origin is not None:
            route = self._route_for(req, wanted.strip().upper())
            if route is not None:
                self.preflight(req, resp, origin, route)
                return True  # answered: the handler and the automatic OPTIONS answer are skipped
            return False
        if self.enabled and self._route_for(req, req.method) is None:
            return False
        self.add_headers(resp, origin)
        return False

    def add_headers(self, resp: "Response", origin: "str | None") -> None:
        """CORS headers for an actual (non-preflight) response."""
        if self.origins != "*" or self.credentials:
            resp.add_header("Vary", "Origin")
        allow = self.allowed_origin(origin)
        if allow is None:
            return
        resp.add_header("Access-Control-Allow-Origin", allow)
        if self.credentials:
            resp.add_header("Access-Control-Allow-Credentials", "true")
        if self.expose:
            resp.add_header("Access-Control-Expose-Headers", self.expose)

    def preflight(self, req: "Request", resp: "Response", origin: str, route: "Route") -> None:
        resp.set_status_code(204)
        resp.add_header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
        allow = self.allowed_origin(origin)
        if allow is None:
            return  # no CORS headers: the browser refuses the actual request
        resp.add_header("Access-Control-Allow-Origin", allow)
        resp.add_header("Access-Control-Allow-Methods", self.methods)
        asked = req.headers.get("access-control-request-headers")
        if asked:
            allowed = asked if self.headers == "*" else _join(self.headers)
            resp.add_header("Access-Control-Allow-Headers", allowed)
        if self.credentials:
            resp.add_header("Access-Control-Allow-Credentials", "true")
        if self.max_age is not None:
            resp.add_header("Access-Control-Max-Age", str(int(self.max_age)))
