"""eminence_pull.kinds.classify: what kind of voice a feed entry is.

testdata/kinds/cases.json: feedparser-shaped entries (only the keys classify reads)
and the Voice each must be. "WORDS" as the text stands for a text longer than
kinds.VIDEO_MAX_WORDS.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from eminence_pull.kinds import VIDEO_MAX_WORDS, classify

CASES = json.loads((Path(__file__).parent / "testdata" / "kinds" / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["about"][:50] for c in CASES])
def test_classify(case):
    text = " ".join(["word"] * (VIDEO_MAX_WORDS + 1)) if case["text"] == "WORDS" else case["text"]
    voice = classify(case["raw"], case["title"], text, case["permalink"], lambda url: url)
    assert dataclasses.asdict(voice) == case["expect"], case["about"]
