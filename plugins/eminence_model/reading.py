"""Reading content files through Pelican's readers, with a cache that outlives a run.

Converting Markdown is most of the cost of reading content (about 2 ms a post),
and the pull, the desk and every build read the same files again. `ReadCache`
(CACHE_PATH/eminence-read-*.pickle) keeps what a reader returned for a file, its
HTML and metadata, keyed by the file's bytes and a digest of the settings and
code that shape reading. Unlike Pelican's CACHE_CONTENT (modification times
only), editing MARKDOWN settings, a plugin or a library version invalidates it.

What a reader returns is sanitized here, once per file (sanitize.clean_read): a
cache hit is already clean. The cache reaches Pelican as reader *classes* (`use_cache`, connected to
Pelican's `readers_init` by the showcase plugin, and called directly by
`caching_readers` for tools that read without a build). Each keeps its base
class's name, so Pelican's `reader` metadata is unchanged. Markdown is read with one Markdown
instance per reader (markdown_reader.py).

Everything a reader returns is cached. Pelican's own metadata objects (Tag, Category,
Author) and any a plugin adds keep a reference to the settings; the settings are
not stored with them but referred to (`dumps`/`loads`), and a cached result comes back
holding this run's settings. A result that still cannot be stored (an object holding
a lock, say) is read again at every build and said so, once per build, with the file
and the reason: a cache that silently misses is a slow build nobody can explain.

State: one `ReadingState` per run, under the settings key `_EMINENCE_READING`
(settings are the one object every Pelican generator and every tool shares):
the open cache while reading, then the last cache's counters for reports.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import pickle
import threading
from dataclasses import dataclass

from pelican.readers import BaseReader, Readers

from . import markdown_reader
from .digest import code_digest, settings_digest
from .sanitize import clean_read
from .settings import setting

# Settings that change where and how pages are written, not what a reader returns.
# (Where things are, PATH, OUTPUT_PATH, CACHE_PATH, THEME..., is left out of every settings
# digest: digest.LOCATIONS.)
NOT_READING = ("SITEURL", "EMINENCE_PREVIEW", "EMINENCE_SEARCH",
               "EMINENCE_INCREMENTAL", "EMINENCE_WORKERS", "EMINENCE_PARALLEL_MIN",
               "EMINENCE_FATAL_WARNINGS")
STATE_KEY = "_EMINENCE_READING"
SETTINGS_REF = "settings"  # what a stored result holds in place of the settings
logger = logging.getLogger(__name__)


def dumps(result, settings: dict) -> bytes:
    """A reader's result, pickled with the settings referred to, never copied."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: SETTINGS_REF if obj is settings else None
    pickler.dump(result)
    return buffer.getvalue()


def loads(data: bytes, settings: dict):
    """A stored result, holding `settings` wherever the read one held its settings."""
    unpickler = pickle.Unpickler(io.BytesIO(data))

    def persistent_load(ref):
        if ref != SETTINGS_REF:
            raise pickle.UnpicklingError(f"unknown reference {ref!r}")
        return settings

    unpickler.persistent_load = persistent_load
    return unpickler.load()


class ReadCache:
    VERSION = 3  # 2: results pickled with the settings as a reference; 3: relative keys

    def __init__(self, settings: dict):
        self.settings = settings
        self.enabled = setting(settings, "EMINENCE_READ_CACHE")
        self.digest = hashlib.sha1(
            f"{settings_digest(settings, NOT_READING)}|{code_digest(settings)}".encode()).hexdigest()
        self.path = os.path.join(settings.get("CACHE_PATH", "cache"),
                                 f"eminence-read-{self.digest[:12]}.pickle")
        # Keyed by the path relative to the content folder: a clone elsewhere with this
        # cache restored finds its entries (the settings digest leaves locations out).
        self.root = os.path.join(os.path.abspath(settings.get("PATH", ".")), "")
        self.entries: dict[str, tuple[str, bytes]] = {}  # key -> (file sha1, pickled result)
        self.hits = self.misses = self.parallel = 0
        self.uncacheable: dict[str, str] = {}  # path -> why it is read again at every build
        self._used: set[str] = set()
        self._stamps: dict[str, str] = {}
        self._dirty = False
        if self.enabled:
            try:
                with open(self.path, "rb") as fh:
                    data = pickle.load(fh)
                if data.get("version") == self.VERSION:
                    self.entries = data["entries"]
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, TypeError):
                self.entries = {}

    def stamp(self, path: str) -> str:
        """The file's sha1, once per build: prefetch and the read ask for the same files."""
        stamp = self._stamps.get(path)
        if stamp is None:
            with open(path, "rb") as fh:
                stamp = self._stamps[path] = hashlib.sha1(fh.read()).hexdigest()
        return stamp

    def key(self, path: str) -> str:
        """The entry's key for an absolute path: relative to the content folder."""
        return path[len(self.root):] if path.startswith(self.root) else path

    def has(self, path: str, stamp: str) -> bool:
        return self.entries.get(self.key(path), ("",))[0] == stamp

    def get(self, path: str, stamp: str):
        entry = self.entries.get(self.key(path))
        if entry and entry[0] == stamp:
            try:
                return loads(entry[1], self.settings)
            except Exception:  # an entry an older library cannot load: read again
                return None
        return None

    def put(self, path: str, stamp: str, result) -> None:
        try:
            self.entries[self.key(path)] = (stamp, dumps(result, self.settings))
            self._dirty = True
        except Exception as exc:  # noqa: BLE001 - whatever pickle raises, the file is read again
            self.entries.pop(self.key(path), None)
            self.uncacheable[path] = why = f"{exc.__class__.__name__}: {exc}"[:200]
            logger.warning("read cache: %s is read again at every build: what its reader "
                           "returned cannot be stored (%s)", os.path.relpath(path), why)

    def add_pickled(self, path: str, stamp: str, data: bytes) -> None:
        """A result read in another process, already pickled (prefetch)."""
        self.entries[self.key(path)] = (stamp, data)
        self._dirty = True
        self.parallel += 1

    def read(self, reader_read, path: str):
        """The reader's read(), through the cache."""
        if not self.enabled:
            return reader_read(path)
        path = os.path.abspath(path)
        self._used.add(self.key(path))
        stamp = self.stamp(path)
        cached = self.get(path, stamp)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        result = reader_read(path)
        self.put(path, stamp, result)
        return result

    def save(self, prune: bool = True) -> None:
        """Keep the entries of files read by this build (deleted files drop out), or with
        `prune` False (a reader that read only the files that changed: reread.py) all."""
        if not self.enabled:
            return
        stale = set(self.entries) - self._used if prune else set()
        if not self._dirty and not stale:
            return
        for path in stale:
            del self.entries[path]
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        # Per process and thread: the desk's reads and its preview builds share the cache.
        tmp = f"{self.path}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump({"version": self.VERSION, "entries": self.entries}, fh, pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)

    def release(self) -> None:
        """Reading is over: free the pickled copies (~8 KB a post) before rendering."""
        self.entries = {}


@dataclass
class ReadingState:
    cache: ReadCache | None = None  # open while a run reads
    last: ReadCache | None = None  # the last finished cache: its counters


def _state(settings: dict) -> ReadingState:
    state = settings.get(STATE_KEY)
    if state is None:
        state = settings[STATE_KEY] = ReadingState()
    return state


def cache_for(settings: dict) -> ReadCache:
    state = _state(settings)
    if state.cache is None:
        state.cache = ReadCache(settings)
    return state.cache


def last_read(settings: dict) -> ReadCache | None:
    """The cache of the last finished reading (hits, misses, parallel reads)."""
    return _state(settings).last


def start(settings: dict) -> None:
    """A new run: forget any cache left open by a run that reused these settings."""
    _state(settings).cache = None


def finish(settings: dict, prune: bool = True) -> None:
    """Reading is over: save the cache and free it (the next read loads it again). `prune`:
    entries of files this run did not read are dropped (they were deleted)."""
    state = _state(settings)
    cache, state.cache = state.cache, None
    if cache is not None:
        cache.save(prune)
        cache.release()
        state.last = cache


@functools.cache
def cached_class(cls: type) -> type:
    """`cls` reading through the run's ReadCache; `read_uncached` bypasses it. Either
    way what comes out is sanitized (sanitize.clean_read), so the cache holds clean
    HTML."""

    def read(self, source_path):
        return cache_for(self.settings).read(self.read_uncached, source_path)

    base_read = markdown_reader.read if markdown_reader.reuses_markdown(cls) else cls.read

    def read_uncached(self, source_path):
        content, metadata = base_read(self, source_path)
        return clean_read(content, metadata, self.settings)

    return type(cls.__name__, (cls,), {"read": read, "read_uncached": read_uncached,
                                       "__qualname__": cls.__qualname__, "_eminence_cached": True})


def use_cache(readers: Readers) -> None:
    """Pelican's readers_init: read every enabled format through the cache."""
    for ext, cls in list(readers.reader_classes.items()):
        if cls and cls is not BaseReader and not getattr(cls, "_eminence_cached", False):
            readers.reader_classes[ext] = cached_class(cls)


def caching_readers(settings: dict) -> Readers:
    """Pelican's Readers reading through the cache, for tools that read without a build."""
    readers = Readers(settings)
    use_cache(readers)
    readers.readers = {ext: cls(readers.settings) for ext, cls in readers.reader_classes.items() if cls}
    return readers
