"""Feed HTML -> safe Markdown for a post body.

The HTML is sanitized first (policy.sanitize), with every URL resolved against the
entry's base and percent-encoded, so no link can break out of Markdown syntax.
Then markdownify converts it, with three changes that keep the Markdown inert:
text is entity-escaped (a text '<script>' can never become a tag), <pre> becomes an
indented block (no code fence to close early), and images and video embeds become
plain links (readers' browsers make no third-party request; pixels are dropped).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import nh3
from markdownify import MarkdownConverter

from .policy import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    DROP_WITH_CONTENT,
    URL_SCHEMES,
    is_video_embed,
)

URL_ATTRS = {"href", "src"}
# Characters a URL may keep unencoded inside Markdown link syntax: no spaces,
# brackets, parentheses, quotes or angle brackets.
URL_SAFE = "/:?&=#%~@!$*+,;"
TRACKER_HOSTS = ("feeds.feedburner.com", "pixel.wp.com", "stats.wordpress.com",
                 "www.google-analytics.com", "google-analytics.com", "pixel.quantserve.com",
                 "counter.yadro.ru", "feedproxy.google.com", "ad.doubleclick.net")
TRACKER_PATH = re.compile(r"(^|/)(pixel|beacon|track|open|1x1|spacer|blank)[^/]*\.(gif|png)$|/~r/|/~ff/",
                          re.I)


def safe_url(value: str, base: str | None) -> str | None:
    """Absolute, allowed-scheme, Markdown-safe URL, or None."""
    value = value.strip()
    if value.startswith("#"):
        return None  # in-page anchors of the original page mean nothing here
    url = urljoin(base, value) if base else value
    parts = urlsplit(url)
    if parts.scheme not in URL_SCHEMES or (parts.scheme != "mailto" and not parts.hostname):
        return None
    return quote(url, safe=URL_SAFE)


def sanitize_with_base(html: str, base: str | None) -> str:
    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr in URL_ATTRS:
            url = safe_url(value, base)
            if url is None or (tag == "iframe" and not is_video_embed(url)):
                return None
            return url
        return value

    return nh3.clean(html, tags=ALLOWED_TAGS | {"iframe"}, clean_content_tags=DROP_WITH_CONTENT,
                     attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     attribute_filter=attribute_filter, link_rel=None, strip_comments=True)


def is_tracking_pixel(el) -> bool:
    src = el.get("src") or ""
    dims = [el.get("width"), el.get("height")]
    if any(d is not None and d.strip() in ("0", "1", "0px", "1px") for d in dims):
        return True
    parts = urlsplit(src)
    return (parts.hostname or "") in TRACKER_HOSTS or bool(TRACKER_PATH.search(parts.path))


def _label(text: str) -> str:
    """Text for inside [...]: brackets escaped, whitespace collapsed."""
    text = " ".join(text.split())
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


class SafeMarkdown(MarkdownConverter):
    def __init__(self, **options):
        options.setdefault("heading_style", "ATX")
        options.setdefault("bullets", "-")
        super().__init__(**options)

    def escape(self, text, parent_tags):
        text = super().escape(text, parent_tags)
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def convert_pre(self, el, text, parent_tags):
        code = el.get_text()
        if not code.strip():
            return ""
        lines = code.strip("\n").splitlines()
        return "\n\n" + "\n".join("    " + line for line in lines) + "\n\n"

    def convert_img(self, el, text, parent_tags):
        src = el.get("src")
        if not src or is_tracking_pixel(el):
            return ""
        alt = _label(el.get("alt") or el.get("title") or "")
        return f"[Image{': ' + alt if alt else ''}]({src})"

    def convert_iframe(self, el, text, parent_tags):
        src = el.get("src")
        if not src:
            return ""
        host = urlsplit(src).hostname or "the video host"
        return f"\n\n[Watch the video on {host.removeprefix('www.')}]({src})\n\n"


def html_to_markdown(html: str, base: str | None) -> str:
    clean = sanitize_with_base(html, base)
    md = SafeMarkdown().convert(clean)
    return re.sub(r"\n{3,}", "\n\n", md).strip()


def excerpt(markdown: str, words: int) -> tuple[str, bool]:
    """The first paragraphs of `markdown`, up to about `words` words.

    Returns (excerpt, was_cut). Only whole blocks are kept, except a first block
    longer than the budget, which is cut at a word boundary.
    """
    blocks = [b for b in markdown.split("\n\n") if b.strip()]
    kept, count = [], 0
    for block in blocks:
        n = len(block.split())
        if count + n > words:
            # Code blocks are never cut: their text is literal, not escaped.
            if not kept and not block.startswith("    "):
                kept.append(" ".join(block.split()[:words]) + " …")
            return "\n\n".join(kept), True
        kept.append(block)
        count += n
    return "\n\n".join(kept), False
