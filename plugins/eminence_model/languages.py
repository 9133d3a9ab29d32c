"""Language tags as the content model holds them: BCP 47 (RFC 5646), normalised.

A post's language decides its page's `lang` (screen readers' pronunciation, browsers'
hyphenation and translation, search engines), its search index (Pagefind splits one
per language) and its feed entry's `xml:lang`. Feeds declare it in many spellings
(`en-us`, `EN_US`, `de-DE`, `zh-hant-tw`); the model keeps one: the language subtag
lower case, a script in title case, a region upper case (`en-US`, `zh-Hant-TW`).
Only the common shape is accepted (language, optional script, region and variants;
no extensions or private use): enough for every language a feed names, and nothing
that could carry markup into an attribute.
"""

from __future__ import annotations

import functools
import re

_TAG = re.compile(r"([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|\d{3}))?((?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)",
                  re.IGNORECASE)


def language_tag(text) -> str | None:
    """`text` as a normalised BCP 47 tag, or None if it is not one."""
    if not isinstance(text, str):
        return None
    m = _TAG.fullmatch(text.strip().replace("_", "-"))
    if not m:
        return None
    language, script, region, variants = m.groups()
    parts = [language.lower(), script.title() if script else None, region.upper() if region else None]
    return "-".join(p for p in parts if p) + (variants.lower() if variants else "")


def primary(tag: str) -> str:
    """The language subtag: `pt-BR` -> `pt`."""
    return tag.split("-", 1)[0].lower()


def same_language(a: str | None, b: str | None) -> bool:
    """Whether two tags name one language (regions and scripts aside): `en-GB` ~ `en`."""
    return bool(a and b) and primary(a) == primary(b)



def lang_line(lang: str | None, fallback: str | None) -> str:
    """What a written `Lang:` line holds: the language, where it is not the one the item
    has anyway (`fallback`: its expert's, else the site's); "" writes no line."""
    return "" if not lang or same_language(lang, fallback) else lang


def language_key(tag: str) -> str:
    """The language a reader would pick in a filter: the language subtag, with the script
    where the language is written in more than one (`zh-CN` -> `zh-Hans`, `zh-TW` ->
    `zh-Hant`, `sr-Latn`), without the region (`de-AT` and `de-DE` are one German)."""
    locale = cldr_locale(tag)
    if locale is None:
        return primary(tag)
    if locale.script and locale.language in _written_in_several_scripts():
        return f"{locale.language}-{locale.script}"
    return locale.language


def language_name(tag: str, in_language: str) -> str:
    """A language's name in the site's language ("German" on an English site, "Deutsch"
    on a German one), from CLDR (Babel); the tag itself for a language CLDR lacks."""
    locale = cldr_locale(tag)
    if locale is None:
        return tag
    return locale.get_display_name(cldr_locale(in_language) or "en") or tag


def cldr_locale(tag: str | None):
    """Babel's Locale for a tag, or None for a language CLDR lacks."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag.replace("-", "_")) if tag else None
    except (UnknownLocaleError, ValueError):
        return None


@functools.cache
def _written_in_several_scripts() -> frozenset[str]:
    """The languages CLDR has locales of in more than one script (zh, sr, uz...)."""
    from babel import localedata

    scripts: dict[str, set] = {}
    for name in localedata.locale_identifiers():
        parts = name.split("_")
        if len(parts) > 1 and len(parts[1]) == 4:
            scripts.setdefault(parts[0], set()).add(parts[1])
    return frozenset(language for language, found in scripts.items() if len(found) > 1)
