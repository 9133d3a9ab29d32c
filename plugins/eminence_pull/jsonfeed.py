"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) in feedparser's shape.

feedparser 6.0 (the current release) reads XML only, so a JSON Feed is mapped here
onto the keys parse.py and mentions.py read from a feedparser entry: id, link,
title (plain text, as JSON Feed defines it), content (content_html, else
content_text as text/plain), summary, published/updated as UTC struct_time,
author(s), tags and attachments as enclosures. Everything downstream (identity,
dates, sanitizing, topics) is then the same code as for RSS and Atom.

Every value is read by what it must be (a string, a list, a finite number, a date
within range): a value of another type counts as absent, so one mistyped field costs
that field, never the item or the feed. An item that still cannot be read is skipped
and named in `skipped_items` (the pull reports it); JSON nested too deep for the
parser is "not JSON", said, not a crash.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from feedparser.util import FeedParserDict

VERSIONS = {"https://jsonfeed.org/version/1": "json1", "https://jsonfeed.org/version/1.1": "json11"}


def looks_like_json(data: bytes, content_type: str | None) -> bool:
    return "json" in (content_type or "").lower() or data[:1] in (b"{", b"[")


def _time(value) -> object | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC).timetuple()
    except (ValueError, OverflowError):  # not a date, or one past year 9999 in UTC
        return None


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _seconds(value) -> int | None:
    """A duration in whole seconds, or None (not a number, infinite, negative, absurd)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value) if 0 <= value < 10**7 else None


def _authors(item: dict, feed: dict) -> list[dict]:
    found = _list(item.get("authors")) or ([item["author"]] if isinstance(item.get("author"), dict) else [])
    if not found:
        found = _list(feed.get("authors")) or ([feed["author"]] if isinstance(feed.get("author"), dict)
                                               else [])
    return [a for a in found if isinstance(a, dict)]


def _entry(item: dict, feed: dict) -> FeedParserDict:
    entry = FeedParserDict()
    ident = item.get("id")
    entry["id"] = ident if isinstance(ident, str) else str(ident) if isinstance(ident, int) else ""
    url = _text(item.get("url")) or _text(item.get("external_url"))
    if url:
        entry["link"] = url
    title = _text(item.get("title"))
    entry["title"] = title
    entry["title_detail"] = FeedParserDict(type="text/plain", value=title)
    html, text = _text(item.get("content_html")), _text(item.get("content_text"))
    if html or text:
        entry["content"] = [FeedParserDict(type="text/html" if html else "text/plain", value=html or text)]
    summary = _text(item.get("summary"))
    if summary:
        entry["summary"] = summary
        entry["summary_detail"] = FeedParserDict(type="text/plain", value=summary)
    for key, field in (("published_parsed", "date_published"), ("updated_parsed", "date_modified")):
        parsed = _time(item.get(field))
        if parsed:
            entry[key] = parsed
    authors = _authors(item, feed)
    if authors:
        first = authors[0]
        entry["author"] = _text(first.get("name"))
        entry["author_detail"] = FeedParserDict(name=_text(first.get("name")),
                                                href=_text(first.get("url")))
    if _text(item.get("language")):  # JSON Feed 1.1: an item in another language than its feed
        entry["language"] = _text(item.get("language"))
    tags = [t for t in _list(item.get("tags")) if isinstance(t, str)]
    entry["tags"] = [FeedParserDict(term=t) for t in tags]
    # FeedParserDict derives `enclosures` from the links with rel="enclosure", as for RSS.
    entry["links"] = [FeedParserDict(rel="alternate", type="text/html", href=url)] if url else []
    entry["links"] += [
        FeedParserDict(rel="enclosure", href=_text(a.get("url")), type=_text(a.get("mime_type")),
                       length=str(a.get("size_in_bytes") or ""))
        for a in _list(item.get("attachments")) if isinstance(a, dict) and _text(a.get("url"))]
    durations = [_seconds(a.get("duration_in_seconds")) for a in _list(item.get("attachments"))
                 if isinstance(a, dict)]
    durations = [d for d in durations if d is not None]
    if durations:
        entry["itunes_duration"] = str(durations[0])
    return entry


def parse(data: bytes) -> FeedParserDict:
    """A feedparser-style result; `bozo` with a reason when the bytes are not a JSON Feed."""
    result = FeedParserDict(entries=[], feed=FeedParserDict(), bozo=False, version="", skipped_items=[])
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        result.update(bozo=True, bozo_exception=f"not JSON: {exc}")
        return result
    except RecursionError:
        result.update(bozo=True, bozo_exception="not JSON: nested too deep to read")
        return result
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        result.update(bozo=True, bozo_exception="JSON, but not a JSON Feed (no 'items' list)")
        return result
    result["version"] = VERSIONS.get(_text(doc.get("version")), "json")
    result["feed"] = FeedParserDict(title=_text(doc.get("title")), link=_text(doc.get("home_page_url")),
                                    language=_text(doc.get("language")))  # JSON Feed 1.1
    for n, item in enumerate(doc["items"], 1):
        if not isinstance(item, dict):
            result["skipped_items"].append(f"item {n} is not an object")
            continue
        try:
            result["entries"].append(_entry(item, doc))
        except Exception as exc:  # noqa: BLE001 - one unreadable item must not sink the feed
            result["skipped_items"].append(f"item {n}: {type(exc).__name__}: {str(exc)[:120]}")
    return result
