"""uht's log lines: through the runtime's `logging` (the "uht" logger) when it has one; without it
(MicroPython has none unless micropython-lib's is installed) warnings and errors go to stderr and
info lines are dropped. Plain functions, not a stand-in Logger class: less heap on a board."""

import sys

from ._compat import TYPE_CHECKING, print_exception

if TYPE_CHECKING:
    from typing import Any

try:
    import logging

    _logger: "Any" = logging.getLogger("uht")
except ImportError:
    _logger = None


def info(msg: str, *args: object) -> None:
    if _logger is not None:
        _logger.info(msg, *args)


def warning(msg: str, *args: object) -> None:
    if _logger is not None:
        _logger.warning(msg, *args)
    else:
        sys.stderr.write("WARNING:uht:%s\n" % (msg % args if args else msg))


def log_exception(msg: str, exc: BaseException) -> None:
    """Log msg as an error with exc's traceback (MicroPython's logging may lack exc_info support)."""
    if _logger is not None:
        _logger.error(msg)
    else:
        sys.stderr.write("ERROR:uht:%s\n" % msg)
    print_exception(exc)
