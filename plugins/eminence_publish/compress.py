"""Pre-compressed text files for static hosts: `page.html.gz` beside `page.html`.

A static host compresses nothing by itself unless configured to, and compressing on
every request costs it CPU; nginx (`gzip_static on`), Apache (mod_rewrite rules, see
docs/operating.md) and most CDNs serve a `.gz` file beside the one asked for to a
client that accepts gzip. S3 cannot choose per request: there, each such file is
uploaded compressed with `Content-Encoding: gzip` instead (every browser accepts it).

Invariants:
- A `.gz` file is exactly gzip of its original's current bytes (deterministic: no
  timestamp, so an unchanged file compresses to unchanged bytes and is not re-sent).
- Only text formats are compressed (Pagefind's index files are compressed already),
  and only where it saves something: otherwise no `.gz` is left beside the file.
- A `.gz` whose original is gone, or that is older than it, never survives a run.
Brotli (`.br`) is left out: it needs a dependency for ~15 % smaller text, and gzip is
what every host and client speaks.
"""

from __future__ import annotations

import contextlib
import gzip
import os

TEXT = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".opml")
MIN_BYTES = 512  # below this the header's overhead eats the saving


def compressible(rel: str) -> bool:
    return rel.endswith(TEXT)


def gzipped(data: bytes) -> bytes | None:
    """gzip of `data` (level 9, no timestamp), or None where it saves nothing."""
    if len(data) < MIN_BYTES:
        return None
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    return packed if len(packed) < len(data) * 0.9 else None


def precompress(output: str) -> tuple[int, int]:
    """Write or refresh `X.gz` beside every compressible file of `output` and remove stale
    ones; returns (written, removed). A file unchanged since its `.gz` costs a stat."""
    written = removed = 0
    for folder, _, names in os.walk(output, topdown=False):
        present, emptied = set(names), False
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith(".gz"):
                original = name[:-3]  # a .tar.gz or another .gz of the site's own is not ours
                if compressible(original) and original not in present:
                    os.remove(path)
                    removed += 1
                    emptied = True
                continue
            if not compressible(name):
                continue
            target = path + ".gz"
            with contextlib.suppress(OSError):
                if os.path.getmtime(target) >= os.path.getmtime(path):
                    continue
            with open(path, "rb") as fh:
                packed = gzipped(fh.read())
            if packed is None:
                if os.path.exists(target):
                    os.remove(target)
                    removed += 1
                continue
            tmp = f"{target}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(packed)
            os.replace(tmp, target)
            written += 1
        if emptied and folder != output and not os.listdir(folder):
            os.rmdir(folder)  # a taken-down page's folder held only its .gz: gone with it
    return written, removed
