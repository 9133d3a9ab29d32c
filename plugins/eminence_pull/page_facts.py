"""What a web page says about itself, for adding a post by its URL (`invoke add-post`).

A page has no feed entry, but most pages declare what they are for search engines and
link previews. Read with extruct (JSON-LD, OpenGraph, microformats through mf2py) and
lxml for the plain HTML bits; the first declaration that says a thing wins:

1. JSON-LD, its main item (the first of a known type, `@graph` included): `Article`,
   `BlogPosting`, `NewsArticle`, `TechArticle`, `ScholarlyArticle`, `Report` (article);
   `SocialMediaPosting` (note); `VideoObject` (video); `PodcastEpisode` (episode);
   `Event` (a talk page: an article titled by the event, dated by its start);
2. a microformats `h-entry` (an IndieWeb post; without a name of its own it is a note);
3. OpenGraph (`og:type` video.* is a video, `og:audio` an episode) and `article:*`;
4. the HTML: `<title>`, `meta name=description|author`, `rel=author`, `rel=canonical`.

oEmbed is discovered here (`<link type="application/json+oembed">`) and read by the
caller, which fetches it through the same guarded fetcher (`with_oembed`).

Nothing here is trusted: every value is text for a metadata line (the writer makes it
one line) or HTML that the pull's sanitizer converts, like any feed's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin

import lxml.html

from eminence_model.showcase import Kind

from .kinds import clock

ARTICLE_TYPES = {"Article", "BlogPosting", "NewsArticle", "TechArticle", "ScholarlyArticle", "Report",
                 "AnalysisNewsArticle", "OpinionNewsArticle", "ReportageNewsArticle", "Event"}
TYPES = {**{t: Kind.ARTICLE for t in ARTICLE_TYPES}, "SocialMediaPosting": Kind.NOTE,
         "DiscussionForumPosting": Kind.NOTE, "VideoObject": Kind.VIDEO, "PodcastEpisode": Kind.EPISODE}
TEXT_CHARS = 200_000  # of the page's text, searched for the expert's name
_ISO_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?)?", re.I)


@dataclass
class PageFacts:
    url: str  # the page as fetched
    kind: Kind = Kind.ARTICLE
    title: str | None = None
    published: str | None = None  # as declared (ISO 8601 date or date-time)
    authors: list[str] = field(default_factory=list)  # names
    author_urls: list[str] = field(default_factory=list)
    description: str = ""  # plain text, or HTML (content_html) where the page gives it
    content_html: str | None = None  # an h-entry's e-content: a note's whole text
    media: str | None = None  # an episode's audio file, a video's file
    duration: str | None = None  # m:ss or h:mm:ss
    canonical: str | None = None
    html_title: str | None = None  # the page's <title>: the last resort (often "Post | Site")
    oembed: str | None = None  # the page's oEmbed (JSON) address, to read next
    read: list[str] = field(default_factory=list)  # which declarations said something
    text: str = ""  # the page's visible text, for "does it name the expert?"


def iso_seconds(value) -> int | None:
    """Seconds of an ISO 8601 duration (`PT52M14S`), or None."""
    m = _ISO_DURATION.fullmatch(str(value or "").strip())
    if not m or not any(m.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in m.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def running_time(value) -> str | None:
    seconds = iso_seconds(value)
    return clock(seconds if seconds is not None else value)


def _first(value):
    """A JSON-LD or mf2 value that may be a list: its first element."""
    return value[0] if isinstance(value, list) and value else (None if isinstance(value, list) else value)


def _text(value) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("value") or value.get("@value")
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _types(node: dict) -> list[str]:
    found = node.get("@type") or []
    found = found if isinstance(found, list) else [found]
    return [t.rsplit("/", 1)[-1] for t in found if isinstance(t, str)]  # "https://schema.org/X" too


def _nodes(json_ld: list) -> list[dict]:
    out = []
    for node in json_ld:
        if isinstance(node, dict):
            graph = node.get("@graph")
            out += [n for n in graph if isinstance(n, dict)] if isinstance(graph, list) else [node]
    return out


def _people(value) -> tuple[list[str], list[str]]:
    names, urls = [], []
    for person in value if isinstance(value, list) else [value]:
        if isinstance(person, str):
            names.append(person)
        elif isinstance(person, dict):
            if _text(person.get("name")):
                names.append(_text(person.get("name")))
            url = _first(person.get("url")) or person.get("@id")
            if isinstance(url, str):
                urls.append(url)
    return names, urls


def _media_url(node: dict) -> str | None:
    for key in ("contentUrl", "associatedMedia", "audio"):
        value = _first(node.get(key))
        if isinstance(value, dict):
            value = _first(value.get("contentUrl")) or _first(value.get("url"))
        if isinstance(value, str):
            return value
    return None


def _from_json_ld(facts: PageFacts, json_ld: list) -> None:
    main = next((n for n in _nodes(json_ld) if any(t in TYPES for t in _types(n))), None)
    if main is None:
        return
    kind_name = next(t for t in _types(main) if t in TYPES)
    facts.read.append(f"JSON-LD {kind_name}")
    facts.kind = TYPES[kind_name]
    facts.title = _text(main.get("headline")) or _text(main.get("name"))
    facts.published = _text(main.get("datePublished")) or _text(main.get("uploadDate")) or _text(
        main.get("startDate")) or _text(main.get("dateCreated"))
    facts.authors, facts.author_urls = _people(main.get("author") or main.get("creator")
                                               or main.get("performer") or [])
    facts.description = _text(main.get("description")) or _text(main.get("text")) or ""
    facts.duration = running_time(_text(main.get("duration")) or _text(main.get("timeRequired")))
    facts.media = _media_url(main) if facts.kind in (Kind.VIDEO, Kind.EPISODE) else None
    url = _first(main.get("url"))
    facts.canonical = url if isinstance(url, str) else None


def _from_h_entry(facts: PageFacts, items: list) -> None:
    entry = next((i for i in items if "h-entry" in (i.get("@type") or [])), None)
    if entry is None:
        return
    facts.read.append("microformats h-entry")
    content = _first(entry.get("content"))
    html = content.get("html") if isinstance(content, dict) else None
    text = _text(content) or ""
    name = _text(entry.get("name"))
    # An h-entry's name defaults to its whole text (mf2's implied name): then it has none.
    titled = bool(name) and not " ".join(text.split()).startswith(name[:40])
    if facts.title is None:
        facts.kind = Kind.ARTICLE if titled else Kind.NOTE
        facts.title = name if titled else None
    facts.content_html = facts.content_html or html
    facts.published = facts.published or _text(entry.get("published"))
    if not facts.authors:
        for card in entry.get("author") or []:
            names, urls = _people(card if isinstance(card, str) else {
                "name": _text(card.get("name")) or _text(card), "url": _first(card.get("url"))})
            facts.authors += names
            facts.author_urls += urls
    facts.description = facts.description or _text(entry.get("summary")) or text
    url = _first(entry.get("url"))
    facts.canonical = facts.canonical or (url if isinstance(url, str) else None)


def _from_opengraph(facts: PageFacts, graphs: list) -> None:
    og = graphs[0] if graphs else {}
    if not og:
        return
    facts.read.append("OpenGraph")
    og_type = str(og.get("@type") or "")
    if not any(r.startswith(("JSON-LD", "microformats")) for r in facts.read[:-1]):
        if og_type.startswith("video") or og.get("og:video"):
            facts.kind = Kind.VIDEO
        elif og.get("og:audio"):
            facts.kind, facts.media = Kind.EPISODE, _text(og.get("og:audio"))
    facts.title = facts.title or _text(og.get("og:title"))
    facts.description = facts.description or _text(og.get("og:description")) or ""
    facts.published = facts.published or _text(og.get("article:published_time"))
    facts.duration = facts.duration or running_time(_text(og.get("video:duration")))
    facts.canonical = facts.canonical or _text(og.get("og:url"))
    author = _text(og.get("article:author"))
    if author and not facts.authors:
        (facts.author_urls if author.startswith(("http://", "https://")) else facts.authors).append(author)


def _from_html(facts: PageFacts, root, base: str) -> None:
    def attr(xpath: str, name: str) -> str | None:
        found = root.xpath(xpath)
        return found[0].get(name) if found and found[0].get(name) else None

    title = root.findtext(".//title")
    facts.html_title = " ".join(title.split()) if title and title.strip() else None
    facts.description = facts.description or attr("//meta[@name='description']", "content") or ""
    author = attr("//meta[@name='author']", "content")
    if author and not facts.authors:
        facts.authors.append(" ".join(author.split()))
    for link in root.xpath("//a[@rel='author'] | //link[@rel='author']"):
        if link.get("href"):
            facts.author_urls.append(urljoin(base, link.get("href")))
        if link.tag == "a" and link.text_content().strip():
            facts.authors.append(" ".join(link.text_content().split()))
    canonical = attr("//link[@rel='canonical']", "href")
    facts.canonical = facts.canonical or (urljoin(base, canonical) if canonical else None)
    oembed = attr("//link[@rel='alternate'][@type='application/json+oembed']", "href")
    facts.oembed = urljoin(base, oembed) if oembed else None
    for dropped in root.xpath("//script | //style | //noscript | //template"):
        dropped.drop_tree()
    body = root.find("body")
    facts.text = " ".join((body if body is not None else root).text_content().split())[:TEXT_CHARS]


def read_page(html: str, url: str) -> PageFacts:
    """What the page at `url` (its HTML, decoded) declares about itself."""
    import extruct

    facts = PageFacts(url)
    try:
        data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "opengraph", "microformat"],
                               uniform=True, errors="ignore")
    except Exception:  # noqa: BLE001 - a page whose declarations do not parse still has HTML
        data = {}
    _from_json_ld(facts, data.get("json-ld") or [])
    _from_h_entry(facts, data.get("microformat") or [])
    _from_opengraph(facts, data.get("opengraph") or [])
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return facts
    _from_html(facts, root, url)
    return facts


def with_oembed(facts: PageFacts, data: dict) -> PageFacts:
    """The page's facts completed by its oEmbed answer (title, author; a `video` is a video)."""
    if not isinstance(data, dict):
        return facts
    kind = Kind.VIDEO if data.get("type") == "video" and facts.kind is Kind.ARTICLE else facts.kind
    names = facts.authors or ([_text(data.get("author_name"))] if _text(data.get("author_name")) else [])
    urls = facts.author_urls or ([data["author_url"]] if isinstance(data.get("author_url"), str) else [])
    return replace(facts, kind=kind, title=facts.title or _text(data.get("title")), authors=names,
                   author_urls=urls, read=[*facts.read, "oEmbed"])
