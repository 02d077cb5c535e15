"""Shared pieces of the fuzzers: the app under test on CPython, seeds, strict response parsing,
and the reproducer store."""

import asyncio
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "reliability"))

from uht.testing import TestClient  # noqa: E402

FAILURES_DIR = os.path.join(ROOT, "build", "fuzz-failures")

# Statuses the server may answer to anything a client sends to rel_app's fuzzed routes.
ALLOWED = {100, 200, 204, 302, 400, 404, 405, 408, 413, 414, 417, 431, 501, 503, 505}


def load_app():  # type: ignore[no-untyped-def]
    """A fresh rel_app on CPython, with MicroPython's buffer size, so reads split the same way."""
    path = os.path.join(ROOT, "tests", "reliability", "apps", "rel_app.py")
    spec = importlib.util.spec_from_file_location("rel_app_fuzz", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    module.app.buffer_size = 512
    return module.app


class InProcess:
    """Feeds raw bytes to the app through TestClient.raw on one event loop; a call that does
    not finish within `timeout` seconds, or leaves a task behind, is a failure."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.app = load_app()
        self.client = TestClient(self.app)
        self.loop = asyncio.new_event_loop()
        self.timeout = timeout

    def raw(self, data: bytes, step: int = 0) -> bytes:
        async def go() -> bytes:
            out = await asyncio.wait_for(self.client.raw(data, step=step), self.timeout)
            await asyncio.sleep(0)
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            assert not others, "tasks left behind: %r" % others
            return out

        return self.loop.run_until_complete(go())

    def close(self) -> None:
        self.loop.close()


# Known uht bugs (reported in /tmp/uht-team/requests.md, each with a strict test in
# tests/fuzz/test_fuzz_reproducers.py or tests/reliability/): the fuzzers count them instead of
# stopping on them, so they keep searching for new ones.
KNOWN: dict = {}


UNPARSED_HEAD_ERRORS = [0]
# uht tells a HEAD by its decoded head starting with "HEAD " (the fuzzers flag requests the same
# way); a head it could not read whole (414, 431) or decode is not known as one.
_UNKNOWN_METHOD_ERRORS = (b"head is not UTF-8\n",)


def _method_unknown(status: int, body: bytes) -> bool:
    """Whether this error comes before uht knew the method (so it cannot tell a HEAD)."""
    return status in (414, 431) or status == 400 and body in _UNKNOWN_METHOD_ERRORS


def double_400(responses: list) -> bool:
    """Known bug 1: a body that ends early gets a second answer (400 "body ended early") after
    the response to its request (a 400 from the handler, or even a 200 when the handler did
    not read the body)."""
    return len(responses) >= 2 and responses[-1][0] == 400 and responses[-1][2] == b"body ended early\n"


def parse_responses(raw: bytes, head_flags=()) -> list:  # type: ignore[no-untyped-def]
    """Strictly split a server's output into (status, headers, body); raise ValueError on anything
    that is not a well-formed HTTP/1.1 response (a truncated last chunked body is reported as
    status -1: the server closed mid-stream). head_flags[i] true: response i answers a HEAD."""
    out = []
    pos = 0
    while pos < len(raw):
        end = raw.find(b"\r\n\r\n", pos)
        if end < 0 or not raw.startswith(b"HTTP/1.1 ", pos):
            raise ValueError("not a response at %d: %r" % (pos, raw[pos : pos + 80]))
        lines = raw[pos:end].split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 3 or not parts[1].isdigit() or len(parts[1]) != 3:
            raise ValueError("bad status line %r" % lines[0])
        status = int(parts[1])
        headers: dict = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or b" " in name or b"\r" in line or b"\n" in line:
                raise ValueError("bad response header %r" % line)
            headers.setdefault(name.lower(), []).append(value.strip())
        pos = end + 4
        if len(out) < len(head_flags) and head_flags[len(out)]:
            body = b""
            if headers.get(b"connection") == [b"close"] and pos < len(raw) and _method_unknown(status, raw[pos:]):
                # the request line was never parsed (too long, or broken): the server cannot know
                # it was a HEAD, so the error text follows (allowed; counted for the report)
                UNPARSED_HEAD_ERRORS[0] += 1
                out.append((status, headers, raw[pos:]))
                return out
        elif headers.get(b"transfer-encoding") == [b"chunked"]:
            body = b""
            while True:
                nl = raw.find(b"\r\n", pos)
                if nl < 0:
                    out.append((-1, headers, body))
                    return out
                size = int(raw[pos:nl], 16)
                pos = nl + 2
                if size == 0:
                    if raw[pos : pos + 2] != b"\r\n":
                        raise ValueError("bad chunked end")
                    pos += 2
                    break
                body += raw[pos : pos + size]
                if raw[pos + size : pos + size + 2] != b"\r\n":
                    out.append((-1, headers, body))
                    return out
                pos += size + 2
        elif b"content-length" in headers:
            n = int(headers[b"content-length"][0])
            body = raw[pos : pos + n]
            if len(body) < n:
                raise ValueError("body shorter than Content-Length")
            pos += n
        elif status < 200 or status in (204, 304):
            body = b""
        else:  # no length: the body runs to the close (HTTP/1.0 streaming)
            body = raw[pos:]
            pos = len(raw)
        if status != 100:  # an interim answer, not the response to a request
            out.append((status, headers, body))
    return out


def save_failure(kind: str, data: bytes, why: str) -> str:
    os.makedirs(FAILURES_DIR, exist_ok=True)
    path = os.path.join(FAILURES_DIR, "%s-%08x.bin" % (kind, abs(hash(data)) & 0xFFFFFFFF))
    with open(path, "wb") as f:
        f.write(data)
    with open(path + ".txt", "w") as f:
        f.write(why + "\n")
    return path
