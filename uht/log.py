"""The `uht` logger: the runtime's `logging` when it has one, a tiny stand-in when not."""

import sys

from ._compat import print_exception

try:
    import logging

    logger = logging.getLogger("uht")
except ImportError:  # MicroPython without micropython-lib's logging

    class _FallbackLogger:
        """Just enough of logging.Logger for uht: warnings and errors on stderr."""

        level = 30  # WARNING

        def setLevel(self, level: int) -> None:
            self.level = level

        def log(self, level: int, msg: str, *args: object) -> None:
            if level >= self.level:
                sys.stderr.write(
                    "%s:uht:%s\n"
                    % ("INFO" if level < 30 else "WARNING" if level < 40 else "ERROR", msg % args if args else msg)
                )

        def info(self, msg: str, *args: object) -> None:
            self.log(20, msg, *args)

        def warning(self, msg: str, *args: object) -> None:
            self.log(30, msg, *args)

        def error(self, msg: str, *args: object) -> None:
            self.log(40, msg, *args)

    logger = _FallbackLogger()  # type: ignore[assignment]


def log_exception(msg: str, exc: BaseException) -> None:
    """Log msg with exc's traceback (MicroPython's logging may lack exc_info support)."""
    logger.error(msg)
    print_exception(exc)
