"""The theme's translation catalogues, kept in step with the templates and code
(`invoke translations`): what a translator or editor runs, never the build.

- extract(): every message the templates (`_()`, `ngettext()`) and the build's Python
  (`_`, `gettext`, `ngettext`, `n_`, `N_`) say, as a catalogue template;
- update(): each `translations/<lang>/LC_MESSAGES/messages.po` gets the new messages
  (untranslated) and loses the ones no longer said (Babel marks a changed one fuzzy,
  which i18n.py never uses, so a stale guess never reaches a page);
- status(): per language, the messages still untranslated or fuzzy, for `--check`.
Adding a language: `invoke translations --new fr`, then translate its `.po` (any PO
editor, or by hand) and set `DEFAULT_LANG = "fr"`.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

from .i18n import DOMAIN, catalogue_path

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "n_": (1, 2), "N_": None}


@dataclass
class Status:
    lang: str
    path: str
    total: int
    untranslated: list[str]
    fuzzy: list[str]


def extract(theme: str):
    """The catalogue template: what the theme's templates and the build's code say."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(project="Eminence", domain=DOMAIN, fuzzy=False)
    sources = [(os.path.join(theme, "templates"), [("**.html", "jinja2")],
                {"**.html": {"extensions": "jinja2.ext.i18n"}}),
               (PLUGIN_DIR, [("**.py", "python")], {})]
    for folder, methods, options in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
                folder, methods, options, keywords=KEYWORDS, strip_comment_tags=True):
            where = os.path.relpath(os.path.join(folder, filename), os.path.dirname(theme))
            template.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    return template


def _read(path: str, lang: str):
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        return read_po(fh, locale=lang)


def _write(path: str, catalog) -> None:
    import io

    from babel.messages.pofile import write_po

    from eminence_model.store import atomic_write

    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=False, include_previous=False)
    atomic_write(path, buffer.getvalue())


def languages(theme: str) -> list[str]:
    return sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                  for p in glob.glob(catalogue_path(theme, "*")))


def update(theme: str, new: str | None = None) -> list[str]:
    """Bring every catalogue (and a new one for `new`) in step with the template; the
    paths written."""
    from babel.messages.catalog import Catalog

    template = extract(theme)
    written = []
    for lang in sorted({*languages(theme), *([new] if new else [])}):
        path = catalogue_path(theme, lang)
        catalog = _read(path, lang) if os.path.isfile(path) else Catalog(
            locale=lang, domain=DOMAIN, project="Eminence", fuzzy=False,
            header_comment=f"# The site's own words in {lang}: invoke translations keeps this in step "
                           "with the theme.")
        catalog.update(template, update_header_comment=False, update_creation_date=False)
        catalog.obsolete.clear()  # a message no longer said is gone, not kept commented out
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _write(path, catalog)
        written.append(path)
    return written


def _missing(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not all(strings)


def status(theme: str) -> list[Status]:
    """Per catalogue: its messages, and those untranslated or fuzzy against the template."""
    template = extract(theme)
    out = []
    for lang in languages(theme):
        path = catalogue_path(theme, lang)
        catalog = _read(path, lang)
        untranslated, fuzzy = [], []
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, context=message.context)
            key = message.id if isinstance(message.id, str) else message.id[0]
            if found is None or _missing(found):
                untranslated.append(key)
            elif found.fuzzy:
                fuzzy.append(key)
        out.append(Status(lang, path, sum(1 for m in template if m.id), untranslated, fuzzy))
    return out
