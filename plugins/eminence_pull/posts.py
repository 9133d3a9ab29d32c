"""Entries of an expert's feed -> post files, decided against the ledger.

The rules every re-pull keeps: a post the editor edited is never overwritten (its
bytes differ from what the pull wrote; the summary says the original changed); a
post the editor deleted or rejected never comes back; a permalink that moved is
followed, not duplicated; a newly added expert brings at most
EMINENCE_PULL_NEW_EXPERT_LIMIT posts (the rest is remembered as backlog).
Files are written only through the puller's `_write` (journal first, see state.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from dataclasses import replace

from eminence_model.languages import lang_line
from eminence_model.store import file_hash, header_field, sha256_bytes

from .langdetect import feed_languages
from .parse import Entry, is_legacy_hash
from .render import free_path, post_slug, render_post
from .settings import setting
from .state import Record, RecordState
from .summary import Job

# Why two entries of one feed are one post, by the kind of key they share (parse.entry_key).
SAME = {"id": "same id", "url": "same permalink", "hash": "same title and text"}


def distinct_statuses(entries: list[Entry]) -> list[Entry]:
    """Entries of one document that share an id but differ in date and text (scripting.com
    reuses one guid for a day's statuses) cannot be an update of each other: each is its
    own post. The first (the newest: `entries` come newest first) keeps the id, as the one
    post an older pull made of them did; the others are known by id and date. The same id
    with the same date or the same text is a duplicate, merged as before."""
    by_id: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.id:
            by_id.setdefault(entry.key, []).append(entry)
    out = []
    for entry in entries:
        twins = by_id.get(entry.key, [entry])
        distinct = (len({e.published for e in twins}) == len(twins)
                    and len({e.content_hash for e in twins}) == len(twins))
        first = twins[0] is entry
        out.append(entry if first or not distinct else replace(entry, key=f"{entry.key}#{entry.published}"))
    return out


def apply_order(entries: list[Entry]) -> list[Entry]:
    """A feed's entries as PostWriter.apply takes them: newest first (a new expert's limit
    goes to recent posts), with the keys distinct_statuses gives."""
    return distinct_statuses(sorted(entries, key=lambda e: e.published or "", reverse=True))


class PostWriter:
    def __init__(self, puller):
        self.p = puller
        self._feed_entries: list[Entry] = []  # the feed being applied (apply)
        self._detected: dict[str, str | None] | None = None  # its entries' detected languages
        # Ledger keys this pull has matched or written, with the entry that did: a second
        # entry reaching the same key is merged into the first, and the summary says so.
        self.claimed: dict[str, tuple[str, str, str]] = {}  # ledger key -> (entry key, title, feed)
        # A new expert's entries that their post limit goes to: the newest of all their
        # feeds (puller._apply_held); without it, the first ones applied.
        self.allowed: dict[str, set[str]] = {}
        self.new_in_feed: Counter = Counter()  # feed URL -> posts written this pull

    def apply(self, job: Job, entries: list[Entry]) -> None:
        self._feed_entries, self._detected = entries, None  # languages: detected when first needed
        seen: dict[str, str] = {}  # entry key -> title
        # Newest first, so a new expert's budget goes to recent posts.
        for entry in apply_order(entries):
            if entry.key in seen:
                self._skip(job, "merged")
                why = SAME[entry.key.partition(":")[0]]
                self.p.summary.merge(job, seen[entry.key], entry.title, why, job.url)
                self.p.summary.problem(job, f"duplicate entry id in the feed: {entry.key[:120]}")
                continue
            seen[entry.key] = entry.title
            if entry.voice.dropped:
                self.p.summary.problem(job, f"{entry.title[:80]}: {entry.voice.dropped}")
            if entry.voice.aside and not setting(self.p.settings, "EMINENCE_PULL_REPLIES"):
                # Only an answer to someone, or another's status shared: not the expert's
                # own voice (EMINENCE_PULL_REPLIES = True pulls them too).
                self._skip(job, f"a {entry.voice.aside} (EMINENCE_PULL_REPLIES is off)")
                continue
            self._apply_entry(job, entry)

    def _skip(self, job: Job, outcome: str) -> None:
        self.p.summary.skipped += 1
        self.p.summary.count(job, outcome)

    def _post_date(self, entry: Entry, rec: Record | None) -> str:
        if rec and rec.date:
            return rec.date
        if entry.published:
            published = dt.datetime.fromisoformat(entry.published)
            return min(published, self.p.now).isoformat()  # future dates are clamped
        return self.p.now.isoformat()  # undated: first seen

    def _fields(self, job: Job, entry: Entry, date: str, status: str, topics: list[str]):
        voice = entry.voice
        return [("Title", entry.title), ("Date", date), ("Expert", job.expert),
                ("Topics", ", ".join(topics)), ("Kind", voice.kind), ("Original", entry.original or ""),
                ("Media", voice.media or ""), ("Duration", voice.duration or ""),
                ("Media-Length", str(voice.media_length or "")),
                ("Status", status), ("Feed", job.url), ("Lang", self._lang(job, entry))]

    def _lang(self, job: Job, entry: Entry) -> str:
        """The entry's language (declared, else detected), where the post would not have
        it anyway: its expert's language, else the site's (an English feed on an English
        site adds no line to each post)."""
        expert = self.p.people.experts.get(job.expert) or {}
        return lang_line(entry.lang or self._detected_language(entry),
                         expert.get("lang") or self.p.settings.get("DEFAULT_LANG"))

    def _detected_language(self, entry: Entry) -> str | None:
        """The detector's answer for an entry of the feed being applied: one detection for
        the feed's undeclared entries together (langdetect.feed_languages; ~0.2 ms a feed
        instead of a post), computed when the first of its posts is written."""
        if self._detected is None:
            undeclared = [e for e in self._feed_entries if not e.lang and e.lang_text]
            self._detected = dict(zip((e.key for e in undeclared),
                                      feed_languages([e.lang_text for e in undeclared]), strict=True))
        return self._detected.get(entry.key)

    def _apply_entry(self, job: Job, entry: Entry) -> None:
        key = self.p.ledger.find(job.expert, entry.key, entry.link, entry.content_hash, entry.legacy_hash,
                                 feed=job.url)
        if key is None:
            self._new_entry(job, entry)
            return
        claim = self.claimed.get(key)
        if claim and claim[0] != entry.key:
            # Another entry of this pull is already this post: no id, or the same content.
            self._skip(job, "merged")
            why = "same permalink" if entry.link and entry.link == self.p.ledger.records[key].url else (
                "same title and text")
            self.p.summary.merge(job, claim[1], entry.title, why, claim[2])
            return
        self.claimed[key] = (entry.key, entry.title, job.url)
        rec = self.p.ledger.records[key]
        if rec.expert != job.expert:
            self._skip(job, "another expert's post")
            return
        if rec.state is not RecordState.ACTIVE:
            self._skip(job, {RecordState.DELETED: "deleted by an editor",
                             RecordState.REJECTED: "rejected by an editor",
                             RecordState.BACKLOG: "backlog of a new expert"}.get(rec.state, rec.state))
            return
        if entry.link and entry.link != rec.url:
            rec.url = entry.link  # permalink changed: follow it, do not duplicate
            self.p.ledger.record(key, rec, journal=not self.p.dry_run)
        path = os.path.join(self.p.content, rec.file)
        on_disk = file_hash(path)
        if on_disk is None:
            rec.state = RecordState.DELETED  # the editor deleted it: never again
            self.p.ledger.record(key, rec, journal=not self.p.dry_run)
            self._skip(job, "deleted by an editor")
            return
        if entry.content_hash == rec.content:
            self._skip(job, "unchanged")
            return
        if on_disk != rec.written:
            if rec.upstream != entry.content_hash:
                # A hash of the older scheme cannot say whether the entry changed: it is
                # replaced silently rather than reported as a change that may not be one.
                if not is_legacy_hash(rec.upstream):
                    self.p.summary.kept_edits.append(rec.file)
                rec.upstream = entry.content_hash
                self.p.ledger.record(key, rec, journal=not self.p.dry_run)
            self._skip(job, "edited by an editor")
            return
        status = header_field(path, "Status") or "draft"
        topics = self._topics(job, entry, rec.file)
        data = render_post(self._fields(job, entry, self._post_date(entry, rec), status,
                                        topics), entry.body)
        written = sha256_bytes(data)
        updated = Record(**{**rec.__dict__, "written": written, "content": entry.content_hash,
                            "upstream": entry.content_hash})
        if written == on_disk:
            # The same bytes (a change past the excerpt, or a hash of the older scheme):
            # only the ledger learns the new hash.
            self.p.ledger.record(key, updated, journal=not self.p.dry_run)
            self._skip(job, "unchanged")
            return
        self.p._write(key, updated, data)
        self.p.summary.updated += 1
        self.p.summary.count(job, "updated")

    def _new_entry(self, job: Job, entry: Entry) -> None:
        key = f"{job.expert}|{entry.key}"
        self.claimed[key] = (entry.key, entry.title, job.url)
        first_seen = self.p.now.isoformat()
        held_back = None
        if job.expert in self.p.budget:
            allowed = self.allowed.get(job.expert)
            if (entry.key not in allowed) if allowed is not None else self.p.budget[job.expert] <= 0:
                held_back = "backlog of a new expert"
            else:
                self.p.budget[job.expert] -= 1
        elif self.new_in_feed[job.url] >= setting(self.p.settings, "EMINENCE_PULL_MAX_NEW_PER_FEED"):
            # A feed that suddenly offers thousands of new entries (a broken or hostile
            # one) brings its newest few; the rest are remembered and never offered.
            held_back = (f"more than {setting(self.p.settings, 'EMINENCE_PULL_MAX_NEW_PER_FEED')} new "
                         "posts from one feed in one pull (EMINENCE_PULL_MAX_NEW_PER_FEED)")
        if held_back:
            self.p.ledger.record(key, Record(job.expert, None, RecordState.BACKLOG, url=entry.link,
                                           content=entry.content_hash, feed=job.url,
                                           first_seen=first_seen), journal=not self.p.dry_run)
            self._skip(job, held_back)
            return
        self.new_in_feed[job.url] += 1
        trusted = self.p.people.experts[job.expert].get("trusted", False)
        status = "published" if trusted else "draft"
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", job.expert):
            raise ValueError(f"unsafe expert slug {job.expert!r}")
        rel = free_path(self.p.content, f"posts/{job.expert}", post_slug(entry.title, self.p.settings),
                        self.p.ledger.files)
        topics = self._topics(job, entry, rel)
        date = self._post_date(entry, None)
        data = render_post(self._fields(job, entry, date, status, topics), entry.body)
        rec = Record(job.expert, rel, RecordState.ACTIVE, written=sha256_bytes(data),
                     content=entry.content_hash, upstream=entry.content_hash, url=entry.link, feed=job.url,
                     first_seen=first_seen, date=date)
        self.p._write(key, rec, data)
        self.p.summary.new += 1
        self.p.summary.count(job, "new")
        self.p.summary.new_posts.append((job.expert, ", ".join(topics), status, entry.title, rel))
        self.p.summary.drafts += status == "draft"
        h = self.p.health[job.url]
        h["last_new_entry"] = max(h.get("last_new_entry") or "", date)

    def _topics(self, job: Job, entry: Entry, rel: str) -> list[str]:
        own = self.p.people.experts[job.expert]["topics"]
        topics = [slug for slug in self.p.allowed_topics(job.expert) if slug in entry.topics]
        if not topics:
            topics = own[:1]
            self.p.summary.unmatched.append(rel)
        return topics

