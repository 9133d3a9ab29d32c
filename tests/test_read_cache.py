"""The read cache caches every reader result, whatever its metadata, or says why not."""

from __future__ import annotations

import logging
import shutil
import threading

import pytest

from eminence_model.reading import dumps, last_read, loads
from helpers import runner, settings_for, write

CONVENTIONAL = """
    Title: Conventional
    Date: 2026-03-01
    Expert: ada
    Topics: ai
    Tags: grid, forecasting
    Category: Field notes
    Author: Ada Lovelace
    Series: Winter storms

    A post as a migrated Pelican blog writes them.
    """


class Series:
    """A plugin's metadata object: like Pelican's Tag, it keeps the settings."""

    def __init__(self, name: str, settings: dict):
        self.name, self.settings = name, settings


class Locked(Series):
    """One that cannot be stored: it holds a lock."""

    def __init__(self, name: str, settings: dict):
        super().__init__(name, settings)
        self.lock = threading.Lock()


@pytest.fixture
def series(monkeypatch):
    """A plugin that turns 'Series:' into an object, as plugins add metadata processors."""
    from pelican import readers

    def use(kind):
        monkeypatch.setitem(readers.METADATA_PROCESSORS, "series", kind)  # called (value, settings)

    return use


def build(content, tmp_path):
    # A build that reads: with its output gone, a build with no change does not stop at
    # the last build's record (last_build.py); the read cache beside it is kept.
    shutil.rmtree(tmp_path / "output", ignore_errors=True)
    settings = settings_for(content, tmp_path / "output", EMINENCE_EXTRA_METADATA=["Series"],
                            EMINENCE_SEARCH=False, EMINENCE_WORKERS=1)
    runner.build(settings)
    return settings, last_read(settings)


def test_tags_category_author_and_plugin_objects_come_from_the_cache(small_site, tmp_path, series):
    series(Series)
    write(small_site, "posts/ada/conventional.md", CONVENTIONAL)
    _, first = build(small_site, tmp_path)
    assert first.misses >= 4 and not first.uncacheable
    settings, again = build(small_site, tmp_path)
    assert again.misses == 0 and again.hits == first.misses  # every file, this one included
    # What came back is bound to this build's settings, not a copy of the first build's.
    path = str(small_site / "posts/ada/conventional.md")
    cache = type(again)(settings)
    content, metadata = cache.get(path, cache.stamp(path))
    assert [t.name for t in metadata["tags"]] == ["grid", "forecasting"]
    assert metadata["category"].name == "Field notes" and metadata["author"].name == "Ada Lovelace"
    assert all(obj.settings is settings for obj in (*metadata["tags"], metadata["category"],
                                                    metadata["author"], metadata["series"]))
    page = (tmp_path / "output/posts/ada/conventional/index.html").read_text()
    assert "A post as a migrated Pelican blog writes them." in page


class Said(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_a_result_that_cannot_be_stored_is_reported_once_per_build(small_site, tmp_path, series):
    series(Locked)
    write(small_site, "posts/ada/conventional.md", CONVENTIONAL)
    logger = logging.getLogger("eminence_model.reading")
    for build_number in range(2):
        said = Said()
        logger.addHandler(said)  # Pelican's own logging set-up may replace the root's handlers
        try:
            _, cache = build(small_site, tmp_path)
        finally:
            logger.removeHandler(said)
        assert list(cache.uncacheable) == [str(small_site / "posts/ada/conventional.md")]
        if build_number == 0:  # Pelican drops a repeated warning within one process; each
            said = said.messages  # `invoke build` is a process of its own
            assert len(said) == 1, said
            assert "conventional.md is read again at every build" in said[0] and "lock" in said[0]
    assert cache.misses == 1  # only that file: the others came from the cache


def test_dumps_refers_to_the_settings_and_never_copies_them():
    settings = {"HUGE": "x" * 100_000}
    data = dumps(("<p>x</p>", {"series": Series("s", settings)}), settings)
    assert len(data) < 1000
    other = {"HUGE": "y"}
    _, metadata = loads(data, other)
    assert metadata["series"].settings is other


# One reader reads these in this order: what one file defines (references, footnotes,
# abbreviations, a table of contents, headings' ids) must not reach the next.
SEQUENCE = {
    "first.md": """Title: First
Summary: A *formatted* summary with [a link][ref].
Tags: a, b

[TOC]

# Heading

Text with a footnote[^1] and an HTML abbreviation and [a reference][ref].

*[HTML]: Hyper Text Markup Language

[ref]: https://example.com/ref
[^1]: The first file's note.

    :::python
    print("highlighted")
""",
    "second.md": """Title: Second

# Heading

No definitions here: [a reference][ref] stays text, HTML is no abbreviation,
and this footnote[^1] is numbered anew.

[^1]: The second file's note.
""",
    "no-header.md": "Just a paragraph, no header at all.\n",
    "third.md": """Title: Third
Summary: Plain.

[TOC]

# Heading
""",
}


@pytest.mark.parametrize("extensions", [{}, {"markdown.extensions.toc": {"permalink": True}}])
def test_markdown_read_with_one_instance_is_what_pelicans_reader_returns(tmp_path, extensions):
    """The fast path (markdown_reader.py) against the code it replaces, file after file."""
    from pelican.readers import MarkdownReader
    from pelican.settings import DEFAULT_CONFIG, read_settings

    from eminence_model import markdown_reader

    markdown = {**DEFAULT_CONFIG["MARKDOWN"]}
    markdown["extension_configs"] = {**markdown["extension_configs"], **extensions}
    settings = read_settings(override={"PATH": str(tmp_path), "MARKDOWN": markdown})
    for name, text in SEQUENCE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    reused = MarkdownReader(settings)
    assert markdown_reader.reuses_markdown(MarkdownReader)
    for _ in range(2):  # and again, with every instance already used
        for name in SEQUENCE:
            path = str(tmp_path / name)
            fresh = MarkdownReader(settings).read(path)
            assert markdown_reader.read(reused, path) == fresh, name


def test_a_reader_that_reads_its_own_way_is_left_alone():
    from pelican.readers import MarkdownReader

    from eminence_model import markdown_reader

    class Custom(MarkdownReader):
        def read(self, source_path):
            return "custom", {}

    assert not markdown_reader.reuses_markdown(Custom)
