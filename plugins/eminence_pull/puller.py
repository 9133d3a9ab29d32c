"""The pull: fetch every active expert's feeds (and topics' watch feeds), clean each
entry and write it as a Markdown file, never overwriting an editor's edit or
resurrecting a deletion.

Pipeline: fetch (threads, fetch.py) -> parse + clean (processes for many feeds,
parse.py / mentions.py) -> decide against the ledger and write (main thread, the
only writer: posts.py / candidates.py). Health is recorded after each fetch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from eminence_model.refusals import Refusal
from eminence_model.sources import read_people
from eminence_model.store import (
    atomic_write,
    pull_lock,
    remove_stale_temp_files,
    sha256_bytes,
    state_dir,
    worker_started,
)

from .candidates import WATCH, CandidateWriter, expert_names
from .fetch import FetchKind, FetchResult, done, feed_host, is_local
from .health import failing_cutoff, stale_flags
from .hosts import interleave_by_host
from .mentions import parse_watch
from .parse import ParsedFeed, parse_feed
from .posts import PostWriter, apply_order
from .settings import deciding_digest, new_fetcher, pull_cache_dir, setting
from .state import JOURNAL, Health, Ledger, Record
from .summary import Job, Summary

PARALLEL_PARSE_FROM = 16  # feeds; below this a process pool costs more than it saves


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


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
        self.state_dir = state_dir(self.content)
        self.cache_dir = pull_cache_dir(settings)
        self.summary = Summary(dry_run=dry_run)
        self._pending: list[tuple[str, bytes]] = []  # a feed's post files, written by _flush
        # What the parser workers match entries against: each topic's Title and Keywords.
        self.topic_terms = {slug: [v.get("title", slug), *v.get("keywords", [])]
                            for slug, v in people.topics.items()}
        self.now = now_utc()
        self.fetcher = new_fetcher(settings, f"feed puller for {settings.get('SITENAME', 'a showcase')}")

    # -- which feeds --------------------------------------------------------

    def jobs(self, only_expert: str | None) -> list[Job]:
        if only_expert and only_expert not in self.people.experts:
            known = ", ".join(sorted(self.people.experts))
            raise Refusal(f"unknown expert '{only_expert}'; known experts: {known}")
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
            decides = deciding_digest(self.settings, self.people)
            self.health = Health.load(self.state_dir, self.cache_dir, decides)
            self.held: dict[str, list] = {}  # a new expert's parsed feeds (_apply_or_hold)
            self.held_watch: list = []  # watch feeds, applied after every expert's
            self._ledger = None
            self.candidates = CandidateWriter(self)
            self.posts = PostWriter(self)
            if os.path.exists(os.path.join(self.state_dir, JOURNAL)):
                _ = self.ledger  # an interrupted pull: recover before anything else
            jobs = interleave_by_host(self.jobs(only_expert), lambda job: feed_host(job.url))
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
                self.health.save(self.state_dir, self.cache_dir,
                                 failing_cutoff(self.settings, self.now), decides)
            self._flag_stale()
        return self.summary

    @property
    def ledger(self) -> Ledger:
        """Loaded on first use: a pull where every feed is unchanged never reads it."""
        if self._ledger is None:
            journal = os.path.exists(os.path.join(self.state_dir, JOURNAL))
            if not self.dry_run:
                # Temp files outlive only a pull killed mid-write. Its posts' left a journal;
                # its records' (the ledger's, health's: a few files) are looked for every
                # time, as a kill while they are written may come after the journal is gone,
                # and a scheduled pull would commit what is left in content/.
                remove_stale_temp_files(self.state_dir)
                if journal:
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
        parse_pool = (ProcessPoolExecutor(processes, initializer=worker_started, initargs=(os.getpid(),))
                      if parallel else None)
        if parse_pool is not None:
            # Fork the parser processes now, before the fetcher starts its threads: a
            # child forked while another thread holds a lock could wait for it for ever.
            parse_pool.submit(int).result()
        ready: dict[int, ParsedFeed | None] = {}  # job index -> result (None: nothing to apply)
        self.unapplied = Counter(job.expert for job in jobs if not job.topic)  # feeds to come
        next_index = 0
        try:
            with self.fetcher:
                # A window of feeds between submitted and applied bounds memory: bodies,
                # parse jobs and results waiting for their turn never exceed it. It is
                # wide: results are applied in order, and a feed whose host answers
                # slowly (or not: up to three timeouts) must not stall all the others.
                window = max(2 * setting(self.settings, "EMINENCE_PULL_WORKERS"),
                             setting(self.settings, "EMINENCE_PULL_WINDOW"))
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
                        self._apply_or_hold(jobs[next_index], ready.pop(next_index))
                        next_index += 1
                        self.progress(next_index, len(jobs))
                self._apply_held()
        finally:
            if parse_pool is not None:
                parse_pool.shutdown(cancel_futures=True)

    def _apply_or_hold(self, job: Job, parsed: ParsedFeed | None) -> None:
        """Apply a feed's result, or hold it a while. A newly added expert's feeds wait
        for each other, until the last of them is in: their post limit goes to the newest
        entries of all of them, not to whichever feed comes first (a Medium archive
        before the Substack they write on now). They are held only until that expert's
        last feed is in, so a first pull of thousands of experts stays within the window.
        Watch feeds (a few per topic) wait for every expert's: an entry that is an
        expert's post is never taken for an outsider's endorsement."""
        if job.topic:
            if parsed is not None:
                self.held_watch.append((job, parsed))
            return
        self.unapplied[job.expert] -= 1
        if parsed is not None and parsed.ok:
            _ = self.ledger  # loaded, and with it which experts are new (self.budget)
            if job.expert in self.budget:
                self.held.setdefault(job.expert, []).append((job, parsed))
                parsed = None
        if parsed is not None:
            self._apply_feed(job, parsed)
        if self.unapplied[job.expert] == 0 and job.expert in self.held:
            self._apply_new_expert(job.expert, self.held.pop(job.expert))

    def _apply_new_expert(self, expert: str, held: list) -> None:
        replies = setting(self.settings, "EMINENCE_PULL_REPLIES")
        newest: dict[str, str] = {}  # entry key -> date: one post seen in two feeds is one
        for _, parsed in held:
            for entry in apply_order(parsed.entries):  # the keys PostWriter.apply uses
                if replies or not entry.voice.aside:
                    newest[entry.key] = max(newest.get(entry.key, ""), entry.published or "")
        ranked = sorted(newest, key=lambda key: newest[key], reverse=True)
        self.posts.allowed[expert] = set(ranked[:self.budget[expert]])
        for job, parsed in held:
            self._apply_feed(job, parsed)

    def _apply_held(self) -> None:
        for expert, held in list(self.held.items()):  # none left unless a job went missing
            self._apply_new_expert(expert, held)
        self.held.clear()
        for job, parsed in self.held_watch:
            self._apply_feed(job, parsed)
        self.held_watch.clear()

    def _parse_args(self, job: Job, body: bytes, ctype: str | None):
        if job.topic:
            return (parse_watch, body, job.url, ctype, setting(self.settings, "EMINENCE_BRAND_TERMS"),
                    self.topic_terms, expert_names(self.people))
        # Only the topics the post may be filed under are matched (see _topics).
        terms = {slug: self.topic_terms[slug] for slug in self.allowed_topics(job.expert)}
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
            return done(FetchResult(job.url, status=410, gone=True, kind=FetchKind.SKIPPED,
                                    error="skipped: the feed answered 410 Gone earlier; remove it "
                                          "from the expert's Feeds"))
        if (h.get("retry_at") or 0) > time.time() and not self.force:
            until = dt.datetime.fromtimestamp(h["retry_at"], dt.UTC).isoformat(timespec="seconds")
            return done(FetchResult(job.url, status=h.get("status"), retry_at=h["retry_at"],
                                    kind=FetchKind.SKIPPED,
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
        skipped = result.kind in (FetchKind.SKIPPED, FetchKind.DEFERRED)
        if not (self.offline or skipped):
            h["status"] = result.status
        if result.moved_to:
            h["moved_to"] = result.moved_to
            self.summary.moved.append((job.expert, job.url, result.moved_to))
        if result.gone:
            h["gone"] = True
        if result.retry_at:
            h["retry_at"] = result.retry_at
        if result.kind is FetchKind.DEFERRED:  # its host is paused: not a failure of this feed
            self.summary.deferred.append((job.label, job.url, result.error))
            return None, None
        if result.error:
            self.summary.failed += 1
            self.summary.problem(job, result.error)
            if not skipped:
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
        if not (self.offline or self.dry_run or is_local(job.url) or job.url in self.fetcher.files):
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
            self.posts.apply(job, parsed.entries)
        self._flush()

    def allowed_topics(self, expert: str) -> list[str]:
        if setting(self.settings, "EMINENCE_PULL_ANY_TOPIC"):
            return list(self.people.topics)
        return self.people.experts[expert]["topics"]

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
        failing, silent = stale_flags(self.health, self.people.experts, self.settings, self.now)
        self.summary.failing_feeds += failing
        self.summary.silent_experts += silent


def run_pull(settings: dict, expert: str | None = None, dry_run: bool = False, offline: bool = False,
             force: bool = False, progress=None) -> Summary:
    """Validate topics and experts, then pull. Raises ContentError, or a Refusal (PullLocked,
    an unknown expert, a bad setting) when the pull itself cannot run; feed failures are
    reported in the Summary instead."""
    people = read_people(settings)
    return Puller(settings, people, dry_run=dry_run, offline=offline, force=force,
                  progress=progress).run(only_expert=expert)
