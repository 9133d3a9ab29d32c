"""The content store's files: how every stage reads and writes content/.

The Markdown in content/ is the contract between the stages (pull, desk, build),
so the primitives for touching it live here, below all of them:

- `atomic_write`: readers see the old file or the new one, never a part; a
  killed process leaves at most a temp file, never a truncated post.
- `header_field`: a metadata line's value as the editor wrote it.
- `STATE_DIR` (`content/_pull/`): the pull's committed memory (ledger, health)
  and its lock, which the desk takes too before it edits the ledger.
- `pull_lock`: one writer of that memory at a time; a second refuses at once
  (`exclusive` is the lock itself; the build's output lock uses it too).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os

from .refusals import Refusal

STATE_DIR = "_pull"  # under content/
LOCK = ".lock"


def state_dir(content_path: str) -> str:
    return os.path.join(content_path, STATE_DIR)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return sha256_bytes(fh.read())
    except FileNotFoundError:
        return None


def _create(tmp: str) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL  # O_EXCL: never follows a planted link
    try:
        return os.open(tmp, flags, 0o644)
    except FileExistsError:
        os.unlink(tmp)  # left by a killed process that had our pid
    except FileNotFoundError:
        os.makedirs(os.path.dirname(tmp), exist_ok=True)  # a new folder: made on demand
    return os.open(tmp, flags, 0o644)


def atomic_write(path: str, data: bytes, durable: bool = False) -> None:
    """Write to a temp file in the same folder, then rename it over `path`.

    Readers see the old file or the new one, never a part; a killed process
    leaves only a temp file (removed by the next pull). `durable` adds an fsync,
    which only matters for power loss: used for the ledger and health, not for
    every post (posts are in git; the ledger is what must not go back in time)."""
    try:
        _write_replace(path, data, durable)
    except OSError as error:
        if error.filename == path:
            raise
        # The temp file's name, or none at all (os.write): the editor needs the file meant.
        raise OSError(error.errno, error.strerror, path) from error


def _write_replace(path: str, data: bytes, durable: bool) -> None:
    folder = os.path.dirname(path) or "."
    # One temp name per target and process: a pull writes tens of thousands of
    # files, and drawing random names (tempfile) was a visible part of its cost.
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.eminence-tmp")
    fd = _create(tmp)
    try:
        # The bare descriptor: a file object would add three system calls per post
        # (fstat, the isatty ioctl, lseek) to the four a write takes.
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def remove_stale_temp_files(folder: str, hidden_only: bool = True) -> int:
    """Temp files left by a pull (hidden ones, in content/) or a build (in its output)
    killed mid-write: never complete files, and never another live writer's (the pull
    lock or the build lock is held when this runs)."""
    removed = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".eminence-tmp") and (name.startswith(".") or not hidden_only):
                os.unlink(os.path.join(dirpath, name))
                removed += 1
    return removed


def header_field(path: str, field: str) -> str | None:
    """A metadata field's value as written in a file's header, or None."""
    prefix = field.lower() + ":"
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                break
            if line.lower().startswith(prefix):
                return line.split(":", 1)[1].strip()
    return None


class Locked(Refusal):
    """Another process holds the lock; the message names it and what to do."""


class PullLocked(Locked):
    pass


@contextlib.contextmanager
def exclusive(path: str, refusal, wait: bool = False):
    """Hold an exclusive lock on `path` (created if needed) for the block, writing our
    pid in it. Taken: raise refusal(holder) at once, or with `wait`, wait for it. The
    kernel releases it when the holder ends, however it ends."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            fh.seek(0)
            raise refusal(fh.read().strip() or "another process") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        _HELD.add(fh.fileno())
        yield
    finally:
        _HELD.discard(fh.fileno())
        fh.close()


# The lock files this process holds open. A forked worker shares them (flock belongs to
# the open file, not the process): killed with kill -9, a pull's parser workers kept
# "another pull is running" true for minutes. Workers drop them at once (worker_started).
_HELD: set[int] = set()


def worker_started(parent: int | None = None) -> None:
    """In a forked worker: let go of the parent's locks (their descriptors now point at
    /dev/null, so nothing else changes for the worker) and, on Linux, die with the
    parent instead of running on as an orphan. `parent`: the pid that forked us; if it
    died before this ran (the death signal cannot be asked for after the fact), exit."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in list(_HELD):
            with contextlib.suppress(OSError):
                os.dup2(null, fd)
    finally:
        os.close(null)
    _HELD.clear()
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # orphaned already: the work is nobody's now


def pull_lock(folder: str):
    """One pull at a time (the desk takes it too before editing the ledger)."""
    return exclusive(os.path.join(folder, LOCK), lambda holder: PullLocked(
        f"another pull is running ({holder}); wait for it to finish. "
        "(The lock is released automatically when that process ends.)"))
