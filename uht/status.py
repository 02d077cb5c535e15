"""Status codes, their reason phrases, and the exception that turns into one."""

from ._compat import const

# Only the statuses uht itself produces or handlers commonly set. A constant tuple: frozen, it
# stays in flash (a dict would be built in the heap at import).
_REASONS = const(
    (
        (200, "OK"),
        (404, "Not Found"),
        (400, "Bad Request"),
        (204, "No Content"),
        (302, "Found"),
        (304, "Not Modified"),
        (405, "Method Not Allowed"),
        (500, "Internal Server Error"),
        (503, "Service Unavailable"),
        (100, "Continue"),
        (101, "Switching Protocols"),
        (201, "Created"),
        (206, "Partial Content"),
        (301, "Moved Permanently"),
        (303, "See Other"),
        (307, "Temporary Redirect"),
        (401, "Unauthorized"),
        (403, "Forbidden"),
        (408, "Request Timeout"),
        (413, "Content Too Large"),
        (414, "URI Too Long"),
        (416, "Range Not Satisfiable"),
        (417, "Expectation Failed"),
        (431, "Request Header Fields Too Large"),
        (501, "Not Implemented"),
        (505, "HTTP Version Not Supported"),
    )
)
_CLASSES = const(("Informational", "Success", "Redirection", "Client Error", "Server Error"))


def reason_for(status: int) -> str:
    """The standard phrase, or a generic one by class ("Client Error" ...) for rarer codes."""
    for code, reason in _REASONS:
        if code == status:
            return reason
    return _CLASSES[min(max(status // 100, 1), 5) - 1]


# Answers that need no allocation, for when the heap cannot build one: constants (in flash when
# frozen).
BUSY_REPLY = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 19\r\nConnection: close\r\n\r\nServer is too busy\n"
)
_ANSWER_400 = const(
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
    b"Connection: close\r\n\r\nBad Request\n"
)
_ANSWER_408 = const(
    b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
    b"Connection: close\r\n\r\nRequest Timeout\n"
)
_ANSWER_500 = const(
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 22\r\n"
    b"Connection: close\r\n\r\nInternal Server Error\n"
)


def constant_answer(status: int) -> bytes:
    """The constant answer nearest to status (same class)."""
    if status == 503:
        return BUSY_REPLY
    if status == 408:
        return _ANSWER_408
    return _ANSWER_500 if status >= 500 else _ANSWER_400


class HTTPError(Exception):
    """Raise from a handler (or the parser) to answer with `status`.

    `message` becomes the plain-text body; `headers` is a list of (name, value) pairs added to
    the response (e.g. `Allow` for 405, `Retry-After` for 503).
    """

    def __init__(self, status: int, message: str = "", headers: "list | None" = None) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message or reason_for(status)
        self.headers = headers or []
