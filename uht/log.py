"""The `uht` logger: the runtime's `logging` when it has one, a tiny stand-in when not."""

import sys

from ._compat import print_exception

try:
    import logging

    logger = logging.getLogger("uht")
except ImportError:  # MicroPython without micropython-lib's logging

    class _FallbackLogger:
        """Just enough of logging.Logger for uht: warnings and errors on stderr, info when
        `level` is lowered to 20."""

        level = 30

        def _log(self, level: int, name: str, msg: str, args: tuple) -> None:
            if level >= self.level:
                sys.stderr.write("%s:uht:%s\n" % (name, msg % args if args else msg))

        def info(self, msg: str, *args: object) -> None:
            self._log(20, "INFO", msg, args)

        def warning(self, msg: str, *args: object) -> None:
            self._log(30, "WARNING", msg, args)

        def error(self, msg: str, *args: object) -> None:
            self._log(40, "ERROR", msg, args)

    logger = _FallbackLogger()  # type: ignore[assignment]


def log_exception(msg: str, exc: BaseException) -> None:
    """Log msg with exc's traceback (MicroPython's logging may lack exc_info support)."""
    logger.error(msg)
    print_exception(exc)
