"""Watch-feed entries -> endorsement candidate files (main thread, like posts).

mentions.py decided, per entry, whether its prose names a brand term and what
the quote is. Here the rest is decided against what the site already knows:
written by one of our own experts or from an internal domain, already pulled as
a post, already a candidate (or rejected: the ledger's tombstones hold for
candidates too), or already cited by an endorsement. What survives is written to
content/endorsements/ as `Status: draft` with `Consent: public`: never published
without an editor.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from eminence_model.languages import lang_line
from eminence_model.settings import setting
from eminence_model.store import header_field, sha256_bytes

from .convert import _finish_line, escape
from .langdetect import detect_language, detection_text
from .links import normalise_url
from .mentions import Mention
from .render import free_path, post_slug, render_post
from .state import Record, RecordState

WATCH = "@watch"  # the ledger's "expert" for endorsement candidates (never an expert slug)

DROP_REASONS = {
    "no_mention": "no brand term in the text",
    "link_only": "brand named only in a link, URL or address",
    "boilerplate_only": "brand named only in boilerplate (footer, 'appeared first on', copyright)",
    "title_only": "brand named only in the title",
    "quoted_only": "brand named only in text quoted from someone else (a blockquote)",
    "no_permalink": "no permalink to cite as Source",
    "duplicate": "duplicate entry id in the feed",
    "internal": "written by one of our experts or from an internal domain",
    "already_pulled": "already pulled as an expert's post",
    "seen": "already a candidate, or rejected earlier",
    "cited": "an endorsement already cites this Source",
    "over_limit": "over EMINENCE_WATCH_MAX_NEW for one feed in one pull (kept back for good)",
}


@dataclass
class WatchTally:
    feeds: int = 0
    examined: int = 0
    matched: int = 0  # entries whose prose names a brand term
    new: int = 0
    dropped: Counter = field(default_factory=Counter)
    new_candidates: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    #                       topic, endorser, terms, title, file

    def lines(self, dry_run: bool = False) -> list[str]:
        if not self.feeds:
            return []
        would = "would be " if dry_run else ""
        out = [f"Watch feeds: {self.feeds} — {self.examined} entries examined, {self.matched} name a "
               f"brand term, {would}{self.new} new endorsement candidate(s) (drafts for review)."]
        if self.dropped:
            out.append(f"Not candidates: {sum(self.dropped.values())}")
            out += [f"  {n:>4}  {DROP_REASONS[r]}" for r, n in self.dropped.most_common()]
        return out


def host_of(url: str | None) -> str:
    return (urlsplit(url or "").hostname or "").removeprefix("www.")


def in_domains(host: str, domains: set[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def quote_markdown(quote: str) -> str:
    """The quote as one inert Markdown paragraph (escaped like pulled post text)."""
    return _finish_line(escape(quote))


class CandidateWriter:
    def __init__(self, puller):
        self.puller = puller
        self.tally = puller.summary.watch
        settings, people = puller.settings, puller.people
        self.max_new = setting(settings, "EMINENCE_WATCH_MAX_NEW")
        self.domains = {d.strip().lower().removeprefix("www.")
                        for d in setting(settings, "EMINENCE_INTERNAL_DOMAINS") if d.strip()}
        self.names = {" ".join(n.split()).casefold()
                      for names in expert_names(people).values() for n in names}
        # An expert's own profile pages (e.g. https://social.example/@ada) are theirs.
        self.profiles = [p for x in people.experts.values() for p in map(normalise_url, x.get("links", []))
                         if p and urlsplit(p).path not in ("", "/")]
        self.profile_hosts = {host_of(p) for x in people.experts.values() for p in x.get("links", [])
                              if urlsplit(p).path in ("", "/")}
        self._cited = None

    @property
    def cited(self) -> set[str]:
        """Normalised Source URLs of every endorsement file (hand-written ones too)."""
        if self._cited is None:
            folder = os.path.join(self.puller.content, "endorsements")
            names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
            sources = (header_field(os.path.join(folder, n), "Source") for n in names if n.endswith(".md"))
            self._cited = {u for u in map(normalise_url, sources) if u}
        return self._cited

    def is_internal(self, m: Mention) -> bool:
        if m.author and " ".join(m.author.split()).casefold() in self.names:
            return True
        hosts = [host_of(m.author_url), host_of(m.source), (m.author_email or "").rpartition("@")[2].lower()]
        if any(h and (in_domains(h, self.domains) or h in self.profile_hosts) for h in hosts):
            return True
        return bool(m.link and any(m.link == p or m.link.startswith(p + "/") for p in self.profiles))

    def apply(self, job, entries: list[Mention]) -> None:
        ledger, tally = self.puller.ledger, self.tally
        budget = self.max_new
        seen_keys = set()
        for m in sorted(entries, key=lambda e: e.published or "", reverse=True):
            tally.examined += 1
            reason = "duplicate" if m.key in seen_keys else m.drop
            seen_keys.add(m.key)
            tally.matched += bool(m.terms) and reason != "duplicate"
            if reason is None:
                key = ledger.find(WATCH, m.key, m.link, m.content_hash)
                if self.is_internal(m):
                    reason = "internal"
                elif key is not None:
                    reason = "seen" if ledger.records[key].expert == WATCH else "already_pulled"
                elif normalise_url(m.source) in self.cited:
                    reason = "cited"
                elif budget <= 0:
                    reason = "over_limit"
                    ledger.record(f"{WATCH}|{m.key}", Record(
                        WATCH, None, RecordState.BACKLOG, url=m.link, content=m.content_hash, feed=job.url,
                        first_seen=self.puller.now.isoformat()), journal=not self.puller.dry_run)
            if reason:
                tally.dropped[reason] += 1
                continue
            budget -= 1
            self._write(job, m)

    def _lang(self, m: Mention) -> str:
        """The quote's language where the detector is sure and it is not the site's."""
        return lang_line(detect_language(detection_text(m.title or "", m.quote)),
                         self.puller.settings.get("DEFAULT_LANG"))

    def _write(self, job, m: Mention) -> None:
        now = self.puller.now
        date = min(dt.datetime.fromisoformat(m.published), now) if m.published else now
        endorser = m.author or host_of(m.source)
        title = m.title or f"{endorser} on {m.terms[0]}"
        topics = [job.topic, *(t for t in m.topics if t != job.topic)]
        fields = [("Title", title), ("Endorser", endorser), ("Endorser-URL", m.author_url or ""),
                  ("Source", m.source), ("Date", date.isoformat()), ("Topics", ", ".join(topics)),
                  ("Experts", ", ".join(m.experts)), ("Consent", "public"), ("Status", "draft"),
                  ("Matched", ", ".join(m.terms)), ("Feed", job.url), ("Source-Note", m.source_note or ""),
                  ("Lang", self._lang(m))]
        data = render_post(fields, quote_markdown(m.quote))
        rel = free_path(self.puller.content, "endorsements",
                        post_slug(f"{endorser} {title}", self.puller.settings), self.puller.ledger.files)
        rec = Record(WATCH, rel, RecordState.ACTIVE, written=sha256_bytes(data), content=m.content_hash,
                     upstream=m.content_hash, url=m.link, feed=job.url, first_seen=now.isoformat(),
                     date=date.isoformat())
        self.puller._write(f"{WATCH}|{m.key}", rec, data)
        self.cited.add(normalise_url(m.source))
        self.tally.new += 1
        self.tally.new_candidates.append((job.topic, endorser, ", ".join(m.terms), title, rel))


def expert_names(people) -> dict[str, list[str]]:
    """{expert slug: [name, aliases...]}: how the text and the author field name them."""
    return {slug: [x.get("title", slug), *x.get("aliases", [])] for slug, x in people.experts.items()}
