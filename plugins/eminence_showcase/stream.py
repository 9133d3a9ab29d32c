"""The stream: a topic's, an expert's or the whole site's posts of every kind and its
endorsements in one list, newest first, with a filter by kind that needs no JavaScript.

Each filter is a static page of its own beside the stream's first page
(`topics/<slug>/notes/`, `experts/<slug>/videos/`, `posts/episodes/`...), written only
when it lists something (the links never lead to an empty page) and the stream has
more than one kind (otherwise it would repeat the stream, and no filter is shown).

A stream whose posts are in more than one language also has a filter by language
(`topics/<slug>/in/de/`, `posts/in/zh-Hans/`): posts only (an endorsement has no
language of its own), regions aside (`de-AT` is German), named in the site's language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from eminence_model.languages import language_key, language_name

from .i18n import N_, gettext_for


@dataclass(frozen=True)
class StreamFilter:
    slug: str  # the page's folder under the stream
    label: str  # what the filter link says
    kind: str | None  # the post kind it keeps; None: endorsements (or, with lang, any)
    lang: str | None = None  # the language it keeps (languages.language_key)


FILTERS = (
    StreamFilter("articles", N_("Articles"), "article"),
    StreamFilter("notes", N_("Notes"), "note"),
    StreamFilter("videos", N_("Videos"), "video"),
    StreamFilter("episodes", N_("Episodes"), "episode"),
    StreamFilter("endorsements", N_("Endorsements"), None),
)
PLURALS = {flt.kind: flt.label for flt in FILTERS if flt.kind}  # the coverage table's columns


def is_endorsement(item) -> bool:
    return hasattr(item, "endorser")


def merged(posts, endorsements) -> list:
    """Posts and endorsements, newest first (each list is already newest first)."""
    return sorted([*posts, *endorsements], key=lambda i: (i.date, i.slug), reverse=True)


def keeps(flt: StreamFilter, item, site_lang: str = "en") -> bool:
    if flt.lang is not None:
        return not is_endorsement(item) and language_key(getattr(item, "lang", None) or site_lang) == flt.lang
    if flt.kind is None:
        return is_endorsement(item)
    return not is_endorsement(item) and getattr(item, "kind", "article") == flt.kind


@dataclass
class Stream:
    base: str  # the URL of its first page, e.g. "topics/applied-ai/"
    items: list
    filters: list  # [(StreamFilter, items)] for the filters that keep something
    languages: list  # [(StreamFilter, posts)] by language, the site's first, where more than one

    def link(self, flt: StreamFilter | None) -> str:
        return self.base if flt is None else f"{self.base}{flt.slug}/"


def stream(base: str, items: list, settings: dict) -> Stream:
    """The stream of `items` at `base`, its filters named in the site's language."""
    gettext, _ = gettext_for(settings)
    site_lang = settings.get("DEFAULT_LANG") or "en"
    filters = [(replace(flt, label=gettext(flt.label)), kept) for flt in FILTERS
               if (kept := [i for i in items if keeps(flt, i)])]
    by_language: dict[str, list] = {}
    for item in items:
        if not is_endorsement(item):
            by_language.setdefault(language_key(getattr(item, "lang", None) or site_lang), []).append(item)
    site = language_key(site_lang)
    order = sorted(by_language, key=lambda key: (key != site, -len(by_language[key]), key))
    languages = [(StreamFilter(f"in/{key}", language_name(key, site_lang), None, key), by_language[key])
                 for key in order]
    # One kind or language only: its page would repeat the stream, and no filter is shown.
    return Stream(base, items, filters if len(filters) > 1 else [], languages if len(languages) > 1 else [])
