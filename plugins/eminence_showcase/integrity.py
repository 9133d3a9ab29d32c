"""Files written whole: what a full disk or a killed writer leaves is found, not published.

A build onto a full disk got "Built the public showcase" while Pagefind had written 71
empty index files and a script cut at 4,096 bytes; the rebuild kept them (no page had
changed) and check-site passed. Our own writes fail loudly (an OSError names the file);
what another program wrote is checked here: after each Pagefind run (the build stops,
naming the file), and over the whole output by check-site.
"""

from __future__ import annotations

import gzip
import os
import zlib

# Pagefind's index files are gzip streams: one cut short does not decompress.
GZIPPED = (".pf_meta", ".pf_fragment", ".pf_index", ".pagefind")
MAY_BE_EMPTY = (".nojekyll",)


def damaged_files(folder: str) -> list[tuple[str, str]]:
    """(path relative to folder, why) for each file empty or cut short."""
    found = []
    for base, _, files in os.walk(folder):
        for name in sorted(files):
            path = os.path.join(base, name)
            why = _damage(path, name)
            if why:
                found.append((os.path.relpath(path, folder), why))
    return sorted(found)


def _damage(path: str, name: str) -> str | None:
    size = os.path.getsize(path)
    if size == 0:
        return None if name in MAY_BE_EMPTY else "empty: written onto a full disk, or cut short"
    if name.endswith(GZIPPED):
        try:
            with gzip.open(path, "rb") as fh:
                while fh.read(1 << 20):
                    pass
        except (OSError, EOFError, zlib.error) as error:
            return f"cut short: does not decompress ({error})"
    elif name.endswith(".html"):
        with open(path, "rb") as fh:
            fh.seek(max(0, size - 256))
            if b"</html>" not in fh.read().lower():
                return "cut short: no closing </html>"
    return None
