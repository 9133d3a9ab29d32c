"""What the pull remembers: the ledger of entries and per-feed health (the lock that
guards them is the content store's: eminence_model.store.pull_lock).

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
import json
import os
from dataclasses import dataclass, field
from enum import StrEnum

from eminence_model.store import atomic_write, file_hash

LEDGER = "ledger.json"
JOURNAL = "journal.jsonl"
HEALTH = "health.json"


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


class RecordState(StrEnum):
    """What became of an entry the pull has seen (the last three are never written again)."""

    ACTIVE = "active"  # written to content/; kept up to date until an editor edits it
    BACKLOG = "backlog"  # beyond a limit (a new expert's, a feed's per pull): never offered
    DELETED = "deleted"  # an editor deleted its file
    REJECTED = "rejected"  # an editor rejected it


_STATES = {s.value: s for s in RecordState}  # a dict lookup: ledgers hold 100,000s of records


@dataclass
class Record:
    expert: str
    file: str | None  # relative to content/; None for entries never written
    state: RecordState
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
                rec["state"] = _STATES.get(rec["state"], rec["state"])
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
             legacy: str | None = None, feed: str | None = None) -> str | None:
        """The ledger key this entry already has: same id, same permalink, or same content
        (by its content hash, or the hash an older ledger knows it by).

        Given its `feed` (posts), an entry with an id never takes the record of another
        id of the same feed by permalink: within one feed ids are authoritative (a link
        blog's posts and a microblog's statuses share permalinks but are distinct
        posts); across feeds the permalink is what two entries can have in common.
        Watch entries give no feed: their permalink is the endorsement's Source, and
        one Source is one candidate."""
        full = f"{expert}|{key}"
        if full in self.records:
            return full
        if url and url in self.by_url:
            found = self.by_url[url]
            found_key = found.partition("|")[2]
            other_id_here = (feed is not None and key.startswith("id:") and found_key.startswith("id:")
                             and found_key != key and self.records[found].feed == feed)
            if not other_id_here:
                return found
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


# What health.json (committed) keeps of a feed: what the content and the editors depend
# on, which changes only when something happened (a new post, a move, a 410, a failure
# long enough to act on). Everything that changes merely because time passed or because
# a server regenerated its feed (attempt times, validators, body hashes, statuses,
# short failures) is an observation kept in the pull's cache folder, so a pull with
# nothing new leaves content/ byte-identical.
COMMITTED = ("expert", "newest_entry", "last_new_entry", "moved_to", "gone")
ACTIONABLE_FAILURE = ("failing_since", "error")
# Observations that describe what the ledger already holds: valid only with the ledger
# they were recorded against (see Health.load).
VALIDATORS = ("etag", "last_modified", "body_hash")
OBSERVED = "observed.json"


def ledger_digest(folder: str) -> str | None:
    return file_hash(os.path.join(folder, LEDGER))


class Health(dict):
    """Per-feed health, keyed by feed URL: the committed record (`content/_pull/health.json`)
    merged with the pull's observations (`<CACHE_PATH>/pull/observed.json`, not committed)."""

    @classmethod
    def load(cls, folder: str, cache: str | None = None, decides: str | None = None) -> Health:
        health = cls()
        path = os.path.join(folder, HEALTH)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                health.update(json.load(fh))
        observed = _read_json(os.path.join(cache, OBSERVED)) if cache else {}
        # Validators recorded against another ledger (a pull request not merged yet, a
        # post rejected since) could answer "304, nothing new" for entries this ledger
        # never got: drop them, and fetch and compare those feeds in full once.
        # So could validators recorded under other deciding settings (brand terms, topic
        # keywords...: settings.deciding_digest): those entries were judged by other rules.
        # Only the pull says which rules it runs under; a reader of health (None) keeps them.
        same = (observed.get("ledger") == ledger_digest(folder)
                and (decides is None or observed.get("decides") == decides))
        for url, seen in observed.get("feeds", {}).items():
            record = health.setdefault(url, {})
            for key, value in seen.items():
                if same or key not in VALIDATORS:
                    record.setdefault(key, value)  # the committed, reviewed record wins
        return health

    def save(self, folder: str, cache: str | None, failing_cutoff: str, decides: str | None = None) -> None:
        """Split each record: the committed part to health.json (only rewritten when its
        bytes change), the rest to the cache. A failure joins the committed part once
        it began before failing_cutoff (an ISO time): then it needs an editor."""
        committed, observed = {}, {}
        for url, h in self.items():
            keep = [k for k in COMMITTED if k in h]
            if h.get("failing_since") and h["failing_since"] <= failing_cutoff:
                keep += [k for k in ACTIONABLE_FAILURE if k in h]
            committed[url] = {k: h[k] for k in keep}
            observed[url] = {k: v for k, v in h.items() if k not in keep}
        _write_if_changed(os.path.join(folder, HEALTH), dump_json(committed))
        if cache:
            os.makedirs(cache, exist_ok=True)
            data = dump_json(observed, {"ledger": ledger_digest(folder), "decides": decides}, "feeds")
            atomic_write(os.path.join(cache, OBSERVED), data)


def _read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):  # a cache: lost or damaged, it is rebuilt by the next pull
        return {}


def _write_if_changed(path: str, data: bytes) -> None:
    with contextlib.suppress(OSError), open(path, "rb") as fh:
        if fh.read() == data:
            return
    atomic_write(path, data, durable=True)
