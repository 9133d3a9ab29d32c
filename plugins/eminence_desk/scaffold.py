"""New topics and experts as files valid as they stand, and a new feed checked once."""

from __future__ import annotations

import os
from dataclasses import dataclass

from eminence_model.store import atomic_write
from eminence_model.validate import display_path

from .edits import DeskError


def _new_file(content: str, folder: str, title: str, settings: dict) -> tuple[str, str]:
    from pelican.utils import slugify

    slug = slugify(title, regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
    if not slug:
        raise DeskError(f"'{title}': cannot make a file name from it; use letters or digits.")
    path = os.path.join(content, folder, f"{slug}.md")
    if os.path.exists(path):
        raise DeskError(f"{display_path(path)} already exists: choose another name or edit it.")
    return slug, path


def new_topic(content: str, title: str, settings: dict, topics: list) -> str:
    """Write content/topics/<slug>.md, listed after the existing `topics`; valid as
    written, for the editor to refine."""
    order = max([getattr(t, "order", 0) for t in topics] + [0]) + 1
    _, path = _new_file(content, "topics", title, settings)
    site = settings.get("SITENAME", "us")
    atomic_write(path, (f"Title: {title}\nSummary: What {site} has to say about {title}.\n"
                        f"Keywords: {title.lower()}\nOrder: {order}\n\n"
                        f"Our experts' writing on {title}.\n").encode())
    return path


def new_expert(content: str, name: str, topics: list[str], feeds: list[str], known: dict,
               settings: dict) -> str:
    """Write content/experts/<slug>.md (not trusted: their pulled posts arrive as drafts)."""
    unknown = [t for t in topics if t not in known]
    if not topics or unknown:
        raise DeskError(f"--topics: unknown topic(s) {', '.join(unknown) or '(none given)'}. "
                        f"Fix: use one of: {', '.join(sorted(known))}.")
    _, path = _new_file(content, "experts", name, settings)
    lines = [f"Title: {name}", f"Topics: {', '.join(topics)}"]
    if feeds:
        lines.append(f"Feeds: {', '.join(feeds)}")
    lines += ["Trusted: no", "Status: active"]
    names = ", ".join(known[t] for t in topics)
    atomic_write(path, ("\n".join(lines) + f"\n\n{name} writes about {names}.\n").encode())
    return path


@dataclass
class FeedCheck:
    url: str
    ok: bool
    message: str
    entries: int = 0
    newest: str | None = None
    topics: dict | None = None  # topic slug -> entries matching it


def check_feed(url: str, topic_terms: dict, settings: dict) -> FeedCheck:
    """Fetch a feed once and say what pulling it would bring."""
    from eminence_pull.parse import parse_feed
    from eminence_pull.settings import new_fetcher

    with new_fetcher(settings, "feed check") as fetcher:
        result = fetcher.submit(url).result()
    if result.error:
        return FeedCheck(url, False, result.error)
    parsed = parse_feed(result.body, url, result.content_type, topic_terms=topic_terms)
    if not parsed.ok:
        return FeedCheck(url, False, "; ".join(parsed.problems))
    counts: dict = {}
    for entry in parsed.entries:
        for slug in entry.topics:
            counts[slug] = counts.get(slug, 0) + 1
    dates = [e.published for e in parsed.entries if e.published]
    note = ("; ".join(parsed.problems) + "; ") if parsed.problems else ""
    return FeedCheck(url, True, f"{note}a valid feed", len(parsed.entries),
                     max(dates)[:10] if dates else None, counts)


def check_feeds(urls: list[str], settings: dict):
    """Check each feed once (new-expert), yielding a line for each; a feed that fails
    stops with DeskError saying how to go on."""
    from eminence_model.sources import read_people

    people = read_people(settings)
    terms = {slug: [v.get("title", slug), *v.get("keywords", [])] for slug, v in people.topics.items()}
    for url in urls:
        result = check_feed(url, terms, settings)
        if not result.ok:
            raise DeskError(f"{url}: {result.message}. Fix the URL, or leave --feed out and add it later.")
        matched = ", ".join(f"{t} ({n})" for t, n in sorted(result.topics.items())) or "none"
        yield (f"{url}: {result.message}; {result.entries} entries, newest {result.newest or 'undated'}; "
               f"entries matching topics: {matched}")
