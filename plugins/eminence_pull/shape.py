"""What an entry's markup and text are reduced to around conversion (convert.py): nesting
too deep for the sanitizer flattened before it, a teaser line dropped after it.

Both keep what the author wrote: flattening keeps every word (the sanitizer's parser
dropped text below ~255 levels, in time growing with the square of the depth), and a
teaser ("Continue reading on Medium »") is the feed's line, not the author's.
"""

from __future__ import annotations

import re

# Nesting deeper than this is flattened before sanitizing: the sanitizer's parser drops
# text below ~255 levels (a post published empty) and its time grows with the square of
# the depth (200,000 nested <div> in a 2.2 MB entry took a pull 447 s).
NESTING_LIMIT = 100
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_CONTAINERS = re.compile(r"</?(?:div|span|section|article|main|font|center|aside|header|footer|nav|"
                         r"blockquote|ul|ol|li|table|tbody|tr|td|dl|dd|dt)\b[^>]*>", re.I)


def nesting_depth(html: str) -> int:
    """How deep the elements go (a linear scan of the tags, forgiving of bad markup)."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            depth = max(0, depth - 1)
        elif name not in _VOID and not match.group(0).endswith("/>"):
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def flatten_deep(html: str) -> tuple[str, str | None]:
    """(html, None), or when nested past NESTING_LIMIT, the html with its containers
    dropped (with them, if still too deep, every tag: the words all stay) and why."""
    depth = nesting_depth(html)
    if depth <= NESTING_LIMIT:
        return html, None
    flat = _CONTAINERS.sub("\n", html)
    if nesting_depth(flat) > NESTING_LIMIT:
        flat = _TAG.sub(" ", flat)
    return flat, f"its markup was nested {depth} levels deep: flattened to keep its text"


# A feed's teaser: the line that sends the reader to the full post ("Continue reading on
# Medium »", WordPress's "The post … appeared first on …"). The post links to its
# original anyway; the teaser line would be read as the post's own last words.
TEASER_BLOCK = re.compile(
    r"^\[?\s*(?:continue reading|read more|keep reading|read the (?:full|rest)|\(more…?\))\b[^\n]{0,200}$"
    r"|^the post\b[^\n]{0,400}\b(?:appeared first on|was first published on)\b[^\n]{0,200}$", re.I)
TEASER_TAIL = re.compile(
    r"\s*\[\s*(?:continue reading|read more|keep reading)\b[^\]\n]{0,200}\]"
    r"\([^)\s]*\)\s*$", re.I)


def without_teaser(blocks: list[str]) -> list[str]:
    """The blocks without a trailing teaser: a last block that is only one, or a
    "Continue reading" link ending the last paragraph (the words before it stay)."""
    blocks = list(blocks)
    while blocks and TEASER_BLOCK.match(blocks[-1].strip()):
        blocks.pop()
    if blocks:
        cut = TEASER_TAIL.sub("", blocks[-1]).rstrip()
        blocks[-1:] = [cut] if cut else []
    return blocks
