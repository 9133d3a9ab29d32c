"""What kind of voice a feed entry is, and whether it is only a reply or a repost.

Runs in the parser workers on feedparser's entry. The kinds are the content model's
(eminence_model.schema.KINDS):

- `episode`: an audio enclosure (a podcast);
- `video`: a YouTube entry (yt:videoId), a permalink that is a YouTube or Vimeo watch
  page, or a video enclosure on an entry of at most VIDEO_MAX_WORDS words (a long
  article with a clip attached stays an article);
- `note`: a short status (Mastodon, Bluesky, micro.blog, Nitter): no title, or a title
  that is only the start of its own text, and at most NOTE_MAX_CHARS of text. A status
  that only replies to someone or reposts another's is marked as such (`aside`): the
  pull leaves those out unless EMINENCE_PULL_REPLIES is on;
- `article`: everything else.

Media is always a link the reader follows, never an embed: the showcase makes no
third-party request from a reader's browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from eminence_model.showcase import Kind
from eminence_model.validate import DURATION
from eminence_model.words import count_words, cut_words, has_cjk

NOTE_MAX_CHARS = 600  # Mastodon allows 500, Bluesky 300; a blog post is longer
VIDEO_MAX_WORDS = 300  # past this, a post with a video file attached is an article
TITLE_START = 30  # characters of a title compared with the start of the text

_VIDEO_PAGE = re.compile(
    r"^https?://(?:(?:www\.|m\.)?youtube\.com/(?:watch\?|shorts/|live/)|youtu\.be/|(?:www\.)?vimeo\.com/\d)")
# Nitter titles a reply "R to @user: text" and a repost "RT by @user: text"; "RT @user"
# is the older convention for a repost.
_REPLY_TITLE = re.compile(r"^R to @[\w.-]+:\s*")
_REPOST = re.compile(r"^(?:RT by @[\w.-]+:\s*|RT @[\w.-]+:?\s*)")
_MENTION_FIRST = re.compile(r"^@[\w.-]+(?:@[\w.-]+)?\b")  # a status that opens by addressing someone


@dataclass(frozen=True)
class Voice:
    kind: Kind
    media: str | None = None  # the audio file or the video's page
    duration: str | None = None  # m:ss or h:mm:ss
    aside: str | None = None  # "reply" or "repost": not pulled unless EMINENCE_PULL_REPLIES
    dropped: str | None = None  # a value left out because the content model would refuse it
    media_length: int | None = None  # an episode's audio file, in bytes, when the feed says


def clock(value) -> str | None:
    """A running time as m:ss or h:mm:ss, from seconds or clock text (itunes:duration,
    media:content's duration); None when it is neither."""
    value = str(value or "").strip()
    if value.isdigit() and len(value) <= 12:
        hours, rest = divmod(int(value), 3600)
        found = f"{hours}:{rest // 60:02}:{rest % 60:02}" if hours else f"{rest // 60}:{rest % 60:02}"
        return found if DURATION.fullmatch(found) else None  # what the model accepts, or nothing
    parts = value.split(":")
    if 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts):
        numbers = [int(p) for p in parts]
        if all(n < 60 for n in numbers[1:]):
            if len(numbers) == 3 and numbers[0] == 0:
                numbers = numbers[1:]  # "00:52:14" is 52:14
            head, *rest = numbers
            found = ":".join([str(head), *(f"{n:02}" for n in rest)])
            return found if DURATION.fullmatch(found) else None
    return None


def _byte_length(value) -> int | None:
    """An enclosure's declared size: a positive whole number of bytes (many feeds say 0
    or 1 when they do not know; those are not sizes)."""
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 13 and int(value) > 1 else None


def _enclosure(raw, safe) -> tuple[str, str, int | None] | None:
    """(audio|video, URL, size in bytes or None) of the entry's first audio or video enclosure."""
    # FeedBurner rewrites enclosures through its (now dead) redirector.
    original = (raw.get("feedburner_origenclosurelink") or "").strip()
    for enclosure in raw.get("enclosures") or []:
        kind = (enclosure.get("type") or "").split("/")[0]
        href = safe(original or enclosure.get("href") or "")
        if kind in ("audio", "video") and href and href.startswith(("http://", "https://")):
            return kind, href, _byte_length(enclosure.get("length"))
    for media in raw.get("media_content") or []:
        kind = media.get("medium") or (media.get("type") or "").split("/")[0]
        href = safe(media.get("url") or "")
        if kind in ("audio", "video") and href and href.startswith(("http://", "https://")):
            return kind, href, _byte_length(media.get("filesize") or media.get("fileSize"))
    return None


def _duration(raw) -> tuple[str | None, str | None]:
    """(the running time, or why a declared one was left out)."""
    given = [raw.get("itunes_duration"), *(m.get("duration") for m in raw.get("media_content") or [])]
    given = [g for g in given if str(g or "").strip()]
    found = next((c for c in map(clock, given) if c), None)
    if given and not found:
        return None, (f"Duration {str(given[0]).strip()[:40]!r} left out: not a running time "
                      "under 1,000 hours")
    return found, None


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def is_note(title: str, text: str) -> bool:
    """A short text whose title, if any, is only its own beginning."""
    body = _plain(text)
    if not body or len(body) > NOTE_MAX_CHARS:
        return False
    head = _plain(without_marker(title)).rstrip("…. ")[:TITLE_START]
    return not head or body.startswith(head)


def without_marker(title: str) -> str:
    """A title without Nitter's "R to @user: " or "RT by @user: " in front."""
    return _REPLY_TITLE.sub("", _REPOST.sub("", title, count=1), count=1)


def aside(title: str, text: str) -> str | None:
    """'reply' or 'repost' for a status that only answers someone or shares another's."""
    title, text = title.strip(), text.strip()
    if _REPOST.match(title) or _REPOST.match(text):
        return "repost"
    if _REPLY_TITLE.match(title) or _MENTION_FIRST.match(text):
        return "reply"
    return None


def classify(raw, title: str, text: str, permalink: str | None, safe) -> Voice:
    """The kind of a feedparser entry. `title` is the feed's own (empty when it has
    none), `text` the entry's plain text, `safe(url)` a sanitized absolute URL or None."""
    duration, dropped = _duration(raw)
    enclosure = _enclosure(raw, safe)
    if enclosure and enclosure[0] == "audio":
        return Voice(Kind.EPISODE, enclosure[1], duration, dropped=dropped, media_length=enclosure[2])
    page = permalink if permalink and _VIDEO_PAGE.match(permalink) else None
    if raw.get("yt_videoid") and permalink and (urlsplit(permalink).hostname or "").endswith("youtube.com"):
        page = permalink
    if page or (enclosure and count_words(text) <= VIDEO_MAX_WORDS):
        return Voice(Kind.VIDEO, page or enclosure[1], duration, dropped=dropped)
    if is_note(title, text):
        return Voice(Kind.NOTE, aside=aside(title, text))
    # A reply or repost too long for a note is still one.
    return Voice(Kind.ARTICLE, aside="reply" if _REPLY_TITLE.match(title) else
                "repost" if _REPOST.match(title) else None)


_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S | re.I)
_HREF = re.compile(r"""\bhref=(?:"([^"]*)"|'([^']*)')""", re.I)
_BARE_URL = re.compile(r"\bhttps?://[^\s/?#]+[^\s]*", re.I)
_URL_TEXT = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*|[a-z0-9-]+(?:\.[a-z0-9-]+)+/\S*", re.I)


def title_text(sanitized: str) -> str:
    """A note's plain text for its title: a link that shows its own URL, or a URL in
    the text, becomes the URL's host. Mastodon splits such a link's text across spans ("https://" hidden, the
    path cut with an ellipsis), which as plain text reads "https:// host/pa th"."""
    from eminence_model.sanitize import plain_text

    def link(match: re.Match) -> str:
        shown = re.sub(r"<[^>]+>", "", match.group(2)).strip()
        if not _URL_TEXT.fullmatch(shown):
            return match.group(0)
        href = _HREF.search(match.group(1))
        host = urlsplit((href.group(1) or href.group(2)) if href else "").hostname or ""
        return f" {host.removeprefix('www.')} "

    text = plain_text(_LINK.sub(link, sanitized or ""))
    # A URL written out in the text reads as its host too: a title is a few words.
    return _BARE_URL.sub(lambda m: urlsplit(m.group()).hostname or m.group(), text)


def first_words(text: str, words: int = 10) -> str:
    """A note's title: its first words, for feed readers and the browser's tab. Always
    with the ellipsis: an entry with neither id nor link is known by a hash over its
    title, and untitled entries were titled this way before kinds existed."""
    if has_cjk(text):  # written without spaces: its first characters (words.py)
        return (cut_words(" ".join(text.split()), words) or " ".join(text.split())) + " …"
    # Unchanged for spaced scripts: the title is the identity of an entry without id or link.
    return " ".join(text.split(maxsplit=words)[:words]) + " …"
