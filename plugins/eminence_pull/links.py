"""The URLs of an entry: normalised for identity, cleaned for citation, and unwrapped
to the publisher's own article.

Feeds often link through someone else: FeedBurner (feedproxy.google.com/~r/...,
with the real permalink in feedburner:origLink), Google Alerts
(www.google.com/url?...&url=<article>), Bing News (bing.com/news/apiclick.aspx?
...&url=<article>), Google News (news.google.com/rss/articles/<id>, where older ids
carry the article's URL inside and newer ones cannot be read without asking
Google). `publisher_url` is the one place that unwraps them, for posts' Original
and rel=canonical and for endorsements' Source alike; it never makes a request.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from .convert import URL_SAFE

TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "ref_src",
                   "_hsenc", "_hsmi", "mkt_tok", "igshid")
# Parameters that are trackers only in one shape of value (elsewhere `source` or `ref`
# may mean something): Medium's ?source=rss-…, a feed's ?ref=rss. Dropped from a cited
# link (Original, Source), not from the identity a ledger already keys posts by.
TRACKING_VALUES = {"source": re.compile(r"rss[-_]", re.I), "ref": re.compile(r"(?:rss|feed)$", re.I)}
# LinkedIn's share trackers (a post's URL as a reader copies it): dropped from a cited
# link in any value. No feed carries them, so identity does not need to know them.
CITED_TRACKERS = ("trk", "trkinfo", "lipi")
# Redirectors whose `url` query parameter is the article: (host, path).
REDIRECTORS = {("www.google.com", "/url"), ("google.com", "/url"),
               ("www.bing.com", "/news/apiclick.aspx"), ("bing.com", "/news/apiclick.aspx")}
GOOGLE_NEWS = "news.google.com"
OPAQUE_NEWS_LINK = ("a Google News link that cannot be traced to the publisher offline: open it and "
                    "replace Source with the article's own URL")


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


def normalise_url(url: str | None, fragment: bool = False) -> str | None:
    """Canonical form for de-duplication: tracking params, default port and (unless
    `fragment`) the #fragment gone. parse.entry_identity_link says when it stays."""
    split = _split_link(url)
    if split is None:
        return None
    parts, query = split
    host = parts.hostname.lower()
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(sorted(query)),
                       parts.fragment if fragment else ""))


def clean_link(url: str | None) -> str | None:
    """The author's own permalink, without tracking parameters or fragment."""
    split = _split_link(url)
    if split is None:
        return None
    parts, query = split
    query = [(k, v) for k, v in query
             if not (k.lower() in TRACKING_VALUES and TRACKING_VALUES[k.lower()].match(v))
             and k.lower() not in CITED_TRACKERS]
    link = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
    return quote(link, safe=URL_SAFE)  # a valid URL for the Original field: no spaces


def _http(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _google_news_article(parts) -> str | None:
    """The article URL inside an older Google News id (CBMi...: base64url of a small
    protobuf whose field 4 is the URL), or None for the newer opaque ids."""
    segments = [s for s in parts.path.split("/") if s]
    if "articles" not in segments or segments[-1] == "articles":
        return None
    token = segments[-1]
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    at = raw.find(b"\x22")  # field 4, length-delimited
    if at < 0 or at + 2 > len(raw):
        return None
    length, shift, pos = 0, 0, at + 1
    while pos < len(raw):  # a varint
        byte = raw[pos]
        length |= (byte & 0x7F) << shift
        pos += 1
        shift += 7
        if not byte & 0x80:
            break
    try:
        url = raw[pos:pos + length].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _http(url) if pos + length <= len(raw) else None


def publisher_url(raw, link: str | None) -> tuple[str | None, str | None]:
    """(the publisher's URL for an entry whose feed link is `link`, a note for the
    editor when it could not be found). Never fetches anything."""
    origin = _http((raw.get("feedburner_origlink") or "").strip())
    if origin:
        return origin, None
    parts = urlsplit(link or "")
    host = (parts.hostname or "").lower()
    if (host, parts.path) in REDIRECTORS:
        target = dict(parse_qsl(parts.query)).get("url") or dict(parse_qsl(parts.query)).get("q")
        if _http(target):
            return target, None
    if host == GOOGLE_NEWS:
        article = _google_news_article(parts)
        return (article, None) if article else (link, OPAQUE_NEWS_LINK)
    return link, None
