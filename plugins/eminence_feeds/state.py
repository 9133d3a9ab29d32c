"""What the pull remembers: the ledger of entries, per-feed health, and the lock.

The ledger (`content/_pull/ledger.json`, committed) maps every entry ever seen to
the file it became and the hash of the bytes the puller wrote. That is how a
re-pull knows an editor edited a file (hash differs: never overwrite) or deleted
it (file gone: never re-create).

Crash safety: before a feed's post files are written, an intent line for each is
appended to `journal.jsonl` (one write per feed); the files are then written
atomically. The ledger itself is rewritten (atomically) once at the end of a
complete pull and the journal removed. A pull killed or failing at any moment
leaves complete files only, and the next pull replays the journal against what is
actually on disk, so it continues without duplicates.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass, field

LEDGER = "ledger.json"
JOURNAL = "journal.jsonl"
HEALTH = "health.json"
LOCK = ".lock"


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


def remove_stale_temp_files(folder: str) -> int:
    """Temp files left by a pull that was killed mid-write (never complete posts)."""
    removed = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            if name.startswith(".") and name.endswith(".eminence-tmp"):
                os.unlink(os.path.join(dirpath, name))
                removed += 1
    return removed


def dump_json(items: dict, head: dict | None = None, name: str = "") -> bytes:
    """A committed JSON file with one item per line, sorted, so a pull's diff shows
    one line per changed entry or feed. `head` holds top-level fields; the items
    go under `name` (or are the whole object when name is empty).

    Each line comes from json's C encoder: indent= would switch to its Python
    encoder, which took ~0.5 s for a 20,000-entry ledger."""
    lines = ",\n".join(f"{json.dumps(key, ensure_ascii=False)}: "
                        f"{json.dumps(value, sort_keys=True, ensure_ascii=False)}"
                        for key, value in sorted(items.items()))
    body = "{\n" + lines + "\n}" if lines else "{}"
    if name:
        fields = "".join(f"{json.dumps(k)}: {json.dumps(v)}, " for k, v in (head or {}).items())
        body = "{" + fields + json.dumps(name) + ": " + body + "}"
    return (body + "\n").encode()


@dataclass
class Record:
    expert: str
    file: str | None  # relative to content/; None for entries never written
    state: str  # active | backlog | deleted | rejected (the last three are never written again)
    written: str | None = None  # sha256 of the bytes the puller last wrote
    content: str | None = None  # content hash of the entry when last written
    upstream: str | None = None  # content hash last seen upstream
    url: str | None = None  # normalised permalink
    feed: str | None = None
    first_seen: str | None = None
    date: str | None = None  # the post date the puller chose (stable across pulls)
    note: str | None = None  # e.g. why an editor rejected it


@dataclass
class Ledger:
    folder: str
    records: dict[str, Record] = field(default_factory=dict)
    by_url: dict[str, str] = field(default_factory=dict)
    by_content: dict[tuple[str, str], str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # file -> key
    dirty: bool = False  # changed since loaded: save() has work to do
    _journal: object = None
    _pending: list[str] = field(default_factory=list)  # journal lines not yet written

    @classmethod
    def load(cls, folder: str) -> Ledger:
        ledger = cls(folder)
        path = os.path.join(folder, LEDGER)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            for key, rec in data.get("entries", {}).items():
                ledger._index(key, Record(**rec))
        return ledger

    def _index(self, key: str, rec: Record) -> None:
        old = self.records.get(key)
        if old and old.file and self.files.get(old.file) == key and old.file != rec.file:
            del self.files[old.file]
        self.records[key] = rec
        if rec.url:
            self.by_url[rec.url] = key
        if rec.content:
            self.by_content[(rec.expert, rec.content)] = key
        if rec.file:
            self.files[rec.file] = key

    def find(self, expert: str, key: str, url: str | None, content: str,
             legacy: str | None = None) -> str | None:
        """The ledger key this entry already has: same id, same permalink, or same content
        (by its content hash, or the hash an older ledger knows it by)."""
        full = f"{expert}|{key}"
        if full in self.records:
            return full
        if url and url in self.by_url:
            return self.by_url[url]
        found = self.by_content.get((expert, content))
        return found if found or not legacy else self.by_content.get((expert, legacy))

    def replay_journal(self, content_path: str) -> int:
        """Apply intents from an interrupted pull whose files did reach the disk."""
        path = os.path.join(self.folder, JOURNAL)
        if not os.path.exists(path):
            return 0
        applied = 0
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by the kill
                rec = Record(**item["record"])
                on_disk = file_hash(os.path.join(content_path, rec.file)) if rec.file else None
                if rec.file is None or on_disk == rec.written:
                    self._index(item["key"], rec)
                    applied += 1
        return applied

    def record(self, key: str, rec: Record, journal: bool = True) -> None:
        """Index rec now; with journal, its intent line waits for flush_journal(), which
        must come before the file it names is written."""
        if journal:
            self._pending.append(json.dumps({"key": key, "record": vars(rec)}) + "\n")
        self._index(key, rec)
        self.dirty = True

    def flush_journal(self) -> None:
        if not self._pending:
            return
        if self._journal is None:
            os.makedirs(self.folder, exist_ok=True)
            self._journal = open(os.path.join(self.folder, JOURNAL), "a", encoding="utf-8")  # noqa: SIM115
        self._journal.write("".join(self._pending))
        self._journal.flush()  # in the kernel: survives the process being killed
        self._pending.clear()

    def save(self) -> None:
        self._pending.clear()  # the ledger itself now holds what they said
        data = dump_json({k: vars(r) for k, r in self.records.items()}, {"version": 1}, "entries")
        atomic_write(os.path.join(self.folder, LEDGER), data, durable=True)
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self.folder, JOURNAL))

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None


class Health(dict):
    """Per-feed health, keyed by feed URL (`content/_pull/health.json`, committed)."""

    @classmethod
    def load(cls, folder: str) -> Health:
        path = os.path.join(folder, HEALTH)
        health = cls()
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                health.update(json.load(fh))
        return health

    def save(self, folder: str) -> None:
        atomic_write(os.path.join(folder, HEALTH), dump_json(dict(self)), durable=True)


class PullLocked(Exception):
    pass


@contextlib.contextmanager
def pull_lock(folder: str):
    """One pull at a time; a second one refuses at once with who holds the lock."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, LOCK)
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise PullLocked(f"another pull is running ({holder}); wait for it to finish. "
                             "(The lock is released automatically when that process ends.)") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        yield
    finally:
        fh.close()
