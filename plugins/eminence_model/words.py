"""How many words a text has, and where its n-th word ends, in every script.

Spaces separate words in most scripts, but Chinese and Japanese are written without
them: counted by spaces, a Chinese post is one "word", so an 80-word excerpt would keep
it whole and a "fewer than 5 words" rule would always fire. Here a Han, Kana or Hangul
character is a word of its own (as Pelican's summary truncation counts them, so the
pull's excerpts, the feeds' bound and Pelican agree); elsewhere a word is a run of
characters between spaces, as `str.split` counts them (a lone dash counts too: the pull
counts every block of every entry, and split is eight times cheaper than any regex).
Korean, written with spaces, is counted by syllable too: its limits go further in words
than the same number in English (Pelican's convention, kept so that one count holds).
"""

from __future__ import annotations

import re

# Pelican's "double-byte" ranges (pelican.utils._HTMLWordTruncator), one word each.
CJK = ("\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002a6df\U0002f800-\U0002fa1f"
       "\u3040-\u30ff\u1100-\u11ff\uac00-\ud7ff\u3130-\u318f")
_TOKEN = re.compile(f"[{CJK}]|[^\\s{CJK}]+")
_CJK_CHAR = re.compile(f"[{CJK}]")


def _words(text: str):
    """The words (see the module's docstring), as matches, in order."""
    return _TOKEN.finditer(text)


def count_words(text: str) -> int:
    if not _CJK_CHAR.search(text):  # the common case: split's count, at split's cost
        return len(text.split())
    return sum(1 for _ in _words(text))


def cut_words(text: str, n: int) -> str | None:
    """`text` up to the end of its n-th word, or None if it has no more than n words."""
    ends = _words(text)
    for i, m in enumerate(ends, 1):
        if i == n:
            return text[:m.end()] if next(ends, None) else None
    return None


def cut_at_word(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` characters that ends at a word's
    end: after a space, or after any CJK character (which is a word)."""
    end = 0
    for m in _TOKEN.finditer(text):
        if m.end() > limit:
            break
        end = m.end()
    return text[:end] if end else text[:limit]


def has_cjk(text: str) -> bool:
    return bool(_CJK_CHAR.search(text))
