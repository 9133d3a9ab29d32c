"""Feed bytes -> normalised entries (runs in worker processes: no shared state).

feedparser does the parsing; its own sanitizer and relative-URL pass are off
because convert.py does both, with nh3, at a fraction of the cost.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html as htmllib
import io
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

from eminence_model.languages import language_tag
from eminence_model.sanitize import text_only
from eminence_model.showcase import Kind

from . import hfeed, jsonfeed, sax_driver
from .convert import excerpt, html_to_blocks, safe_url
from .kinds import Voice, classify, first_words, title_text, without_marker
from .langdetect import detection_text
from .links import clean_link, normalise_url, publisher_url
from .shape import flatten_deep, without_teaser

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
    voice: Voice = Voice("article")  # its kind, media and whether it only replies (kinds.py)
    lang: str | None = None  # the language the entry or its feed declares (BCP 47), if any
    lang_text: str = ""  # undeclared: what the detector reads (langdetect.py), in the main
    #                      process and only for a post it writes (the model is 100 MiB)


@dataclass
class ParsedFeed:
    url: str
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ok: bool = True  # False: nothing usable (not a feed at all)


# Control characters, line/paragraph separators and invisible format characters
# (bidi overrides, zero-width): none may survive into a metadata line.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e"
                          "\u2060-\u2064\ufeff]")


def one_line(text: str) -> str:
    """Collapse every kind of line break and control character to single spaces."""
    return " ".join(_UNPRINTABLE.sub(" ", text).split())


# An entity left in text after one decoding: a title escaped twice by its CMS
# (&amp;#8211; arrives as the text "&#8211;").
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.I)


def entry_title(entry) -> str:
    """One line of plain text: markup removed, entities decoded (twice-escaped ones too)."""
    detail = entry.get("title_detail") or {}
    raw = entry.get("title", "") or ""
    text = text_only(raw) if "html" in (detail.get("type") or "") or "<" in raw else raw
    for _ in range(2):
        if not _ENTITY.search(text):
            break
        text = htmllib.unescape(text)
        if "<" in text:  # an escaped tag, decoded: text, not markup
            text = text_only(text.replace("&", "&amp;"))
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
    # Empty content (a podcast host's empty content:encoded beside full show notes in
    # <description>) is no content: the summary is used instead.
    contents = [c for c in entry.get("content") or [] if (c.get("value") or "").strip()]
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


def _lead_trimmed(data: bytes) -> bytes:
    """Without the whitespace or UTF-8 byte order mark some servers send before
    `<?xml` (an XML parser must reject a declaration that is not first). A UTF-16
    byte order mark is left for the parser: it names the encoding."""
    trimmed = data.lstrip()
    if trimmed.startswith(b"\xef\xbb\xbf"):
        trimmed = trimmed[3:].lstrip()
    return trimmed if trimmed[:1] in (b"<", b"{", b"[") else data


def feedparse(data: bytes, url: str, content_type: str | None, result) -> object | None:
    """feedparser's result, or None when the bytes are not a feed at all; problems are
    added to `result` (a ParsedFeed or ParsedWatch)."""
    import feedparser  # here, not at the top: ~40 ms that a pull of unchanged feeds never needs
    import feedparser.api

    sax_driver.use(feedparser.api)

    # Not the feed's URL as content-location: feedparser would then resolve every
    # element's base against it, a third of its parsing time. The few URLs used
    # are made absolute afterwards (absolute()).
    data = _lead_trimmed(data)
    page_feed = hfeed.to_json_feed(data, url) if hfeed.looks_like_html(data, content_type) else None
    if page_feed is not None:  # a web page's h-feed, as JSON Feed
        parsed = jsonfeed.parse(page_feed)
        parsed["version"] = "h-feed"
    elif jsonfeed.looks_like_json(data, content_type):
        parsed = jsonfeed.parse(data)
    else:
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
    for skipped in parsed.get("skipped_items") or []:
        result.problems.append(f"entry skipped ({skipped})")
    return parsed


def parse_feed(data: bytes, url: str, content_type: str | None, mode: str = "excerpt",
               excerpt_words: int = 80, topic_terms: dict[str, list[str]] | None = None) -> ParsedFeed:
    result = ParsedFeed(url=url)
    parsed = feedparse(data, url, content_type, result)
    if parsed is None:
        return result
    matcher = topic_matcher(topic_terms)
    feed_lang = language_tag((parsed.get("feed") or {}).get("language"))
    for raw in parsed.entries:
        try:
            result.entries.append(_entry(raw, url, mode, excerpt_words, matcher,
                                         entry_language(raw) or feed_lang))
        except NothingToPublish as exc:
            result.problems.append(f"entry skipped ({exc})")
        except Exception as exc:  # noqa: BLE001 - one bad entry must not sink the feed
            result.problems.append(f"entry skipped ({type(exc).__name__}: {one_line(str(exc))[:200]})")
    return result


class NothingToPublish(ValueError):
    """An entry with no title, no text, no link and no media: an empty "Untitled post"."""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def entry_id(raw) -> str | None:
    return one_line(raw.get("id", "") or "")[:500] or None


def entry_key(eid: str | None, link: str | None, digest: str | None) -> str:
    """An entry is known by its id, else its normalised permalink, else the hash of
    its title and text (digest)."""
    return f"id:{eid}" if eid else (f"url:{link}" if link else f"hash:{digest}")


def identity_link(permalink: str | None, eid: str | None) -> str | None:
    """The permalink as identity knows it. An entry with an id keeps its #fragment: a
    microblog's statuses, each with its own id, all link to one day page plus a
    fragment, and are distinct posts. Without an id the fragment goes (a feed that
    links "#more" or "#comments" must not make one post two)."""
    return normalise_url(permalink, fragment=bool(eid))


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


# Entries up to this much HTML are converted whole even in excerpt mode: a note is
# kept entire, and is known to be one only once its text is known.
SHORT_HTML = 4000


def entry_language(raw) -> str | None:
    """What the entry says it is written in: its content's, summary's or title's xml:lang
    (Atom), or its own `language` (JSON Feed); the feed's own is the caller's fallback."""
    declared = [(raw.get("content") or [{}])[0].get("language"),
                (raw.get("summary_detail") or {}).get("language"),
                (raw.get("title_detail") or {}).get("language"), raw.get("language")]
    return next((tag for tag in map(language_tag, declared) if tag), None)


def _entry(raw, feed_url: str, mode: str, excerpt_words: int, matcher: TopicMatcher,
           declared_lang: str | None = None) -> Entry:
    feed_link = entry_link(raw, feed_url)
    # The publisher's own article (not FeedBurner's or a search engine's redirect):
    # the post's identity, its Original and rel=canonical.
    permalink, _ = publisher_url(raw, feed_link)
    html, base = entry_html(raw, feed_url, permalink)
    eid = entry_id(raw)
    # An entry without an id is also known by the hash of its whole Markdown: its key
    # when it has no link either, and how an old ledger recognises it after a permalink
    # change. Only entries with an id can skip converting past the excerpt.
    limit = excerpt_words if mode == "excerpt" and eid and len(html) > SHORT_HTML else None
    blocks, text, sanitized = html_to_blocks(html, base, limit)
    blocks = without_teaser(blocks)
    full = "\n\n".join(blocks)
    original = clean_link(permalink)
    title = entry_title(raw)
    voice = classify(raw, title, text, original, lambda url: safe_url(url, original))
    _, flattened = flatten_deep(html)  # said in the summary: the post looks plainer than its page
    if flattened:
        voice = replace(voice, dropped="; ".join(filter(None, (voice.dropped, flattened))))
    # A note is its whole text; the excerpt is for articles.
    short = mode == "excerpt" and voice.kind is not Kind.NOTE
    body = "\n\n".join(excerpt(blocks, excerpt_words)) if short else full
    link = identity_link(permalink, eid)
    if voice.aside:
        title = without_marker(title)
    if voice.kind is Kind.NOTE or not title:
        # A note's title is its first words (feed readers and the browser's tab show it;
        # its page shows the text itself), a space between paragraphs. An entry with
        # neither id nor link is known by a hash over its title: its words are taken as
        # they were before notes existed, run together, so it keeps its identity.
        words = text if not (eid or link) else htmllib.unescape(title_text(sanitized))
        if not words.strip() and not (original or voice.media):
            raise NothingToPublish("no title, text, link or media: nothing to publish")
        title = first_words(words) if words.strip() else "Untitled post"
    markdown_hash = None if eid else text_hash(f"{title}\n{full}")
    categories = [one_line(t.get("term", "") or "") for t in raw.get("tags", []) or []]
    return Entry(key=entry_key(eid, link, markdown_hash), id=eid, link=link,
                 original=original, title=title, published=entry_date(raw),
                 categories=[c for c in categories if c], body=body,
                 topics=matcher.match(categories, f"{title} {text[:20000]}"),
                 content_hash=content_hash(title, sanitized), legacy_hash=markdown_hash, voice=voice,
                 lang=declared_lang, lang_text="" if declared_lang else detection_text(title, text))
