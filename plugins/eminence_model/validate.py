"""Validation of editor input: every problem names the file, the field and the fix.

All problems found in one run are collected and reported together, so an editor
fixes a batch of files in one go instead of one build per mistake.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from pelican.utils import get_date

from .languages import language_tag
from .schema import Field, FieldKind


@dataclass(frozen=True)
class Problem:
    path: str
    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message} Fix: {self.fix}"


class ContentError(Exception):
    """Raised when content is invalid; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.field, p.message))
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the content; nothing was built:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


def look_alikes(text: str) -> str:
    """What makes a value that looks right wrong: ' (its "а" is U+0430 CYRILLIC SMALL
    LETTER A)' for a look-alike letter pasted from elsewhere; '' for plain ASCII."""
    import unicodedata

    odd = list(dict.fromkeys(c for c in text if ord(c) > 127))
    if not odd:
        return ""
    named = ", ".join(f'"{c}" is U+{ord(c):04X} {unicodedata.name(c, "an unnamed character")}'
                      for c in odd[:3])
    return f" (its {named}: retype it)"


def display_path(path: str) -> str:
    """A path as the editor knows it: relative to the working folder when possible."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


_SPACE = re.compile(r"\s")  # the characters str.isspace() accepts


def is_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.hostname  # noqa: B018 - parses the host: '[::1' raises here, not in urlsplit
    except ValueError:  # e.g. 'Invalid IPv6 URL': not a URL, reported as such
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not _SPACE.search(value)
    )


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# m:ss or h:mm:ss, as podcast feeds and video pages show running times.
# A date this far ahead is still today somewhere (time zones), or a clock a little fast.
FUTURE_ALLOWANCE = datetime.timedelta(days=2)
DURATION = re.compile(r"\d{1,3}:[0-5]\d(?::[0-5]\d)?")

YES = ("yes", "true", "on", "1")
NO = ("no", "false", "off", "0")


class FieldParser:
    """Turns raw metadata into typed values, collecting problems on the way.

    `topics` and `experts` are the known slugs that references must resolve to;
    `content_path` is where relative Avatar paths must exist.
    """

    def __init__(self, topics: Iterable[str], experts: Iterable[str], content_path: str,
                 local_feed_root: str | None = None):
        self.topics = set(topics)
        self.experts = set(experts)
        self.content_path = content_path
        # Where local feed files may be (EMINENCE_ALLOW_LOCAL_FEEDS); None: URLs only.
        self.local_feed_root = local_feed_root
        self.problems: list[Problem] = []

    def problem(self, path: str, field: Field | str, message: str, fix: str) -> None:
        name = field.name if isinstance(field, Field) else field
        self.problems.append(Problem(display_path(path), name, message, fix))

    def parse(self, path: str, meta: Mapping, fields: Iterable[Field]) -> dict:
        """Return {attribute: typed value} for the fields present and valid."""
        values = {}
        for field in fields:
            raw = meta.get(field.key)
            if isinstance(raw, list) and field.key != "tags":
                self.problem(
                    path, field, "is given more than once.", f"keep a single '{field.name}:' line."
                )
                continue
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if field.required:
                    self.problem(
                        path,
                        field,
                        "is missing.",
                        f"add a line '{field.name}: ...' ({field.hint}) to the metadata "
                        "at the top of the file.",
                    )
                continue
            value = self._parse_one(path, field, raw)
            if value is not None:
                values[field.attr] = value
        return values

    def _parse_one(self, path: str, field: Field, raw):  # noqa: C901 - one branch per kind
        text = raw.strip() if isinstance(raw, str) else raw
        kind = field.kind
        if kind is FieldKind.TEXT:
            return str(text)
        if kind is FieldKind.LIST:
            return split_list(text)
        if kind is FieldKind.DATE:
            if isinstance(text, datetime.datetime):
                when = text
            else:
                try:
                    when = get_date(str(text).replace("_", " "))
                except ValueError:
                    self.problem(path, field, f"'{text}' is not a date.", f"write {field.hint}.")
                    return None
            if when.date() > datetime.date.today() + FUTURE_ALLOWANCE:
                # A post dated ahead would top every list for years and move every
                # chart's window there (the pull clamps a feed's future dates to today).
                self.problem(path, field, f"'{when.date()}' is in the future.",
                             "write the date it was published or said (today at the latest).")
                return None
            return when
        if kind is FieldKind.URL:
            if is_url(text):
                return text
            self.problem(path, field, f"'{text}' is not a valid http(s) URL.", f"write {field.hint}.")
            return None
        if kind is FieldKind.URLS:
            urls = split_list(text)
            bad = [u for u in urls if not is_url(u)]
            for u in bad:
                self.problem(path, field, f"'{u}' is not a valid http(s) URL.", f"write {field.hint}.")
            return None if bad else urls
        if kind is FieldKind.FEEDS:
            feeds = split_list(text)
            bad = [f for f in feeds if not (is_url(f) or self._is_local_feed(f))]
            for f in bad:
                fix = (f"write {field.hint}" + ("; local files are allowed under "
                       f"{display_path(self.local_feed_root)}" if self.local_feed_root else ""))
                self.problem(path, field, f"'{f}' is not a valid http(s) URL"
                             + (" nor an existing local file." if self.local_feed_root else "."), fix + ".")
            return None if bad else feeds
        if kind in ("topics", "experts", "expert"):
            return self._parse_refs(path, field, text)
        if kind is FieldKind.CHOICE:
            low = str(text).lower()
            if low in field.choices:
                return low
            said = f"'{text}'{look_alikes(str(text))}" if str(text).strip() else "empty"
            self.problem(path, field, f"{said} is not allowed.", f"write {field.hint}.")
            return None
        if kind is FieldKind.YESNO:
            low = str(text).lower()
            if low in YES + NO:
                return low in YES
            self.problem(path, field, f"'{text}' is not yes or no.", "write yes or no.")
            return None
        if kind is FieldKind.INT:
            try:
                return int(text)
            except ValueError:
                self.problem(path, field, f"'{text}' is not a whole number.", f"write {field.hint}.")
                return None
        if kind is FieldKind.DURATION:
            if DURATION.fullmatch(str(text)):
                return str(text)
            self.problem(path, field, f"'{text}' is not a running time.", f"write {field.hint}.")
            return None
        if kind is FieldKind.LANG:
            tag = language_tag(str(text))
            if tag:
                return tag
            self.problem(path, field, f"'{text}' is not a language tag.", f"write {field.hint}.")
            return None
        if kind is FieldKind.AVATAR:
            if is_url(text):
                return text
            # On the resolved path: a link under content/ to a file elsewhere is not inside.
            local = os.path.realpath(os.path.join(self.content_path, text))
            inside = local.startswith(os.path.realpath(self.content_path) + os.sep)
            if inside and os.path.isfile(local):
                return text
            self.problem(
                path, field, f"'{text}' is neither an http(s) URL nor a file under content/.",
                f"write {field.hint}.",
            )
            return None
        raise AssertionError(f"FieldParser reads no {kind!r}")  # a FieldKind without its branch

    def _is_local_feed(self, value: str) -> bool:
        if not self.local_feed_root or "://" in value:
            return False
        root = os.path.realpath(self.local_feed_root)
        full = os.path.realpath(os.path.join(root, value))
        return full.startswith(root + os.sep) and os.path.isfile(full)

    def _parse_refs(self, path: str, field: Field, text: str):
        if field.kind is FieldKind.EXPERT:
            slugs, known, what = [text], self.experts, "expert"
        elif field.kind is FieldKind.EXPERTS:
            slugs, known, what = split_list(text), self.experts, "expert"
        else:
            slugs, known, what = split_list(text), self.topics, "topic"
        unknown = [s for s in slugs if s not in known]
        for slug in unknown:
            choices = ", ".join(sorted(known)) or "(none yet)"
            self.problem(
                path,
                field,
                f"unknown {what} '{slug}'.",
                f"use one of: {choices}; or create content/{what}s/{slug}.md.",
            )
        if unknown:
            return None
        if field.required and not slugs:
            self.problem(path, field, "is empty.", f"write {field.hint}.")
            return None
        return slugs[0] if field.kind is FieldKind.EXPERT else slugs
