"""Feed bytes -> normalised entries (runs in worker processes: no shared state).

feedparser does the parsing; its own sanitizer and relative-URL pass are off
because convert.py does both, with nh3, at a fraction of the cost.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from eminence_model.sanitize import text_only

from . import sax_driver
from .convert import URL_SAFE, excerpt, html_to_blocks

TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref_src")
MAX_TITLE = 200


@dataclass
class Entry:
    key: str  # stable identity: id, else normalised link, else content hash
    id: str | None
    link: str | None  # normalised permalink, for identity only
    original: str | None  # the permalink as published, minus tracking parameters
    title: str
    published: str | None  # ISO 8601 UTC, or None when the feed gives no date
    categories: list[str]
    body: str  # Markdown (excerpt or full text, by setting)
    topics: list[str]  # slugs of the topics (of those asked about) whose terms the entry mentions
    content_hash: str  # content_hash(): what tells a re-pull that the post changed
    legacy_hash: str | None = None  # for entries without an id: the hash a ledger from
    #                                 before content_hash() knows them by (see _entry)


@dataclass
class ParsedFeed:
    url: str
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ok: bool = True  # False: nothing usable (not a feed at all)


def _split_link(url: str | None):
    """(parts, query pairs without tracking parameters) of an http(s) URL with a
    host, else None: what normalise_url and clean_link both start from."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(TRACKING_PARAMS)]
    return parts, query


def normalise_url(url: str | None) -> str | None:
    """Canonical form for de-duplication: tracking params, fragment, default port gone."""
    split = _split_link(url)
    if split is None:
        return None
    parts, query = split
    host = parts.hostname.lower()
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(sorted(query)), ""))


def clean_link(url: str | None) -> str | None:
    """The author's own permalink, without tracking parameters or fragment."""
    split = _split_link(url)
    if split is None:
        return None
    parts, query = split
    link = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
    return quote(link, safe=URL_SAFE)  # a valid URL for the Original field: no spaces


# Control characters, line/paragraph separators and invisible format characters
# (bidi overrides, zero-width): none may survive into a metadata line.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e"
                          "\u2060-\u2064\ufeff]")


def one_line(text: str) -> str:
    """Collapse every kind of line break and control character to single spaces."""
    return " ".join(_UNPRINTABLE.sub(" ", text).split())


def entry_title(entry) -> str:
    detail = entry.get("title_detail") or {}
    raw = entry.get("title", "") or ""
    text = text_only(raw) if "html" in (detail.get("type") or "") or "<" in raw else raw
    return one_line(text)[:MAX_TITLE]


def entry_date(entry) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        stamp = calendar.timegm(parsed)
        return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat(timespec="seconds")
    except (OverflowError, ValueError, OSError):
        return None


def absolute(url: str | None, feed_url: str) -> str | None:
    """A URL from feedparser, made absolute against the feed's URL.

    feedparser is not told the feed's URL (see feedparse), so it resolves only
    against xml:base; what is still relative is resolved here."""
    return urljoin(feed_url, url.strip()) if url else None


def entry_link(entry, feed_url: str) -> str | None:
    return absolute(entry.get("link"), feed_url)


def entry_html(entry, feed_url: str, permalink: str | None) -> tuple[str, str | None]:
    """(HTML, base URL) of an entry's content; permalink is entry_link()'s."""
    contents = entry.get("content") or []
    best = next((c for c in contents if "html" in (c.get("type") or "")), None)
    best = best or (contents[0] if contents else None)
    detail = best or entry.get("summary_detail") or {}
    value = (best or {}).get("value") if best else entry.get("summary", "")
    value = value or ""
    if detail and "html" not in (detail.get("type") or "text/html"):
        value = value.replace("&", "&amp;").replace("<", "&lt;")  # plain text stays text
    # An explicit xml:base wins (the only base feedparser knows: see feedparse);
    # otherwise links are relative to the entry's own page, else to the feed.
    xml_base = detail.get("base")
    base = absolute(xml_base, feed_url) if xml_base else permalink or feed_url
    return value, base if urlsplit(base or "").scheme in ("http", "https") else None


class TopicMatcher:
    """Whole-word, case-insensitive matching of categories and text against topics.

    Built from {slug: [terms]} (a topic's Title and Keywords); runs in the parser
    workers so entry text never travels back to the main process."""

    def __init__(self, terms: dict[str, list[str]]):
        self.names, self.patterns, self.needles = {}, {}, {}
        for slug, words in terms.items():
            words = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
            self.names[slug] = set(words) | {slug}
            # A space in a keyword matches any run of whitespace (text is not collapsed).
            alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
            alternatives = alternatives or re.escape(slug)
            self.patterns[slug] = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)
            # The regex scans the whole text for each topic (~40 us for 3 KB): with 20
            # topics that was most of a pull's cost per entry. A keyword can only match
            # where its longest word occurs, which a substring test on the folded text
            # (C speed) rules out first for most topics.
            self.needles[slug] = {_fold(max(w.split(), key=len)) for w in words} or {_fold(slug)}

    def match(self, categories: list[str], text: str) -> list[str]:
        cats = {c.lower() for c in categories}
        folded = _fold(text)
        return [slug for slug, pattern in self.patterns.items()
                if cats & self.names[slug]
                or (any(n in folded for n in self.needles[slug]) and pattern.search(text))]


def _fold(text: str) -> str:
    """Case-folded so that whatever re.IGNORECASE matches also matches as a substring:
    casefold() covers the rest, but it turns the dotted capital I into 'i' plus a
    combining dot, and leaves the dotless i alone, where the regex sees an 'i'."""
    return text.casefold().replace("i\u0307", "i").replace("\u0131", "i")


_MATCHERS: dict = {}


def topic_matcher(terms: dict[str, list[str]] | None) -> TopicMatcher:
    key = tuple(sorted((k, tuple(v)) for k, v in (terms or {}).items()))
    if key not in _MATCHERS:  # one per worker process and topic set
        _MATCHERS[key] = TopicMatcher(terms or {})
    return _MATCHERS[key]


def feedparse(data: bytes, url: str, content_type: str | None, result) -> object | None:
    """feedparser's result, or None when the bytes are not a feed at all; problems are
    added to `result` (a ParsedFeed or ParsedWatch)."""
    import feedparser  # here, not at the top: ~40 ms that a pull of unchanged feeds never needs
    import feedparser.api

    sax_driver.use(feedparser.api)

    # Not the feed's URL as content-location: feedparser would then resolve every
    # element's base against it, a third of its parsing time. The few URLs used
    # are made absolute afterwards (absolute()).
    headers = {"content-type": content_type} if content_type else {}
    # A stream, never bytes: feedparser opens bytes as a file name when such a file
    # exists, so a server answering "/some/local/feed.xml" would make us read it.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    if parsed.get("bozo"):
        reason = one_line(str(parsed.get("bozo_exception") or "malformed feed"))[:300]
        if not parsed.entries and not parsed.get("version"):
            result.ok = False
            result.problems.append(f"not a feed: {reason}")
            return None
        result.problems.append(f"malformed feed, usable entries kept: {reason}")
    return parsed


def parse_feed(data: bytes, url: str, content_type: str | None, mode: str = "excerpt",
               excerpt_words: int = 80, topic_terms: dict[str, list[str]] | None = None) -> ParsedFeed:
    result = ParsedFeed(url=url)
    parsed = feedparse(data, url, content_type, result)
    if parsed is None:
        return result
    matcher = topic_matcher(topic_terms)
    for raw in parsed.entries:
        try:
            result.entries.append(_entry(raw, url, mode, excerpt_words, matcher))
        except Exception as exc:  # noqa: BLE001 - one bad entry must not sink the feed
            result.problems.append(f"entry skipped ({type(exc).__name__}: {one_line(str(exc))[:200]})")
    return result


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def entry_id(raw) -> str | None:
    return one_line(raw.get("id", "") or "")[:500] or None


def entry_key(eid: str | None, link: str | None, digest: str | None) -> str:
    """An entry is known by its id, else its normalised permalink, else the hash of
    its title and text (digest)."""
    return f"id:{eid}" if eid else (f"url:{link}" if link else f"hash:{digest}")


def identity(raw, link: str | None, text: str) -> tuple[str | None, str, str]:
    """(id, key, hash of text) of an entry."""
    digest, eid = text_hash(text), entry_id(raw)
    return eid, entry_key(eid, link, digest), digest


# A post's content hash covers its title and sanitized HTML, not its Markdown, so
# excerpt mode converts only the excerpt (the rest was a fifth of a cold pull's parsing).
# Hashes from before this scheme (over the title and the whole Markdown) have no prefix;
# a ledger keeps them until their entry is pulled again (see Puller._apply_entry).
HASH_SCHEME = "s:"


def content_hash(title: str, sanitized_html: str) -> str:
    return HASH_SCHEME + text_hash(f"{title}\n{sanitized_html}")


def is_legacy_hash(value: str | None) -> bool:
    return bool(value) and not value.startswith(HASH_SCHEME)


def _entry(raw, feed_url: str, mode: str, excerpt_words: int, matcher: TopicMatcher) -> Entry:
    permalink = entry_link(raw, feed_url)
    html, base = entry_html(raw, feed_url, permalink)
    eid = entry_id(raw)
    # An entry without an id is also known by the hash of its whole Markdown: its key
    # when it has no link either, and how an old ledger recognises it after a permalink
    # change. Only entries with an id can skip converting past the excerpt.
    limit = excerpt_words if mode == "excerpt" and eid else None
    blocks, text, sanitized = html_to_blocks(html, base, limit)
    full = "\n\n".join(blocks)
    body = "\n\n".join(excerpt(blocks, excerpt_words)) if mode == "excerpt" else full
    link = normalise_url(permalink)
    title = entry_title(raw)
    if not title:
        words = text.split(maxsplit=10)[:10]
        title = (" ".join(words) + " …") if words else "Untitled post"
    markdown_hash = None if eid else text_hash(f"{title}\n{full}")
    categories = [one_line(t.get("term", "") or "") for t in raw.get("tags", []) or []]
    return Entry(key=entry_key(eid, link, markdown_hash), id=eid, link=link,
                 original=clean_link(permalink), title=title, published=entry_date(raw),
                 categories=[c for c in categories if c], body=body,
                 topics=matcher.match(categories, f"{title} {text[:20000]}"),
                 content_hash=content_hash(title, sanitized), legacy_hash=markdown_hash)
