"""Using every core: forked workers for reading Markdown and for rendering pages.

Rendering is shared by forking in the middle of a generator's output loop: every
process then walks the same, deterministic sequence of writes, and each renders
only the writes whose position k satisfies ``k % n == index``. The children
report what they wrote (the OutputWriter's bookkeeping) through a pipe and exit;
the parent merges it. Content, templates and signals are the serial build's own,
which is why the output is byte-identical (tests/test_incremental.py). One
difference a plugin could notice: Pelican sends `content_written` for every page
in every process, so in the parent a page a child renders may not be on disk yet.

Forking is only done when the process runs no other thread: a fork copies one
thread only, and a lock another thread held would never be released.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import traceback

from eminence_model.settings import setting
from eminence_model.store import worker_started


def worker_count(settings: dict) -> int:
    wanted = setting(settings, "EMINENCE_WORKERS")
    if wanted is None:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, int(wanted or 1))


def may_fork(settings: dict) -> bool:
    """More than one worker wanted, and forking is safe: no other thread runs."""
    return (worker_count(settings) > 1 and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def can_fork(settings: dict, jobs: int) -> bool:
    return jobs >= setting(settings, "EMINENCE_PARALLEL_MIN") and may_fork(settings)


class Share:
    """One forked share of a sequence of writes. Use `mine()` before each write."""

    def __init__(self, n: int):
        self.n, self.index, self.position = n, 0, -1
        self.children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
        self._pipe = -1
        parent = os.getpid()
        for index in range(1, n):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: keep its own write end only, and none of the parent's locks
                worker_started(parent)
                os.close(read)
                for _, fd in self.children:
                    os.close(fd)
                self.children, self.index, self._pipe = [], index, write
                return
            os.close(write)
            self.children.append((pid, read))

    @property
    def is_child(self) -> bool:
        return self.index != 0

    def mine(self) -> bool:
        self.position += 1
        return self.position % self.n == self.index

    def exit_child(self, report: dict | None, error: BaseException | None = None) -> None:
        """In a child: send the report (or the error) to the parent, and exit."""
        message = {"report": report}
        if error:
            message = {"error": "".join(traceback.format_exception(error))}
            if isinstance(error, OSError):
                # Raised again in the parent as itself: a failed write must say what it
                # left behind as it does without workers (tasks.py's `writes`).
                message["oserror"] = (type(error), error.errno, error.strerror, error.filename)
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        try:
            with os.fdopen(self._pipe, "wb") as fh:
                fh.write(data)
        finally:
            os._exit(1 if error else 0)

    def collect(self) -> list[dict]:
        """In the parent: every child's report; raises if a child failed."""
        reports, errors, oserrors = [], [], []
        for pid, fd in self.children:
            with os.fdopen(fd, "rb") as fh:
                data = fh.read()
            _, status = os.waitpid(pid, 0)
            message = pickle.loads(data) if data else {"error": f"worker exited with status {status}"}
            if "error" in message:
                errors.append(message["error"])
                if "oserror" in message:
                    oserrors.append(message["oserror"])
            else:
                reports.append(message["report"])
        self.children = []
        if oserrors:
            kind, errno, strerror, filename = oserrors[0]
            error = kind(errno, strerror, filename) if errno is not None else kind(strerror)
            error.add_note("Raised in a worker process:\n" + "\n".join(errors))
            raise error
        if errors:
            raise RuntimeError("A worker process failed:\n" + "\n".join(errors))
        return reports
