"""The linked showcase: one typed, frozen model that every stage after reading uses.

`link()` is a pure function. Its input is one `Entry` per content file that passed
validation (sources.validate): the file's slug and path, the field values the schema
parsed, and what Pelican read (`read`, opaque here: the theme's object). Its output is
a `Showcase` of frozen records whose references are records, never slugs: a post's
`expert` is an `Expert`, its `topics` are `Topic`s. The build (eminence_showcase), the
desk's queue, health and `invoke check` all read this one model; none of them links
topics, experts, posts and endorsements again.

Invariants, each asserted in tests/model/test_link.py:
- every reference resolves: validation refused a dangling slug before `link` runs, and
  `link` raises `LinkError` (a programming error, not an editor's) if one gets through;
- what is shown follows `preview`: a public build shows published posts and public
  endorsements (published, with consent public or granted); a preview adds drafts and
  endorsements awaiting consent, never a withdrawn one;
- order: topics by (Order, title), experts active before alumni then by name; posts and
  endorsements newest first, ties by slug (stable between builds);
- the review queue is every draft post and every draft endorsement not withdrawn,
  newest first, whatever `preview` says.

Records compare by identity (`eq=False`): two files are two records even if their
fields agree, and records can be dict keys and set members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class PostStatus(StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"


class ExpertStatus(StrEnum):
    ACTIVE = "active"
    ALUMNI = "alumni"


class Consent(StrEnum):
    PUBLIC = "public"  # said publicly at its Source
    GRANTED = "granted"
    PENDING = "pending"
    WITHDRAWN = "withdrawn"

    @property
    def allows_publishing(self) -> bool:
        return self in (Consent.PUBLIC, Consent.GRANTED)


class Kind(StrEnum):
    """What a post is: its page, card, feed entry and structured data follow it."""

    ARTICLE = "article"
    NOTE = "note"
    VIDEO = "video"
    EPISODE = "episode"


class LinkError(Exception):
    """A reference `link` cannot resolve: validation should have refused it first."""


@dataclass(frozen=True)
class Entry:
    """One validated content file, as `link` takes it."""

    path: str  # absolute
    slug: str
    values: Mapping  # field attribute -> parsed value (schema.Field.attr), with title/date/status
    body: str = ""  # the HTML Pelican read
    url: str = ""  # where Pelican writes it ("" for what has no page of its own)
    read: object = None  # what Pelican read: the theme's object; the model never looks inside


def _values(entry: Entry) -> Mapping:
    return MappingProxyType(dict(entry.values))


@dataclass(frozen=True, eq=False)
class Topic:
    slug: str
    title: str
    path: str
    url: str
    order: int
    values: Mapping = field(repr=False)
    read: object = field(default=None, repr=False)


@dataclass(frozen=True, eq=False)
class Expert:
    slug: str
    title: str
    path: str
    url: str
    topics: tuple[Topic, ...]
    status: ExpertStatus
    trusted: bool
    biography: str  # HTML; empty for a new expert's scaffold
    values: Mapping = field(repr=False)
    read: object = field(default=None, repr=False)

    @property
    def is_alumni(self) -> bool:
        return self.status is ExpertStatus.ALUMNI

    @property
    def lang(self) -> str | None:
        """The language they write in (a BCP 47 tag), if their file says."""
        return self.values.get("lang")


@dataclass(frozen=True, eq=False)
class Post:
    slug: str
    title: str
    path: str
    url: str
    date: dt.datetime
    status: PostStatus
    kind: Kind
    featured: bool
    expert: Expert
    topics: tuple[Topic, ...]
    pulled: bool  # written by the pull (it has a Feed field)
    values: Mapping = field(repr=False)
    read: object = field(default=None, repr=False)

    @property
    def is_draft(self) -> bool:
        return self.status is not PostStatus.PUBLISHED

    @property
    def original(self) -> str | None:
        return self.values.get("original")

    @property
    def lang(self) -> str | None:
        """Its language: its own Lang, else its expert's; None: the site's (DEFAULT_LANG)."""
        return self.values.get("lang") or self.expert.lang


@dataclass(frozen=True, eq=False)
class Endorsement:
    slug: str
    title: str
    path: str
    url: str  # its card on the wall's page that shows it
    date: dt.datetime
    status: PostStatus
    consent: Consent
    featured: bool
    endorser: str
    source: str
    topics: tuple[Topic, ...]
    experts: tuple[Expert, ...]
    pulled: bool
    quote: str  # HTML
    values: Mapping = field(repr=False)
    read: object = field(default=None, repr=False)

    @property
    def lang(self) -> str | None:
        """The quote's language (a BCP 47 tag), if its file says; None: the site's."""
        return self.values.get("lang")

    @property
    def is_public(self) -> bool:
        return self.status is PostStatus.PUBLISHED and self.consent.allows_publishing

    @property
    def is_draft(self) -> bool:
        """Not on the public site (a preview shows it marked as such)."""
        return not self.is_public

    @property
    def is_taken_down(self) -> bool:
        """Published once, consent withdrawn since: off the site, said at every build."""
        return self.status is PostStatus.PUBLISHED and self.consent is Consent.WITHDRAWN


@dataclass(frozen=True)
class ReviewQueue:
    posts: tuple[Post, ...]  # every draft post, newest first
    endorsements: tuple[Endorsement, ...]  # every draft endorsement not withdrawn, newest first


@dataclass(frozen=True)
class Showcase:
    topics: tuple[Topic, ...]
    experts: tuple[Expert, ...]
    posts: tuple[Post, ...]  # shown in this build, newest first
    endorsements: tuple[Endorsement, ...]  # shown in this build, newest first
    review: ReviewQueue
    taken_down: tuple[Endorsement, ...]
    preview: bool
    every_post: tuple[Post, ...] = field(repr=False)
    every_endorsement: tuple[Endorsement, ...] = field(repr=False)
    _posts_of: Mapping = field(repr=False)  # topic or expert slug key -> shown posts
    _endorsements_of: Mapping = field(repr=False)

    def posts_of(self, owner: Topic | Expert) -> tuple[Post, ...]:
        return self._posts_of.get(_key(owner), ())

    def endorsements_of(self, owner: Topic | Expert) -> tuple[Endorsement, ...]:
        return self._endorsements_of.get(_key(owner), ())

    def experts_of(self, topic: Topic, *, active: bool = False) -> tuple[Expert, ...]:
        return tuple(e for e in self.experts if topic in e.topics and not (active and e.is_alumni))

    def records(self):
        """Every record, shown or not: topics, experts, posts, endorsements."""
        return (*self.topics, *self.experts, *self.every_post, *self.every_endorsement)


def _key(owner) -> tuple[str, str]:
    return ("topic" if isinstance(owner, Topic) else "expert", owner.slug)


def _newest_first(items):
    return tuple(sorted(items, key=lambda i: (i.date, i.slug), reverse=True))


def _resolve(table: Mapping, slug: str, path: str, what: str):
    try:
        return table[slug]
    except KeyError:
        raise LinkError(f"{path}: {what} '{slug}' is not in the showcase") from None


def link(topics: list[Entry], experts: list[Entry], endorsements: list[Entry], posts: list[Entry],
         *, preview: bool = False, wall_page_url: Callable[[int], str] | None = None,
         wall_per_page: int = 0) -> Showcase:
    """The showcase these validated entries make (see the module's invariants).

    `wall_page_url(n)` is the URL of the endorsements wall's page n (1-based) with
    `wall_per_page` cards each; an endorsement's `url` is its card there."""
    topic_records = [Topic(t.slug, t.values["title"], t.path, t.url, t.values.get("order", 1000),
                           _values(t), t.read) for t in topics]
    by_topic = {t.slug: t for t in topic_records}

    def topics_of(entry: Entry) -> tuple[Topic, ...]:
        return tuple(_resolve(by_topic, s, entry.path, "topic") for s in entry.values.get("topics", ()))

    expert_records = [Expert(
        x.slug, x.values["title"], x.path, x.url, topics_of(x),
        ExpertStatus(x.values.get("status") or ExpertStatus.ACTIVE), bool(x.values.get("trusted")),
        x.body or "", _values(x), x.read) for x in experts]
    by_expert = {x.slug: x for x in expert_records}

    post_records = [Post(
        p.slug, p.values["title"], p.path, p.url, p.values["date"], PostStatus(p.values["status"]),
        Kind(p.values.get("kind") or Kind.ARTICLE), bool(p.values.get("featured")),
        _resolve(by_expert, p.values["expert"], p.path, "expert"), topics_of(p),
        bool(p.values.get("feed")), _values(p), p.read) for p in posts]

    def shown(e: Entry) -> bool:
        """Published with consent; in a preview also drafts and pending, never withdrawn."""
        status, consent = PostStatus(e.values["status"]), Consent(e.values["consent"])
        if status is PostStatus.PUBLISHED and consent.allows_publishing:
            return True
        return preview and consent is not Consent.WITHDRAWN

    # The wall is paginated: each shown endorsement's URL is its card on its page.
    on_wall = sorted((e for e in endorsements if shown(e)), key=lambda e: (e.values["date"], e.slug),
                     reverse=True)
    wall_urls = {}
    for i, e in enumerate(on_wall):
        page = i // wall_per_page + 1 if wall_per_page else 1
        base = wall_page_url(page) if wall_page_url else "endorsements/"
        wall_urls[e.path] = f"{base}#endorsement-{e.slug}"
    endorsement_records = [Endorsement(
        e.slug, e.values["title"], e.path, wall_urls.get(e.path, ""), e.values["date"],
        PostStatus(e.values["status"]), Consent(e.values["consent"]), bool(e.values.get("featured")),
        e.values["endorser"], e.values["source"], topics_of(e),
        tuple(_resolve(by_expert, s, e.path, "expert") for s in e.values.get("experts", ())),
        bool(e.values.get("feed")), e.body or "", _values(e), e.read) for e in endorsements]

    shown_posts = _newest_first(p for p in post_records if p.status is PostStatus.PUBLISHED or (
        preview and p.status is PostStatus.DRAFT))
    shown_endorsements = _newest_first(e for e in endorsement_records if e.path in wall_urls)

    posts_of: dict = {}
    endorsements_of: dict = {}
    for p in shown_posts:
        for owner in (p.expert, *p.topics):
            posts_of.setdefault(_key(owner), []).append(p)
    for e in shown_endorsements:
        for owner in (*e.topics, *e.experts):
            endorsements_of.setdefault(_key(owner), []).append(e)

    return Showcase(
        topics=tuple(sorted(topic_records, key=lambda t: (t.order, t.title.lower()))),
        experts=tuple(sorted(expert_records, key=lambda e: (e.is_alumni, e.title.lower()))),
        posts=shown_posts,
        endorsements=shown_endorsements,
        review=ReviewQueue(
            _newest_first(p for p in post_records if p.status is PostStatus.DRAFT),
            _newest_first(e for e in endorsement_records
                          if e.status is PostStatus.DRAFT and e.consent is not Consent.WITHDRAWN)),
        taken_down=tuple(e for e in endorsement_records if e.is_taken_down),
        preview=preview,
        every_post=tuple(post_records),
        every_endorsement=tuple(endorsement_records),
        _posts_of=MappingProxyType({k: tuple(v) for k, v in posts_of.items()}),
        _endorsements_of=MappingProxyType({k: tuple(v) for k, v in endorsements_of.items()}),
    )
