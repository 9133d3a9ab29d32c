"""Reading content files through Pelican's readers, validating them, linking them.

One validation path (`validate`) for every reader of the content: the build
(ShowcaseGenerator hands it the posts Pelican's ArticlesGenerator read), `read_showcase`
(the desk and `invoke health`, which read every file themselves) and `read_people`
(the pull and the editor's commands: validated topics and experts without reading
every post, which is most of a build's cost). `entries` turns what passed into the
input of showcase.link.
"""

from __future__ import annotations

import fnmatch
import functools
import os
from dataclasses import dataclass

from pelican.readers import MarkdownReader

from . import reading
from .header import header_problems
from .schema import (
    ENDORSEMENT_FIELDS,
    EXPERT_FIELDS,
    POST_FIELDS,
    TOPIC_FIELDS,
    Endorsement,
    Expert,
    Topic,
)
from .settings import setting
from .showcase import Entry, Showcase, link
from .urls import apply_url_settings
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
              context: dict, memo=None) -> list[Source]:
    """`memo` (reread.ReadMemo): a long-running reader's sources kept from its last read."""
    sources = []
    for rel in rel_paths:
        if not rel.endswith(".md"):
            continue
        abs_path = os.path.join(base_path, rel)
        kept = memo.source(abs_path) if memo else None
        if kept is not None:
            sources.append(kept)
            continue
        stem = os.path.splitext(os.path.basename(rel))[0]
        try:
            obj = readers.read_file(base_path=base_path, path=rel, content_class=content_class,
                                    context=context)
            sources.append(Source(abs_path, obj.metadata, obj, obj.slug))
            if memo:
                memo.keep_source(sources[-1])
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


def check_headers(sources, fields, parser: FieldParser, settings, memo=None) -> None:
    """Strict metadata (header.py) for each file, as the editor typed it. A file that
    fails this is not trusted to what Pelican made of it: its other fields are not
    reported again on top."""
    extra = setting(settings, "EMINENCE_EXTRA_METADATA")
    for src in sources:
        if memo and memo.headers_passed(src.path):
            continue
        before = len(parser.problems)
        try:
            with open(src.path, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            parser.problem(src.path, "(file)", f"could not be read ({exc}).", "save it as UTF-8 text.")
            continue
        for field, message, fix in header_problems(src.path, text, fields, extra):
            parser.problem(src.path, field, message, fix)
        if memo and len(parser.problems) == before:
            memo.keep_headers_passed(src.path)


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
    if setting(settings, "EMINENCE_ALLOW_LOCAL_FEEDS"):
        local = os.path.dirname(os.path.normpath(settings["PATH"]))
    return FieldParser((), (), settings["PATH"], local_feed_root=local)


# Attributes Pelican derives itself (e.g. dates made timezone-aware in Content.__init__):
# validation checks them, but the model takes Pelican's value.
PELICAN_MANAGED = ("title", "date", "status", "summary", "slug")


@dataclass
class Sources:
    """Every content file of each kind, read (or not) by Pelican."""

    topics: list[Source]
    experts: list[Source]
    endorsements: list[Source]
    posts: list[Source]

    def kinds(self):
        return ((TOPIC_FIELDS, self.topics), (EXPERT_FIELDS, self.experts),
                (ENDORSEMENT_FIELDS, self.endorsements), (POST_FIELDS, self.posts))


def validate(sources: Sources, parser: FieldParser, settings, *, whole: bool = True, memo=None) -> dict:
    """Every problem in the content, or {path: parsed field values}. Raises ContentError
    listing them all. `whole` is False for a read of topics and experts alone (no posts,
    no endorsements): the checks that need the whole folder are left to the build.
    `memo` (reread.ReadMemo): a long-running reader's checks of unchanged files."""
    content_path = settings["PATH"]
    parser.topics = {s.slug for s in sources.topics}
    parser.experts = {s.slug for s in sources.experts}
    check_unique(sources.topics, lambda s: s.slug, parser, "topic")
    check_unique(sources.experts, lambda s: s.slug, parser, "expert")
    check_unique(sources.endorsements, lambda s: s.slug, parser, "endorsement")
    check_unique(sources.posts, lambda s: (s.meta.get("expert"), s.slug), parser, "post")
    check_reserved([*sources.topics, *sources.experts], parser)
    if whole:
        check_links(content_path, parser)
    for kind_fields, kind_sources in sources.kinds():
        check_headers(kind_sources, kind_fields, parser, settings, memo)
    parse = memo.parse if memo else lambda parser, src, fields: parser.parse(src.path, src.meta, fields)
    parsed = {src.path: parse(parser, src, kind_fields)
              for kind_fields, kind_sources in sources.kinds() for src in kind_sources}
    for src in sources.endorsements:
        values = parsed[src.path]
        if values.get("status") == "published" and values.get("consent") == "pending":
            parser.problem(
                src.path, "Consent",
                "is 'pending' but Status is 'published': an endorsement is published only "
                "with consent.",
                "record consent and set 'Consent: granted' (or 'public' if it was said "
                "publicly at Source), or set 'Status: draft' until consent arrives.",
            )
    for src in sources.posts:
        _check_post(src, parsed[src.path], content_path, parser)
    explained = {p.path for p in parser.problems}
    for _, kind_sources in sources.kinds():
        for src in kind_sources:
            if src.obj is None and display_path(src.path) not in explained:
                parser.problem(src.path, "(file)", f"Pelican could not read it ({src.error}).",
                               "check the metadata lines at the top of the file.")
    if parser.problems:
        raise ContentError(parser.problems)
    return parsed


def _check_post(src: Source, values: dict, content_path: str, parser: FieldParser) -> None:
    folder = os.path.relpath(src.path, content_path).split(os.sep)
    expert = values.get("expert")
    if expert and len(folder) >= 3 and folder[1] != expert:
        parser.problem(src.path, "Expert", f"is '{expert}' but the file is under posts/{folder[1]}/.",
                       f"move the file to content/posts/{expert}/ or correct 'Expert:'.")
    kind = values.get("kind", "article")
    if kind == "episode" and not values.get("media"):
        parser.problem(src.path, "Media", "is missing: an episode's page links to its audio.",
                       "add 'Media: <the https URL of the audio file>', or change 'Kind:'.")
    if kind == "video" and not (values.get("media") or values.get("original")):
        parser.problem(src.path, "Media", "is missing: a video's page links to where it plays.",
                       "add 'Media: <the https URL of the video's page>', or change 'Kind:'.")


def entries(sources: list[Source], parsed: dict, *, body: bool = False, page: bool = True) -> list[Entry]:
    """showcase.link's input: what validation parsed, with the title, date and status
    Pelican derived itself. `body`: with the HTML (a biography, a quote); a post's is
    left to its page (Pelican resolves its links when it is first asked for). `page`:
    the kind has pages of its own, whose URL Pelican formats; it is kept on the object
    (Pelican's `override_url`), since Pelican formats it again at every access and the
    theme asks ~35 times per post (eminence_showcase.freeze_urls does the same for the rest)."""
    out = []
    for src in sources:
        values = dict(parsed[src.path])
        values.update((k, getattr(src.obj, k)) for k in ("title", "date", "status") if hasattr(src.obj, k))
        url = ""
        if page:
            url = src.obj.url
            if not hasattr(src.obj, "override_url"):
                src.obj.override_url = url
        html = (src.obj.content or "") if body else ""
        out.append(Entry(src.path, src.slug, values, html, url, src.obj))
    return out


@dataclass
class People:
    topics: dict  # slug -> {attr: value} (validated), in reading order
    experts: dict


def _ignored(name: str, patterns) -> bool:
    return any(fnmatch.fnmatch(name, p) for p in patterns)


def _files(settings, folder: str, recursive: bool = False) -> list[str]:
    """The files under content/<folder>, relative to content/, sorted."""
    path, settings_ignore = settings["PATH"], settings.get("IGNORE_FILES", [])
    full = os.path.join(path, folder)
    if not os.path.isdir(full):
        return []
    found = []
    for base, dirs, names in os.walk(full):
        # As Pelican's Generator.get_files: IGNORE_FILES patterns hide files and folders.
        dirs[:] = sorted(d for d in dirs if recursive and not _ignored(d, settings_ignore))
        found += [os.path.relpath(os.path.join(base, f), path) for f in names
                  if not _ignored(f, settings_ignore)]
    return sorted(found)


def _reading(settings, memo=None) -> tuple:
    parser = new_parser(settings)
    readers = reading.caching_readers(settings)  # tools read the same files every time
    context = {"generated_content": {}, "static_content": {}, "static_links": set(),
               "localsiteurl": settings.get("SITEURL", "")}
    return parser, lambda rels, cls: read_kind(readers, settings, settings["PATH"], rels, cls, parser,
                                               context, memo)


def read_people(settings) -> People:
    """Validated topics and experts; raises ContentError listing every problem."""
    parser, read = _reading(settings)
    sources = Sources(read(_files(settings, "topics"), Topic), read(_files(settings, "experts"), Expert),
                      [], [])
    try:
        parsed = validate(sources, parser, settings, whole=False)
    finally:
        reading.finish(settings)
    return People({s.slug: parsed[s.path] for s in sources.topics},
                  {s.slug: parsed[s.path] for s in sources.experts})


def wall_pages(settings) -> tuple:
    """(page number -> URL of the endorsements wall's page, cards per page), as Pelican
    paginates the wall (PAGINATION_PATTERNS)."""
    from pelican.paginator import Paginator

    per_page = settings["PAGINATED_TEMPLATES"].get("endorsements") or settings["DEFAULT_PAGINATION"]

    @functools.cache
    def url(number: int) -> str:
        if not per_page:
            return "endorsements/"
        paginator = Paginator("endorsements/index.html", "endorsements/", range(number * per_page),
                              settings, per_page)
        return paginator.page(number).url

    return url, per_page or 0


def link_sources(sources: Sources, parsed: dict, settings) -> Showcase:
    url, per_page = wall_pages(settings)
    return link(entries(sources.topics, parsed), entries(sources.experts, parsed, body=True),
                entries(sources.endorsements, parsed, body=True, page=False), entries(sources.posts, parsed),
                preview=setting(settings, "EMINENCE_PREVIEW"), wall_page_url=url,
                wall_per_page=per_page)


def read_showcase(settings, memo=None) -> Showcase:
    """The whole showcase, read through Pelican's readers (no build), validated as the
    build validates it and linked. For the desk and `invoke health`. `memo`: see
    reread.py (the desk reads again only the files that changed)."""
    from pelican.contents import Article

    settings = dict(settings)
    apply_url_settings(settings)  # the build's URLs: the desk links to the pages it shows
    if memo:
        memo.begin(settings["PATH"])
    parser, read = _reading(settings, memo)
    posts = [rel for folder in settings["ARTICLE_PATHS"] for rel in _files(settings, folder, recursive=True)]
    try:
        sources = Sources(read(_files(settings, "topics"), Topic),
                          read(_files(settings, "experts"), Expert),
                          read(_files(settings, "endorsements"), Endorsement), read(posts, Article))
        parsed = validate(sources, parser, settings, memo=memo)
    finally:
        reading.finish(settings, prune=memo is None)  # a memo's read skips unchanged files
    return link_sources(sources, parsed, settings)
