"""uht — micro HTTP toolkit for MicroPython and CPython."""

from .server import HTTPServer
from .status import HTTPError

__version__ = "0.1.0"
__all__ = ["HTTPServer", "HTTPError"]
