"""Cookies: read the Cookie header, write Set-Cookie with every attribute.

    from uht.cookies import get_cookies, set_cookie, delete_cookie
    session = get_cookies(req).get("session")
    set_cookie(resp, "session", token, max_age=3600, http_only=True, same_site="Lax")

Names and values are checked (RFC 6265): CR, LF, `;`, `,`, spaces, quotes and backslashes raise
ValueError instead of reaching the header.
"""

from ._compat import TYPE_CHECKING, const, gmtime
from .headers import DAYS as _DAYS
from .headers import MONTHS as _MONTHS

if TYPE_CHECKING:
    from typing import Any

    from .request import Request
    from .response import Response

_SEPARATORS = const('()<>@,;:\\"/[]?={} \t')
_SAME_SITE = const(("Strict", "Lax", "None"))


def _http_date(seconds: "int | float") -> str:
    t = gmtime(int(seconds))
    return "%s, %02d %s %d %02d:%02d:%02d GMT" % (_DAYS[t[6]], t[2], _MONTHS[t[1] - 1], t[0], t[3], t[4], t[5])


def parse_cookies(header: str) -> dict:
    """{name: value} from a Cookie header; the first of a repeated name wins (browsers send the
    most specific path first); malformed pairs are skipped; quoted values are unquoted."""
    cookies: dict = {}
    for pair in header.split(";"):
        eq = pair.find("=")
        if eq <= 0:
            continue
        name = pair[:eq].strip()
        value = pair[eq + 1 :].strip()
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]
        if name and name not in cookies:
            cookies[name] = value
    return cookies


def get_cookies(req: "Request") -> dict:
    """The request's cookies, parsed once and kept on the request (as `req.cookies`)."""
    return req.cookies


def get_cookie(req: "Request", name: str, default: "Any" = None) -> "Any":
    return get_cookies(req).get(name, default)


def _check_name(name: str) -> None:
    if not name:
        raise ValueError("empty cookie name")
    for ch in name:
        if ch in _SEPARATORS or ord(ch) < 33 or ord(ch) > 126:
            raise ValueError("bad character in cookie name")


def _check_value(value: str) -> None:
    for ch in value:
        if ch in ';,"\\ ' or ord(ch) < 33 or ord(ch) > 126:
            raise ValueError("bad character in cookie value")


def _check_attr(value: str) -> None:
    for ch in value:
        if ch == ";" or ord(ch) < 32 or ord(ch) == 127:
            raise ValueError("bad character in cookie attribute")


def cookie_header(
    name: str,
    value: str = "",
    max_age: "int | float | None" = None,
    expires: "int | float | str | None" = None,
    path: "str | None" = "/",
    domain: "str | None" = None,
    secure: bool = False,
    http_only: bool = False,
    same_site: "str | None" = None,
    partitioned: bool = False,
) -> str:
    """The Set-Cookie value. `expires`: seconds since the epoch (int) or an HTTP date (str);
    `same_site`: "Strict", "Lax" or "None" (which browsers accept only with secure=True)."""
    _check_name(name)
    value = str(value)
    _check_value(value)
    parts = [name + "=" + value]
    if max_age is not None:
        parts.append("Max-Age=%d" % int(max_age))
    if expires is not None:
        if not isinstance(expires, str):
            expires = _http_date(expires)
        _check_attr(expires)
        parts.append("Expires=" + expires)
    for label, text in (("Path", path), ("Domain", domain)):
        if text:
            _check_attr(text)
            parts.append(label + "=" + text)
    if secure:
        parts.append("Secure")
    if http_only:
        parts.append("HttpOnly")
    if same_site is not None:
        same_site = same_site[:1].upper() + same_site[1:].lower()  # no str.capitalize() on MicroPython
        if same_site not in _SAME_SITE:
            raise ValueError("same_site must be Strict, Lax or None")
        if same_site == "None" and not secure:
            raise ValueError("SameSite=None needs secure=True")
        parts.append("SameSite=" + same_site)
    if partitioned:
        parts.append("Partitioned")
    return "; ".join(parts)


def set_cookie(resp: "Response", name: str, value: str = "", **attributes: "Any") -> None:
    """Add a Set-Cookie header (one per cookie; call it again for more). Keywords as in
    cookie_header(): max_age, expires, path="/", domain, secure, http_only, same_site, partitioned."""
    resp.add_header("Set-Cookie", cookie_header(name, value, **attributes))


def delete_cookie(
    resp: "Response", name: str, path: "str | None" = "/", domain: "str | None" = None, **attributes: "Any"
) -> None:
    """Tell the browser to drop a cookie (same path and domain as when it was set)."""
    set_cookie(
        resp, name, "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT", path=path, domain=domain, **attributes
    )
