"""The language of an entry whose feed declares none, detected from its text.

Declared beats detected: the pull asks this module only when neither the entry nor
its feed names a language (41 of the 88 real feeds in the shared corpus name none),
and only for a post it writes, in its main process: the model costs 0.8 s to load and
~100 MiB, once, where loading it in each parser process would cost that per core,
and detecting every entry of every changed feed would redo it for entries already
written.
What it answers is written to the post's `Lang` (where it is not what the post would
have anyway: its expert's language, else the site's), so an editor sees and can
correct it like any other field. `benchmarks/language_bench.py` measured the choice of
detector and the thresholds below on the corpora's entries that declare a language.
"""

from __future__ import annotations

import re

from eminence_model.languages import language_tag

_URL = re.compile(r"\S+://\S+|www\.\S+|\S+@\S+")

# The title and the text's first characters: the cost grows with the length (a pure-
# Python walk over the bytes): 200 cost 0.14 ms an entry, 600 0.26 ms for 17 more of the
# corpus's 1,541 entries answered.
DETECTION_CHARS = 200

# py3langid's probabilities are calibrated across text lengths: answered only at 0.7
# or more, it was right on 1,424 of the 1,425 corpus entries it answered (of 1,541;
# answering all, 97.9%, and 59% of those under 40 characters). A post the detector is
# unsure of takes its expert's language, else the site's.
MIN_CONFIDENCE = 0.7

_identifier = None


def detection_text(title: str, text: str) -> str:
    """What the detector reads of an entry: its title and plain text, without addresses
    (a URL's words are not the post's language), cut to DETECTION_CHARS."""
    head = f"{title}\n{text[:DETECTION_CHARS * 3]}"  # enough to fill the cut after cleaning
    return " ".join(_URL.sub(" ", head).split())[:DETECTION_CHARS]


def _load():
    global _identifier
    if _identifier is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
        _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str) -> str | None:
    """The language subtag of `text` (see detection_text), or None where the detector is
    unsure (a short or mixed text)."""
    if not text:
        return None
    language, confidence = _load().classify(text)
    return language_tag(language) if confidence >= MIN_CONFIDENCE else None


# A letter's script, by code point: enough to tell when an entry is not written like its feed.
_SCRIPT_RANGES = ((0x0370, 0x03FF, "Grek"), (0x0400, 0x052F, "Cyrl"), (0x0590, 0x05FF, "Hebr"),
                  (0x0600, 0x06FF, "Arab"), (0x0900, 0x097F, "Deva"), (0x0E00, 0x0E7F, "Thai"),
                  (0x1100, 0x11FF, "Hang"), (0x3040, 0x30FF, "Kana"), (0x3400, 0x9FFF, "Hani"),
                  (0xAC00, 0xD7AF, "Hang"))
SAMPLE_ENTRIES = 8  # the feed's sample: its first entries' texts
_BEYOND_LATIN = re.compile("[\u0250-\U0010ffff]")


def script_of(text: str) -> str:
    """The script most of the text's letters are in ("Latn", "Cyrl", "Hani"...)."""
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        code = ord(char)
        script = "Latn" if code < 0x0250 else next(
            (name for low, high, name in _SCRIPT_RANGES if low <= code <= high), "Other")
        counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.get) if counts else ""


def feed_languages(texts: list[str]) -> list[str | None]:
    """The language of each of one feed's entries (their detection texts), for the cost of
    about one detection per feed: the feed's sample (its first entries' texts together)
    is detected once, and an entry written in the sample's script takes its language;
    an entry in another script, or every entry of a feed whose sample the detector is
    unsure of (a feed in two languages), is detected on its own. The price: an entry in
    another language of the same script as a one-language feed (a German post in an
    English feed) takes the feed's language; an editor corrects its Lang."""
    if not texts:
        return []
    sample = " ".join(texts[:SAMPLE_ENTRIES])[:DETECTION_CHARS * 3]
    feed_lang = detect_language(sample)
    script = script_of(sample)

    def same_script(text: str) -> bool:
        if script == "Latn" and not _BEYOND_LATIN.search(text):
            return True  # the common case, without a look at each letter
        return script_of(text) == script
    return [feed_lang if feed_lang and same_script(text) else detect_language(text) for text in texts]
