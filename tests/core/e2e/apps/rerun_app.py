"""Ctrl-C, then run again in the same interpreter (the `mpremote run` loop): GET /interrupt raises
KeyboardInterrupt as Ctrl-C would, run() must release the port, and the second run() serves."""

import sys

from uht import HTTPServer

app = HTTPServer()
runs = [0]


@app.route("/")
async def index(req, resp):
    await resp.send("run %d" % runs[0])


@app.route("/interrupt")
async def interrupt(req, resp):
    raise KeyboardInterrupt


def main(host, port):
    for _ in range(2):
        runs[0] += 1
        try:
            app.run(host, port)
        except KeyboardInterrupt:
            print("interrupted run", runs[0])


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
