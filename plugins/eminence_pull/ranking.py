"""The review queue's ranking of endorsement candidates: which to look at first.

docs/operating.md ("Ranking") explains the signals to editors and reports what they did
on real watch feeds (tools/rank_watch.py). A higher score means "look at this first",
never "publish this"; every signal that counted is returned as a reason to show.
"""

from __future__ import annotations

import datetime as dt
import re

from .mentions import TermMatcher, sentences

# Measured on real watch feeds (docs/operating.md, "Ranking"): a brand search's results are mostly
# news about the company (its share price, insider sales, "market reports" that only
# reuse its name), not people saying what its work did for them. So the ranking rewards
# what praise looks like (words of praise, a first-hand account, a positive tone toward
# the brand) and demotes what finance news and report spam look like.

EVALUATIVE = re.compile(
    r"\b(?:recommend\w*|impress\w*|excellent|outstanding|best|great|love[ds]?|reliab\w+|trust\w*"
    r"|helped|help(?:s|ing)?\s+us|solved|saved|improv\w+|faster|easier|thanks\s+to|stand(?:s)?\s+out"
    r"|superb|brilliant|remarkable|well[- ]designed|first\s+\w+(?:\s+\w+)?\s+(?:that|to)"
    r"|works?\s+well|clear(?:er|est)?|honest|calm(?:er)?|rare)\b", re.I)
FIRST_PERSON = re.compile(r"\b(?:we|our|us|i|my|we've|we're|i've)\b", re.I)
# Someone telling what they did with it: the strongest sign of a real customer's voice.
EXPERIENCE = re.compile(
    r"\b(?:we|i)(?:'ve|\s+have)?\s+(?:\w+ly\s+)?(?:use[ds]?|using|switched|moved|migrated|deployed|chose"
    r"|picked|adopted|run|ran|rolled\s+out|bought|tried|replaced|built|choose)\b", re.I)
# Share prices, insider sales, earnings, and "market report" spam that reuses a name.
FINANCE = re.compile(
    r"\b(?:NASDAQ|NYSE|LSE|TSX|stocks?|shares|shareholders?|insiders?|price\s+target|earnings|dividends?"
    r"|IPO|valuation|market\s+(?:report|research|size|share|revenue|forecast|analysis|cap)"
    r"|CAGR|forecast\s+period|key\s+players|industry\s+players|revenue\s+share|(?:buy|sell|hold)\s+rating"
    r"|(?:market|industry)\b[^.\n]{0,60}\b(?:report|research|analysis|forecast|growth|outlook|trends)"
    r"|sells?\s+\$?[\d,.]+|bought\s+\$?[\d,.]+)\b", re.I)
THIN = 8  # words
PRAISE_TONE = 0.5  # VADER compound at or above this: clearly positive
WARM_TONE = 0.2
HOSTILE_TONE = -0.3


def _analyzer():
    """VADER (vaderSentiment): a lexicon and rules tuned to short social-media text,
    shipped in the package (no download). English only: other languages read as neutral."""
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    return _VADER


_VADER = None


def tone(quote: str, terms: list[str]) -> float:
    """The tone toward the brand: VADER's compound score (-1..1) over the quote's
    sentences that name a term (the whole quote when none does)."""
    matcher = TermMatcher(terms)
    near = [s for s in sentences(quote) if matcher.find(s)] or [quote]
    return _analyzer().polarity_scores(" ".join(near))["compound"]


def _as_named(term: str, quote: str) -> bool:
    """Whether the quote writes the term as the brand does (its capitals), or as a hashtag:
    'slack in his uniform' is not Slack, '#kubernetes' is Kubernetes."""
    if term == term.lower():
        return True  # a brand spelled in lower case (gulp): nothing to tell by
    exact = r"\s+".join(map(re.escape, term.split()))
    hashtag = re.escape(term.replace(" ", ""))
    return bool(re.search(rf"(?<!\w){exact}(?!\w)", quote)
                or re.search(rf"#{hashtag}(?!\w)", quote, re.I))


def rank(quote: str, terms: list[str], date: dt.datetime, now: dt.datetime,
         title: str = "") -> tuple[int, list[str]]:
    """(score, reasons) of one endorsement candidate for the review queue; higher
    first. The queue then lowers repeat endorsers (eminence_desk.rank_endorsements)."""
    score, why = 0, []
    if terms:
        score += 2
        why.append(f"names {', '.join(terms)}")
    if EVALUATIVE.search(quote):
        score += 2
        why.append("says what was good")
    if EXPERIENCE.search(quote):
        score += 2
        why.append("a first-hand account")
    elif FIRST_PERSON.search(quote):
        score += 1
        why.append("first-hand")
    feeling = tone(quote, terms)
    if feeling >= PRAISE_TONE:
        score += 2
        why.append(f"warm toward it (tone {feeling:+.2f})")
    elif feeling >= WARM_TONE:
        score += 1
        why.append(f"positive (tone {feeling:+.2f})")
    elif feeling <= HOSTILE_TONE:
        score -= 3
        why.append(f"negative (tone {feeling:+.2f})")
    if terms and not any(_as_named(term, quote) for term in terms):
        score -= 3
        why.append("only in lower case (the common word?)")
    if FINANCE.search(f"{title}\n{quote}"):
        score -= 4
        why.append("market, stock or report news")
    if len(quote.split()) < THIN:
        score -= 2
        why.append("too short to stand alone")
    age = (now - date).days
    if age <= 30:
        score += 2
        why.append("this month")
    elif age <= 180:
        score += 1
        why.append("this half-year")
    return score, why
