"""The pull: fetch every active expert's feeds, clean each entry and write it as a
post Markdown file, never overwriting an editor's edit or resurrecting a deletion.

Pipeline: fetch (threads) -> parse + clean (processes, for many feeds) -> decide
against the ledger and write (main thread, the only writer).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

from .candidates import WATCH, CandidateWriter, WatchTally, expert_names
from .fetch import Fetcher, FetchResult, done, is_local
from .mentions import parse_watch
from .parse import Entry, ParsedFeed, is_legacy_hash, parse_feed
from .state import (
    JOURNAL,
    Health,
    Ledger,
    Record,
    atomic_write,
    file_hash,
    pull_lock,
    remove_stale_temp_files,
    sha256_bytes,
)
from .store import free_path, header_field, post_slug, render_post

DEFAULTS = {
    "EMINENCE_PULL_WORKERS": 16,  # concurrent fetches
    "EMINENCE_PULL_PROCESSES": 0,  # parser processes; 0 = one per core when there are many feeds
    "EMINENCE_PULL_TIMEOUT": 10,  # seconds per request
    "EMINENCE_PULL_MAX_BYTES": 5 * 1024 * 1024,
    "EMINENCE_PULL_MAX_RETRY_WAIT": 5,  # wait this long at most for a Retry-After, then skip
    "EMINENCE_PULL_MODE": "excerpt",  # or "full"
    "EMINENCE_PULL_EXCERPT_WORDS": 80,
    "EMINENCE_PULL_NEW_EXPERT_LIMIT": 5,  # posts a newly added expert brings
    "EMINENCE_PULL_ANY_TOPIC": False,  # True: assign any topic, not only the expert's
    "EMINENCE_ALLOW_LOCAL_FEEDS": False,
    "EMINENCE_FEED_FAILING_DAYS": 7,
    "EMINENCE_EXPERT_SILENT_MONTHS": 6,
    "EMINENCE_PULL_ON_BUILD": False,
    # Endorsement candidates from topics' Watch feeds (candidates.py).
    "EMINENCE_BRAND_TERMS": [],  # product and company names a mention must contain
    "EMINENCE_INTERNAL_DOMAINS": [],  # authors/links on these domains are us, not endorsers
    "EMINENCE_WATCH_MAX_NEW": 10,  # new candidates per watch feed per pull
}
STATE_DIR = "_pull"
PARALLEL_PARSE_FROM = 16  # feeds; below this a process pool costs more than it saves


def setting(settings: dict, key: str):
    return settings.get(key, DEFAULTS[key])


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class Job:
    expert: str  # WATCH for a topic's watch feed
    url: str
    topic: str | None = None  # the topic whose Watch lists the feed

    @property
    def label(self) -> str:
        return f"watch:{self.topic}" if self.topic else self.expert


@dataclass
class Summary:
    feeds: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    drafts: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # who, feed, message
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # expert, old, new
    unmatched: list[str] = field(default_factory=list)  # files filed under a fallback topic
    kept_edits: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    new_posts: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # expert, topics,
    #                                                                    status, title, file
    failing_feeds: list[tuple[str, str, str]] = field(default_factory=list)
    silent_experts: list[tuple[str, str]] = field(default_factory=list)
    watch: WatchTally = field(default_factory=WatchTally)
    dry_run: bool = False

    def problem(self, job: Job, message: str) -> None:
        self.problems.append((job.label, job.url, message))

    def markdown(self) -> str:
        """The summary as a pull request description (Markdown)."""
        head = 3 if self.watch.feeds else 2
        out = ["## Pull summary", "", *(f"- {line}" for line in self.lines()[:head]), ""]
        if self.new_posts:
            out += ["### New posts", "", "| expert | topics | status | title | file |",
                    "|---|---|---|---|---|"]
            for expert, topics, status, title, rel in sorted(self.new_posts):
                cell = title.replace("|", "\\|")
                out.append(f"| {expert} | {topics} | {status} | {cell} | `content/{rel}` |")
            out.append("")
        if self.watch.new_candidates:
            out += ["### New endorsement candidates", "", "| topic | endorser | names | title | file |",
                    "|---|---|---|---|---|"]
            for topic, endorser, terms, title, rel in sorted(self.watch.new_candidates):
                cells = [c.replace("|", "\\|") for c in (endorser, title)]
                out.append(f"| {topic} | {cells[0]} | {terms} | {cells[1]} | `content/{rel}` |")
            out.append("")
        details = self.lines()[head:]
        if details:
            out += ["### Needs attention", "", "```", *details, "```", ""]
        out.append("Drafts publish when an editor sets `Status: published` (or runs `invoke approve`); "
                   "delete or `invoke reject` what should not appear.")
        return "\n".join(out) + "\n"

    def lines(self) -> list[str]:
        would = "would be " if self.dry_run else ""
        out = [
            f"Feeds: {self.feeds} — {self.fetched} fetched, {self.not_modified} not modified, "
            f"{self.failed} failed.",
            f"Posts: {self.new} new, {self.updated} updated, {self.skipped} skipped "
            f"({would}{self.drafts} new draft{'s' if self.drafts != 1 else ''} for review).",
            *self.watch.lines(self.dry_run),
        ]
        if self.problems:
            out.append("Problems:")
            out += [f"  {e}  {u}: {m}" for e, u, m in sorted(self.problems)]
        if self.moved:
            out.append("Feeds moved permanently (update the expert's Feeds):")
            out += [f"  {e}  {old} -> {new}" for e, old, new in sorted(self.moved)]
        if self.kept_edits:
            out.append("Changed upstream but edited here (the editor's version was kept):")
            out += [f"  {f}" for f in sorted(self.kept_edits)]
        if self.unmatched:
            out.append("No topic matched (filed under the expert's first topic; re-topic by hand):")
            out += [f"  {f}" for f in sorted(self.unmatched)]
        if self.failing_feeds:
            out.append("Feeds failing for a long time:")
            out += [f"  {e}  {u}: failing since {s}" for e, u, s in sorted(self.failing_feeds)]
        if self.silent_experts:
            out.append("Experts silent for a long time (consider Status: alumni):")
            out += [f"  {e}: last post {d}" for e, d in sorted(self.silent_experts)]
        return out


class Puller:
    def __init__(self, settings: dict, people, dry_run: bool = False, offline: bool = False,
                 force: bool = False, progress=None):
        self.settings = settings
        self.people = people
        self.dry_run = dry_run
        self.offline = offline
        self.force = force
        self.progress = progress or (lambda done, total: None)
        self.content = settings["PATH"]
        self.state_dir = os.path.join(self.content, STATE_DIR)
        self.cache_dir = os.path.join(settings.get("CACHE_PATH", "cache"), "pull")
        self.summary = Summary(dry_run=dry_run)
        self._pending: list[tuple[str, bytes]] = []  # a feed's post files, written by _flush
        # What the parser workers match entries against: each topic's Title and Keywords.
        self.topic_terms = {slug: [v.get("title", slug), *v.get("keywords", [])]
                            for slug, v in people.topics.items()}
        self.now = now_utc()
        local_root = os.path.dirname(os.path.normpath(self.content))
        site = settings.get("SITEURL") or "local build"
        self.fetcher = Fetcher(
            user_agent=f"Eminence/0.1 (+{site}; feed puller for {settings.get('SITENAME', 'a showcase')})",
            timeout=setting(settings, "EMINENCE_PULL_TIMEOUT"),
            max_bytes=setting(settings, "EMINENCE_PULL_MAX_BYTES"),
            max_retry_wait=setting(settings, "EMINENCE_PULL_MAX_RETRY_WAIT"),
            local_root=local_root if setting(settings, "EMINENCE_ALLOW_LOCAL_FEEDS") else None,
            concurrency=setting(settings, "EMINENCE_PULL_WORKERS"),
        )

    # -- which feeds --------------------------------------------------------

    def jobs(self, only_expert: str | None) -> list[Job]:
        if only_expert and only_expert not in self.people.experts:
            known = ", ".join(sorted(self.people.experts))
            raise ValueError(f"unknown expert '{only_expert}'; known experts: {known}")
        jobs = []
        for slug, values in self.people.experts.items():
            if only_expert and slug != only_expert:
                continue
            if values.get("status", "active") != "active":
                continue
            jobs += [Job(slug, url) for url in values.get("feeds", [])]
        if only_expert:
            return jobs
        watch = [Job(WATCH, url, topic) for topic, values in self.people.topics.items()
                 for url in values.get("watch", [])]
        if watch and not setting(self.settings, "EMINENCE_BRAND_TERMS"):
            for job in watch:
                self.summary.problem(job, "not pulled: EMINENCE_BRAND_TERMS is empty, so no entry "
                                          "could name the company; list its product and company names")
            return jobs
        self.summary.watch.feeds = len(watch)
        return jobs + watch

    # -- the run ------------------------------------------------------------

    def run(self, only_expert: str | None = None) -> Summary:
        with pull_lock(self.state_dir):
            self.health = Health.load(self.state_dir)
            self._ledger = None
            self.candidates = CandidateWriter(self)
            if os.path.exists(os.path.join(self.state_dir, JOURNAL)):
                _ = self.ledger  # an interrupted pull: recover before anything else
            jobs = self.jobs(only_expert)
            self.summary.feeds = len(jobs)
            try:
                self._run_jobs(jobs)
            finally:
                if self._ledger is not None:
                    self._ledger.close()
            # Saved only after a complete run. After a failure (a full disk, an interrupt)
            # the in-memory ledger may name files that never reached the disk, and health
            # may hold the ETag of a feed whose entries were never applied: the journal
            # stays instead, and the next pull replays what reached the disk and fetches
            # the rest again.
            if self._ledger is not None and not self.dry_run and self._ledger.dirty:
                self._ledger.save()
            if not self.dry_run:
                self.health.save(self.state_dir)
            self._flag_stale()
        return self.summary

    @property
    def ledger(self) -> Ledger:
        """Loaded on first use: a pull where every feed is unchanged never reads it."""
        if self._ledger is None:
            journal = os.path.exists(os.path.join(self.state_dir, JOURNAL))
            if journal and not self.dry_run:
                # Temp files outlive only a pull killed mid-write, which left a journal.
                remove_stale_temp_files(os.path.join(self.content, "posts"))
            ledger = Ledger.load(self.state_dir)
            ledger.replay_journal(self.content)
            ledger.dirty = journal
            known_experts = {r.expert for r in ledger.records.values()}
            limit = setting(self.settings, "EMINENCE_PULL_NEW_EXPERT_LIMIT")
            self.budget = {e: limit for e in self.people.experts if e not in known_experts}
            self._ledger = ledger
        return self._ledger

    def _run_jobs(self, jobs: list[Job]) -> None:
        """Fetch and parse concurrently; apply results in feed order, so the same feeds
        always give the same files (which of two feeds sharing a post wins is fixed)."""
        processes = setting(self.settings, "EMINENCE_PULL_PROCESSES") or (os.cpu_count() or 1)
        parallel = len(jobs) >= PARALLEL_PARSE_FROM and processes > 1
        parse_pool = ProcessPoolExecutor(processes) if parallel else None
        if parse_pool is not None:
            # Fork the parser processes now, before the fetcher starts its threads: a
            # child forked while another thread holds a lock could wait for it for ever.
            parse_pool.submit(int).result()
        ready: dict[int, ParsedFeed | None] = {}  # job index -> result (None: nothing to apply)
        next_index = 0
        try:
            with self.fetcher:
                # A window of feeds between submitted and applied bounds memory: bodies,
                # parse jobs and results waiting for their turn never exceed it.
                window = 2 * setting(self.settings, "EMINENCE_PULL_WORKERS")
                fetching, parsing, submitted = {}, {}, 0
                while submitted < len(jobs) or fetching or parsing:
                    while submitted < len(jobs) and submitted - next_index < window:
                        fetching[self._fetch(jobs[submitted])] = submitted
                        submitted += 1
                    finished, _ = wait([*fetching, *parsing], return_when=FIRST_COMPLETED)
                    for fut in finished:
                        if fut in fetching:
                            i = fetching.pop(fut)
                            body, ctype = self._after_fetch(jobs[i], fut.result())
                            if body is None:
                                ready[i] = None
                            elif parse_pool is not None:
                                parsing[parse_pool.submit(*self._parse_args(jobs[i], body, ctype))] = i
                            else:
                                fn, *args = self._parse_args(jobs[i], body, ctype)
                                ready[i] = self._safe_parse(fn, args)
                        else:
                            i = parsing.pop(fut)
                            try:
                                ready[i] = fut.result()
                            except Exception as exc:  # noqa: BLE001 - a parser crash is one feed's problem
                                ready[i] = ParsedFeed(jobs[i].url, ok=False,
                                                      problems=[f"parser crashed: {exc!r}"[:300]])
                    while next_index in ready:
                        parsed = ready.pop(next_index)
                        if parsed is not None:
                            self._apply_feed(jobs[next_index], parsed)
                        next_index += 1
                        self.progress(next_index, len(jobs))
        finally:
            if parse_pool is not None:
                parse_pool.shutdown(cancel_futures=True)

    def _parse_args(self, job: Job, body: bytes, ctype: str | None):
        if job.topic:
            return (parse_watch, body, job.url, ctype, setting(self.settings, "EMINENCE_BRAND_TERMS"),
                    self.topic_terms, expert_names(self.people))
        # Only the topics the post may be filed under are matched (see _topics).
        terms = {slug: self.topic_terms[slug] for slug in self._allowed_topics(job.expert)}
        return (parse_feed, body, job.url, ctype, setting(self.settings, "EMINENCE_PULL_MODE"),
                setting(self.settings, "EMINENCE_PULL_EXCERPT_WORDS"), terms)

    @staticmethod
    def _safe_parse(fn, args) -> ParsedFeed:
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001
            return ParsedFeed(args[1], ok=False, problems=[f"parser crashed: {exc!r}"[:300]])

    # -- fetching (worker threads: no shared writes) ------------------------

    def _cache_file(self, url: str) -> str:
        return os.path.join(self.cache_dir, hashlib.sha256(url.encode()).hexdigest()[:32])

    def _fetch(self, job: Job) -> Future:
        """A future FetchResult: from the network, the fetch cache, or health's memory."""
        h = self.health.get(job.url, {})
        if self.offline:
            try:
                with open(self._cache_file(job.url), "rb") as fh:
                    ctype, _, body = fh.read().partition(b"\n")  # Content-Type line, then the body
                return done(FetchResult(job.url, status=200, body=body,
                                        content_type=ctype.decode() or None))
            except OSError:
                return done(FetchResult(job.url, error="not in the fetch cache (run a pull online first)"))
        if h.get("gone") and not self.force:
            return done(FetchResult(job.url, status=410, gone=True, error="skipped: the feed answered "
                                    "410 Gone earlier; remove it from the expert's Feeds"))
        if (h.get("retry_at") or 0) > time.time() and not self.force:
            until = dt.datetime.fromtimestamp(h["retry_at"], dt.UTC).isoformat(timespec="seconds")
            return done(FetchResult(job.url, status=h.get("status"), retry_at=h["retry_at"],
                                    error=f"skipped: the server asked us to wait until {until}"))
        if self.force:
            return self.fetcher.submit(job.url)
        return self.fetcher.submit(job.url, h.get("etag"), h.get("last_modified"))

    # -- after a fetch (main thread) ----------------------------------------

    def _after_fetch(self, job: Job, result: FetchResult) -> tuple[bytes | None, str | None]:
        """Record health; return the body to parse, or None when there is nothing to do."""
        stamp = self.now.isoformat()
        h = self.health.setdefault(job.url, {})
        h["expert"] = job.label
        h["last_attempt"] = stamp
        if not (self.offline or (result.error or "").startswith("skipped:")):
            h["status"] = result.status
        if result.moved_to:
            h["moved_to"] = result.moved_to
            self.summary.moved.append((job.expert, job.url, result.moved_to))
        if result.gone:
            h["gone"] = True
        if result.retry_at:
            h["retry_at"] = result.retry_at
        if result.error:
            self.summary.failed += 1
            self.summary.problem(job, result.error)
            if not result.error.startswith("skipped:"):
                h["error"] = result.error
                h.setdefault("failing_since", stamp)
            return None, None
        h.pop("error", None)
        h.pop("failing_since", None)
        h.pop("retry_at", None)
        h["last_success"] = stamp
        if result.not_modified:
            self.summary.not_modified += 1
            return None, None
        h["etag"], h["last_modified"] = result.etag, result.last_modified
        digest = sha256_bytes(result.body)
        if digest == h.get("body_hash") and not self.force:
            self.summary.not_modified += 1  # same bytes as last time: nothing can have changed
            return None, None
        self.summary.fetched += 1
        h["body_hash"] = digest
        if not self.offline and not self.dry_run and not is_local(job.url):
            ctype = (result.content_type or "").replace("\n", " ").encode()
            atomic_write(self._cache_file(job.url), ctype + b"\n" + result.body)
        return result.body, result.content_type

    # -- entries (main thread: the only writer) -----------------------------

    def _apply_feed(self, job: Job, parsed: ParsedFeed) -> None:
        for message in parsed.problems:
            self.summary.problem(job, message)
        if not parsed.ok:
            self.summary.failed += 1
            self.summary.fetched -= 1
            self.health[job.url]["error"] = "; ".join(parsed.problems)[:500]
            self.health[job.url].setdefault("failing_since", self.now.isoformat())
            self.health[job.url].pop("body_hash", None)  # parse again next time
            return
        h = self.health[job.url]
        h["entries"] = len(parsed.entries)
        dates = [e.published for e in parsed.entries if e.published]
        if dates:
            h["newest_entry"] = min(max(dates), self.now.isoformat())
        if job.topic:
            self.candidates.apply(job, parsed.entries)
        else:
            seen_keys = set()
            # Newest first, so a new expert's budget goes to recent posts.
            entries = sorted(parsed.entries, key=lambda e: e.published or "", reverse=True)
            for entry in entries:
                if entry.key in seen_keys:
                    self.summary.skipped += 1
                    self.summary.problem(job, f"duplicate entry id in the feed: {entry.key[:120]}")
                    continue
                seen_keys.add(entry.key)
                self._apply_entry(job, entry)
        self._flush()

    def _post_date(self, entry: Entry, rec: Record | None) -> str:
        if rec and rec.date:
            return rec.date
        if entry.published:
            published = dt.datetime.fromisoformat(entry.published)
            return min(published, self.now).isoformat()  # future dates are clamped
        return self.now.isoformat()  # undated: first seen

    def _fields(self, job: Job, entry: Entry, date: str, status: str, topics: list[str]):
        return [("Title", entry.title), ("Date", date), ("Expert", job.expert),
                ("Topics", ", ".join(topics)), ("Original", entry.original or ""),
                ("Status", status), ("Feed", job.url)]

    def _apply_entry(self, job: Job, entry: Entry) -> None:
        key = self.ledger.find(job.expert, entry.key, entry.link, entry.content_hash, entry.legacy_hash)
        if key is None:
            self._new_entry(job, entry)
            return
        rec = self.ledger.records[key]
        if rec.expert != job.expert or rec.state != "active":
            self.summary.skipped += 1  # another expert's post, a tombstone or a backlog entry
            return
        if entry.link and entry.link != rec.url:
            rec.url = entry.link  # permalink changed: follow it, do not duplicate
            self.ledger.record(key, rec, journal=not self.dry_run)
        path = os.path.join(self.content, rec.file)
        on_disk = file_hash(path)
        if on_disk is None:
            rec.state = "deleted"  # the editor deleted it: never again
            self.ledger.record(key, rec, journal=not self.dry_run)
            self.summary.skipped += 1
            return
        if entry.content_hash == rec.content:
            self.summary.skipped += 1
            return
        if on_disk != rec.written:
            if rec.upstream != entry.content_hash:
                # A hash of the older scheme cannot say whether the entry changed: it is
                # replaced silently rather than reported as a change that may not be one.
                if not is_legacy_hash(rec.upstream):
                    self.summary.kept_edits.append(rec.file)
                rec.upstream = entry.content_hash
                self.ledger.record(key, rec, journal=not self.dry_run)
            self.summary.skipped += 1
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
            self.ledger.record(key, updated, journal=not self.dry_run)
            self.summary.skipped += 1
            return
        self._write(key, updated, data)
        self.summary.updated += 1

    def _new_entry(self, job: Job, entry: Entry) -> None:
        key = f"{job.expert}|{entry.key}"
        first_seen = self.now.isoformat()
        if job.expert in self.budget:
            if self.budget[job.expert] <= 0:
                self.ledger.record(key, Record(job.expert, None, "backlog", url=entry.link,
                                               content=entry.content_hash, feed=job.url,
                                               first_seen=first_seen), journal=not self.dry_run)
                self.summary.skipped += 1
                return
            self.budget[job.expert] -= 1
        trusted = self.people.experts[job.expert].get("trusted", False)
        status = "published" if trusted else "draft"
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", job.expert):
            raise ValueError(f"unsafe expert slug {job.expert!r}")
        rel = free_path(self.content, f"posts/{job.expert}", post_slug(entry.title, self.settings),
                        self.ledger.files)
        topics = self._topics(job, entry, rel)
        date = self._post_date(entry, None)
        data = render_post(self._fields(job, entry, date, status, topics), entry.body)
        rec = Record(job.expert, rel, "active", written=sha256_bytes(data), content=entry.content_hash,
                     upstream=entry.content_hash, url=entry.link, feed=job.url, first_seen=first_seen,
                     date=date)
        self._write(key, rec, data)
        self.summary.new += 1
        self.summary.new_posts.append((job.expert, ", ".join(topics), status, entry.title, rel))
        self.summary.drafts += status == "draft"
        h = self.health[job.url]
        h["last_new_entry"] = max(h.get("last_new_entry") or "", date)

    def _allowed_topics(self, expert: str) -> list[str]:
        if setting(self.settings, "EMINENCE_PULL_ANY_TOPIC"):
            return list(self.people.topics)
        return self.people.experts[expert]["topics"]

    def _topics(self, job: Job, entry: Entry, rel: str) -> list[str]:
        own = self.people.experts[job.expert]["topics"]
        topics = [slug for slug in self._allowed_topics(job.expert) if slug in entry.topics]
        if not topics:
            topics = own[:1]
            self.summary.unmatched.append(rel)
        return topics

    def _write(self, key: str, rec: Record, data: bytes) -> None:
        self.summary.written.append(rec.file)
        if self.dry_run:
            self.ledger.record(key, rec, journal=False)
            return
        self.ledger.record(key, rec)
        self._pending.append((rec.file, data))

    def _flush(self) -> None:
        """A feed's intents reach the journal (one write), then its files are written:
        intent first, see state.py."""
        if self._ledger is not None:
            self._ledger.flush_journal()
        for rel, data in self._pending:
            atomic_write(os.path.join(self.content, rel), data)
        self._pending.clear()

    # -- long-term flags ----------------------------------------------------

    def _flag_stale(self) -> None:
        failing, silent = stale_flags(self.health, self.people, self.settings, self.now)
        self.summary.failing_feeds += failing
        self.summary.silent_experts += silent


def stale_flags(health: dict, people, settings: dict, now: dt.datetime):
    """([(expert, feed, failing since)], [(expert, newest entry)]) past the settings' limits."""
    days = setting(settings, "EMINENCE_FEED_FAILING_DAYS")
    cutoff = (now - dt.timedelta(days=days)).isoformat()
    failing = [(h.get("expert", "?"), url, h["failing_since"][:10]) for url, h in health.items()
               if h.get("failing_since") and h["failing_since"] <= cutoff]
    months = setting(settings, "EMINENCE_EXPERT_SILENT_MONTHS")
    silent_cutoff = (now - dt.timedelta(days=30 * months)).isoformat()
    silent = []
    for slug, values in people.experts.items():
        if values.get("status", "active") != "active":
            continue
        newest = [health.get(u, {}).get("newest_entry") for u in values.get("feeds", [])]
        newest = [d for d in newest if d]
        if newest and max(newest) < silent_cutoff:
            silent.append((slug, max(newest)[:10]))
    return sorted(failing), sorted(silent)


def progress_printer(stream=None):
    """A progress bar on a terminal, redrawn at each percent; a line every 10% elsewhere
    (CI logs)."""
    stream = stream or sys.stderr
    terminal = stream.isatty()  # asked once: it is a system call, and a pull reports per feed
    state = {"last": -1}

    def report(done: int, total: int) -> None:
        if not total:
            return
        step = done * (100 if terminal else 10) // total
        if step == state["last"]:
            return
        state["last"] = step
        if terminal:
            width = 30
            filled = int(width * done / total)
            stream.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} feeds")
            if done == total:
                stream.write("\n")
        else:
            stream.write(f"  pulled {done}/{total} feeds\n")
        stream.flush()

    return report


def run_pull(settings: dict, expert: str | None = None, dry_run: bool = False, offline: bool = False,
             force: bool = False, progress=None) -> Summary:
    """Validate topics and experts, then pull. Raises ContentError, PullLocked or ValueError
    when the pull itself cannot run; feed failures are reported in the Summary instead."""
    from eminence_showcase.sources import read_people

    people = read_people(settings)
    return Puller(settings, people, dry_run=dry_run, offline=offline, force=force,
                  progress=progress).run(only_expert=expert)
