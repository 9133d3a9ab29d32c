"""A web page's microformats `h-feed` read as a feed: IndieWeb sites publish their
posts as marked-up HTML (`h-feed` of `h-entry`s) and often no RSS, Atom or JSON Feed.

The page is parsed with mf2py (the microformats parser of the Python ecosystem, which
resolves relative URLs against the page) and becomes a JSON Feed 1.1 document, read by
jsonfeed.py like any JSON Feed: one path from there on (sanitizing, kinds, identity).
An `h-entry` whose name is only its text (mf2's implied name) has no title of its own:
a note. A page without an `h-feed` but with top-level `h-entry`s is a feed of those.
Discovery (discover.py) takes a page's h-feed only when the page links no feed.
"""

from __future__ import annotations

import json

MAX_ITEMS = 500  # a page is not an archive: the newest few hundred entries are plenty


def looks_like_html(data: bytes, content_type: str | None) -> bool:
    """A web page, not a feed a server calls text/html (RSS served as HTML is common)."""
    start = data[:512].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return True
    xml = start.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf"))
    return "html" in (content_type or "").lower() and not xml


def _first(values, default=None):
    return values[0] if isinstance(values, list) and values else default


def _text(value) -> str | None:
    value = _first(value) if isinstance(value, list) else value
    if isinstance(value, dict):
        value = value.get("value") or _first(value.get("properties", {}).get("name"))
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _entries(items: list) -> tuple[dict | None, list[dict]]:
    """(the h-feed, its h-entries), or (None, the page's top-level h-entries)."""
    for item in items:
        if "h-feed" in item.get("type", []):
            return item, [c for c in item.get("children", []) if "h-entry" in c.get("type", [])]
    return None, [i for i in items if "h-entry" in i.get("type", [])]


def _item(entry: dict) -> dict:
    props = entry.get("properties", {})
    content = _first(props.get("content"))
    html = content.get("html") if isinstance(content, dict) else None
    text = _text(content) or ""
    name = _text(props.get("name"))
    item = {"url": _first(props.get("url")), "id": _first(props.get("uid")) or _first(props.get("url")),
            "content_html": html or (f"<p>{text}</p>" if text else None),
            "summary": _text(props.get("summary")), "date_published": _first(props.get("published")),
            "date_modified": _first(props.get("updated"))}
    if name and not text.startswith(name[:40]):  # a name of its own, not the implied one
        item["title"] = name
    authors = [{"name": _text(a), "url": _first(a.get("properties", {}).get("url")) if isinstance(a, dict)
                else None} for a in props.get("author", []) if _text(a)]
    if authors:
        item["authors"] = authors
    categories = [c for c in map(_text, props.get("category", [])) if c]
    if categories:
        item["tags"] = categories
    return {k: v for k, v in item.items() if v}


def to_json_feed(html: bytes, url: str) -> bytes | None:
    """The page's h-feed as JSON Feed bytes, or None when the page has no h-entry."""
    import mf2py

    parsed = mf2py.parse(doc=html, url=url, html_parser="lxml")
    feed, entries = _entries(parsed.get("items", []))
    if not entries:
        return None
    doc = {"version": "https://jsonfeed.org/version/1.1", "home_page_url": url,
           "title": _text((feed or {}).get("properties", {}).get("name")) or url,
           "items": [_item(e) for e in entries[:MAX_ITEMS]]}
    lang = parsed.get("lang")
    if isinstance(lang, str):
        doc["language"] = lang
    return json.dumps(doc).encode()
