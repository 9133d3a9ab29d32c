"""eminence_model.reread: the desk's reader reads again only the files that changed, and
returns what sources.read_showcase returns after every kind of change, problems included."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from eminence_model.reread import ShowcaseReader
from eminence_model.sources import read_showcase
from eminence_model.validate import ContentError
from helpers import EXAMPLE, settings_for

POST = "posts/sofia-kowalczyk/when-the-anomaly-is-the-sensor.md"


def projection(model) -> list:
    """Everything a reader of the model sees: each record as it prints, with its values."""
    return [(type(r).__name__, r.path, repr(r), sorted((k, repr(v)) for k, v in r.values.items()))
            for r in model.records()] + [repr(model.review), repr(model.taken_down)]


def outcome(read):
    try:
        return projection(read())
    except ContentError as error:
        return sorted(str(p) for p in error.problems)


@pytest.fixture
def site(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(EXAMPLE, content)
    settings = settings_for(content, tmp_path / "out", EMINENCE_PREVIEW=True)
    reader = ShowcaseReader(settings)

    def same(expect_read=None):
        """The reader's outcome equals read_showcase's; `expect_read` files were read again."""
        assert outcome(reader.read) == outcome(lambda: read_showcase(dict(settings)))
        if expect_read is not None:
            assert reader.memo.read == expect_read

    same()
    assert reader.memo.read > 50  # the first read reads everything
    return content, same, reader, settings


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_nothing_changed_reads_nothing(site):
    _, same, _, _ = site
    same(expect_read=0)


def test_an_approval_reads_that_file_only(site):
    content, same, _, _ = site
    edit(content / POST, "Status: draft", "Status: published")
    same(expect_read=1)


def test_the_read_cache_keeps_the_files_not_read_again(site):
    """The preview build reads through the same cache: a read of one changed file must not
    drop the others' entries as if they had been deleted."""
    content, _, reader, settings = site

    def entries() -> int:
        caches = list(Path(settings["CACHE_PATH"]).glob("eminence-read-*.pickle"))
        assert len(caches) == 1
        return len(pickle.loads(caches[0].read_bytes())["entries"])

    before = entries()
    assert before > 50
    edit(content / POST, "Status: draft", "Status: published")
    reader.read()
    assert reader.memo.read == 1
    assert entries() == before


def test_a_file_added_and_removed(site):
    content, same, _, _ = site
    added = content / "posts" / "sofia-kowalczyk" / "landed.md"
    added.write_text("Title: Landed\nDate: 2026-11-30\nExpert: sofia-kowalczyk\nTopics: applied-ai\n"
                     "Status: draft\n\nA post a pull just wrote.\n", encoding="utf-8")
    same(expect_read=1)
    added.unlink()
    same(expect_read=0)


def test_a_broken_file_is_reported_until_fixed(site):
    content, same, _, _ = site
    edit(content / POST, "Date: ", "Date: not a date ")
    same()
    same()  # reported again: a file with a problem is never kept
    edit(content / POST, "Date: not a date ", "Date: ")
    same()


def test_a_topic_renamed_is_reported_in_the_posts_that_name_it(site):
    """Unchanged posts are parsed again when the topics they are checked against change
    (here no file is added or removed: the topic's slug changes in its file)."""
    content, same, _, _ = site
    topic = content / "topics" / "applied-ai.md"
    text = topic.read_text(encoding="utf-8")
    topic.write_text("Slug: machine-learning\n" + text, encoding="utf-8")
    same()
    topic.write_text(text, encoding="utf-8")
    same()


def test_a_missing_avatar_is_reported(site):
    content, same, _, _ = site
    avatar = next((content / "images" / "experts").iterdir())
    avatar.unlink()
    same()


def test_an_expert_renamed_in_their_file(site):
    content, same, _, _ = site
    edit(content / "experts" / "sofia-kowalczyk.md", "Title: ", "Title: Dr. ")
    same(expect_read=1)
