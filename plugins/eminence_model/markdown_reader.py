"""Reading Markdown with one `markdown.Markdown` per reader, reset between files.

Pelican's MarkdownReader builds a new Markdown instance for every file, loading and
configuring every extension again: a fifth of the time it takes to read a post (on
the build benchmark, ~8 of ~39 profiled seconds for 5,700 files). Python-Markdown
supports converting many documents with one instance and `reset()` between them;
this reader does that and leaves the rest to Pelican's own code (its metadata parsing,
through pelican_adapter, and `process_metadata`), so what it returns is what Pelican's
reader returns.
tests/test_read_cache.py reads the same documents through both and compares.

Pelican converts formatted fields (Summary) with the instance that read the body,
after removing its `meta` preprocessor (a field's text has no header to take). The
body's instance keeps that preprocessor here; fields get a second instance, in which
a pass-through stands in for `meta` so that Pelican can remove it every time.
A reader class that overrides either method is left as it is. Like Pelican's own (which
keeps the file it reads on itself), a reader serves one thread at a time: every build and
tool makes its own, and forked workers their copies.
"""

from __future__ import annotations

from markdown import Markdown
from markdown.preprocessors import Preprocessor
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from .pelican_adapter import begin_markdown_file, parse_markdown_metadata, parses_metadata_as_pelican


class _NoMeta(Preprocessor):
    """Passes lines through: what `meta` becomes for formatted fields."""

    def run(self, lines):
        return lines


def reuses_markdown(cls: type) -> bool:
    """True for Pelican's MarkdownReader and subclasses that keep its reading as is."""
    return (issubclass(cls, MarkdownReader) and cls.read is MarkdownReader.read
            and parses_metadata_as_pelican(cls))


def read(reader: MarkdownReader, source_path: str):
    """MarkdownReader.read, with the reader's Markdown instances reused."""
    begin_markdown_file(reader, source_path)
    body = reader.__dict__.get("_eminence_body")
    if body is None:
        body = reader._eminence_body = Markdown(**reader.settings["MARKDOWN"])
    else:
        body.reset()
    with pelican_open(source_path) as text:
        content = body.convert(text)
    if not hasattr(body, "Meta"):
        return content, {}
    fields = reader.__dict__.get("_eminence_fields")
    if fields is None:
        fields = reader._eminence_fields = Markdown(**reader.settings["MARKDOWN"])
    if "meta" not in fields.preprocessors:
        fields.preprocessors.register(_NoMeta(fields), "meta", 0)
    return content, parse_markdown_metadata(reader, fields, body.Meta)
