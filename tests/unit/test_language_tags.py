"""eminence_model.languages: the language tags the model accepts, and how it writes them."""

from __future__ import annotations

import pytest

from eminence_model.languages import language_tag, same_language

CASES = [
    ("en", "en"), ("EN", "en"), ("en-us", "en-US"), ("en_US", "en-US"), (" de-DE ", "de-DE"),
    ("zh-hant-tw", "zh-Hant-TW"), ("zh-Hans", "zh-Hans"), ("es-419", "es-419"), ("pt-br", "pt-BR"),
    ("sl-rozaj", "sl-rozaj"), ("de-CH-1901", "de-CH-1901"), ("haw", "haw"),
    # Not tags: names, empties, markup, extensions and private use, wrong types.
    ("english", None), ("", None), ("e", None), ("en-", None), ('en" onload="x', None),
    ("<b>de</b>", None), ("en-a-bbb", None), ("x-private", None), ("de DE", None), (None, None), (5, None),
]


@pytest.mark.parametrize(("given", "kept"), CASES, ids=[repr(g) for g, _ in CASES])
def test_language_tag(given, kept):
    assert language_tag(given) == kept


def test_same_language_ignores_region_and_script():
    assert same_language("en-GB", "en") and same_language("zh-Hant", "zh-Hans")
    assert not same_language("de", "en") and not same_language(None, "en") and not same_language("", "")
