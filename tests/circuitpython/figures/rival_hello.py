"""adafruit_httpserver's hello app for the side-by-side figures (figures.py): one route, served
through the test socketpool by its poll loop; prints what uht_hello.py prints."""

import gc

import socketpool
import wifi

gc.collect()
BASE = gc.mem_free()

import sys  # noqa: E402

from adafruit_httpserver import REQUEST_HANDLED_RESPONSE_SENT, Request, Response, Server  # noqa: E402

N = 200
server = Server(socketpool.SocketPool(wifi.radio))


@server.route("/")
def index(request: Request):
    return Response(request, "Hello, world!")


server.start("127.0.0.1", int(sys.argv[1]))
served = 0
start = 0
while len(sys.argv) > 2:  # "serve": just serve (the smallest-heap search)
    server.poll()
while True:
    if server.poll() != REQUEST_HANDLED_RESPONSE_SENT:
        continue
    served += 1
    if served == 1:
        gc.collect()
        print("held", BASE - gc.mem_free())
        gc.disable()
        start = gc.mem_alloc()
    elif served == 1 + N:
        print("per_request", (gc.mem_alloc() - start) // N)
        gc.enable()
