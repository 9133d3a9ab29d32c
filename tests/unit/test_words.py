"""eminence_model.words: words counted and cut the same way in every script (a Han or
Kana character is a word; elsewhere a run between spaces, as str.split counts)."""

from __future__ import annotations

import pytest

from eminence_model.words import count_words, cut_at_word, cut_words
from eminence_pull.convert import excerpt

COUNTS = [
    ("one two three", 3), ("", 0), ("  spaced   out  ", 2),
    ("我们的团队", 5),  # Chinese: a character each
    ("東京で new datacenter", 5),  # Kana and Han, then two English words
    ("Grid — a note · 2", 6),  # between spaces, as before: split's count
    ("안녕 세계", 4),  # Hangul by syllable, as Pelican's truncation counts it
    ("شبكة الكهرباء في الشتاء", 4),  # Arabic is spaced
]


@pytest.mark.parametrize(("text", "words"), COUNTS, ids=[t or "empty" for t, _ in COUNTS])
def test_count_words(text, words):
    assert count_words(text) == words


CUTS = [
    ("一二三四五", 3, "一二三"), ("one two three four", 2, "one two"), ("one two", 2, None),
    ("a — b c", 2, "a —"), ("東京で new datacenter", 4, "東京で new"),
]


@pytest.mark.parametrize(("text", "n", "start"), CUTS, ids=[c[0] for c in CUTS])
def test_cut_words(text, n, start):
    assert cut_words(text, n) == start


@pytest.mark.parametrize(("text", "limit", "start"), [
    ("hello world again", 13, "hello world"), ("我们的团队今天", 3, "我们的"),
    ("Ein Satz 我们的团队今天", 11, "Ein Satz 我们"), ("supercalifragilistic", 5, "super"),
])
def test_cut_at_word_ends_at_a_word_in_every_script(text, limit, start):
    assert cut_at_word(text, limit) == start


def test_an_excerpt_of_a_japanese_post_is_cut_by_characters():
    blocks = ["東京で新しいデータセンターを開設しました。来年には二つ目を予定しています。", "二段落目。"]
    assert excerpt(blocks, 10) == ["東京で新しいデータセ …"]
    assert excerpt(blocks, 100) == blocks  # under the budget: whole
