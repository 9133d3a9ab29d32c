"""The metadata block as the editor typed it, checked before anything is read from it.

Pelican reads metadata with Python-Markdown's meta extension, which is forgiving in
ways that publish what an editor meant to keep private: the block ends silently at
the first line that is not `Key: value` (so `Status : draft` becomes body text and
the post is published), an unknown key such as `Stauts` is dropped, a repeated key
becomes a list, and Jekyll/Hugo front matter between `---` lines is read with its
lowercase keys (`draft: true` means nothing) and its YAML quotes kept.

`header_problems` reads the raw lines with the same rules as Python-Markdown and
reports, with the file, the field and the fix:

- a key that is neither in the content model nor declared in settings
  (EMINENCE_EXTRA_METADATA), with the nearest known key;
- a line in the first paragraph that looks like metadata but is not (a space or
  tab before the colon, `=` for `:`), which would otherwise end the block;
- a key given twice, before Pelican turns it into a list;
- front matter in the `---` form, refused with how to convert it;
- a file with no metadata block at all (empty, blank first line, plain text).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from .schema import Field, FieldKind

# Python-Markdown's own patterns (markdown.extensions.meta), so this check and the
# reader agree on where the block ends.
META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE_RE = re.compile(r"^[ ]{4,}(?P<value>.*)")
FRONT_MATTER = re.compile(r"^-{3}\s*$")
# What an editor meant as a metadata line: a word or two, then ':' or '=' after spaces.
LOOKS_LIKE_METADATA = re.compile(r"^\s*(?P<key>[A-Za-z][A-Za-z0-9_-]*(?: [A-Za-z0-9_-]+)?)\s*[:=]")

# Pelican's own metadata, valid in any file (docs/editing.md).
PELICAN_KEYS = ("Slug", "Summary", "Tags", "Category", "Author", "Authors", "Lang", "Translation",
                "Template", "Save_as", "Url", "Modified")


def _lines(text: str) -> list[str]:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def header_problems(path: str, text: str, fields: Iterable[Field], extra: Iterable[str] = ()):
    """[(field, message, fix)] for the metadata block of one file's text."""
    fields = list(fields)
    known = {f.name.lower(): f.name for f in fields}
    # A choice left empty ('Status:') is read as absent, its default: a draft published.
    choices = {f.name.lower(): f for f in fields if f.kind in (FieldKind.CHOICE, FieldKind.YESNO)}
    for name in (*PELICAN_KEYS, *extra):
        known.setdefault(name.lower(), name)
    lines = _lines(text)
    problems = []
    if lines and FRONT_MATTER.match(lines[0]):
        return [("(file)", "starts with front matter between '---' lines (Jekyll/Hugo style), "
                 "which is not read as Eminence metadata (draft: true would be ignored).",
                 "delete the '---' lines and write each field as 'Key: value' with its Eminence "
                 "name and no quotes, e.g. 'Title: My post' and 'Status: draft' for 'draft: true'.")]
    if not lines or not META_RE.match(lines[0]):
        first = next((ln for ln in lines if ln.strip()), "")
        what = "is empty" if not first else (
            "starts with a blank line" if not lines[0].strip() else "has no metadata lines at the top")
        return [("(file)", f"{what}: nothing in it can be read as its fields.",
                 "start the file with 'Key: value' lines (e.g. 'Title: ...'), then a blank line, "
                 "then the body.")]
    seen: dict[str, int] = {}
    key = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            problems += _invisible_end(lines, number, known)
            break
        match = META_RE.match(line)
        if match:
            key = match.group("key")
            name = known.get(key.lower())
            if name is None:
                guess = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
                hint = f"Did you mean '{known[guess[0]]}'? " if guess else ""
                problems.append((key, f"unknown field (line {number}). {hint}".rstrip(),
                                 f"correct its name ({', '.join(sorted(set(known.values())))}), "
                                 "or declare it in EMINENCE_EXTRA_METADATA."))
            elif key.lower() in choices and not match.group("value").strip():
                field = choices[key.lower()]
                problems.append((name, f"is empty (line {number}), which reads as not given.",
                                 f"write {field.hint}, or delete the line."))
            elif key.lower() in seen:
                problems.append((name, f"is given twice (lines {seen[key.lower()]} and {number}).",
                                 f"keep one '{name}:' line."))
            else:
                seen[key.lower()] = number
            continue
        if key and META_MORE_RE.match(line):
            continue  # a continuation of the value above
        suspect = LOOKS_LIKE_METADATA.match(line)
        label = suspect.group("key").strip() if suspect else "(metadata)"
        problems.append((known.get(label.lower(), label),
                         f"line {number} ({line.strip()[:60]!r}) is in the metadata block but is not "
                         "a 'Key: value' line, so the block would end there and the line would be "
                         "published as text.",
                         "write it as 'Key: value' (no space before the colon), or put a blank line "
                         "before it if it belongs to the body."))
        break
    return problems


def _invisible_end(lines: list[str], number: int, known: dict) -> list:
    """The block ends at a line that only looks blank (a no-break space, a line separator,
    a tab pasted from a word processor) while a field follows: that field would be
    published as text (a 'Status: draft' below it publishes the draft)."""
    invisible = [c for c in lines[number - 1] if c not in " "]
    after = next((ln for ln in lines[number:] if ln.strip()), "")
    match = META_RE.match(after)
    if not invisible or not match or match.group("key").lower() not in known:
        return []
    codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in invisible))
    name = known[match.group("key").lower()]
    return [(name, f"line {number} looks blank but holds invisible characters ({codes}), which end "
             f"the metadata block: '{after.strip()[:60]}' after it would be published as text.",
             f"delete line {number} if '{name}' belongs to the metadata, or make it truly empty.")]
