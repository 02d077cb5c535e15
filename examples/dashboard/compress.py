"""Write name.gz next to every text file in www/ (run on a host after editing the page):

    python examples/dashboard/compress.py

mtime=0 makes the output reproducible, so the .gz files only change when their source does.
"""

import gzip
import os

WWW = os.path.join(os.path.dirname(os.path.abspath(__file__)), "www")
COMPRESSIBLE = (".html", ".js", ".css", ".svg", ".json")


def compress_all(root: str = WWW) -> list:
    written = []
    for name in sorted(os.listdir(root)):
        if not name.endswith(COMPRESSIBLE):
            continue
        path = os.path.join(root, name)
        with open(path, "rb") as f:
            data = f.read()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        with open(path + ".gz", "wb") as f:
            f.write(packed)
        written.append((name, len(data), len(packed)))
    return written


if __name__ == "__main__":
    for name, size, packed in compress_all():
        print("%-12s %6d -> %5d bytes" % (name, size, packed))
