"""The `uht` logger: the runtime's `logging` when it has one, a tiny stand-in when not."""

import sys

from ._compat import print_exception

try:
    import logging

    logger = logging.getLogger("uht")
except ImportError:  # MicroPython without micropython-lib's logging
    DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40

    class _FallbackLogger:
        """Just enough of logging.Logger for uht: levelled lines on stderr."""

        name = "uht"

        def __init__(self) -> None:
            self.level = WARNING

        def setLevel(self, level: int) -> None:
            self.level = level

        def isEnabledFor(self, level: int) -> bool:
            return level >= self.level

        def log(self, level: int, msg: str, *args: object) -> None:
            if level >= self.level:
                name = {DEBUG: "DEBUG", INFO: "INFO", WARNING: "WARNING"}.get(level, "ERROR")
                sys.stderr.write("%s:uht:%s\n" % (name, msg % args if args else msg))

        def debug(self, msg: str, *args: object) -> None:
            self.log(DEBUG, msg, *args)

        def info(self, msg: str, *args: object) -> None:
            self.log(INFO, msg, *args)

        def warning(self, msg: str, *args: object) -> None:
            self.log(WARNING, msg, *args)

        def error(self, msg: str, *args: object) -> None:
            self.log(ERROR, msg, *args)

        def exception(self, msg: str, *args: object) -> None:
            self.log(ERROR, msg, *args)

    logger = _FallbackLogger()  # type: ignore[assignment]


def log_exception(msg: str, exc: BaseException) -> None:
    """Log msg with exc's traceback (MicroPython's logging may lack exc_info support)."""
    logger.error(msg)
    print_exception(exc)
