"""What a build already knows of a folder by its stat, as git's index does.

A no-change build checks two folders: the content (every file's bytes are an input) and
the output (it must still hold what the last build left). At 100,000 posts it spent most
of its 9 s reading 110,000 content files to hash them and listing 470,000 output files.
What it knew could be reused:

- `FileFacts`: what was derived from a file's bytes (its sha1: `file_digests`; what a
  page's fingerprint needs: fingerprint.ContentDigests) is reused while its stat is what
  it was when the file was read: inode, size, modification and change time.
- `listing` / `same_listing`: each folder's stat and a digest of its entries' names. A
  folder whose stat is unchanged holds the same names: adding, removing or renaming an
  entry sets its modification time. So the output is checked with one stat per folder,
  and only a folder whose stat moved is listed again.

Invariants:
- A change time cannot be set back by a program (os.utime sets it to now), so an edit
  that restores the size and the modification time (`touch -r`) still shows.
- The racy rule: file systems' clocks are coarse (a few milliseconds on ext4, 2 s on
  FAT), so a change made in the same tick as the time recorded would not move it. A stat
  younger than RACY_NS when it is taken is therefore never trusted later: that file is
  read, or that folder listed, again next time.
- What is known is a cache: missing, unreadable or from another version, it is ignored,
  and the digests are what reading every byte gives (tests/unit/test_known_files.py
  compares both).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
import time

from eminence_model.store import atomic_write

RACY_NS = 2_000_000_000
FORMAT = 2  # 2: an entry is one bytes object, its stat then its facts (faster to load)
STAMP = struct.Struct("<Qqqq")  # inode, size, modification and change time (ns)
NAMES = 20  # a folder's names digest: sha1


def now_ns() -> int:
    return time.time_ns()


def _stamp(st: os.stat_result) -> bytes:
    return STAMP.pack(st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _settled(st: os.stat_result, taken_ns: int) -> bool:
    """Old enough, when it was taken, that a later change would have moved it."""
    return taken_ns - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS


def load(path: str | None):
    """What was saved at `path`, or None (missing, unreadable, another format)."""
    if not path:
        return None
    try:
        with open(path, "rb") as fh:
            saved = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        return None
    return saved


def save(path: str, **values) -> None:
    """Atomically (store.atomic_write): a build killed while writing leaves the last record."""
    atomic_write(path, pickle.dumps({"format": FORMAT, **values}, protocol=pickle.HIGHEST_PROTOCOL))


def read_digest(path: str) -> bytes:
    with open(path, "rb") as fh:
        return hashlib.sha1(fh.read()).digest()


class FileFacts:
    """What `make(path)` says of each file under one folder (bytes), known by its stat
    (saved at `path`): read again only when the stat moved."""

    def __init__(self, path: str | None, make, version: str = ""):
        """`version`: what else the facts depend on (the code that makes them)."""
        self.path, self.make, self.version = path, make, version
        saved = load(path)
        fits = saved and saved.get("version", "") == version
        self.known: dict[str, bytes] = saved["files"] if fits else {}  # rel -> stamp + facts
        self.seen: dict[str, bytes] = {}
        self.taken_ns = now_ns()  # before any stat: the racy rule errs on the safe side

    def of(self, rel: str, path: str) -> bytes:
        st = os.stat(path)
        stamp = _stamp(st)
        entry = self.known.get(rel)
        if entry is not None and entry.startswith(stamp):
            self.seen[rel] = entry
            return entry[STAMP.size:]
        facts = self.make(path)
        if _settled(st, self.taken_ns):  # else read again next time
            self.seen[rel] = stamp + facts
        return facts

    def save(self) -> None:
        """Keep what this walk saw (files since removed are dropped), if it differs."""
        if self.path and self.seen != self.known:
            save(self.path, files=self.seen, version=self.version)


def file_digests(path: str | None) -> FileFacts:
    """sha1 of each file's bytes. (`read_digest` is looked up at each read: tests count them.)"""
    return FileFacts(path, lambda file: read_digest(file))


def _names(path: str) -> tuple[bytes, list[str]]:
    """A digest of a folder's entries (folders end in /), and its sub-folders to enter
    (a link to a folder is named, not entered)."""
    names, enter = [], []
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            names.append(entry.name + "/" if is_dir else entry.name)
            if is_dir and not entry.is_symlink():
                enter.append(entry.name)
    names.sort()
    return hashlib.sha1("\0".join(names).encode("utf-8", "surrogateescape")).digest(), enter


def listing(folder: str) -> dict[str, bytes]:
    """Every folder under `folder` and itself (""): its stat (none when racy) then its
    names' digest. Empty when `folder` is missing."""
    taken, found, todo = now_ns(), {}, [""]
    while todo:
        rel = todo.pop()
        path = os.path.join(folder, rel) if rel else folder
        try:
            st = os.stat(path)
            names, enter = _names(path)
        except OSError:
            continue
        found[rel] = (_stamp(st) if _settled(st, taken) else b"") + names
        todo += [os.path.join(rel, name) for name in enter]
    return found


def same_listing(folder: str, recorded: dict[str, bytes]) -> tuple[bool, bool]:
    """(whether `folder` holds exactly the entries `recorded` (a `listing`) names, whether
    `recorded` was brought up to date: a folder listed again because its stat was racy or
    had moved, with the same names, is known by its stat now when that has settled)."""
    if not recorded:
        return False, False
    taken, refreshed, prefix = now_ns(), False, os.path.join(folder, "")
    for rel, entry in recorded.items():
        path = prefix + rel  # not os.path.join: 185,000 folders at 100,000 posts
        try:
            st = os.stat(path)
            stamp = _stamp(st)
            if entry[:-NAMES] == stamp:  # the same inode: still this folder, these names
                continue
            names = _names(path)[0]  # a file where the folder was: NotADirectoryError
        except OSError:
            return False, False
        if names != entry[-NAMES:]:
            return False, False
        if _settled(st, taken):
            recorded[rel], refreshed = stamp + names, True
    return True, refreshed
