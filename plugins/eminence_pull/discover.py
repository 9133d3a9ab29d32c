"""A feed from what an editor has at hand: a home page or a profile URL.

Every feed reader does this, and an editor adding an expert should not need to know
where a platform keeps its feeds. In order:

1. Platforms without feeds (LinkedIn, X, Instagram, Facebook, Threads) are named at
   once, with what to do instead: there is nothing to fetch.
2. Platforms whose feed address follows from the profile URL (Mastodon and other
   `/@user` servers, Bluesky, Medium, Substack, dev.to, YouTube channel ids) get that
   address, and it is probed.
3. Otherwise the URL is fetched: a feed is taken as it is; an HTML page is searched for
   `<link rel="alternate">` to RSS, Atom or JSON Feed (in the page's order, relative
   addresses resolved against the page), and the first that parses is taken. The others
   are reported, for `invoke add-feed`.
4. A page that links no usable feed but marks its posts up as a microformats `h-feed`
   (IndieWeb sites) is its own feed (hfeed.py).

Every request goes through the pull's Fetcher (its address guard, size and time
limits); `fetch(url)` here is its `submit(url).result()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from . import hfeed

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json", "application/rdf+xml", "text/xml", "application/xml")

NO_FEED = {
    "linkedin.com": "LinkedIn",
    "x.com": "X (Twitter)",
    "twitter.com": "X (Twitter)",
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
    "threads.net": "Threads",
    "tiktok.com": "TikTok",
}
# Sites with /@user paths that are not Mastodon's: their pages are read instead.
NOT_MASTODON = ("youtube.com", "substack.com")


class NoFeed(Exception):
    """No feed could be found from the URL; the message says why and what to do."""


@dataclass
class Found:
    feed: str  # the feed's URL
    how: str  # how it was found, for the editor
    others: list[str] = field(default_factory=list)  # further feeds the page offers


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.").removeprefix("m.")


def no_feed_platform(url: str) -> str | None:
    """The name of the platform (NO_FEED) a URL is on, if it is one; raises ValueError for
    a URL whose host cannot be read."""
    host = _host(url)
    return next((name for domain, name in NO_FEED.items() if host == domain or host.endswith("." + domain)),
                None)


def platform_feed(url: str) -> tuple[str, str] | None:
    """(feed URL, platform) when the platform's feed address follows from the URL."""
    parts = urlsplit(url)
    host, path = _host(url), parts.path.rstrip("/")
    origin = f"{parts.scheme}://{parts.netloc}"
    if host == "medium.com" and (m := re.fullmatch(r"/(@[\w.-]+)", path)):
        return f"https://medium.com/feed/{m.group(1)}", "Medium"
    if host.endswith(".medium.com"):
        return f"https://{host}/feed", "Medium"
    if host.endswith(".substack.com"):
        return f"https://{host}/feed", "Substack"
    if host == "dev.to" and (m := re.fullmatch(r"/([\w-]+)", path)):
        return f"https://dev.to/feed/{m.group(1)}", "dev.to"
    if host == "bsky.app" and (m := re.fullmatch(r"/profile/([\w.:-]+)", path)):
        return f"https://bsky.app/profile/{m.group(1)}/rss", "Bluesky"
    if host == "youtube.com" and (m := re.fullmatch(r"/channel/(UC[\w-]+)", path)):
        return f"https://www.youtube.com/feeds/videos.xml?channel_id={m.group(1)}", "YouTube"
    if re.fullmatch(r"/@[\w.-]+", path) and not path.endswith((".rss", ".atom")) and host not in NOT_MASTODON:
        # Mastodon and the servers that copy its URLs (Pleroma, Akkoma, GoToSocial).
        return f"{origin}{path}.rss", "Mastodon"
    return None


MAX_ALTERNATES = 8  # feeds a page links that are tried, in its order


def alternates(html: bytes, page_url: str) -> list[str]:
    """The feeds a page links with <link rel="alternate">, absolute, in its order."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    found = []
    for link in soup.find_all("link", href=True):
        rel = [r.lower() for r in (link.get("rel") or [])]
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES:
            # A comma separates a list's values (Feeds:): in a URL it is %2C, never two feeds.
            url = urljoin(page_url, link["href"].strip()).replace(",", "%2C")
            if urlsplit(url).scheme in ("http", "https") and url not in found and not any(
                    c.isspace() for c in url):
                found.append(url)
    return found


def _is_feed(result, url: str) -> bool:
    from .parse import ParsedFeed, feedparse

    if result.error or not result.body:
        return False
    try:
        parsed = feedparse(result.body, url, result.content_type, ParsedFeed(url))
    except Exception:  # noqa: BLE001 - whatever a page holds, it is only "not a feed"
        return False
    return parsed is not None and bool(parsed.get("version") or parsed.entries)


def _looks_like_html(result) -> bool:
    kind = (result.content_type or "").lower()
    start = (result.body or b"")[:512].lstrip().lower()
    return "html" in kind or start.startswith((b"<!doctype html", b"<html"))


def find_feed(url: str, fetch) -> Found:
    """The feed behind `url` (see the module docstring); NoFeed says why there is none."""
    try:
        name = no_feed_platform(url)
    except ValueError as error:  # e.g. '[::1': urlsplit cannot read the host
        raise NoFeed(f"{url}: not a valid URL ({error}). Fix: give an http(s) URL.") from None
    if name:
        raise NoFeed(f"{url}: {name} offers no feed of a person's posts. Fix: ask the expert "
                     "where else they publish (a blog, Mastodon, Bluesky, a newsletter) and "
                     "add that; or add their posts by hand.")
    guessed = platform_feed(url)
    if guessed:
        result = fetch(guessed[0])
        if _is_feed(result, guessed[0]):
            return Found(guessed[0], f"{guessed[1]}'s feed address for {url}")
    result = fetch(url)
    if result.error:
        error, fix = result.error.rstrip("."), "check the address in a browser"
        if error.startswith("refused"):
            fix = ("the pull reaches only public addresses; an intranet host needs "
                   "EMINENCE_PULL_ALLOW_ADDRESSES")
        elif error.startswith(("local feed files", "not an http(s) URL")):  # a path, file:, ftp:
            error, fix = error.split(" (")[0], "give the feed's http(s) address, as a browser opens it"
        raise NoFeed(f"{url}: {error}. Fix: {fix}.")
    if _is_feed(result, url) and not hfeed.looks_like_html(result.body, result.content_type):
        return Found(url, "the URL is a feed")
    if not _looks_like_html(result):
        raise NoFeed(f"{url}: neither a feed nor a web page ({result.content_type or 'no content type'}). "
                     "Fix: give the expert's home page, profile or feed URL.")
    candidates = alternates(result.body, result.moved_to or url)
    tried, refused = [], []
    for candidate in candidates[:MAX_ALTERNATES]:  # a page may link thousands: bounded work
        fetched = fetch(candidate)
        if _is_feed(fetched, candidate):
            return Found(candidate, f"linked from {url}", [c for c in candidates if c != candidate])
        (refused if (fetched.error or "").startswith("refused") else tried).append(candidate)
    if _is_feed(result, url):  # no usable linked feed, but the page marks its posts up
        return Found(url, "the page's microformats h-feed (it links no usable feed)")
    if tried or refused:
        more = (f" (the first {MAX_ALTERNATES} were tried)"
                if len(candidates) > MAX_ALTERNATES else "")
        why = [f"{', '.join(tried)}: not a valid feed now"] if tried else []
        why += [f"{', '.join(refused)}: refused, not a public address"] if refused else []
        fix = ("try again later, or give the feed's URL" if tried else
               "give the feed's public URL; an intranet host needs EMINENCE_PULL_ALLOW_ADDRESSES")
        raise NoFeed(f"{url}: the page links {len(candidates)} feed(s){more}, none usable: "
                     f"{'; '.join(why)}. Fix: {fix}.")
    raise NoFeed(f"{url}: the page links no RSS, Atom or JSON feed (no <link rel=\"alternate\">). "
                 "Fix: find the feed's URL on the site (often /feed, /rss or /atom.xml) and give that.")
