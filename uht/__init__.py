"""uht — micro HTTP toolkit for MicroPython and CPython."""

from . import _compat  # noqa: F401  (first: on CircuitPython it checks that the build can serve)
from .server import HTTPServer
from .status import HTTPError

__version__ = "0.1.0"
__all__ = ("HTTPServer", "HTTPError")  # a constant tuple: no list on the heap
