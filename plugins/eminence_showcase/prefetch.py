"""Reading a cold build's posts on every core before Pelican reads them one by one.

Before Pelican's article generator reads its files, the files the read cache
(eminence_model.reading) lacks are read in a pool of forked worker processes,
one per core (EMINENCE_WORKERS). Pelican then reads as usual and finds each
result in the cache, so the content objects, signals and validation are exactly
those of a serial build. A file that fails in a worker is simply read again by
Pelican, which reports the error as it always does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os

from eminence_model.reading import cache_for, dumps
from eminence_model.store import worker_started

from .parallel import can_fork, worker_count

logger = logging.getLogger(__name__)

_WORK: dict = {}  # set in the parent before forking; the workers inherit it


def _read_in_worker(path: str):
    reader = _WORK["readers"][os.path.splitext(path)[1][1:]]
    try:
        return path, dumps(reader.read_uncached(path), reader.settings)
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
        if ext in readers and getattr(readers[ext], "_eminence_cached", False):
            stamp = cache.stamp(path)
            if not cache.has(path, stamp):
                todo.append((path, stamp))
    if not can_fork(settings, len(todo)):
        return
    n = worker_count(settings)
    _WORK["readers"] = readers
    stamps = dict(todo)
    try:
        with multiprocessing.get_context("fork").Pool(n, initializer=worker_started,
                                                      initargs=(os.getpid(),)) as pool:
            for path, data in pool.imap_unordered(_read_in_worker, list(stamps),
                                                  chunksize=max(1, len(todo) // (n * 8))):
                if data is not None:
                    cache.add_pickled(path, stamps[path], data)
    finally:
        _WORK.clear()
    logger.info("Read %d files on %d cores", cache.parallel, n)
