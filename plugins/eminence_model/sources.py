"""Reading content files through Pelican's readers, for the build and for tools.

`read_kind` is what ShowcaseGenerator uses; `read_people` gives tools (the pull,
the editor's commands) the validated topics and experts without reading every
post, which is most of a build's cost.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pelican.readers import MarkdownReader

from . import reading
from .header import header_problems
from .schema import EXPERT_FIELDS, TOPIC_FIELDS, Expert, Topic
from .validate import ContentError, FieldParser, display_path

# Taken by the filter and pagination URLs (experts/topic/, posts/page/).
RESERVED_SLUGS = {"topic", "page", "index"}


class RawMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader without metadata processing.

    Used only to explain why Pelican could not read a file (e.g. an
    unparseable date raises inside Pelican's own processor), so the message can
    name the field instead of just the file.
    """

    def process_metadata(self, name, value):
        return value


@dataclass
class Source:
    """One content file: its path, its metadata and, if Pelican read it, the object."""

    path: str  # absolute
    meta: dict
    obj: object | None
    slug: str
    error: Exception | None = None


def raw_metadata(settings, abs_path: str, parser: FieldParser) -> dict | None:
    try:
        _, meta = RawMarkdownReader(settings).read(abs_path)
        return meta
    except Exception as exc:  # noqa: BLE001 - reported as a problem with the file
        parser.problem(abs_path, "(file)", f"could not be read ({exc}).",
                       "check the file is UTF-8 Markdown with 'Key: value' metadata lines at the top.")
        return None


def read_kind(readers, settings, base_path: str, rel_paths, content_class, parser: FieldParser,
              context: dict) -> list[Source]:
    sources = []
    for rel in rel_paths:
        if not rel.endswith(".md"):
            continue
        abs_path = os.path.join(base_path, rel)
        stem = os.path.splitext(os.path.basename(rel))[0]
        try:
            obj = readers.read_file(base_path=base_path, path=rel, content_class=content_class,
                                    context=context)
            sources.append(Source(abs_path, obj.metadata, obj, obj.slug))
        except Exception as exc:  # noqa: BLE001 - diagnosed field by field by the caller
            meta = raw_metadata(settings, abs_path, parser)
            if meta is not None:
                sources.append(Source(abs_path, meta, None, meta.get("slug", stem), exc))
    return sources


def check_unique(sources, key, parser: FieldParser, what: str) -> None:
    fix = "rename one of the files (the slug is the file name) or give it a distinct 'Slug:'."
    seen: dict = {}
    for src in sorted(sources, key=lambda s: s.path):
        k = key(src)
        if k in seen:
            parser.problem(src.path, "Slug", f"'{src.slug}' is already used by {display_path(seen[k])}; "
                           f"both would be written to the same {what} page.", fix)
        else:
            seen[k] = src.path


def check_reserved(sources, parser: FieldParser) -> None:
    for src in sources:
        if src.slug in RESERVED_SLUGS:
            parser.problem(src.path, "Slug", f"'{src.slug}' is reserved for the site's own pages.",
                           "rename the file (the slug is the file name).")


def check_headers(sources, fields, parser: FieldParser, settings) -> None:
    """Strict metadata (header.py) for each file, as the editor typed it. A file that
    fails this is not trusted to what Pelican made of it: its other fields are not
    reported again on top."""
    extra = settings.get("EMINENCE_EXTRA_METADATA", ())
    for src in sources:
        try:
            with open(src.path, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            parser.problem(src.path, "(file)", f"could not be read ({exc}).", "save it as UTF-8 text.")
            continue
        for field, message, fix in header_problems(src.path, text, fields, extra):
            parser.problem(src.path, field, message, fix)


def check_links(content_path: str, parser: FieldParser) -> None:
    """A symbolic link under content/ (to a file or a folder) whose target is outside
    the content folder would publish that file (Pelican follows links): refused."""
    root = os.path.realpath(content_path)
    for base, dirs, files in os.walk(content_path):
        for name in (*dirs, *files):
            path = os.path.join(base, name)
            if not os.path.islink(path):
                continue
            target = os.path.realpath(path)
            if target != root and not target.startswith(root + os.sep):
                parser.problem(path, "(file)", f"is a link to {target}, outside the content folder: "
                               "that file would be published.",
                               "copy what should be published into content/ and remove the link.")


def new_parser(settings) -> FieldParser:
    local = None
    if settings.get("EMINENCE_ALLOW_LOCAL_FEEDS"):
        local = os.path.dirname(os.path.normpath(settings["PATH"]))
    return FieldParser((), (), settings["PATH"], local_feed_root=local)


@dataclass
class People:
    topics: dict  # slug -> {attr: value} (validated), in reading order
    experts: dict


def read_people(settings) -> People:
    """Validated topics and experts; raises ContentError listing every problem."""
    path = settings["PATH"]
    parser = new_parser(settings)
    readers = reading.caching_readers(settings)  # `invoke pull` reads the same files every time
    context = {"generated_content": {}, "static_content": {}, "static_links": set(),
               "localsiteurl": settings.get("SITEURL", "")}

    def files(folder):
        full = os.path.join(path, folder)
        if not os.path.isdir(full):
            return []
        return sorted(os.path.join(folder, f) for f in os.listdir(full))

    topics = read_kind(readers, settings, path, files("topics"), Topic, parser, context)
    experts = read_kind(readers, settings, path, files("experts"), Expert, parser, context)
    parser.topics = {s.slug for s in topics}
    parser.experts = {s.slug for s in experts}
    check_unique(topics, lambda s: s.slug, parser, "topic")
    check_unique(experts, lambda s: s.slug, parser, "expert")
    check_reserved([*topics, *experts], parser)
    check_headers(topics, TOPIC_FIELDS, parser, settings)
    check_headers(experts, EXPERT_FIELDS, parser, settings)
    people = People(
        {s.slug: parser.parse(s.path, s.meta, TOPIC_FIELDS) for s in topics},
        {s.slug: parser.parse(s.path, s.meta, EXPERT_FIELDS) for s in experts},
    )
    reading.finish(settings)
    if parser.problems:
        raise ContentError(parser.problems)
    return people
