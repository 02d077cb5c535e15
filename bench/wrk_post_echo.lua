-- POST /echo with a small JSON body (bench/wrkrun.py, the "post" script)
wrk.method = "POST"
wrk.body = '{"id": 42, "name": "sensor", "values": [1, 2, 3]}'
wrk.headers["Content-Type"] = "application/json"
