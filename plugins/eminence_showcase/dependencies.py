"""The dependency record of a list page or a feed: what it shows, as digests.

Without a record, a list page is fingerprinted with the *content digest* (every source
file's metadata, fingerprint.py), so an approval, a title change or an expert's edit
re-renders every list page: about 3,600 at 5,000 posts. With one, a page is rendered
again only when something it shows changed:

- each item on the page, as its card shows it (`card`): its source file in full, its URL,
  what the showcase model decided about it (draft, featured, kind, language), the labels
  (URL and title) of its expert or experts and its topics, and what its text links to;
- the page's place: its number, the number of pages, the filter it shows;
- the stream's navigation: each filter with its count, and the stream's length;
- its owner (a topic, an expert): on every page its file, its social card and what the
  header shows (an expert's topics and activity); on the stream's first page also what
  only that page shows (a topic's activity chart and its experts' cards).

A record is a function of the build's `ContentDigests` (and, for a page, of its render
context) returning that digest, or None for "always render". It mirrors what the bundled
templates read: a template changed to show more (a count on every page, another object's
field) must say so here, or the page will not be rendered again when that changes (or
the site set `EMINENCE_INCREMENTAL = False`). `tests/test_incremental.py` compares
incremental builds with clean ones after each kind of edit, with two items a page so that
every list has several pages, and fails when a recorded template reads a name of its
context that no record covers (`COVERED`); a new attribute read of a covered object
(`topic.posts|length` on every page) only the comparison can catch.
"""

from __future__ import annotations

from eminence_model.digest import sha

# What dress() (generator.py) set on an item from the model, beyond its own file.
DECIDED = ("is_draft", "featured", "kind", "lang")
# The render context's names the records below cover (settings, all in capitals, are in
# every fingerprint). tests/test_incremental.py fails if a template written with a record
# (or base.html, macros.html) reads another: add it to the record, then here.
COVERED = frozenset({
    "output_file", "page_card", "site_card", "ngettext", "stream", "current_filter", "topic",
    "expert", "activity_months", "current_topic", "topics", "listed_experts", "listed_endorsements",
    "articles_page", "articles_paginator", "articles_previous_page", "articles_next_page"})
# The templates written with a record (generator.py).
RECORDED = ("topic.html", "expert.html", "posts.html", "experts.html", "endorsements.html")


def _memo(digests, key, make):
    memo = digests.memo
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _all(parts) -> str | None:
    """The digest of `parts`, or None (always render) if one of them is unknown."""
    return None if any(p is None for p in parts) else sha(*parts)


def labels(objects) -> list[str]:
    """How a card or a filter names other content: its URL and its title."""
    return [f"{o.url}\x1f{o.title}" for o in objects]


def own(digests, obj) -> str | None:
    """`obj`'s source file, its URL and what its text links to."""
    return _memo(digests, ("own", id(obj)), lambda: _all([digests.of(obj), obj.url, digests.linked(obj)]))


def card(digests, item) -> str | None:
    """A post or an endorsement as a card, a feed entry or a quotation shows it."""
    def make():
        people = [item.expert] if getattr(item, "expert", None) is not None else getattr(item, "experts", [])
        return _all([own(digests, item), *(repr(getattr(item, a, None)) for a in DECIDED), *labels(people),
                     "|", *labels(getattr(item, "topics", []))])
    return _memo(digests, ("card", id(item)), make)


def _activity(a) -> str:
    return sha(repr(a.months), repr(a.posts), repr(a.endorsements))


def _expert_card(digests, x) -> str | None:
    """An expert as the experts pages and a topic's first page list them (posts counted)."""
    return _all([own(digests, x), str(len(x.posts)), repr(x.is_alumni)])


def _page(digests, context: dict, *every) -> str | None:
    """A page of a paginated list: its place, its items' cards, and `every` (the parts
    all the list's pages share)."""
    page, paginator = context.get("articles_page"), context.get("articles_paginator")
    if page is None or paginator is None:
        return None
    flt = context.get("current_filter")
    return _all([*every, f"{page.number}/{paginator.num_pages}",
                 repr((flt.slug, flt.label, flt.lang)) if flt else "",
                 *(card(digests, item) for item in page.object_list)])


def _stream_nav(digests, stream) -> str:
    def make():
        filters = (*stream.filters, *stream.languages)
        return sha(stream.base, str(len(stream.items)),
                   *(f"{flt.slug}\x1f{flt.label}\x1f{len(items)}" for flt, items in filters))
    return _memo(digests, ("stream", id(stream)), make)


def stream_pages(stream, header=None, first=None):
    """A stream's pages (and its filters'): `header(digests)` is what every one of them
    shows of its owner, `first(digests)` what only the unfiltered first page shows."""
    def record(digests, context: dict) -> str | None:
        shown = [_stream_nav(digests, stream)]
        if header is not None:
            shown.append(_memo(digests, ("header", id(stream)), lambda: header(digests)))
        page = context.get("articles_page")
        if first is not None and page is not None and page.number == 1 and not context.get("current_filter"):
            shown.append(_memo(digests, ("first", id(stream)), lambda: first(digests)))
        return _page(digests, context, *shown)
    return record


def topic_stream(topic):
    def header(digests):
        return _all([own(digests, topic), topic.card.path])

    def first(digests):
        return _all([_activity(topic.activity), *(_expert_card(digests, x) for x in topic.experts)])
    return stream_pages(topic.stream, header, first)


def expert_stream(expert):
    def header(digests):  # its activity's months are the window the page counts months in
        return _all([own(digests, expert), expert.card.path, *labels(expert.topics),
                     _activity(expert.activity)])
    return stream_pages(expert.stream, header)


def _topic_filter(topics, current) -> list[str]:
    return [f"{t.slug}\x1f{t.title}" for t in topics] + [current.slug if current else ""]


def endorsement_pages(topics, current_topic):
    """The endorsements pages (all, or one topic's): the topic filter and their cards."""
    def record(digests, context: dict) -> str | None:
        return _page(digests, context, *_topic_filter(topics, current_topic))
    return record


def expert_list(topics, current_topic, listed):
    """The experts pages: the topic filter and every expert listed, with their posts counted."""
    def record(digests, context: dict) -> str | None:
        return _all([*_topic_filter(topics, current_topic), *(_expert_card(digests, x) for x in listed)])
    return record


def feed(title: str, page_url: str, language: str | None, entries):
    """A feed: its own title, link and language, and its entries."""
    def record(digests) -> str | None:
        return _all([title, page_url, language or "", *(card(digests, e) for e in entries)])
    return record
