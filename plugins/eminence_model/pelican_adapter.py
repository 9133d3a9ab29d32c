"""Pelican beyond its documented API, behind one door.

Everything else in Eminence uses Pelican through its public API: settings, readers,
generators, the writer's `write_file`, signals (the way pelican-plugins' sitemap does).
What the public API cannot do is here, each use with why (PRIVATE_USES, also what
tests/test_pelican_contract.py checks against the installed Pelican, naming the use that
broke). tests/test_layout.py fails any other module that names one of Pelican's private
attributes. Upgrading Pelican: run the contract test first.
"""

from __future__ import annotations

from dataclasses import dataclass

from pelican.readers import MarkdownReader
from pelican.urlwrappers import URLWrapper
from pelican.writers import Writer


@dataclass(frozen=True)
class PrivateUse:
    owner: str  # the Pelican class, dotted
    name: str
    why: str


PRIVATE_USES = (
    PrivateUse("pelican.Pelican", "_get_generator_classes",
               "generator_classes: `invoke check` runs the generators Pelican.run() would, "
               "reading without writing"),
    PrivateUse("pelican.Pelican", "delete_outputdir",
               "keep_output_folder: the incremental build keeps the output, removing only stale files"),
    PrivateUse("pelican.writers.Writer", "_open_w",
               "HookedWriter.open_output: pages are written whole, fingerprinted and skipped if unchanged"),
    PrivateUse("pelican.writers.Writer", "_written_files",
               "HookedWriter.written_files: Pelican's guard against two pages writing one file, "
               "kept across worker processes"),
    PrivateUse("pelican.writers.Writer", "_overridden_files",
               "HookedWriter.overridden_files: the same guard, as Pelican keeps it"),
    PrivateUse("pelican.readers.MarkdownReader", "_parse_metadata",
               "parse_markdown_metadata: one Markdown instance per reader, metadata parsed by Pelican"),
    PrivateUse("pelican.readers.MarkdownReader", "_md",
               "parse_markdown_metadata: formatted fields (Summary) converted by the reader's instance"),
    PrivateUse("pelican.readers.MarkdownReader", "_source_path",
               "parse_markdown_metadata: Pelican's reader keeps the file it reads on itself"),
    PrivateUse("pelican.generators.ArticlesGenerator", "generate_tags",
               "skip_list_pages: tag pages saved nowhere are not gathered (replaced per generator)"),
    PrivateUse("pelican.generators.ArticlesGenerator", "generate_categories", "skip_list_pages"),
    PrivateUse("pelican.generators.ArticlesGenerator", "generate_authors", "skip_list_pages"),
    PrivateUse("pelican.log.LimitFilter", "_raised_messages",
               "forget_logged_warnings: Pelican logs a warning once per process; a second build "
               "in one process (the desk's preview, a test) must warn again, or it passes"),
    PrivateUse("pelican.log.LimitFilter", "_group_count", "forget_logged_warnings"),
    PrivateUse("pelican.urlwrappers.URLWrapper", "_slug_from_name",
               "share_url_wrappers: only a category, author or tag whose slug follows its name "
               "is shared (one given its own slug keeps it)"),
)


# -- Pelican ------------------------------------------------------------------------

def generator_classes(pelican) -> list[type]:
    """The generators Pelican.run() uses, plugins' included, in its order."""
    return pelican._get_generator_classes()


def forget_logged_warnings() -> None:
    """A new build in this process reports every warning again (Pelican's LimitFilter
    keeps the messages it let through for the life of the process)."""
    from pelican.log import LimitFilter

    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


def forget_memoized_content() -> None:
    """Drop what Pelican memoized for every content object of the builds this process ran.
    `Content.get_content` and `get_summary` are memoized in one dict per method for the
    life of the process, keyed by the object: each entry kept its object alive, and with it
    its build's whole context. A process that builds again and again (the desk's preview,
    `livereload`) kept every build it ever ran. The output writer also calls it as it
    saves each file: within a build, a copy of every post per page depth was kept."""
    from pelican.contents import Content

    for method in (Content.get_content, Content.get_summary):
        method.cache.clear()


def keep_output_folder(pelican) -> bool:
    """DELETE_OUTPUT_DIRECTORY off for this run (the output writer removes stale files
    instead); True if it was on."""
    was_on = bool(pelican.delete_outputdir)
    pelican.delete_outputdir = False
    return was_on


def skip_list_pages(generator, methods: list[str]) -> None:
    """These ArticlesGenerator list-page methods do nothing in this run."""
    for method in methods:
        setattr(generator, method, lambda write: None)


# -- the writer ---------------------------------------------------------------------

class HookedWriter(Writer):
    """Pelican's Writer with where a page is opened as a public hook (`open_output`),
    and the set of files written so far, which Pelican uses to refuse a second page
    writing the same file."""

    def _open_w(self, filename, encoding, override=False):
        return self.open_output(filename, encoding, override)

    def open_output(self, filename, encoding, override=False):
        return super()._open_w(filename, encoding, override)

    @property
    def written_files(self) -> set:
        return self._written_files

    @written_files.setter
    def written_files(self, files: set) -> None:
        self._written_files = files

    @property
    def overridden_files(self) -> set:
        return self._overridden_files


# -- the Markdown reader ------------------------------------------------------------

def parses_metadata_as_pelican(cls: type) -> bool:
    """The reader class keeps Pelican's metadata parsing (a subclass may override it)."""
    return cls._parse_metadata is MarkdownReader._parse_metadata


def begin_markdown_file(reader: MarkdownReader, source_path: str) -> None:
    """What MarkdownReader.read records before converting: the file it reads."""
    reader._source_path = source_path


def parse_markdown_metadata(reader: MarkdownReader, fields_markdown, meta: dict) -> dict:
    """Pelican's own metadata parsing of `meta`, its formatted fields converted by
    `fields_markdown` (the instance Pelican expects to find on the reader)."""
    reader._md = fields_markdown
    return reader._parse_metadata(meta)


def share_url_wrappers(content, shared: dict) -> None:
    """Pelican's content_object_init: one Category, Author and Tag object per name for the
    whole build (`shared`, keyed by class and name). Pelican makes them per post (the
    reader's metadata, a default category or author), and each one slugifies its name
    again when the post's URL is formatted: at 5,000 posts with Tags, Category and
    Author, 26,000 slugify calls and ~2 KiB a post held. They compare and hash by slug
    either way, so Pelican's tag, category and author lists are the same."""

    def one(value):
        if isinstance(value, URLWrapper) and value._slug_from_name:
            return shared.setdefault((type(value), value.name), value)
        return value

    metadata = content.metadata
    for key in ("category", "author"):
        value = getattr(content, key, None)
        if isinstance(value, URLWrapper):
            setattr(content, key, one(value))
            if metadata.get(key) is value:
                metadata[key] = getattr(content, key)
    for key in ("authors", "tags"):
        for values in {id(v): v for v in (getattr(content, key, None), metadata.get(key))
                       if isinstance(v, list)}.values():  # often one list, held by both
            values[:] = [one(v) for v in values]
