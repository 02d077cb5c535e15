from support import client, raises

from uht import HTTPServer


def app_with_routes():  # type: ignore[no-untyped-def]
    app = HTTPServer()

    @app.route("/a/<x>")
    async def one(req, resp, x):
        await resp.send_json({"x": x})

    @app.route("/n/<int:n>")
    async def number(req, resp, n):
        await resp.send_json({"n": n})

    @app.route("/p/<path:rest>")
    async def rest(req, resp, rest):
        await resp.send_json({"rest": rest, "path": req.path})

    @app.route("/a/<x>/b/<y>")
    async def two(req, resp, x, y):
        await resp.send_json([x, y])

    @app.route("/fixed/b")
    async def fixed(req, resp):
        await resp.send("fixed")

    @app.route("/<x>/b")
    async def param_first(req, resp, x):
        await resp.send("param " + x)

    return app


async def test_one_segment_parameter():
    r = await client(app_with_routes()).get("/a/hello")
    assert r.json() == {"x": "hello"}


async def test_parameter_is_percent_decoded_and_slash_stays_inside():
    c = client(app_with_routes())
    assert (await c.get("/a/x%2Fy")).json() == {"x": "x/y"}
    assert (await c.get("/a/caf%C3%A9")).json() == {"x": "café"}
    assert (await c.get("/a/x%2Fy/b/z")).json() == ["x/y", "z"]


async def test_empty_segment_does_not_match_parameter():
    assert (await client(app_with_routes()).get("/a/")).status == 404


async def test_int_parameter():
    c = client(app_with_routes())
    r = await c.get("/n/42")
    assert r.json() == {"n": 42}
    assert (await c.get("/n/4x")).status == 404
    assert (await c.get("/n/-1")).status == 404


async def test_path_parameter_takes_the_rest():
    c = client(app_with_routes())
    assert (await c.get("/p/a/b/c.txt")).json() == {"rest": "a/b/c.txt", "path": "/p/a/b/c.txt"}
    assert (await c.get("/p/")).status == 404


async def test_literal_route_wins_over_parameter():
    c = client(app_with_routes())
    assert (await c.get("/fixed/b")).text == "fixed"
    assert (await c.get("/other/b")).text == "param other"


async def test_bad_percent_escape_is_400():
    c = client(app_with_routes())
    assert (await c.get("/a/%zz")).status == 400
    assert (await c.get("/a/%4")).status == 400
    assert (await c.get("/a/%ff")).status == 400  # not UTF-8


async def test_encoded_slash_does_not_reach_literal_route():
    assert (await client(app_with_routes()).get("/fixed%2Fb")).status == 404


def test_bad_patterns_are_refused():
    app = HTTPServer()

    async def h(req, resp):
        pass

    raises(ValueError, app.add_route, "/x/<float:f>", h)
    raises(ValueError, app.add_route, "/x/<path:p>/more", h)
    raises(ValueError, app.add_route, "no-slash", h)


async def test_many_routes_still_match():
    app = HTTPServer()
    for i in range(200):

        async def h(req, resp, value, i=i):
            await resp.send("%d:%s" % (i, value))

        app.add_route("/r%d/<value>" % i, h)
    assert (await client(app).get("/r199/v")).text == "199:v"
    assert len(app.router.by_length[2]) == 200


async def test_methods_on_parameter_routes():
    # A route found from the connection loop (no hooks) answers as _dispatch does: the route of the
    # request's method, HEAD by a GET route, 405 with Allow, 501 for a method nothing uses, and the
    # route's max_body.
    app = HTTPServer()

    @app.route("/item/<int:n>")
    async def get_item(req, resp, n):
        await resp.send("get %d" % n)

    @app.route("/item/<int:n>", methods=["DELETE"])
    async def delete_item(req, resp, n):
        await resp.send("deleted %d" % n)

    @app.route("/item/<int:n>", methods=["PUT"], max_body=4)
    async def put_item(req, resp, n):
        await resp.send(b"put %d " % n + await req.body())

    @app.route("/files/<path:rest>", methods=["POST"])
    async def post_file(req, resp, rest):
        await resp.send("file " + rest)

    c = client(app)
    assert (await c.get("/item/7")).body == b"get 7"
    assert (await c.request("DELETE", "/item/7")).body == b"deleted 7"
    head = await c.request("HEAD", "/item/7")
    assert head.status == 200 and head.body == b"" and head.headers["Content-Length"] == "5"
    put = await c.request("PUT", "/item/7", body=b"abc")
    assert put.status == 200 and put.body == b"put 7 abc"
    assert (await c.request("PUT", "/item/7", body=b"abcdef")).status == 413
    wrong = await c.request("POST", "/item/7")
    assert wrong.status == 405 and wrong.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    assert (await c.request("BREW", "/item/7")).status == 501
    assert (await c.request("POST", "/files/a/b.txt")).body == b"file a/b.txt"
    assert (await c.get("/files/a/b.txt")).status == 405
    assert (await c.get("/item/x")).status == 404
