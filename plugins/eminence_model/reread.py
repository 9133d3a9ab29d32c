"""The showcase read again by a long-running process (the desk): only what changed.

`sources.read_showcase` reads, checks and links every content file: ~3 s at 5,000 posts,
which the desk paid after every decision before it could show the next item.
`ShowcaseReader.read()` returns what `read_showcase` returns (the tests compare the two
after each kind of change) but keeps, between its reads and per file, keyed by the file's
bytes: what Pelican's reader made of it, that its header passed the strict check, and
its parsed fields.

Invariants:
- A file whose bytes changed is read, checked and parsed again; a file gone is forgotten.
- Parsed fields are also parsed again when anything they are checked against changed: the
  known topic and expert slugs, the list of files under content/ (an Avatar's image), the
  day (a date in the future).
- Only what passed is kept: a file with a problem is checked again at every read, so its
  problems are always reported, with the others, as `read_showcase` reports them.
- The checks across files (unique and reserved slugs, links out of content/, a post's
  folder and its expert, consent) and the linking run at every read.
- One read at a time per reader (a lock): the desk's requests come from several threads.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import threading

from .showcase import Showcase
from .sources import Source, read_showcase


class ReadMemo:
    """What `sources` keeps between reads; `begin()` starts each read."""

    def __init__(self):
        self._sources: dict[str, tuple[str, Source]] = {}  # path -> (sha1, source)
        self._headers: dict[str, str] = {}  # path -> sha1 whose header passed
        self._parsed: dict[str, tuple[tuple, dict]] = {}  # path -> (key, values)
        self._stamps: dict[str, str] = {}
        self._around = ""
        self.read = 0  # files read by Pelican's reader in the last read

    def begin(self, content_path: str) -> None:
        present = sorted(os.path.join(base, name) for base, _, files in os.walk(content_path)
                         for name in files)
        listing = hashlib.sha1("\0".join(present).encode("utf-8", "surrogateescape")).hexdigest()
        self._around = f"{listing}|{datetime.date.today()}"
        self._stamps, self.read = {}, 0
        present = set(present)
        for table in (self._sources, self._headers, self._parsed):
            for path in [p for p in table if p not in present]:
                del table[path]

    def stamp(self, path: str) -> str:
        stamp = self._stamps.get(path)
        if stamp is None:
            try:
                with open(path, "rb") as fh:
                    stamp = hashlib.sha1(fh.read()).hexdigest()
            except OSError:
                stamp = ""
            self._stamps[path] = stamp
        return stamp

    def source(self, path: str) -> Source | None:
        kept = self._sources.get(path)
        return kept[1] if kept and kept[0] == self.stamp(path) else None

    def keep_source(self, source: Source) -> None:
        self.read += 1
        self._sources[source.path] = (self.stamp(source.path), source)

    def headers_passed(self, path: str) -> bool:
        return self._headers.get(path) == self.stamp(path)

    def keep_headers_passed(self, path: str) -> None:
        self._headers[path] = self.stamp(path)

    def parse(self, parser, src: Source, fields) -> dict:
        key = (self.stamp(src.path), frozenset(parser.topics), frozenset(parser.experts), self._around,
               id(fields))
        kept = self._parsed.get(src.path)
        if kept and kept[0] == key:
            return dict(kept[1])
        before = len(parser.problems)
        values = parser.parse(src.path, src.meta, fields)
        if len(parser.problems) == before:
            self._parsed[src.path] = (key, dict(values))
        return values


class ShowcaseReader:
    """`read()`: read_showcase(settings), reading again only the files that changed."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.memo = ReadMemo()
        self._lock = threading.Lock()

    def read(self) -> Showcase:
        with self._lock:
            return read_showcase(dict(self.settings), memo=self.memo)
