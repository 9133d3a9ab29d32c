"""The site's own words in the site's language: gettext catalogues, dates by CLDR.

Everything the theme and the build write in their own voice (navigation, headings,
labels, "Read the original on …", "3 posts", feed titles, chart descriptions) goes
through gettext: Jinja's i18n extension in the templates (`_()`, `ngettext()`), and
`gettext_for(settings)` in Python. `DEFAULT_LANG` chooses the catalogue
`<THEME>/translations/<lang>/LC_MESSAGES/messages.po` (`de-AT` falls back to `de`);
English is the source language and needs none. The `.po` file is compiled in memory at
build time (Babel), so only the text catalogue lives in git. A message the catalogue
lacks stays English: `invoke translations` lists them (and updates the catalogues from
the templates and code), `--check` fails on any.

Dates in another language than English are formatted by Babel from CLDR (`12. November
2026`, `2026年11月12日`), not by strftime, which would need the machine to have that locale
installed; an English site keeps Pelican's `DEFAULT_DATE_FORMAT` (`12 November 2026`).
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as gettext_module
import io
import os

from eminence_model.languages import cldr_locale, primary

DOMAIN = "messages"


def N_(message: str) -> str:
    """A message for the catalogue (`invoke translations` extracts it), translated where shown."""
    return message


# EMINENCE_KIND_LABELS' defaults (eminence_model/settings.py), for the catalogue.
KIND_LABELS = (N_("Article"), N_("Note"), N_("Video"), N_("Episode"))
DATE_FORMAT = "long"  # CLDR's: "12 November 2026", "12. November 2026", "2026年11月12日"


def catalogue_path(theme: str, lang: str) -> str:
    return os.path.join(theme, "translations", lang, "LC_MESSAGES", f"{DOMAIN}.po")


def _catalogue_for(settings: dict) -> str | None:
    lang = str(settings.get("DEFAULT_LANG") or "en").replace("-", "_")
    theme = settings.get("THEME", "")
    for candidate in dict.fromkeys((lang, primary(lang.replace("_", "-")))):
        path = catalogue_path(theme, candidate)
        if os.path.isfile(path):
            return path
    return None


@functools.lru_cache(maxsize=8)
def _compiled(path: str, mtime_ns: int, size: int):
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with open(path, "rb") as fh:
        catalog = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy guess is not a translation
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def translations(settings: dict):
    """The site language's translations (NullTranslations for English or no catalogue)."""
    path = _catalogue_for(settings)
    if path is None:
        return gettext_module.NullTranslations()
    stat = os.stat(path)
    return _compiled(path, stat.st_mtime_ns, stat.st_size)


def gettext_for(settings: dict):
    """(gettext, ngettext) of the site's language, for the build's Python code."""
    found = translations(settings)
    return found.gettext, found.ngettext


def install(env, settings: dict) -> None:
    """Give a Jinja environment `_`, `gettext` and `ngettext` (newstyle: placeholders
    by name, values escaped) in the site's language."""
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(translations(settings), newstyle=True)


def _locale(settings: dict):
    """The site language's CLDR locale, or None for English (Pelican's strftime formats)."""
    lang = str(settings.get("DEFAULT_LANG") or "en")
    return None if primary(lang) == "en" else cldr_locale(lang)


def date_filter(settings: dict):
    """`{{ post.date|local_date }}`: the date as the site's language writes it."""
    from babel.dates import format_date

    locale, pattern = _locale(settings), settings.get("DEFAULT_DATE_FORMAT") or "%-d %B %Y"

    def local_date(value) -> str:
        if locale is None:
            return value.strftime(pattern)
        return format_date(value.date() if isinstance(value, dt.datetime) else value, DATE_FORMAT, locale)
    return local_date


def month_formatter(settings: dict):
    """A month as a chart's table says it ("Nov 2026", "Nov. 2026")."""
    from babel.dates import format_date

    locale = _locale(settings)
    if locale is None:
        return lambda year, month: dt.date(year, month, 1).strftime("%b %Y")
    return lambda year, month: format_date(dt.date(year, month, 1), "MMM y", locale)


def filters(settings: dict) -> dict:
    """The theme's filters that speak the site's language, and its kind labels translated
    (EMINENCE_KIND_LABELS, where the showcase kept the defaults)."""
    from eminence_model.settings import SETTINGS, setting

    from .stream import PLURALS

    gettext, _ = gettext_for(settings)
    default = next(s.default for s in SETTINGS if s.name == "EMINENCE_KIND_LABELS")
    translated = {kind: gettext(label) for kind, label in default.items()}
    own = setting(settings, "EMINENCE_KIND_LABELS")
    kept = own in (default, translated)  # translated: these settings were built with before
    if kept:
        settings["EMINENCE_KIND_LABELS"] = translated

    def kind_plural(kind: str) -> str:
        """A kind's plural ("Articles"): the catalogue's for the default labels, else the
        showcase's own label and an s (as before: "Talks")."""
        return gettext(PLURALS[kind]) if kept else f"{own[kind]}s"

    locale = _locale(settings)

    def short_date(value) -> str:
        from babel.dates import format_date

        return value.strftime("%-d %b %Y") if locale is None else format_date(value, "d MMM y", locale)

    return {"local_date": date_filter(settings), "kind_plural": kind_plural, "short_date": short_date}
