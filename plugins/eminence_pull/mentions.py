"""Watch feeds -> endorsement candidates: the text half (runs in parser workers).

An entry is a candidate when its prose names one of the brand terms
(EMINENCE_BRAND_TERMS). Prose means: the text a reader reads, after the allowlist
clean, minus link targets, visible URLs and e-mail addresses, and minus
boilerplate (footers, "The post ... appeared first on ...", copyright lines). The
quote is the sentence around the mention, plus its neighbour when it is short, as
plain text; the full context stays at Source.

The review queue's ordering of candidates is ranking.py's, over these text rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from eminence_model.sanitize import text_only

from .convert import BLOCKS, clean_tree
from .links import clean_link, publisher_url
from .parse import (
    absolute,
    entry_date,
    entry_html,
    entry_id,
    entry_link,
    entry_title,
    feedparse,
    identity,
    identity_link,
    one_line,
    topic_matcher,
)

QUOTE_SHORT = 20  # words: a mention sentence shorter than this takes a neighbour along
QUOTE_MAX = 60  # words: a longer quote is cut around the mention, marked with …
# Words of prose (URLs masked) an entry needs for its title not to be all it has: below
# this (Hacker News' "Article URL … Points: 3 … Comments: 0", a link post) the title is
# what the entry says, and a brand named in it makes a candidate.
TEXT_OF_ITS_OWN = 20
BOILERPLATE_MAX = 40  # words: longer blocks are prose even if they look like a footer

# Blocks that are site furniture, not somebody's opinion.
BOILERPLATE = re.compile(
    r"^(?:posted|filed|tagged|categor(?:y|ies)|tags?|share(?:d)?|via|source|originally published"
    r"|related|read more|continue reading|sponsored|advertisement|subscribe|follow us|copyright)\b"
    r"|appeared first on|all rights reserved|©|\(c\)\s*\d{4}|\bunsubscribe\b", re.I)
# Visible URLs, bare domains and e-mail addresses: a brand inside one is not a mention.
URLISH = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+|\S+@\S+\.\S+"
                    r"|(?<![\w@])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?:/\S*)?(?!\w)", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
BLOCK_TAGS = BLOCKS | {"td", "th", "br"}  # a cell or a line break also ends a sentence's run
# Dropped with their content before looking for prose.
FURNITURE = {"footer", "nav", "aside", "header"}

class TermMatcher:
    """Whole-word, case-insensitive matches of a list of names; reports the name as
    configured (so 'kestrel works' in text reports 'Kestrel Works')."""

    def __init__(self, terms):
        self.canonical = {}
        for term in terms:
            if term and term.strip():
                self.canonical.setdefault(" ".join(term.split()).casefold(), " ".join(term.split()))
        words = sorted(self.canonical, key=len, reverse=True)
        # Any run of whitespace in the text matches the space in a multi-word term.
        alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I) if words else None
        # As a URL spells it: kestrelworks, kestrel-works, kestrel_works.
        loose = "|".join(r"[\s._-]*".join(map(re.escape, w.split())) for w in words)
        self.loose = re.compile(loose, re.I) if words else None

    def find(self, text: str) -> list[str]:
        if self.pattern is None:
            return []
        found = (self.canonical.get(" ".join(m.group().split()).casefold())
                 for m in self.pattern.finditer(text))
        return list(dict.fromkeys(t for t in found if t))


def mask_urls(text: str) -> str:
    """The text with every URL-like token blanked (same length, so positions hold)."""
    return URLISH.sub(lambda m: " " * len(m.group()), text)


ABBREVIATION = re.compile(r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|Prof|St|Inc|Ltd|Co|Corp|vs|etc|e\.g|i\.e|cf)\.$", re.I)


def sentences(block: str) -> list[str]:
    out: list[str] = []
    for part in SENTENCE_END.split(block):
        part = part.strip()
        if out and ABBREVIATION.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"  # "Dr. Ada Lovelace" is one sentence
        elif part:
            out.append(part)
    return out


def text_blocks(html: str, base: str | None) -> tuple[list[str], list[str]]:
    """(own, quoted): plain-text paragraphs of untrusted HTML after the allowlist
    clean, with footers, navigation and asides dropped; `quoted` holds those inside
    a blockquote (someone else's words, e.g. the message a comment replies to).
    Link text stays; link targets do not."""
    own: list[str] = []
    quoted: list[str] = []
    root = clean_tree(html, base, drop=FURNITURE)
    if root is None:
        return own, quoted
    current: list[str] = []

    def flush(into: list[str]):
        text = " ".join("".join(current).split())
        if text:
            into.append(text)
        current.clear()

    def walk(el, into: list[str]):
        block = el.tag in BLOCK_TAGS
        if block:
            flush(into)
        inner = quoted if el.tag == "blockquote" else into
        current.append(el.text or "")
        for child in el:
            if isinstance(child.tag, str):
                walk(child, inner)
            current.append(child.tail or "")
        if block:
            flush(inner)

    walk(root, own)
    flush(own)
    return own, quoted


def is_boilerplate(block: str) -> bool:
    return len(block.split()) <= BOILERPLATE_MAX and bool(BOILERPLATE.search(block))


def _cut(words: list[str], around: int) -> str:
    start = max(0, min(around - QUOTE_MAX // 2, len(words) - QUOTE_MAX))
    end = min(len(words), start + QUOTE_MAX)
    return ("… " if start else "") + " ".join(words[start:end]) + (" …" if end < len(words) else "")


def quote_around(block: str, matcher: TermMatcher) -> tuple[str, list[str]] | None:
    """(quote, terms) for the first sentence of a prose block that names a term."""
    parts = sentences(block)
    for i, sentence in enumerate(parts):
        terms = matcher.find(mask_urls(sentence))
        if not terms:
            continue
        quote = sentence
        if len(sentence.split()) < QUOTE_SHORT and len(parts) > 1:
            quote = f"{sentence} {parts[i + 1]}" if i + 1 < len(parts) else f"{parts[i - 1]} {sentence}"
        words = quote.split()
        if len(words) > QUOTE_MAX:
            first = terms[0].split()[0].casefold()
            at = next((n for n, w in enumerate(words) if first in w.casefold()), 0)
            quote = _cut(words, at)
        return quote, terms
    return None


@dataclass
class Mention:
    """One watch-feed entry, examined. `drop` says why it is not a candidate."""

    key: str
    link: str | None  # normalised, for identity
    source: str | None  # the permalink as published (the endorsement's Source)
    title: str
    published: str | None
    author: str | None
    author_url: str | None
    author_email: str | None
    quote: str = ""
    terms: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # topics whose keywords the prose names
    experts: list[str] = field(default_factory=list)  # experts the prose names
    content_hash: str = ""
    drop: str | None = None  # a key of candidates.DROP_REASONS
    source_note: str | None = None  # why the Source needs an editor's look (links.publisher_url)


@dataclass
class ParsedWatch:
    url: str
    entries: list[Mention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ok: bool = True


# A status's URL names its account: Mastodon (and other ActivityPub servers)
# https://host/@user/123 or https://host/users/user/statuses/123.
STATUS_URL = re.compile(r"^/(?:@(?P<at>[A-Za-z0-9_.-]{1,64})|users/(?P<user>[A-Za-z0-9_.-]{1,64})/statuses)"
                        r"/\d+/?$")


def status_account(url: str | None) -> tuple[str, str] | None:
    """('@user@host', profile URL) of a social status URL, or None."""
    parts = urlsplit(url or "")
    match = STATUS_URL.match(parts.path) if parts.hostname else None
    if not match:
        return None
    user, host = match.group("at") or match.group("user"), parts.hostname.lower()
    return f"@{user}@{host}", f"{parts.scheme}://{host}/@{user}"


def _named(source, feed_url: str) -> tuple[str, str | None, str | None] | None:
    detail = source.get("author_detail") or {}
    name = one_line(text_only(detail.get("name") or source.get("author") or ""))[:120]
    if not name:
        return None
    email = one_line(detail.get("email") or "")[:200] or None
    return name, clean_link(absolute(detail.get("href"), feed_url)), email


def _author(raw, feed, feed_url: str, source: str | None) -> tuple[str | None, str | None, str | None]:
    """(name, URL, e-mail) of who wrote an entry: its author (dc:creator too, which
    feedparser reads as author), else the account a status URL names, else the feed's."""
    account = status_account(source)
    found = _named(raw, feed_url) or (account and (account[0], account[1], None)) or _named(feed, feed_url)
    return found or (None, None, None)


def examine(raw, feed, feed_url: str, brands: TermMatcher, topics, experts: TermMatcher,
            expert_slugs: dict) -> Mention:
    """Decide what a watch entry is: a candidate with its quote, or a drop reason."""
    # The publisher's own page, not a search engine's redirect: the Source an editor
    # (and verify-endorsements) will check.
    permalink, source_note = publisher_url(raw, entry_link(raw, feed_url))
    html, base = entry_html(raw, feed_url, permalink)
    title = entry_title(raw)
    source = clean_link(permalink)
    name, href, email = _author(raw, feed, feed_url, source)
    link = identity_link(permalink, entry_id(raw))
    blocks, quoted = text_blocks(html, base)
    full = "\n".join(blocks + quoted)
    _, key, content_hash = identity(raw, link, f"{title}\n{full}")
    m = Mention(key, link, source, title, entry_date(raw), name, href, email,
                content_hash=content_hash, source_note=source_note)
    prose = [b for b in blocks if not is_boilerplate(b)]
    for block in prose:
        found = quote_around(block, brands)
        if found:
            m.quote, m.terms = found
            break
    if not m.terms:
        if any(brands.find(mask_urls(b)) for b in quoted):
            m.drop = "quoted_only"
        elif any(brands.find(b) for b in blocks if is_boilerplate(b)):
            m.drop = "boilerplate_only"
        elif brands.find(title) and len(mask_urls(" ".join(prose)).split()) < TEXT_OF_ITS_OWN:
            m.quote, m.terms = title, brands.find(title)  # the title is all it has (HN, a link post)
        elif brands.loose and (brands.loose.search(full) or brands.loose.search(html)):
            m.drop = "link_only"  # in a link's target, a visible URL or an address
        elif brands.find(title):
            m.drop = "title_only"  # the text says something else: the name is a headline's
        else:
            m.drop = "no_mention"
        if m.drop:
            return m
    if not m.source:
        m.drop = "no_permalink"  # an endorsement must say where it was said
        return m
    text = mask_urls(" ".join(prose))
    m.topics = topics.match([one_line(t.get("term", "") or "") for t in raw.get("tags", []) or []],
                            f"{title} {text[:20000]}")
    m.experts = list(dict.fromkeys(expert_slugs[n] for n in experts.find(text)))
    return m


def parse_watch(data: bytes, url: str, content_type: str | None, brand_terms: list[str],
                topic_terms: dict, expert_names: dict) -> ParsedWatch:
    """Parse a watch feed; every entry comes back examined (candidates and drops)."""
    result = ParsedWatch(url)
    parsed = feedparse(data, url, content_type, result)
    if parsed is None:
        return result
    brands = TermMatcher(brand_terms)
    names = {" ".join(n.split()): slug for slug, ns in expert_names.items() for n in ns}
    experts = TermMatcher(names)
    slugs = {n: names[n] for n in experts.canonical.values()}
    topics = topic_matcher(topic_terms)
    for raw in parsed.entries:
        try:
            result.entries.append(examine(raw, parsed.feed, url, brands, topics, experts, slugs))
        except Exception as exc:  # noqa: BLE001 - one bad entry must not sink the feed
            result.problems.append(f"entry skipped ({type(exc).__name__}: {one_line(str(exc))[:200]})")
    return result
