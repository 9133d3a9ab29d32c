"""invoke verify-endorsements: is each published endorsement still where it says?

Re-fetches every published endorsement's Source (the pull's Fetcher: same
timeouts, size cap and redirect rules) and reports the ones whose page is gone or
no longer contains the quote, so an editor can act before a reader notices. It
never edits a file: whether to take a quote down, re-source it or ask the
endorser is an editor's decision.

The quote is matched as normalised text: case, punctuation, quotation marks,
dashes and whitespace are ignored, and a quote the pull shortened with "…" must
have each of its parts on the page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from eminence_model.markdown_text import code_span
from eminence_model.sanitize import plain_text, text_only
from eminence_model.validate import display_path
from eminence_model.words import count_words

GONE_STATUSES = (404, 410)
MIN_PART_WORDS = 3  # shorter pieces between ellipses are not worth matching alone


class VerdictState(StrEnum):
    OK = "ok"  # the page still says it
    GONE = "gone"  # the page answers 404 or 410
    MISSING = "missing"  # the page no longer contains the quote
    UNREACHABLE = "unreachable"  # no answer, or the fetcher refused the address


@dataclass
class Verdict:
    path: str
    source: str
    state: VerdictState
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.state.upper():<11} {display_path(self.path)}\n            {self.source}" + (
            f"\n            {self.detail}" if self.detail else "")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def quote_parts(quote: str) -> list[str]:
    parts = [normalise(p) for p in re.split(r"\[?…\]?|\.\.\.", quote)]
    return [p for p in parts if count_words(p) >= MIN_PART_WORDS] or [normalise(quote)]


def page_text(body: bytes, content_type: str | None) -> str:
    charset = "utf-8"
    match = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    if match:
        charset = match.group(1)
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    if "html" in (content_type or "text/html") or "<" in text[:1000]:
        text = text_only(text)
    return normalise(text)


def verdict(endorsement, result) -> Verdict:
    path, source = endorsement.path, endorsement.source
    if result.status in GONE_STATUSES or result.gone:
        return Verdict(path, source, VerdictState.GONE, f"the page answers HTTP {result.status}")
    if result.error:
        return Verdict(path, source, VerdictState.UNREACHABLE, result.error)
    text = page_text(result.body or b"", result.content_type)
    missing = [p for p in quote_parts(plain_text(endorsement.quote)) if p not in text]
    moved = f" (moved permanently to {result.moved_to})" if result.moved_to else ""
    if missing:
        return Verdict(path, source, VerdictState.MISSING, f"the page no longer contains the quote{moved}: "
                       f"\"{missing[0][:120]}\" not found")
    return Verdict(path, source, VerdictState.OK, moved.strip(" ()"))


def verify(endorsements, settings: dict) -> list[Verdict]:
    """A Verdict per endorsement, in the order given."""
    from eminence_pull.settings import new_fetcher

    with new_fetcher(settings, "endorsement source check", feeds=False) as fetcher:
        futures = [fetcher.submit(e.source) for e in endorsements]
        return [verdict(e, f.result()) for e, f in zip(endorsements, futures, strict=True)]


def tally(verdicts) -> str:
    """One line: how many endorsements were checked, by verdict."""
    counts = {s.value: sum(v.state is s for v in verdicts) for s in VerdictState}
    return (f"Checked {len(verdicts)} published endorsement(s): "
            + ", ".join(f"{n} {s}" for s, n in counts.items()) + ".")


FIXES = {
    "gone": "take it down (`Consent: withdrawn`, or delete the file) or re-source it",
    "missing": "ask the endorser, re-source it, or take it down",
    "unreachable": "check again later; if it stays unreachable, treat it as gone",
}


def markdown(verdicts) -> str:
    """The report as an issue's body: what needs an editor, each with its fix."""
    problems = [v for v in verdicts if v.state is not VerdictState.OK]
    out = ["## Endorsements to verify", "", tally(verdicts), ""]
    if problems:
        out += ["| state | endorsement | source | what was seen | fix |", "|---|---|---|---|---|"]
        for v in problems:
            cells = [code_span(c) for c in (v.source, v.detail)]
            out.append(f"| {v.state} | `{display_path(v.path)}` | {cells[0]} | {cells[1]} | "
                       f"{FIXES[v.state]} |")
        out += ["", "docs/editing.md (\"Endorsement\") explains each option. Nothing was edited: "
                "this check only reads."]
    return "\n".join(out) + "\n"
