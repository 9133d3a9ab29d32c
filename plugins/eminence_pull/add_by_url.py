"""A post added by its URL: a talk page, an interview, a LinkedIn post (`invoke add-post`).

For voices without a feed. What it writes is a draft like any pulled post, so it goes
through the editors' review, and the pull's ledger records it, so a feed that later
offers the same item (same permalink) finds the record instead of adding it twice.

Invariants:
- Every request goes through the pull's Fetcher (address guard on every connection and
  redirect, size and time limits); the site's robots.txt is read first and obeyed for
  Eminence's user agent (RFC 9309: a missing robots.txt allows, an unreachable one
  refuses).
- Platforms that keep their pages behind a login or forbid fetching (LinkedIn, X,
  Instagram, Facebook, Threads, TikTok: discover.NO_FEED) are recognised from the URL
  and never requested: the draft holds the URL and the expert, and its `Review-Note`
  names the fields the editor must fill.
- The page's text is untrusted: titles become one metadata line, the excerpt goes
  through the pull's sanitizer and Markdown converter and the excerpt rules.
- A page that does not name the expert (author metadata, `rel=author` to one of their
  links, or their name or an alias in the text) is never silently accepted: the draft
  says so in `Review-Note`, which the desk shows.
- Nothing is written when anything fails (`AddRefused`, with the reason and the fix).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from eminence_model.languages import lang_line
from eminence_model.refusals import Refusal
from eminence_model.showcase import Kind
from eminence_model.sources import read_people
from eminence_model.store import atomic_write, pull_lock, sha256_bytes, state_dir

from .candidates import expert_names
from .convert import excerpt, html_to_blocks, safe_url
from .discover import no_feed_platform
from .fetch import FetchKind
from .kinds import first_words
from .langdetect import detect_language, detection_text
from .links import clean_link, normalise_url
from .mentions import TermMatcher
from .page_facts import PageFacts, read_page, with_oembed
from .parse import one_line
from .render import free_path, post_slug, render_post
from .settings import new_fetcher, setting
from .state import Ledger, Record, RecordState

HTML_TYPES = ("text/html", "application/xhtml+xml")
ROBOTS_AGENT = "Eminence"


class AddRefused(Refusal):
    """The URL cannot be added as asked; nothing was written."""


@dataclass
class Added:
    path: str  # the draft, relative to content/
    title: str
    kind: Kind
    read: list[str]  # which of the page's declarations said something ("no request": none)
    names_expert: str | None  # how the page names the expert; None: it does not
    review_note: str  # what the editor must check ("" when nothing)

    def report(self) -> str:
        named = self.names_expert or ("no" if self.read else "not known (not fetched)")
        lines = [f"Added a draft ({self.kind.value}), content/{self.path}: {self.title}",
                 f"  read: {', '.join(self.read) or 'nothing (not fetched)'}", f"  names the expert: {named}"]
        return "\n".join(lines + ([f"  to check: {self.review_note}"] if self.review_note else []))


def _robots_allow(fetch, url: str) -> None:
    parts = urlsplit(url)
    robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
    result = fetch(robots_url)
    if result.kind is FetchKind.OK and result.body is not None:
        rules = urllib.robotparser.RobotFileParser()
        rules.parse(result.body.decode("utf-8", "replace").splitlines())
        if not rules.can_fetch(ROBOTS_AGENT, url):
            raise AddRefused(f"{parts.netloc}'s robots.txt forbids fetching {url}; add the post by hand "
                             "(invoke new-post) or ask the site.")
    elif result.status is not None and 400 <= result.status < 500:
        return  # no robots.txt: everything is allowed
    elif result.kind is not FetchKind.OK:
        raise AddRefused(f"{robots_url} could not be read ({result.error or result.status}): a site whose "
                         "robots rules are unknown is not fetched. Try again later.")


def _names(facts: PageFacts, names: list[str], links: list[str]) -> str | None:
    """How the page names the expert, or None."""
    own = {normalise_url(u) for u in links}
    for url in facts.author_urls:
        if normalise_url(url) in own:
            return f"its author link is theirs ({url})"
    matcher = TermMatcher(names)
    for author in facts.authors:
        if matcher.find(author):
            return f"its author is {author}"
    found = matcher.find(" ".join(filter(None, (facts.title, facts.description, facts.text))))
    return f"its text names {found[0]}" if found else None


def _not_known(ledger: Ledger, expert: str, url: str) -> None:
    identity = normalise_url(url)
    known = ledger.find(expert, f"url:{identity}", identity, "")
    if known:
        rec = ledger.records[known]
        raise AddRefused(f"{url} is already known: {rec.file or 'an entry'} ({rec.state.value})")


def canonical(facts: PageFacts) -> str | None:
    """The address the page gives itself (rel=canonical, og:url, its JSON-LD url), cleaned,
    where it is on the same site as the page: a share link's target, never another site
    (a page cannot send the post's readers elsewhere)."""
    declared = clean_link(safe_url(facts.canonical, facts.url)) if facts.canonical else None
    if not declared:
        return None
    site = (urlsplit(facts.url).hostname or "").removeprefix("www.")
    return declared if (urlsplit(declared).hostname or "").removeprefix("www.") == site else None


def _date(published: str | None, now: dt.datetime) -> str:
    try:
        when = dt.datetime.fromisoformat(str(published).strip().replace("Z", "+00:00"))
    except ValueError:
        return now.isoformat()
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return min(when, now).isoformat()  # a future date is clamped, as the pull does


def _body(facts: PageFacts, words: int) -> tuple[str, str]:
    """(Markdown body, plain text) from what the page says of itself: a note's whole text,
    else an excerpt of its description, sanitized like a feed's."""
    # A description is read as HTML, as a feed's summary is: some pages put markup in it,
    # and the sanitizer keeps only what a post may hold.
    html = facts.content_html if facts.kind is Kind.NOTE and facts.content_html else None
    html = html or f"<p>{facts.description}</p>"
    converted = html_to_blocks(html, facts.url)
    blocks = converted.blocks if facts.kind is Kind.NOTE else excerpt(converted.blocks, words)
    return "\n\n".join(blocks), converted.text


def add_post(settings: dict, url: str, expert: str, topics: list[str] | None = None,
             now: dt.datetime | None = None, review: list[str] | None = None) -> Added:
    """Write a draft post of `expert` from the page at `url`; raises AddRefused. `review`:
    what else the editor must check (a submission by someone else, submission.py)."""
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    people = read_people(settings)
    if expert not in people.experts:
        raise AddRefused(f"no expert {expert!r}; experts: {', '.join(sorted(people.experts))}")
    unknown = [t for t in topics or [] if t not in people.topics]
    if unknown:
        raise AddRefused(f"no topic {', '.join(map(repr, unknown))}; "
                         f"topics: {', '.join(sorted(people.topics))}")
    original = clean_link(url.strip())
    if not original or urlsplit(original).scheme not in ("http", "https"):
        raise AddRefused(f"{url!r} is not an http(s) address of a page")
    content = settings["PATH"]
    with pull_lock(state_dir(content)):
        ledger = Ledger.load(state_dir(content))
        ledger.replay_journal(content)  # what an interrupted pull wrote stays known
        _not_known(ledger, expert, original)
        platform = no_feed_platform(original)
        facts = PageFacts(original, kind=Kind.NOTE) if platform else _fetch_facts(settings, original)
        if not platform and canonical(facts) not in (None, original):
            original = canonical(facts)  # the page's own address for itself: one post, one URL
            _not_known(ledger, expert, original)
        identity = normalise_url(original)
        values = people.experts[expert]
        names = expert_names(people)[expert]
        named = None if platform else _names(facts, names, values.get("links", []))
        body, text = _body(facts, setting(settings, "EMINENCE_PULL_EXCERPT_WORDS"))
        title = one_line(facts.title or "") or (first_words(text) if facts.kind is Kind.NOTE and text.strip()
                                                else one_line(facts.html_title or ""))
        notes = list(review or [])
        if platform:
            title = f"{platform} post by {names[0]}"
            notes.append(f"{platform} does not let its pages be read without a login: fill in the title, "
                         "the date and the post's first lines")
        elif named is None:
            notes.append(f"the page does not name {names[0]} (no author, no link of theirs, not in its "
                         "text): check that it is theirs before publishing")
        if not title:
            title = f"Post by {names[0]}"
            notes.append("the page gives no title: write one")
        media = safe_url(facts.media, facts.url) if facts.media else None  # absolute http(s), never a script
        lang = lang_line(detect_language(detection_text(title, text)),
                         values.get("lang") or settings.get("DEFAULT_LANG"))
        fields = [("Title", title), ("Date", _date(facts.published, now)), ("Expert", expert),
                  ("Topics", ", ".join(topics or values["topics"][:1])), ("Kind", facts.kind.value),
                  ("Original", original), ("Media", media or ""), ("Duration", facts.duration or ""),
                  ("Status", "draft"), ("Lang", lang), ("Review-Note", "; ".join(notes))]
        data = render_post(fields, body)
        rel = free_path(content, f"posts/{expert}", post_slug(title, settings), ledger.files)
        # As the pull writes: the intent reaches the journal before the file, so a crash in
        # between leaves a record the next pull replays (state.py), never an unknown file.
        ledger.record(f"{expert}|url:{identity}", Record(
            expert, rel, RecordState.ACTIVE, written=sha256_bytes(data), url=identity,
            feed=None, first_seen=now.isoformat(), date=dict(fields)["Date"], note="added by URL"))
        ledger.flush_journal()
        atomic_write(os.path.join(content, rel), data)
        ledger.save()
    return Added(rel, title, facts.kind, facts.read, named, "; ".join(notes))


def _fetch_facts(settings: dict, url: str) -> PageFacts:
    with new_fetcher(settings, "add a post by its URL", feeds=False) as fetcher:
        def fetch(address: str):
            return fetcher.submit(address).result()

        _robots_allow(fetch, url)
        page = fetch(url)
        if page.kind is not FetchKind.OK or page.body is None:
            raise AddRefused(f"{url} could not be fetched: {page.error or page.status}")
        ctype = (page.content_type or "").split(";")[0].strip().lower()
        if ctype and ctype not in HTML_TYPES:
            raise AddRefused(f"{url} is not a web page ({ctype}); for a feed use invoke add-feed")
        facts = read_page(_decode(page.body, page.content_type), url)
        if facts.oembed:
            answer = fetch(facts.oembed)
            if answer.kind is FetchKind.OK and answer.body:
                # A broken oEmbed answer: the page's own declarations stand.
                with contextlib.suppress(ValueError):
                    facts = with_oembed(facts, json.loads(answer.body))
    return facts


def _decode(body: bytes, content_type: str | None) -> str:
    """The page's text: the charset its header names, else its <meta charset>, else sniffed."""
    from bs4.dammit import UnicodeDammit

    match = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    known = [match.group(1)] if match else []
    return UnicodeDammit(body, known_definite_encodings=known, is_html=True).unicode_markup or ""
