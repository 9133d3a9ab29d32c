"""New topics and experts as files valid as they stand, and a new feed checked once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

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
    order = max([t.values.get("order", 0) for t in topics] + [0]) + 1
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
    # No made-up biography: a comment (never rendered) until the editor writes one, and
    # `invoke health` lists the expert until then.
    comment = (f"<!-- {name.replace('--', '—')}'s biography: what they work on and are known for, in a "
               "few sentences. Until it is written, their page shows none. -->")
    atomic_write(path, ("\n".join(lines) + f"\n\n{comment}\n").encode())
    return path


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


@dataclass
class FeedCheck:
    url: str  # the feed's URL (found from the URL the editor gave, see discover.py)
    ok: bool
    message: str
    entries: int = 0
    newest: str | None = None
    topics: dict | None = None  # topic slug -> entries matching it
    given: str = ""  # the URL the editor gave
    others: list[str] = field(default_factory=list)  # further feeds the page links
    how: str = ""  # how the feed was found from `given`

    def line(self) -> str:
        matched = ", ".join(f"{t} ({n})" for t, n in sorted((self.topics or {}).items())) or "none"
        found = f"{self.given}: found {self.url} ({self.how}); " if self.given != self.url else ""
        others = f"; the page also links {', '.join(self.others)}" if self.others else ""
        entries = f"{self.entries} {plural(self.entries, 'entry', 'entries')}"
        return (f"{found}{self.url}: {self.message}; {entries}, newest "
                f"{self.newest or 'undated'}; entries matching topics: {matched}{others}")


def check_feed(url: str, topic_terms: dict, settings: dict) -> FeedCheck:
    """Find the feed behind a URL (a feed, a home page or a profile), fetch it once and
    say what pulling it would bring."""
    from eminence_pull.discover import NoFeed, find_feed
    from eminence_pull.parse import parse_feed
    from eminence_pull.settings import new_fetcher

    with new_fetcher(settings, "feed check") as fetcher:
        fetched: dict = {}

        def fetch(address: str):
            if address not in fetched:  # discovery and the check share one fetch of the feed
                fetched[address] = fetcher.submit(address).result()
            return fetched[address]

        try:
            found = find_feed(url, fetch)
        except NoFeed as error:
            return FeedCheck(url, False, str(error), given=url)
        result = fetch(found.feed)
    try:
        parsed = parse_feed(result.body, found.feed, result.content_type, topic_terms=topic_terms)
    except Exception as exc:  # noqa: BLE001 - the pull would report it for this feed alone
        return FeedCheck(found.feed, False, f"could not be read ({type(exc).__name__}: {str(exc)[:200]})",
                         given=url)
    if not parsed.ok:
        return FeedCheck(found.feed, False, "; ".join(parsed.problems), given=url)
    counts: dict = {}
    for entry in parsed.entries:
        for slug in entry.topics:
            counts[slug] = counts.get(slug, 0) + 1
    dates = [e.published for e in parsed.entries if e.published]
    # One verdict: a feed with problems is readable, not valid ("malformed …; a valid feed").
    verdict = (f"readable, with problems: {'; '.join(parsed.problems)}" if parsed.problems
               else "a valid feed")
    return FeedCheck(found.feed, True, verdict, len(parsed.entries),
                     max(dates)[:10] if dates else None, counts, url, found.others, found.how)


def check_feeds(urls: list[str], settings: dict) -> list[FeedCheck]:
    """Check each feed once (new-expert, add-feed); a URL that leads to no feed stops
    with DeskError saying why and how to go on."""
    from eminence_model.sources import read_people

    people = read_people(settings)
    terms = {slug: [v.get("title", slug), *v.get("keywords", [])] for slug, v in people.topics.items()}
    checks = []
    for url in urls:
        result = check_feed(url, terms, settings)
        if not result.ok:
            fix = "" if "Fix:" in result.message else " Fix the URL, or leave it out and add it later."
            raise DeskError(f"{result.message}{fix}" if result.message.startswith(url)
                            else f"{url}: {result.message}.{fix}")
        checks.append(result)
    return checks


def add_feed(content: str, expert: str, url: str, settings: dict) -> tuple[str, FeedCheck]:
    """Add the feed found from `url` to content/experts/<expert>.md's Feeds (the rest of
    the file untouched); returns the file and the check."""
    from eminence_model.store import header_field
    from eminence_model.validate import split_list

    from .edits import set_fields

    path = os.path.join(content, "experts", f"{expert}.md")
    if not os.path.isfile(path):
        known = sorted(name[:-3] for name in os.listdir(os.path.join(content, "experts"))
                       if name.endswith(".md"))
        raise DeskError(f"no expert '{expert}' ({display_path(path)} does not exist). "
                        f"Fix: use one of: {', '.join(known) or '(none yet)'}; or run new-expert.")
    check = check_feeds([url], settings)[0]
    feeds = split_list(header_field(path, "Feeds") or "")
    if check.url in feeds:
        raise DeskError(f"{display_path(path)} already lists {check.url}; nothing was changed.")
    set_fields(path, {"Feeds": ", ".join([*feeds, check.url])})
    return path, check
