"""Feed HTML -> safe Markdown for a post body.

1. nh3 sanitizes the HTML to the allowlist in eminence_model/sanitize.py and every URL is resolved
   against the entry's base and percent-encoded (no link can break out of
   Markdown link syntax).
2. A small converter walks the lxml tree of that sanitized HTML. Its input has
   ~50 known tags, so it stays short; it is ~15x faster than markdownify, which
   was the pull's largest cost (measured: 0.75 ms per entry vs 0.05 ms).

The Markdown is inert on its own: text is entity-escaped (a text '<script>' never
becomes a tag), Markdown punctuation is backslash-escaped, including '{' and '}'
(Python-Markdown's attr_list would otherwise turn '{: onclick=...}' into an
attribute), code is an indented block (no fence to close early), and images and
video embeds become plain links (readers make no third-party request; tracking
pixels are dropped).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple
from urllib.parse import quote, urljoin, urlsplit

from lxml import etree

from eminence_model.sanitize import URL_SCHEMES, clean, is_video_embed
from eminence_model.words import count_words, cut_words

from .shape import flatten_deep

URL_ATTRS = {"href", "src"}
# Characters a URL may keep unencoded inside Markdown link syntax: no spaces,
# brackets, parentheses, quotes or angle brackets.
URL_SAFE = "/:?&=#%~@!$*+,;"
TRACKER_HOSTS = ("feeds.feedburner.com", "pixel.wp.com", "stats.wordpress.com",
                 "www.google-analytics.com", "google-analytics.com", "pixel.quantserve.com",
                 "counter.yadro.ru", "feedproxy.google.com", "ad.doubleclick.net")
TRACKER_PATH = re.compile(r"(^|/)(pixel|beacon|track|open|1x1|spacer|blank)[^/]*\.(gif|png)$|/~r/|/~ff/",
                          re.I)

BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
          "hr", "table", "thead", "tbody", "tfoot", "tr", "caption", "figure", "figcaption", "dl",
          "dt", "dd", "iframe"}
CODE = {"code", "kbd", "samp", "var", "tt"}
HARD_BREAK = "\x00"  # stands for <br> until whitespace is collapsed

# Markdown punctuation escaped everywhere in text; & < > become entities.
_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]{}"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_LINE_START = re.compile(r"^(?:[#+=:|-]|\d+[.)])")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_LIST_ITEM = re.compile(r"(?:- |\d+\. )")


@functools.lru_cache(maxsize=64)
def _origin(base: str) -> str | None:
    """'scheme://host[:port]' of an http(s) base URL, else None."""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.hostname \
        else None


def safe_url(value: str, base: str | None) -> str | None:
    """Absolute, allowed-scheme, Markdown-safe URL, or None."""
    value = value.strip()
    if value.startswith("#"):
        return None  # in-page anchors of the original page mean nothing here
    if (base and value.startswith("/") and not value.startswith("//") and "/." not in value
            and ";" not in value and "?#" not in value and not value.endswith(("?", "#"))
            and value.isprintable()):  # urlsplit would drop tabs and newlines
        # A path from the root without dot segments or empty parts (most relative
        # links): what urljoin would return, without its cost; the origin is checked once.
        origin = _origin(base)
        if origin:
            return quote(origin + value, safe=URL_SAFE)
    lowered = value[:8].lower()
    absolute = lowered.startswith(("http://", "https://", "mailto:"))
    url = urljoin(base, value) if base and not absolute else value
    parts = urlsplit(url)
    if parts.scheme not in URL_SCHEMES or (parts.scheme != "mailto" and not parts.hostname):
        return None
    return quote(url, safe=URL_SAFE)


def sanitize_with_base(html: str, base: str | None, drop=frozenset()) -> str:
    html, _ = flatten_deep(html)

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr in URL_ATTRS:
            url = safe_url(value, base)
            if url is None or (tag == "iframe" and not is_video_embed(url)):
                return None
            return url
        return value

    return clean(html, video_iframes=True, attribute_filter=attribute_filter, drop=drop)


def is_tracking_pixel(el) -> bool:
    dims = [el.get("width"), el.get("height")]
    if any(d is not None and d.strip() in ("0", "1", "0px", "1px") for d in dims):
        return True
    parts = urlsplit(el.get("src") or "")
    return (parts.hostname or "") in TRACKER_HOSTS or bool(TRACKER_PATH.search(parts.path))


_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def _text(el) -> str:
    return "".join(el.itertext())


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _finish_line(line: str) -> str:
    """Collapse whitespace; keep a line's first character from starting a block."""
    # Most lines have nothing _SPACES would change (no run of two, no tab or newline),
    # and substring tests find that out several times faster than a regex scan.
    if ("  " in line or "\n" in line or "\t" in line or "\r" in line or "\f" in line
            or "\v" in line):
        line = _SPACES.sub(" ", line)
    line = line.strip()
    m = _LINE_START.match(line)
    if m:
        line = line[: m.end() - 1] + "\\" + line[m.end() - 1:]
    return line


def _paragraph(raw: str) -> str:
    lines = [_finish_line(part) for part in raw.split(HARD_BREAK)]
    return "  \n".join(line for line in lines if line)


class _Converter:
    def blocks(self, el, limit: int | None = None) -> list[str]:
        """The children of el as Markdown blocks. With a limit, conversion stops once
        the blocks hold more than `limit` words: all that excerpt(blocks, limit) reads."""
        out, inline = [], []
        words = 0  # in out[:counted]
        counted = 0

        def flush():
            text = _paragraph("".join(inline))
            if text:
                out.append(text)
            inline.clear()

        if el.text:
            inline.append(escape(el.text))
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag in BLOCKS:
                flush()
                if limit is not None:
                    words += sum(prose_words(b) for b in out[counted:])
                    counted = len(out)
                    if words > limit:
                        return out
                new = self.block(child, tag)
                if new and out and _LIST_ITEM.match(new[0]) and _LIST_ITEM.match(out[-1]):
                    # Python-Markdown would merge two adjacent lists into one; a fixed
                    # empty comment (never feed text) keeps them apart.
                    out.append("<!-- -->")
                out.extend(new)
            elif tag is not None:
                inline.append(self.inline(child, tag))
            if child.tail:
                inline.append(escape(child.tail))
        flush()
        return out

    def block(self, el, tag: str) -> list[str]:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = " ".join(self.blocks(el)).replace("  \n", " ")
            return [f"{'#' * int(tag[1])} {text}"] if text else []
        if tag in ("ul", "ol"):
            return self.list(el, ordered=tag == "ol")
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(el))
            return ["\n".join(f"> {line}".rstrip() for line in inner.splitlines())] if inner else []
        if tag == "pre":
            lines = [line.rstrip() for line in _text(el).strip("\n").splitlines()]
            # Indented code: shown literally, and nothing inside can end it early.
            return ["\n".join("    " + line for line in lines)] if any(lines) else []
        if tag == "hr":
            return ["* * *"]
        if tag == "table":
            return self.table(el)
        if tag == "iframe":
            src = el.get("src")
            if not src:
                return []
            host = (urlsplit(src).hostname or "the video host").removeprefix("www.")
            return [f"[Watch the video on {escape(host)}]({src})"]
        if tag == "dt":
            return [f"**{b}**" for b in self.blocks(el)]
        return self.blocks(el)  # p, div, li, figure, figcaption, dd, caption, rows...

    def list(self, el, ordered: bool) -> list[str]:
        items = []
        for n, li in enumerate((c for c in el if c.tag == "li"), start=1):
            parts = self.blocks(li) or [""]
            item = (f"{n}. " if ordered else "- ") + parts[0].replace("\n", "\n    ")
            for part in parts[1:]:
                # A nested list follows its line directly; other blocks need a blank line.
                sep = "\n" if _LIST_ITEM.match(part) else "\n\n"
                item += sep + "    " + part.replace("\n", "\n    ")
            items.append(item)
        return ["\n".join(items)] if items else []

    def table(self, el) -> list[str]:
        rows = []
        for tr in el.iter("tr"):
            cells = [" ".join(self.blocks(td)).replace("|", "\\|").replace("  \n", " ")
                     for td in tr if td.tag in ("td", "th")]
            if cells:
                rows.append(cells)
        if not rows:
            return []
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return ["\n".join(lines)]

    def inline(self, el, tag: str) -> str:
        if tag == "br":
            return HARD_BREAK
        if tag == "img":
            src = el.get("src")
            if not src or is_tracking_pixel(el):
                return ""
            alt = _SPACES.sub(" ", el.get("alt") or el.get("title") or "").strip()
            return f"[Image{': ' + escape(alt) if alt else ''}]({src})"
        if tag in CODE:
            code = _SPACES.sub(" ", _text(el))
            if not code.strip():
                return code
            ticks = "`" * (max((len(r) for r in re.findall("`+", code)), default=0) + 1)
            pad = " " if code.startswith("`") or code.endswith("`") else ""
            return f"{ticks}{pad}{code}{pad}{ticks}"
        content = self.inline_children(el)
        if tag == "a":
            href = el.get("href")
            label = _SPACES.sub(" ", content).strip()
            return f"[{label}]({href})" if href and label else content
        if tag in ("strong", "b") and content.strip():
            return f"**{content.strip()}** " if content.endswith(" ") else f"**{content.strip()}**"
        if tag in ("em", "i") and content.strip():
            return f"*{content.strip()}* " if content.endswith(" ") else f"*{content.strip()}*"
        return content

    def inline_children(self, el) -> str:
        parts = [escape(el.text)] if el.text else []
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag is not None:
                # A block inside inline markup (e.g. <p> in <a>) is flattened.
                parts.append(self.inline(child, tag) if tag not in BLOCKS
                             else " " + " ".join(self.blocks(child)) + " ")
            if child.tail:
                parts.append(escape(child.tail))
        return "".join(parts)


def clean_tree(html: str, base: str | None, drop=frozenset()):
    """Untrusted HTML, sanitized (see sanitize_with_base), as an lxml element
    wrapping the fragment; None when nothing is left."""
    return _tree(sanitize_with_base(html, base, drop))


def _tree(sanitized: str):
    if not sanitized.strip():
        return None
    try:
        # Plain etree elements: lxml.html's element classes cost a lookup per node.
        return etree.fromstring(f"<div>{sanitized}</div>", _HTML_PARSER).find("body/div")
    except (etree.ParserError, ValueError):
        return None


class Converted(NamedTuple):
    blocks: list[str]  # Markdown; only the first ones when converted with a limit
    text: str  # plain text, whitespace as in the HTML (its readers split it into words)
    html: str  # the sanitized HTML the blocks come from


def html_to_blocks(html: str, base: str | None, limit: int | None = None) -> Converted:
    """Untrusted HTML, sanitized and converted to Markdown blocks. With a limit (an
    excerpt's words), only the blocks excerpt() reads are converted: in excerpt mode
    the rest of a post was most of the conversion's cost."""
    sanitized = sanitize_with_base(html, base)
    root = _tree(sanitized)
    if root is None:
        return Converted([], "", sanitized)
    return Converted(_Converter().blocks(root, limit),
                     etree.tostring(root, method="text", encoding=str, with_tail=False), sanitized)


def html_to_markdown(html: str, base: str | None) -> str:
    return "\n\n".join(html_to_blocks(html, base).blocks)


# A block with no prose: only images ("[Image: alt](src)", "[Image](src)", linked or
# not) or the comment that keeps two lists apart.
_FURNITURE = re.compile(r"^(?:\[?\[Image(?:: [^\]\n]*)?\]\([^)\s]*\)(?:\]\([^)\s]*\))?\s*)+$|^<!-- -->$")
STANDS_ALONE = 5  # words: an excerpt with fewer than this is filled from the next block


def prose_words(block: str) -> int:
    """The words a block adds to an excerpt: none for an image or an empty block."""
    return 0 if _FURNITURE.match(block) else count_words(block)


def _cut(block: str, budget: int) -> str:
    """The start of a block, about `budget` words, in whole lines (so a list, quote,
    table or code block stays one), the first line (or the one after a lead-in too
    short to stand alone) cut at a word boundary when it is longer. Code is never cut
    inside a line (its text is literal)."""
    code = block.startswith("    ")
    kept, used = [], 0
    for line in block.split("\n"):
        n = count_words(line)
        if used + n > budget:
            if not kept or (used < STANDS_ALONE and not code):
                # Nothing yet, or only a lead-in ("Synopsis:" and a hard break): the long
                # line is cut at a word boundary rather than left out.
                start = line if code else (cut_words(line, max(budget - used, 1)) or line).rstrip()
                kept.append(start + ("" if code else " …"))
            elif code:
                kept.append("    …")
            elif not kept[-1].lstrip().startswith("|"):
                kept[-1] += " …"
            return "\n".join(kept)
        kept.append(line)
        used += n
    return block


def excerpt(blocks: list[str], words: int) -> list[str]:
    """The first blocks, up to about `words` words of prose.

    Leading images, figures and empty blocks are skipped, so a post that opens with a
    picture still shows its words (a post of only images keeps its first one). Whole
    blocks are kept while they fit; when what is kept is too short to stand alone (a
    post's first paragraph is long, or a lead-in such as "Ada Lovelace:" comes before
    a long quote), the next block fills the budget, cut by `_cut` with an ellipsis.
    """
    kept, count, leading = [], 0, []
    for block in blocks:
        n = prose_words(block)
        if not kept and n == 0:
            leading.append(block)
            continue
        if count + n > words:
            if count < STANDS_ALONE:
                kept.append(_cut(block, words - count))
            return kept
        kept.append(block)
        count += n
    return kept or leading[:1]
