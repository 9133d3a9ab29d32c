"""The sanitizer policy: what HTML a post or endorsement body may keep, and its text.

One allowlist, applied twice: to feed HTML before it is converted to Markdown,
and again to the HTML Pelican renders from a pulled post, so that neither a
converter quirk nor a careless edit can put script-capable markup on the site.
nh3 (Rust's ammonia) does the work: it is an allowlist sanitizer and ~20x cheaper
than feedparser's own (see shared/MEASUREMENTS.md).
"""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import urlsplit

import nh3

from .settings import setting

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u",
    "ul", "var",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "iframe": {"src", "title"},
    "abbr": {"title"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with everything inside them.
DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "object", "embed", "applet",
                     "form", "button", "select", "textarea", "svg", "math", "title", "head"}

# Video hosts whose embeds may be kept. Eminence shows them as a link, not an
# iframe, so a reader's visit makes no third-party request.
VIDEO_HOSTS = {"www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "player.vimeo.com",
               "vimeo.com"}


def is_video_embed(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and (parts.hostname or "") in VIDEO_HOSTS


def clean(html: str, video_iframes: bool = False, attribute_filter=None, drop=frozenset()) -> str:
    """Allowlist-clean untrusted HTML: comments, scripts, styles and handlers are gone.

    `video_iframes` keeps iframes (the caller's attribute_filter must then drop any
    whose src is not a VIDEO_HOSTS embed); the pull uses it to turn embeds into
    links. Rendered pages never allow an iframe. `drop` adds tags removed with their
    content (the watch pull drops footers and navigation).
    """
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | {"iframe"} if video_iframes else ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT | set(drop),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=attribute_filter,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


# Editors' own Markdown renders code highlighting (class on div/span/pre/code) and may
# anchor headings (id): harmless to keep for their bodies. Feed HTML never keeps them,
# so a feed cannot dress its text up as the site's own interface.
EDITOR_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, **{t: {"class"} for t in ("div", "span", "pre", "code")},
                     **{f"h{n}": {"id"} for n in range(1, 7)}}


def clean_editor_html(html: str) -> str:
    """The allowlist for what the build renders from an editor's Markdown: the same tags
    and URL schemes as for feeds, plus code highlighting's classes and headings' ids."""
    return nh3.clean(html, tags=ALLOWED_TAGS, clean_content_tags=DROP_WITH_CONTENT,
                     attributes=EDITOR_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
                     strip_comments=True)


def text_only(html: str) -> str:
    """Plain text of an HTML fragment (for titles and names); entities decoded."""
    if "<" not in html and "&" not in html:
        return html  # nothing to strip or decode (most titles and names)
    return htmllib.unescape(nh3.clean(html, tags=set(), clean_content_tags=DROP_WITH_CONTENT))


def plain_text(html: str) -> str:
    """Text of trusted, already-rendered HTML (a quote, a summary), whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html or "").split())


# Invisible control characters (a vertical tab pasted from Word): XML cannot carry them,
# so one would stop the Atom writer after the HTML pages were written. Tab, newline and
# carriage return stay.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_read(content: str, metadata: dict, settings: dict) -> tuple[str, dict]:
    """What a reader returned for a content file, made safe to render: control
    characters gone from the body and every text field, and the body (and a Summary:)
    through the allowlist: pulled content (Feed:) with the feeds' one, whatever an
    editor wrote with the editors' one, unless the site trusts its editors' raw HTML
    (EMINENCE_TRUST_EDITOR_HTML). Done once per file where it is read (reading.py), so
    the read cache keeps the clean result and a rebuild pays nothing for it."""
    metadata = {k: CONTROLS.sub("", v) if isinstance(v, str) else v for k, v in metadata.items()}
    content = CONTROLS.sub("", content or "")
    pulled = "feed" in metadata
    if pulled or not setting(settings, "EMINENCE_TRUST_EDITOR_HTML"):
        sanitize = clean if pulled else clean_editor_html
        content = sanitize(content) if content else content
        if isinstance(metadata.get("summary"), str):
            metadata["summary"] = sanitize(metadata["summary"])
    return content, metadata
