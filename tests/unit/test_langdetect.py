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


GERMAN = [c for c in CASES if c["expected"] == "de"][0]
JAPANESE = [c for c in CASES if c["expected"] == "ja"][0]


def _text(case) -> str:
    return detection_text(case["title"], case["text"])


def test_a_feed_in_one_language_is_detected_once_for_all_its_entries(monkeypatch):
    from eminence_pull import langdetect

    calls, real = [], langdetect._load()

    class Counting:  # the model, counting what it is asked
        def classify(self, text):
            calls.append(text)
            return real.classify(text)

    monkeypatch.setattr(langdetect, "_identifier", Counting())
    texts = [_text(GERMAN), "Wir haben das Netz im Winter neu geplant und die Leitwarte geschult.", "Danke!"]
    assert langdetect.feed_languages(texts) == ["de", "de", "de"]  # "Danke!" alone: unsure
    assert len(calls) == 1


def test_an_entry_in_another_script_is_detected_on_its_own():
    from eminence_pull.langdetect import feed_languages

    assert feed_languages([_text(GERMAN), _text(JAPANESE), _text(GERMAN)]) == ["de", "ja", "de"]


def test_a_feed_in_two_languages_of_one_script_is_detected_entry_by_entry():
    from eminence_pull.langdetect import feed_languages

    english = [c for c in CASES if c["name"].startswith("english")][0]
    assert feed_languages([_text(GERMAN), _text(english)]) == ["de", "en"]
