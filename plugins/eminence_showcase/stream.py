"""The stream: a topic's, an expert's or the whole site's posts of every kind and its
endorsements in one list, newest first, with a filter by kind that needs no JavaScript.

Each filter is a static page of its own beside the stream's first page
(`topics/<slug>/notes/`, `experts/<slug>/videos/`, `posts/episodes/`...), written only
when it lists something (the links never lead to an empty page) and the stream has
more than one kind (otherwise it would repeat the stream, and no filter is shown).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StreamFilter:
    slug: str  # the page's folder under the stream
    label: str  # what the filter link says
    kind: str | None  # the post kind it keeps; None: endorsements


FILTERS = (
    StreamFilter("articles", "Articles", "article"),
    StreamFilter("notes", "Notes", "note"),
    StreamFilter("videos", "Videos", "video"),
    StreamFilter("episodes", "Episodes", "episode"),
    StreamFilter("endorsements", "Endorsements", None),
)


def is_endorsement(item) -> bool:
    return hasattr(item, "endorser")


def merged(posts, endorsements) -> list:
    """Posts and endorsements, newest first (each list is already newest first)."""
    return sorted([*posts, *endorsements], key=lambda i: (i.date, i.slug), reverse=True)


def keeps(flt: StreamFilter, item) -> bool:
    if flt.kind is None:
        return is_endorsement(item)
    return not is_endorsement(item) and getattr(item, "kind", "article") == flt.kind


@dataclass
class Stream:
    base: str  # the URL of its first page, e.g. "topics/applied-ai/"
    items: list
    filters: list  # [(StreamFilter, items)] for the filters that keep something

    def link(self, flt: StreamFilter | None) -> str:
        return self.base if flt is None else f"{self.base}{flt.slug}/"


def stream(base: str, items: list) -> Stream:
    filters = [(flt, kept) for flt in FILTERS if (kept := [i for i in items if keeps(flt, i)])]
    # One kind only: its filter page would repeat the stream, and no filter is shown.
    return Stream(base, items, filters if len(filters) > 1 else [])
