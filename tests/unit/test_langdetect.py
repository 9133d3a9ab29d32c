"""eminence_pull.langdetect: the language of an entry whose feed declares none. Cases in
testdata/langdetect/cases.json (self-written): each script the showcase must tell apart,
and texts the detector must decline rather than guess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eminence_pull.langdetect import DETECTION_CHARS, detect_language, detection_text

CASES = json.loads((Path(__file__).parent / "testdata" / "langdetect" / "cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_detect_language(case):
    assert detect_language(detection_text(case["title"], case["text"])) == case["expected"]


def test_detection_text_drops_addresses_and_is_bounded():
    text = detection_text("Title", "One https://x.example/a www.example.com mail@example.com two\n\n"
                          + "word " * 500)
    assert text.startswith("Title One two word")
    assert "example" not in text
    assert len(text) == DETECTION_CHARS
