"""The demo `make run` serves: routes with parameters, a JSON endpoint and a form.

micropython demo.py [HOST] [PORT]     (default 127.0.0.1 8081)
"""

import sys

from uht import HTTPServer

app = HTTPServer(access_log=True)
notes = []

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>uht demo</title></head>
<body><h1>uht demo</h1>
<p>Try <a href="/hello/world">/hello/world</a>, <a href="/add/2/3">/add/2/3</a>,
<a href="/api/notes">/api/notes</a> (JSON).</p>
<form method="post" action="/notes"><input name="text" placeholder="a note">
<button>Add note</button></form><ul>%s</ul></body></html>"""


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@app.route("/")
async def index(req, resp):
    resp.add_header("Content-Type", "text/html; charset=utf-8")
    await resp.send(PAGE % "".join("<li>%s</li>" % escape(n) for n in notes))


@app.route("/hello/<name>")
async def hello(req, resp, name):
    await resp.send("Hello, %s!\n" % name)


@app.route("/add/<int:a>/<int:b>")
async def add(req, resp, a, b):
    await resp.send_json({"a": a, "b": b, "sum": a + b})


@app.route("/api/notes", methods=["GET", "POST"])
async def api_notes(req, resp):
    if req.method == "POST":
        note = await req.json()
        notes.append(str(note.get("text", "")))
        resp.set_status_code(201)
    await resp.send_json({"notes": notes})


@app.route("/notes", methods=["POST"])
async def add_note(req, resp):
    form = await req.form()
    notes.append(form.get("text", ""))
    resp.redirect("/", status=303)


if __name__ == "__main__":
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8081
    print("uht demo on http://%s:%d/ (Ctrl-C to stop)" % (host, port))
    app.run(host, port)
