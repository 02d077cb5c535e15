"""Cookies, Basic auth and CORS together, for the e2e tests.

<runtime> session_app.py HOST PORT
"""

import sys

from uht import HTTPServer
from uht.auth import basic_auth, protect
from uht.cookies import delete_cookie, get_cookies, set_cookie
from uht.cors import CORS

app = HTTPServer(max_connections=8)
cors = CORS(app, origins=["http://ui.example"], credentials=True, max_age=300, expose_headers=["X-Items"])
protect(app, {"ops": "hunter2"}, realm="ops area", prefix="/ops")


@app.route("/login", methods=["POST"])
async def login(req, resp):  # type: ignore[no-untyped-def]
    form = await req.form()
    set_cookie(resp, "session", "s-" + form.get("user", "anon"), max_age=600, http_only=True, same_site="Lax")
    await resp.send("logged in")


@app.route("/me")
async def me(req, resp):  # type: ignore[no-untyped-def]
    await resp.send_json({"cookies": get_cookies(req)})


@app.route("/logout")
async def logout(req, resp):  # type: ignore[no-untyped-def]
    delete_cookie(resp, "session")
    await resp.send("bye")


@app.route("/admin")
@basic_auth({"admin": "pa:ss"}, realm="admin")
async def admin(req, resp):  # type: ignore[no-untyped-def]
    await resp.send("admin " + req.user)


@app.route("/ops/status")
async def ops(req, resp):  # type: ignore[no-untyped-def]
    await resp.send("ops " + req.user)


@app.route("/api/items", methods=["GET", "PUT"])
@cors.enable
async def items(req, resp):  # type: ignore[no-untyped-def]
    resp.add_header("X-Items", "3")
    await resp.send_json([1, 2, 3])


@app.route("/internal", methods=["GET", "PUT"])
async def internal(req, resp):  # type: ignore[no-untyped-def]
    await resp.send("internal")


if __name__ == "__main__" and len(sys.argv) > 2:
    app.run(sys.argv[1], int(sys.argv[2]))
