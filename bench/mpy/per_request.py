"""Heap allocated per in-process request, under MicroPython:

    micropython per_request.py uht|microdot N

Each library's own test client drives the benchmark app (bench/apps). After a warm-up the
collector is disabled around N requests and gc.mem_alloc() is compared before/after, so the
figure counts every byte the request allocated, the test client's share included. Prints one JSON
line per endpoint.
"""

import asyncio
import gc
import sys

lib = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 50
BODY = b'{"id": 42, "name": "sensor", "values": [1, 2, 3]}'
JSON_HDR = {"Content-Type": "application/json"}


def uht_calls():
    from app_uht import make_app

    from uht.testing import TestClient

    client = TestClient(make_app())

    async def get_root():
        r = await client.get("/")
        assert r.status == 200, r.status

    async def get_user():
        r = await client.get("/user/42")
        assert r.status == 200, r.status

    async def post_echo():
        r = await client.post("/echo", body=BODY, headers=JSON_HDR)
        assert r.status == 200, r.status

    return get_root, get_user, post_echo


def microdot_calls():
    from app_microdot import app
    from microdot.test_client import TestClient

    client = TestClient(app)

    async def get_root():
        r = await client.get("/")
        assert r.status_code == 200, r.status_code

    async def get_user():
        r = await client.get("/user/42")
        assert r.status_code == 200, r.status_code

    async def post_echo():
        r = await client.post("/echo", body=BODY, headers=JSON_HDR)
        assert r.status_code == 200, r.status_code

    return get_root, get_user, post_echo


async def measure(call):
    for _ in range(5):
        await call()
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    for _ in range(N):
        await call()
    after = gc.mem_alloc()
    gc.enable()
    gc.collect()
    return (after - before) // N


async def main():
    calls = uht_calls() if lib == "uht" else microdot_calls()
    for label, call in zip(("GET /", "GET /user/<id>", "POST /echo"), calls):
        per = await measure(call)
        print('{"lib": "%s", "endpoint": "%s", "n": %d, "bytes_per_request": %d}' % (lib, label, N, per))


asyncio.run(main())
