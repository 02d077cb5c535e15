"""HTTP Basic authentication (RFC 7617), as a handler decorator or an app-wide hook.

    from uht.auth import basic_auth, protect
    @app.route("/admin")
    @basic_auth({"admin": "secret"})
    async def admin(req, resp): ...

    protect(app, {"admin": "secret"}, prefix="/admin")   # every route under /admin

Failures answer 401 with `WWW-Authenticate: Basic realm="..."`. Passwords are compared in time
that does not depend on where they first differ. Use it only over a network you trust, or TLS:
Basic credentials travel in clear text.
"""

import binascii

from ._compat import TYPE_CHECKING
from .status import HTTPError

if TYPE_CHECKING:
    from typing import Any, Callable

    from .request import Request
    from .response import Response
    from .server import HTTPServer


def compare(a: "str | bytes | bytearray", b: "str | bytes | bytearray") -> bool:
    """Equality of two str/bytes whose running time depends on their lengths, not their content."""
    if isinstance(a, str):
        a = a.encode()
    if isinstance(b, str):
        b = b.encode()
    diff = len(a) ^ len(b)
    n = len(b)
    for i in range(len(a)):
        diff |= a[i] ^ b[i % n] if n else 1
    return diff == 0


def credentials(req: "Request") -> "tuple[str, str] | None":
    """(user, password) from the Authorization header, or None when absent or malformed."""
    value = req.headers.get("authorization")
    if not value or len(value) > 1024:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        text = str(binascii.a2b_base64(token.strip()), "utf-8")
    except (ValueError, UnicodeError):
        return None
    user, colon, password = text.partition(":")
    if not colon:
        return None
    return user, password


async def _allowed(req: "Any", users: "dict | None", check: "Callable | None") -> bool:
    # req is a Request; Any because Request does not declare the `user` attribute set here.
    pair = credentials(req)
    if pair is None:
        return False
    user, password = pair
    if check is not None:
        ok = check(user, password)
        if hasattr(ok, "send"):  # an async check
            ok = await ok
        if ok:
            req.user = user
        return bool(ok)
    expected = users.get(user) if users else None
    # Compare against something even for an unknown user, so timing does not tell users apart.
    ok = compare(password, expected if expected is not None else "\x00" * len(password))
    if ok and expected is not None:
        req.user = user
        return True
    return False


def challenge(realm: str) -> HTTPError:
    return HTTPError(401, headers=[["WWW-Authenticate", 'Basic realm="%s", charset="UTF-8"' % realm.replace('"', "")]])


def basic_auth(users: "dict | None" = None, check: "Callable | None" = None, realm: str = "uht") -> "Callable":
    """Decorator for a handler. `users`: {name: password}; or `check(user, password)` (may be
    async) returning true to let the request in. The handler sees `req.user`."""

    def decorate(handler: "Callable") -> "Callable":
        async def guarded(req: "Request", resp: "Response", *params: "str | int") -> None:
            if not await _allowed(req, users, check):
                raise challenge(realm)
            await handler(req, resp, *params)

        return guarded

    return decorate


def protect(
    app: "HTTPServer",
    users: "dict | None" = None,
    check: "Callable | None" = None,
    realm: str = "uht",
    prefix: str = "/",
) -> "Callable":
    """Require Basic credentials for every request whose path starts with `prefix` (CORS preflights
    excepted: browsers send them without credentials)."""
    prefix = prefix.rstrip("/")

    async def hook(req: "Request", resp: "Response") -> bool:
        path = req.path
        if prefix and path != prefix and not path.startswith(prefix + "/"):
            return False
        if req.method == "OPTIONS" and "access-control-request-method" in req.headers:
            return False  # a CORS preflight never carries credentials (Fetch standard): let CORS answer
        if not await _allowed(req, users, check):
            raise challenge(realm)
        return False

    app.before_request(hook)
    return hook
