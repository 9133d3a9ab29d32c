"""Reading content fast: a reader cache, and Markdown converted on every core.

Converting Markdown is most of a cold build's reading time (about 2 ms a post).
Two things cut it:

- **A reader cache** (CACHE_PATH/eminence-read-*.pickle) keeps what a reader
  returned for a file — its HTML and metadata — keyed by the file's bytes and a
  digest of the settings and code that shape reading. Unlike Pelican's
  CACHE_CONTENT (file modification time only), editing MARKDOWN settings, a
  plugin or a library version invalidates it.
- **Parallel reading**: before Pelican reads the articles one by one, the files
  the cache does not have are read in a pool of forked worker processes, one per
  core (EMINENCE_WORKERS). Pelican then reads as usual and finds each
  result in the cache, so the content objects, signals and validation are
  exactly those of a serial build. A file that fails in a worker is simply read
  again by Pelican, which reports the error as it always does.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import pickle

from .incremental import code_digest, settings_digest
from .parallel import can_fork, worker_count

logger = logging.getLogger(__name__)

# Settings that change where and how pages are written, not what a reader returns.
NOT_READING = ("OUTPUT_PATH", "CACHE_PATH", "SITEURL", "THEME", "EMINENCE_PREVIEW", "EMINENCE_SEARCH",
               "EMINENCE_INCREMENTAL", "EMINENCE_WORKERS", "EMINENCE_PARALLEL_MIN",
               "EMINENCE_FATAL_WARNINGS")


class ReadCache:
    VERSION = 1

    def __init__(self, settings: dict):
        self.enabled = settings.get("EMINENCE_READ_CACHE", True)
        self.digest = hashlib.sha1(
            f"{settings_digest(settings, NOT_READING)}|{code_digest(settings)}".encode()).hexdigest()
        self.path = os.path.join(settings.get("CACHE_PATH", "cache"),
                                 f"eminence-read-{self.digest[:12]}.pickle")
        self.entries: dict[str, tuple[str, bytes]] = {}  # path -> (file sha1, pickled result)
        self.hits = self.misses = self.parallel = 0
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

    def get(self, path: str, stamp: str):
        entry = self.entries.get(path)
        if entry and entry[0] == stamp:
            try:
                return pickle.loads(entry[1])
            except Exception:  # an entry an older library cannot load: read again
                return None
        return None

    def put(self, path: str, stamp: str, result) -> None:
        try:
            self.entries[path] = (stamp, pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
            self._dirty = True
        except Exception:  # metadata that cannot be pickled: not cached, read each time
            self.entries.pop(path, None)

    def read(self, reader_read, path: str):
        """The reader's read(), through the cache."""
        if not self.enabled:
            return reader_read(path)
        path = os.path.abspath(path)
        self._used.add(path)
        stamp = self.stamp(path)
        cached = self.get(path, stamp)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        result = reader_read(path)
        self.put(path, stamp, result)
        return result

    def save(self) -> None:
        """Keep the entries of files read by this build (deleted files drop out)."""
        if not self.enabled:
            return
        stale = set(self.entries) - self._used
        if not self._dirty and not stale:
            return
        for path in stale:
            del self.entries[path]
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        tmp = self.path + ".tmp"
        with open(tmp, "wb") as fh:
            pickle.dump({"version": self.VERSION, "entries": self.entries}, fh, pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)

    def release(self) -> None:
        """Reading is over: free the pickled copies (~8 KB a post) before rendering."""
        self.entries = {}


def cache_for(settings: dict) -> ReadCache:
    cache = settings.get("_EMINENCE_READ_CACHE")
    if cache is None:
        cache = settings["_EMINENCE_READ_CACHE"] = ReadCache(settings)
    return cache


def finish(settings: dict) -> None:
    """Reading is over: save the cache and free it (the next read loads it again)."""
    cache = settings.pop("_EMINENCE_READ_CACHE", None)
    if cache is not None:
        cache.save()
        cache.release()
        settings["_EMINENCE_LAST_READ"] = cache  # its counters, for reports and tests


def install(generator) -> None:
    """Route the generator's readers through the cache."""
    install_readers(generator.readers, generator.settings)


def install_readers(readers, settings: dict) -> None:
    """Route a Pelican Readers' readers through the cache (an instance attribute, so
    each reader keeps its class and Pelican's `reader` metadata stays the same)."""
    cache = cache_for(settings)
    for reader in readers.readers.values():
        if not getattr(reader.read, "_eminence_cached", False):
            original = reader.read

            def read(path, _original=original):
                return cache.read(_original, path)

            read._eminence_cached = True
            read._eminence_original = original
            reader.read = read


# -- parallel reading ---------------------------------------------------------

_WORK: dict = {}  # set in the parent before forking; the workers inherit it


def _read_in_worker(path: str):
    reader = _WORK["readers"][os.path.splitext(path)[1][1:]]
    try:
        return path, pickle.dumps(reader.read._eminence_original(path), pickle.HIGHEST_PROTOCOL)
    except Exception:  # Pelican reads it again and reports the problem its usual way
        return path, None


def prefetch(generator, paths_setting: str = "ARTICLE_PATHS", excludes_setting: str = "ARTICLE_EXCLUDES"):
    """Read, on all cores, the files of this generator that the cache lacks."""
    settings = generator.settings
    cache = cache_for(settings)
    if not cache.enabled:
        return
    readers = generator.readers.readers
    todo = []
    for rel in generator.get_files(settings[paths_setting], exclude=settings[excludes_setting]):
        path = os.path.abspath(os.path.join(generator.path, rel))
        ext = os.path.splitext(path)[1][1:]
        if ext in readers and getattr(readers[ext].read, "_eminence_cached", False):
            stamp = cache.stamp(path)
            if cache.entries.get(path, ("",))[0] != stamp:
                todo.append((path, stamp))
    if not can_fork(settings, len(todo)):
        return
    n = worker_count(settings)
    _WORK["readers"] = readers
    stamps = dict(todo)
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            for path, data in pool.imap_unordered(_read_in_worker, list(stamps),
                                                  chunksize=max(1, len(todo) // (n * 8))):
                if data is not None:
                    cache.entries[path] = (stamps[path], data)
                    cache._dirty = True
                    cache.parallel += 1
    finally:
        _WORK.clear()
    logger.info("Read %d files on %d cores", cache.parallel, n)
