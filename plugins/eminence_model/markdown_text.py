"""Untrusted text inside Markdown that Eminence generates (a pull request's description,
an issue's report): shown as text, never as markup.

A feed's title or an endorser's name reaches the scheduled pull request's description,
which editors read and approve from. Escaping Markdown's punctuation is not enough on
GitHub: bare URLs and `www.` become links and `@org/team` pings people. Inside a code
span nothing is a link, an image, HTML or a mention, so untrusted text goes in one, its
backticks outnumbered, its table pipes escaped (GFM splits cells on `|` even there).
"""

from __future__ import annotations

import re


def code_span(text: str) -> str:
    """`text` as an inline code span on one line, safe in a table cell."""
    text = " ".join(str(text).split()).replace("|", "\\|")
    if not text:
        return ""
    ticks = "`" * (1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return f"{ticks} {text} {ticks}"


def fenced(lines: list[str]) -> list[str]:
    """Lines as a fenced code block whose fence no line can close."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *lines, fence]
