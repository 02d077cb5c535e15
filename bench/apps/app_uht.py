"""The benchmark app on uht: GET / (text), GET /user/<id> (path parameter), POST /echo (JSON).

    python app_uht.py PORT [MAX_CONNECTIONS] [mem]

Written only against uht's public API. MAX_CONNECTIONS raises the connection cap (and the listen
backlog) to fit the load. With `mem`, GET /__mem answers the heap in use (memory benchmarks).
"""

import sys

from benchmem import mem_report

from uht import HTTPServer


def make_app(max_connections=None):
    if max_connections is None:
        app = HTTPServer()
    else:
        app = HTTPServer(backlog=max_connections, max_connections=max_connections)

    @app.route("/")
    async def index(req, resp):
        resp.add_header("Content-Type", "text/plain")
        await resp.send(b"Hello, world!")

    @app.route("/user/<uid>")
    async def user(req, resp, uid):
        resp.add_header("Content-Type", "text/plain")
        await resp.send("user " + uid)

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        await resp.send_json(await req.json())

    return app


def add_mem_route(app):
    @app.route("/__mem")
    async def mem(req, resp):
        resp.add_header("Content-Type", "text/plain")
        await resp.send(mem_report(req.query.get("op", "")))


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
    app = make_app(int(sys.argv[2]) if len(sys.argv) > 2 else 64)
    if "mem" in sys.argv[3:]:
        add_mem_route(app)
    print("READY", port)
    app.run("127.0.0.1", port)
